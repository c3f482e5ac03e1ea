//! The delivery log: what the outbox did with every delivery, attempt by attempt, and the
//! retry of a dead letter. SDAdmin only: recipients and provider answers are personal data.

use super::audit::{self, Entry};
use super::db::{placeholders, Db};
use super::error::ServiceError;
use super::{Actor, AuditContext};
use crate::domain::audit::utc_text;
use crate::domain::delivery::ATTEMPTS_SHOWN;
use crate::domain::{AttemptRow, DeliveryFilter, DeliveryPage, DeliveryRow, Refusal};
use serde_json::json;

const PER_PAGE: u32 = 50;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    created_at: i64,
    engineer: Option<String>,
    channel: String,
    recipient: String,
    kind: String,
    status: String,
    attempts: i64,
    next_attempt_at: i64,
    last_answer: Option<String>,
}

/// Page `page` (from 1) of the deliveries `filter` shows, newest first, with their attempts.
pub async fn page(
    db: &Db,
    actor: &Actor,
    filter: DeliveryFilter,
    page: u32,
) -> Result<DeliveryPage, ServiceError> {
    actor.require_admin(crate::domain::AdminTask::ReadDeliveryLog)?;
    let page = page.max(1);
    let by_status: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, count(*) FROM deliveries GROUP BY status")
            .fetch_all(db.reader())
            .await?;
    let count = |f: DeliveryFilter| -> i64 {
        by_status
            .iter()
            .filter(|(status, _)| f.statuses().contains(&status.as_str()))
            .map(|(_, n)| n)
            .sum()
    };
    let counts: Vec<(DeliveryFilter, i64)> = DeliveryFilter::ALL
        .iter()
        .map(|f| (*f, count(*f)))
        .collect();
    let statuses = filter.statuses();
    let sql = format!(
        "SELECT d.id, d.created_at, t.name AS engineer, d.channel, d.recipient, n.kind, \
         d.status, d.attempts, d.next_attempt_at, d.last_answer \
         FROM deliveries d JOIN notifications n ON n.id = d.notification_id \
         LEFT JOIN technicians t ON t.id = d.technician_id \
         WHERE d.status IN ({}) ORDER BY d.created_at DESC, d.id DESC LIMIT $1 OFFSET $2",
        placeholders(3, statuses.len())
    );
    let mut query = sqlx::query_as::<_, Row>(&sql)
        .bind(i64::from(PER_PAGE))
        .bind(i64::from(PER_PAGE) * i64::from(page - 1));
    for status in statuses {
        query = query.bind(*status);
    }
    let rows = query.fetch_all(db.reader()).await?;
    let mut attempts = attempts_of(db, &rows.iter().map(|r| r.id).collect::<Vec<_>>()).await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let waiting = matches!(r.status.as_str(), "queued" | "retrying");
            DeliveryRow {
                id: r.id,
                queued_at: utc_text(r.created_at),
                engineer: r.engineer,
                channel: r.channel,
                recipient: r.recipient,
                kind: r.kind,
                status: r.status,
                attempts: r.attempts,
                next_attempt_at: waiting.then(|| utc_text(r.next_attempt_at)),
                last_answer: r.last_answer.filter(|a| !a.is_empty()),
                attempt_log: attempts.remove(&r.id).unwrap_or_default(),
            }
        })
        .collect();
    Ok(DeliveryPage {
        filter,
        counts,
        rows,
        total: count(filter),
        page,
        per_page: PER_PAGE,
    })
}

/// The newest [`ATTEMPTS_SHOWN`] attempts of each delivery in `ids`.
async fn attempts_of(
    db: &Db,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<AttemptRow>>, ServiceError> {
    let mut by_delivery: std::collections::HashMap<i64, Vec<AttemptRow>> =
        std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(by_delivery);
    }
    let sql = format!(
        "SELECT delivery_id, attempt, at, outcome, answer, worker FROM delivery_attempts \
         WHERE delivery_id IN ({}) ORDER BY delivery_id, attempt DESC, id DESC",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query_as::<_, (i64, i64, i64, String, String, String)>(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    for (delivery, attempt, at, outcome, answer, worker) in query.fetch_all(db.reader()).await? {
        let shown = by_delivery.entry(delivery).or_default();
        if shown.len() < ATTEMPTS_SHOWN {
            shown.push(AttemptRow {
                attempt,
                at: utc_text(at),
                outcome,
                answer,
                worker,
            });
        }
    }
    Ok(by_delivery)
}

/// Queues dead letter `id` again with a fresh budget of attempts. Audited.
pub async fn retry(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    id: i64,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require_admin(crate::domain::AdminTask::RetryDelivery)?;
    let mut tx = db.begin_write().await?;
    let found: Option<(String, Option<i64>, String, i64)> = sqlx::query_as(
        "SELECT status, technician_id, channel, attempts FROM deliveries WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((status, technician_id, channel, attempts)) = found else {
        return Err(ServiceError::NotFound(Refusal::NoDelivery { id }));
    };
    if status != "dead" {
        return Err(ServiceError::Conflict(Refusal::DeliveryNotDead {
            id,
            status,
        }));
    }
    let Some(technician_id) = technician_id else {
        return Err(ServiceError::Conflict(Refusal::DeliveryOrphaned { id }));
    };
    // The state is checked again by the update: of two retries at once, one wins.
    let done = sqlx::query(
        "UPDATE deliveries SET status = 'queued', attempts_base = attempts, \
         next_attempt_at = $2, updated_at = $2 WHERE id = $1 AND status = 'dead'",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(ServiceError::Conflict(Refusal::DeliveryRetried { id }));
    }
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "delivery.retry",
            technician_id: Some(technician_id),
            before: Some(json!({ "delivery": id, "status": "dead", "attempts": attempts })),
            after: Some(json!({ "delivery": id, "status": "queued", "channel": channel })),
        },
    )
    .await?;
    crate::service::outbox::commit(db, tx).await?;
    Ok(())
}
