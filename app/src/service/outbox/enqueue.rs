//! Writing notifications and their deliveries, in the transaction of what caused them.

use super::{Kind, NewDelivery};
use crate::domain::Channel;
use crate::i18n::Lang;
use crate::service::db::{placeholders, Db, VALUES_PER_STATEMENT};
use crate::service::error::ServiceError;
use sqlx::{Any, Transaction};

/// Commits a transaction that queued deliveries, then wakes the delivery workers: what
/// every writer of the outbox ends with, so nothing waits for the workers' next poll.
pub async fn commit(db: &Db, tx: Transaction<'_, Any>) -> Result<(), ServiceError> {
    tx.commit().await?;
    db.outbox_ready().notify_waiters();
    Ok(())
}

/// Writes a notification and its deliveries; a delivery whose key exists already is skipped.
/// Answers the notification's id.
pub async fn enqueue(
    tx: &mut Transaction<'_, Any>,
    kind: Kind,
    (text, lang): (&str, Lang),
    api: Option<(i64, &str)>,
    deliveries: &[NewDelivery],
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO notifications (kind, text, language, api_key_id, idempotency_key, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(kind.as_str())
    .bind(text)
    .bind(lang.code())
    .bind(api.map(|(key, _)| key))
    .bind(api.map(|(_, idempotency)| idempotency))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    add_deliveries(tx, kind, id, deliveries, now).await?;
    Ok(id)
}

/// Adds deliveries to notification `id`; a delivery whose key exists already is skipped.
pub async fn add_deliveries(
    tx: &mut Transaction<'_, Any>,
    kind: Kind,
    id: i64,
    deliveries: &[NewDelivery],
    now: i64,
) -> Result<(), sqlx::Error> {
    let rows: Vec<(i64, &NewDelivery)> = deliveries.iter().map(|d| (id, d)).collect();
    insert_deliveries(tx, kind, &rows, now).await
}

/// Deliveries written per statement: 7 values each.
const ROWS_PER_INSERT: usize = crate::service::db::rows_per_statement(7);

/// Each delivery with its notification's id, a few statements in all. Confirmations and
/// tests are first given their time by the one limiter ([`crate::service::send_limits`]).
async fn insert_deliveries(
    tx: &mut Transaction<'_, Any>,
    kind: Kind,
    rows: &[(i64, &NewDelivery)],
    now: i64,
) -> Result<(), sqlx::Error> {
    if kind == Kind::Confirmation {
        supersede_confirmations(tx, rows, now).await?;
    }
    let due: Vec<i64> = if matches!(kind, Kind::Confirmation | Kind::Test | Kind::Drill) {
        let slots: Vec<crate::service::send_limits::Slot<'_>> = rows
            .iter()
            .map(|(_, d)| crate::service::send_limits::Slot {
                kind: kind.as_str(),
                technician_id: d.technician_id,
                channel: d.channel,
                recipient: &d.recipient,
            })
            .collect();
        crate::service::send_limits::schedule(tx, &slots, now).await?
    } else {
        vec![now; rows.len()]
    };
    let rows: Vec<(i64, &NewDelivery, i64)> = rows
        .iter()
        .zip(due)
        .map(|((id, d), at)| (*id, *d, at))
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = i * 7;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, 'queued', 0, ${}, ${p6}, ${p6})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 7,
                    p6 = p + 6
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO deliveries (notification_id, technician_id, channel, recipient, \
             idempotency_key, status, attempts, next_attempt_at, created_at, updated_at) \
             VALUES {} ON CONFLICT (idempotency_key) DO NOTHING",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for (id, delivery, due) in chunk {
            query = query
                .bind(*id)
                .bind(delivery.technician_id)
                .bind(delivery.channel.as_str())
                .bind(&delivery.recipient)
                .bind(&delivery.idempotency_key)
                .bind(now)
                .bind(*due);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// A new confirmation replaces the engineer's earlier one on that channel (its token is
/// gone, so its link would confirm nothing): one not yet sent is cancelled, and the time it
/// held in the limiter is given back. An engineer who saves number after number keeps one
/// message waiting, never a queue of paid ones.
async fn supersede_confirmations(
    tx: &mut Transaction<'_, Any>,
    rows: &[(i64, &NewDelivery)],
    now: i64,
) -> Result<(), sqlx::Error> {
    for channel in [Channel::Sms, Channel::Voice, Channel::Email] {
        let ids: Vec<i64> = rows
            .iter()
            .filter(|(_, d)| d.channel == channel)
            .filter_map(|(_, d)| d.technician_id)
            .collect();
        for chunk in ids.chunks(VALUES_PER_STATEMENT) {
            let sql = format!(
                "UPDATE deliveries SET status = 'cancelled', \
                 last_answer = 'replaced by a newer confirmation', updated_at = $1 \
                 WHERE channel = $2 AND status = 'queued' AND attempts = 0 \
                 AND idempotency_key LIKE 'confirm:%' AND technician_id IN ({})",
                placeholders(3, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(now).bind(channel.as_str());
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut **tx).await?;
            let sql = format!(
                "DELETE FROM send_slots WHERE at > $1 AND channel = $2 \
                 AND kind = 'confirmation' AND technician_key IN ({})",
                placeholders(3, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(now).bind(channel.as_str());
            for id in chunk {
                query = query.bind(id.to_string());
            }
            query.execute(&mut **tx).await?;
        }
    }
    Ok(())
}

/// Many notifications of one kind, each with its one delivery (a sync's confirmations), a
/// few statements in all. Each text must be different from the others (confirmation texts
/// carry their token); when two are the same they are written one by one.
pub async fn enqueue_each(
    tx: &mut Transaction<'_, Any>,
    kind: Kind,
    messages: &[(String, Lang, NewDelivery)],
    now: i64,
) -> Result<(), sqlx::Error> {
    let distinct: std::collections::HashSet<&str> =
        messages.iter().map(|(text, ..)| text.as_str()).collect();
    if distinct.len() < messages.len() {
        for (text, lang, delivery) in messages {
            let one = std::slice::from_ref(delivery);
            enqueue(tx, kind, (text, *lang), None, one, now).await?;
        }
        return Ok(());
    }
    for chunk in messages.chunks(crate::service::db::rows_per_statement(2)) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("($1, ${}, ${}, $2)", 2 * i + 3, 2 * i + 4))
            .collect();
        let sql = format!(
            "INSERT INTO notifications (kind, text, language, created_at) VALUES {} \
             RETURNING id, text",
            values.join(", ")
        );
        let mut query = sqlx::query_as::<_, (i64, String)>(&sql)
            .bind(kind.as_str())
            .bind(now);
        for (text, lang, _) in chunk {
            query = query.bind(text).bind(lang.code());
        }
        // The order of RETURNING rows is not promised: each id is found by its text.
        let ids: std::collections::HashMap<String, i64> = query
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .map(|(id, text)| (text, id))
            .collect();
        let rows: Vec<(i64, &NewDelivery)> = chunk
            .iter()
            .filter_map(|(text, _, delivery)| ids.get(text).map(|id| (*id, delivery)))
            .collect();
        insert_deliveries(tx, kind, &rows, now).await?;
    }
    Ok(())
}

/// How many `kind` messages went to an engineer over `channel` since `since`, and when the
/// last one did: what every cool-down (confirmations, tests) is decided on.
pub async fn recent(
    tx: &mut Transaction<'_, Any>,
    technician_id: i64,
    channel: Channel,
    kind: Kind,
    since: i64,
) -> Result<(i64, Option<i64>), sqlx::Error> {
    sqlx::query_as(
        "SELECT count(*), max(d.created_at) FROM deliveries d \
         JOIN notifications n ON n.id = d.notification_id \
         WHERE d.technician_id = $1 AND d.channel = $2 AND n.kind = $3 AND d.created_at > $4",
    )
    .bind(technician_id)
    .bind(channel.as_str())
    .bind(kind.as_str())
    .bind(since)
    .fetch_one(&mut **tx)
    .await
}

/// Deliveries not yet sent to a technician about to be deleted.
pub async fn cancel_for_technician(
    tx: &mut Transaction<'_, Any>,
    technician_id: i64,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE deliveries SET status = 'cancelled', last_answer = 'the engineer was deleted', \
         lease_owner = NULL, lease_until = NULL, updated_at = $2 \
         WHERE technician_id = $1 AND status IN ('queued', 'retrying', 'sending')",
    )
    .bind(technician_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}
