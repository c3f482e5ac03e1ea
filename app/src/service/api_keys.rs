//! Keys of the notification API (SPEC §7, §8): shown once when created, stored only as their
//! SHA-256 hash, named, revocable.

use super::actor::Actor;
use super::audit::{self, AuditContext, Entry};
use super::db::{is_unique_violation, Db};
use super::error::ServiceError;
use crate::domain::audit::utc_text;
use serde_json::json;
use sha2::{Digest, Sha256};

/// What every key starts with, so a leaked one is recognisable in a scan.
pub const PREFIX: &str = "cdk_";

fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// A name: 1 to 100 characters, no control characters.
fn checked_name(raw: &str) -> Result<String, ServiceError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ServiceError::invalid(
            "name",
            crate::domain::FieldProblem::PlainTextBetween { min: 1, max: 100 },
        ));
    }
    Ok(name.to_owned())
}

/// Creates a key named `name`; answers the key itself, which is not kept.
pub async fn create(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    name: &str,
    now: i64,
) -> Result<String, ServiceError> {
    let name = checked_name(name)?;
    let secret: [u8; 32] = rand::random();
    let key = format!("{PREFIX}{}", hex::encode(secret));
    let mut tx = db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO api_keys (name, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&name)
    .bind(hash(&key))
    .bind(&key[..PREFIX.len() + 6])
    .bind(now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e, "api_keys_live_name") => {
            return Err(ServiceError::Conflict(
                crate::domain::Refusal::ApiKeyExists {
                    name: name.to_owned(),
                },
            ))
        }
        Err(e) => return Err(e.into()),
    }
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "apikey.create",
            technician_id: None,
            before: None,
            after: Some(json!({ "name": name })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(key)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub name: String,
    /// The first characters, enough to tell keys apart.
    pub prefix: String,
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: Option<String>,
}

pub async fn list(db: &Db) -> Result<Vec<KeyInfo>, ServiceError> {
    type Row = (String, String, i64, Option<i64>, Option<i64>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT name, prefix, created_at, last_used_at, revoked_at FROM api_keys ORDER BY name, id",
    )
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, prefix, created, used, revoked)| KeyInfo {
            name,
            prefix,
            created: utc_text(created),
            last_used: used.map(utc_text),
            revoked: revoked.map(utc_text),
        })
        .collect())
}

pub async fn revoke(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    name: &str,
    now: i64,
) -> Result<(), ServiceError> {
    let name = checked_name(name)?;
    let mut tx = db.begin_write().await?;
    let done =
        sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(&name)
            .execute(&mut *tx)
            .await?;
    if done.rows_affected() == 0 {
        return Err(ServiceError::NotFound(crate::domain::Refusal::NoApiKey {
            name: name.to_owned(),
        }));
    }
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "apikey.revoke",
            technician_id: None,
            before: None,
            after: Some(json!({ "name": name })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The live key `key` is, as (id, name); `None` for anything else.
pub async fn authenticate(db: &Db, key: &str) -> Result<Option<(i64, String)>, ServiceError> {
    if !key.starts_with(PREFIX) || key.len() != PREFIX.len() + 64 {
        return Ok(None);
    }
    Ok(
        sqlx::query_as("SELECT id, name FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
            .bind(hash(key))
            .fetch_optional(db.reader())
            .await?,
    )
}

/// Remembers when a key was last used (at most once a minute per key, to spare the writer).
pub async fn touch(db: &Db, id: i64, now: i64) -> Result<(), ServiceError> {
    sqlx::query(
        "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 \
         AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(now)
    .bind(id)
    .bind(now - 60_000)
    .execute(db.writer())
    .await?;
    Ok(())
}
