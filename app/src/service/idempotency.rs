//! The answers kept for POSTs that carried an `Idempotency-Key` (per API key, a day): a
//! repeat of the same request is answered the same, a different request with the same key
//! is refused, and two at once are one.

use super::db::{is_unique_violation, Db};
use super::error::ServiceError;

/// How long an answer is kept.
pub const KEPT_MS: i64 = 24 * 60 * 60 * 1000;

/// An answer as it was first given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub status: u16,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: String,
}

/// What a request with an idempotency key finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Nobody asked this yet: the caller answers it, then [`keep`]s or [`release`]s it.
    New,
    /// The same request was answered: answer it the same.
    Answered(Kept),
    /// The same key is being answered right now.
    InProgress,
    /// The key was used for a different request.
    Reused,
}

/// Claims `idempotency_key` of API key `key_id` for the request whose digest is
/// `fingerprint`.
pub async fn claim(
    db: &Db,
    key_id: i64,
    idempotency_key: &str,
    fingerprint: &str,
    now: i64,
) -> Result<Claim, ServiceError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM api_idempotency WHERE created_at < $1")
        .bind(now - KEPT_MS)
        .execute(&mut *tx)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO api_idempotency (key_id, idempotency_key, fingerprint, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(key_id)
    .bind(idempotency_key)
    .bind(fingerprint)
    .bind(now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {
            tx.commit().await?;
            return Ok(Claim::New);
        }
        Err(e) if is_unique_violation(&e, "api_idempotency") => {}
        Err(e) => return Err(e.into()),
    }
    drop(tx);
    type Row = (
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT fingerprint, status, location, etag, body FROM api_idempotency \
         WHERE key_id = $1 AND idempotency_key = $2",
    )
    .bind(key_id)
    .bind(idempotency_key)
    .fetch_optional(db.writer())
    .await?;
    Ok(match row {
        // Released between the two statements: the caller may ask again.
        None => Claim::InProgress,
        Some((kept, _, _, _, _)) if kept != fingerprint => Claim::Reused,
        Some((_, None, _, _, _)) => Claim::InProgress,
        Some((_, Some(status), location, etag, body)) => Claim::Answered(Kept {
            status: u16::try_from(status).unwrap_or(500),
            location,
            etag,
            body: body.unwrap_or_default(),
        }),
    })
}

/// Keeps the answer to a claimed request.
pub async fn keep(
    db: &Db,
    key_id: i64,
    idempotency_key: &str,
    kept: &Kept,
) -> Result<(), ServiceError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE api_idempotency SET status = $1, location = $2, etag = $3, body = $4 \
         WHERE key_id = $5 AND idempotency_key = $6",
    )
    .bind(i64::from(kept.status))
    .bind(kept.location.as_deref())
    .bind(kept.etag.as_deref())
    .bind(&kept.body)
    .bind(key_id)
    .bind(idempotency_key)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets a claimed request that did nothing (refused, or failed on our side), so the same
/// key may be used again.
pub async fn release(db: &Db, key_id: i64, idempotency_key: &str) -> Result<(), ServiceError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "DELETE FROM api_idempotency WHERE key_id = $1 AND idempotency_key = $2 \
         AND status IS NULL",
    )
    .bind(key_id)
    .bind(idempotency_key)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
