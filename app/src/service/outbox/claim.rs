//! Leasing due deliveries to a worker.

use crate::domain::Channel;
use crate::service::db::{Backend, Db};
use crate::service::error::ServiceError;

/// A delivery a worker holds the lease of.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub notification_id: i64,
    pub technician_id: Option<i64>,
    pub channel: Channel,
    pub recipient: String,
    pub idempotency_key: String,
    /// 1 for the first attempt.
    pub attempt: i64,
    /// The attempts made before the current budget started (a dead letter retried by hand).
    pub attempts_base: i64,
    pub kind: String,
    pub text: String,
    /// The language the text is written in (the subject of an email follows it).
    pub language: crate::i18n::Lang,
}

impl Claimed {
    /// Attempts spent of the current budget, this one included.
    pub fn budget_used(&self) -> i64 {
        self.attempt - self.attempts_base
    }
}

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: i64,
    notification_id: i64,
    technician_id: Option<i64>,
    channel: String,
    recipient: String,
    idempotency_key: String,
    attempts: i64,
    attempts_base: i64,
}

/// Takes up to `limit` deliveries that are due, or whose lease ran out, for `lease_ms`.
/// On PostgreSQL rows another instance is claiming are skipped, never claimed twice; on
/// SQLite the one writer makes the statement atomic.
pub async fn claim(
    db: &Db,
    worker: &str,
    limit: i64,
    lease_ms: i64,
    now: i64,
) -> Result<Vec<Claimed>, ServiceError> {
    let lock = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE deliveries SET status = 'sending', lease_owner = $1, lease_until = $2, \
         attempts = attempts + 1, updated_at = $3 \
         WHERE id IN (SELECT id FROM deliveries \
           WHERE (status IN ('queued', 'retrying') AND next_attempt_at <= $3) \
              OR (status = 'sending' AND lease_until < $3) \
           ORDER BY next_attempt_at LIMIT $4{lock}) \
         RETURNING id, notification_id, technician_id, channel, recipient, idempotency_key, attempts, \
         attempts_base"
    );
    let rows: Vec<ClaimedRow> = sqlx::query_as(&sql)
        .bind(worker)
        .bind(now + lease_ms)
        .bind(now)
        .bind(limit)
        .fetch_all(db.writer())
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<i64> = rows.iter().map(|r| r.notification_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let notifications: Vec<(i64, String, String, Option<String>)> = crate::service::db::by_ids(
        db.reader(),
        "SELECT id, kind, text, language FROM notifications WHERE id IN ({})",
        &ids,
    )
    .await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for row in rows {
        let Some((_, kind, text, language)) =
            notifications.iter().find(|n| n.0 == row.notification_id)
        else {
            continue;
        };
        let Some(channel) = Channel::parse(&row.channel) else {
            continue;
        };
        claimed.push(Claimed {
            id: row.id,
            notification_id: row.notification_id,
            technician_id: row.technician_id,
            channel,
            recipient: row.recipient,
            idempotency_key: row.idempotency_key,
            attempt: row.attempts,
            attempts_base: row.attempts_base,
            kind: kind.clone(),
            text: text.clone(),
            language: language
                .as_deref()
                .and_then(|code| crate::i18n::Lang::parse_setting(code).ok())
                .unwrap_or_default(),
        });
    }
    Ok(claimed)
}
