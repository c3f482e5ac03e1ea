//! The outbox: notifications written in their cause's transaction, then claimed by workers
//! with a lease, delivered, retried with backoff and finally delivered, dead or cancelled.
//!
//! Every state change of a delivery that a worker makes names the worker: a worker whose
//! lease ran out (it was killed, or stalled) finds its row taken over and records nothing.

use super::db::{
    bind_values, insert_rows, placeholders, rows_per_statement, Backend, Db, Value,
    VALUES_PER_STATEMENT,
};
use super::error::ServiceError;
use crate::domain::Channel;
use sqlx::{Any, Transaction};

/// One delivery to write with a notification.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub technician_id: Option<i64>,
    pub channel: Channel,
    /// What the logs show: the number, the address, or the masked robot.
    pub recipient: String,
    /// (event, engineer, channel): never two rows with the same key.
    pub idempotency_key: String,
}

/// Why a notification was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Confirmation,
    Test,
    Api,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmation => "confirmation",
            Self::Test => "test",
            Self::Api => "api",
        }
    }
}

/// Writes a notification and its deliveries; a delivery whose key exists already is skipped.
/// Answers the notification's id.
pub async fn enqueue(
    tx: &mut Transaction<'_, Any>,
    kind: Kind,
    text: &str,
    api: Option<(i64, &str)>,
    deliveries: &[NewDelivery],
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO notifications (kind, text, api_key_id, idempotency_key, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(kind.as_str())
    .bind(text)
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
const ROWS_PER_INSERT: usize = super::db::rows_per_statement(7);

/// Each delivery with its notification's id, a few statements in all. Confirmations and
/// tests are first given their time by the one limiter ([`super::send_limits`]).
async fn insert_deliveries(
    tx: &mut Transaction<'_, Any>,
    kind: Kind,
    rows: &[(i64, &NewDelivery)],
    now: i64,
) -> Result<(), sqlx::Error> {
    if kind == Kind::Confirmation {
        supersede_confirmations(tx, rows, now).await?;
    }
    let due: Vec<i64> = if matches!(kind, Kind::Confirmation | Kind::Test) {
        let slots: Vec<super::send_limits::Slot<'_>> = rows
            .iter()
            .map(|(_, d)| super::send_limits::Slot {
                kind: kind.as_str(),
                technician_id: d.technician_id,
                channel: d.channel,
                recipient: &d.recipient,
            })
            .collect();
        super::send_limits::schedule(tx, &slots, now).await?
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
    messages: &[(String, NewDelivery)],
    now: i64,
) -> Result<(), sqlx::Error> {
    let distinct: std::collections::HashSet<&str> =
        messages.iter().map(|(text, _)| text.as_str()).collect();
    if distinct.len() < messages.len() {
        for (text, delivery) in messages {
            enqueue(tx, kind, text, None, std::slice::from_ref(delivery), now).await?;
        }
        return Ok(());
    }
    for chunk in messages.chunks(super::db::rows_per_statement(1)) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("($1, ${}, $2)", i + 3))
            .collect();
        let sql = format!(
            "INSERT INTO notifications (kind, text, created_at) VALUES {} RETURNING id, text",
            values.join(", ")
        );
        let mut query = sqlx::query_as::<_, (i64, String)>(&sql)
            .bind(kind.as_str())
            .bind(now);
        for (text, _) in chunk {
            query = query.bind(text);
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
            .filter_map(|(text, delivery)| ids.get(text).map(|id| (*id, delivery)))
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
    let notifications: Vec<(i64, String, String)> = super::db::by_ids(
        db.reader(),
        "SELECT id, kind, text FROM notifications WHERE id IN ({})",
        &ids,
    )
    .await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for row in rows {
        let Some((_, kind, text)) = notifications.iter().find(|n| n.0 == row.notification_id)
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
        });
    }
    Ok(claimed)
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The provider accepted it; its answer.
    Delivered(String),
    /// No provider is configured: the message went to the Message log, as rendered here.
    Captured(String),
    /// Try again later: after `after_ms` if the provider said so, else after the backoff.
    Retry {
        answer: String,
        after_ms: Option<i64>,
    },
    /// The provider refused it for good.
    Failed(String),
    /// A per-robot limit is full: not an attempt; queued again until `until`.
    Deferred { until: i64 },
    /// Nothing to send to any more (the engineer or their webhook is gone).
    Cancelled(String),
}

/// How many attempts a delivery gets and how long it waits between them.
#[derive(Debug, Clone, Copy)]
pub struct Retries {
    pub max_attempts: i64,
    pub base_ms: i64,
    pub cap_ms: i64,
}

impl Default for Retries {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base_ms: 2_000,
            cap_ms: 10 * 60 * 1000,
        }
    }
}

impl Retries {
    /// Exponential backoff with jitter: between half and all of `base · 2^(attempt-1)`,
    /// capped; `Retry-After` (capped at an hour) wins when it is longer.
    pub fn delay_ms(&self, attempt: i64, retry_after_ms: Option<i64>, jitter: f64) -> i64 {
        let exponent = u32::try_from(attempt.clamp(1, 30) - 1).unwrap_or(0);
        let full = self
            .base_ms
            .saturating_mul(1_i64 << exponent)
            .min(self.cap_ms);
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let backoff = (full as f64 * (0.5 + 0.5 * jitter.clamp(0.0, 1.0))) as i64;
        let told = retry_after_ms.unwrap_or(0).clamp(0, 60 * 60 * 1000);
        backoff.max(told)
    }
}

/// Answers are kept short in the logs: a provider may answer a whole HTML page.
fn short(answer: &str) -> String {
    const LIMIT: usize = 500;
    if answer.len() <= LIMIT {
        return answer.to_owned();
    }
    let mut end = LIMIT;
    while !answer.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &answer[..end])
}

/// Records how each attempt ended, in one transaction of a few statements for the whole
/// batch. A row whose lease this worker no longer holds is left alone.
pub async fn finish(
    db: &Db,
    worker: &str,
    retries: Retries,
    results: &[(Claimed, Outcome)],
    now: i64,
) -> Result<(), ServiceError> {
    // What each row becomes: (status, answer, next attempt, attempts given back, logged as).
    type Ending = (&'static str, String, i64, i64, &'static str);
    let mut endings: Vec<(&Claimed, &Outcome, Ending)> = Vec::with_capacity(results.len());
    for (claimed, outcome) in results {
        let (status, answer, next, attempts_back, logged) = match outcome {
            Outcome::Delivered(answer) => ("delivered", short(answer), now, 0, "delivered"),
            Outcome::Captured(_) => (
                "delivered",
                "no provider configured: captured in the Message log".to_owned(),
                now,
                0,
                "captured",
            ),
            Outcome::Retry { answer, after_ms } if claimed.budget_used() < retries.max_attempts => {
                let delay =
                    retries.delay_ms(claimed.budget_used(), *after_ms, rand::random::<f64>());
                ("retrying", short(answer), now + delay, 0, "retry")
            }
            Outcome::Retry { answer, .. } => (
                "dead",
                format!(
                    "{} (gave up after {} attempts)",
                    short(answer),
                    claimed.budget_used()
                ),
                now,
                0,
                "dead",
            ),
            Outcome::Failed(answer) => ("dead", short(answer), now, 0, "failed"),
            Outcome::Deferred { until } => ("queued", String::new(), *until, 1, ""),
            Outcome::Cancelled(reason) => ("cancelled", short(reason), now, 0, "cancelled"),
        };
        endings.push((
            claimed,
            outcome,
            (status, answer, next, attempts_back, logged),
        ));
    }
    let mut tx = db.begin_write().await?;
    // Rows that end alike are updated together (a batch of captured messages: one statement).
    let mut alike: Vec<(&Ending, Vec<i64>)> = Vec::new();
    for (claimed, _, ending) in &endings {
        match alike.iter_mut().find(|(e, _)| *e == ending) {
            Some((_, ids)) => ids.push(claimed.id),
            None => alike.push((ending, vec![claimed.id])),
        }
    }
    let mut ours: Vec<i64> = Vec::with_capacity(endings.len());
    for ((status, answer, next, attempts_back, _), ids) in alike {
        for part in ids.chunks(VALUES_PER_STATEMENT - 6) {
            let sql = format!(
                "UPDATE deliveries SET status = $1, \
                 last_answer = CASE WHEN $2 = '' THEN last_answer ELSE $2 END, \
                 next_attempt_at = $3, attempts = attempts - $4, lease_owner = NULL, \
                 lease_until = NULL, updated_at = $5 \
                 WHERE lease_owner = $6 AND status = 'sending' AND id IN ({}) RETURNING id",
                placeholders(7, part.len())
            );
            let mut query = sqlx::query_as::<_, (i64,)>(&sql)
                .bind(*status)
                .bind(answer.as_str())
                .bind(*next)
                .bind(*attempts_back)
                .bind(now)
                .bind(worker);
            for id in part {
                query = query.bind(*id);
            }
            ours.extend(query.fetch_all(&mut *tx).await?.into_iter().map(|(id,)| id));
        }
    }
    let mut attempts = Vec::new();
    let mut texts = Vec::new();
    let mut captured = Vec::new();
    for (claimed, outcome, (_, answer, _, _, logged)) in &endings {
        if logged.is_empty() || !ours.contains(&claimed.id) {
            continue;
        }
        attempts.push(vec![
            Value::Int(claimed.id),
            Value::Int(claimed.attempt),
            Value::Text(worker.to_owned()),
            Value::Int(now),
            Value::Text((*logged).to_owned()),
            Value::Text(answer.clone()),
        ]);
        if claimed.kind == "confirmation"
            && matches!(outcome, Outcome::Delivered(_) | Outcome::Captured(_))
        {
            texts.push(vec![
                Value::Int(claimed.notification_id),
                Value::Text(withhold_links(&claimed.text)),
            ]);
        }
        if let Outcome::Captured(text) = outcome {
            captured.push(vec![
                Value::Int(claimed.id),
                Value::Text(claimed.channel.as_str().to_owned()),
                Value::Text(claimed.recipient.clone()),
                Value::Text(text.clone()),
                Value::Int(now),
            ]);
        }
    }
    insert_rows(
        &mut tx,
        "delivery_attempts (delivery_id, attempt, worker, at, outcome, answer)",
        "",
        &attempts,
    )
    .await?;
    insert_rows(
        &mut tx,
        "captured_messages (delivery_id, channel, recipient, text, created_at)",
        "ON CONFLICT (delivery_id) DO NOTHING",
        &captured,
    )
    .await?;
    // The texts of confirmations sent: `CASE id WHEN $1 THEN $2 …` for a few at a time.
    for part in texts.chunks(rows_per_statement(2)) {
        let whens: Vec<String> = (0..part.len())
            .map(|i| format!("WHEN ${} THEN ${}", 2 * i + 1, 2 * i + 2))
            .collect();
        let ids: Vec<String> = (0..part.len()).map(|i| format!("${}", 2 * i + 1)).collect();
        let sql = format!(
            "UPDATE notifications SET text = CASE id {} END WHERE id IN ({})",
            whens.join(" "),
            ids.join(", ")
        );
        bind_values(sqlx::query(&sql), part.iter().flatten())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The webhook and signing secret an engineer's robot is posted to now, if they still have one.
pub async fn robot_address(
    db: &Db,
    technician_id: i64,
    robot: crate::domain::Robot,
) -> Result<Option<(String, Option<String>)>, ServiceError> {
    use crate::domain::Robot;
    let columns = match robot {
        Robot::WeCom => "wecom_webhook, CAST(NULL AS TEXT)",
        Robot::DingTalk => "dingtalk_webhook, dingtalk_secret",
        Robot::Lark => "lark_webhook, lark_secret",
    };
    let row: Option<(Option<String>, Option<String>)> =
        sqlx::query_as(&format!("SELECT {columns} FROM technicians WHERE id = $1"))
            .bind(technician_id)
            .fetch_optional(db.reader())
            .await?;
    Ok(row.and_then(|(url, secret)| url.map(|u| (u, secret))))
}

/// The Message log, newest first: for an SDAdmin only, since it holds confirmation links.
pub async fn messages(
    db: &Db,
    actor: &super::Actor,
    page: u32,
) -> Result<crate::domain::MessagePage, ServiceError> {
    use crate::domain::{audit::utc_text, CapturedMessage, MessagePage};
    actor.require_admin("read the Message log")?;
    let per_page: u32 = 50;
    let page = page.max(1);
    let (total,): (i64,) = sqlx::query_as("SELECT count(*) FROM captured_messages")
        .fetch_one(db.reader())
        .await?;
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT created_at, channel, recipient, text FROM captured_messages \
         ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2",
    )
    .bind(i64::from(per_page))
    .bind(i64::from(per_page) * i64::from(page - 1))
    .fetch_all(db.reader())
    .await?;
    Ok(MessagePage {
        rows: rows
            .into_iter()
            .map(|(at, channel, recipient, text)| CapturedMessage {
                at: utc_text(at),
                channel,
                recipient,
                text,
            })
            .collect(),
        total,
        page,
        per_page,
    })
}

/// The sends a robot allows: per minute, and per second when the provider says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RobotLimit {
    pub per_minute: usize,
    pub per_second: Option<usize>,
}

/// Reserves a send to the robot `robot_key` now, or answers when the next one is allowed.
/// The robot's row is locked by updating it, so instances sharing a database never
/// reserve more than the limit between them.
pub async fn reserve_robot_send(
    db: &Db,
    robot_key: &str,
    limit: RobotLimit,
    now: i64,
) -> Result<Option<i64>, ServiceError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO robot_windows (robot_key, touched_at) VALUES ($1, $2) \
         ON CONFLICT (robot_key) DO UPDATE SET touched_at = $2",
    )
    .bind(robot_key)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let sent: Vec<(i64,)> = sqlx::query_as(
        "SELECT sent_at FROM robot_sends WHERE robot_key = $1 AND sent_at > $2 ORDER BY sent_at",
    )
    .bind(robot_key)
    .bind(now - 60_000)
    .fetch_all(&mut *tx)
    .await?;
    let sent: Vec<i64> = sent.into_iter().map(|(at,)| at).collect();
    if let Some(until) = next_allowed(&sent, limit, now) {
        tx.commit().await?;
        return Ok(Some(until));
    }
    sqlx::query("INSERT INTO robot_sends (robot_key, sent_at) VALUES ($1, $2)")
        .bind(robot_key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(None)
}

/// `sent`: the sends of the last minute, oldest first. `None` when one more fits now.
fn next_allowed(sent: &[i64], limit: RobotLimit, now: i64) -> Option<i64> {
    let mut until = None;
    if sent.len() >= limit.per_minute {
        // The send that must leave the window first.
        until = Some(sent[sent.len() - limit.per_minute] + 60_001);
    }
    if let Some(per_second) = limit.per_second {
        let recent: Vec<i64> = sent
            .iter()
            .copied()
            .filter(|at| *at > now - 1_000)
            .collect();
        if recent.len() >= per_second {
            let second = recent[recent.len() - per_second] + 1_001;
            until = Some(until.map_or(second, |u: i64| u.max(second)));
        }
    }
    until
}

/// Forgets robot sends older than any window.
pub async fn purge_robot_sends(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM robot_sends WHERE sent_at < $1")
        .bind(now - 120_000)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}

/// How long the Message log keeps a message: well past the 48 hours a link is valid.
pub const CAPTURED_KEPT_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Removes Message log entries older than [`CAPTURED_KEPT_MS`].
pub async fn purge_captured(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM captured_messages WHERE created_at < $1")
        .bind(now - CAPTURED_KEPT_MS)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}

/// `text` with the token of every confirmation link withheld: what a notification keeps
/// once its link went out, so the database holds no usable link.
pub fn withhold_links(text: &str) -> String {
    const MARK: &str = "/confirm/";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let after = at + MARK.len();
        out.push_str(&rest[..after]);
        out.push('…');
        let end = rest[after..]
            .find(char::is_whitespace)
            .map_or(rest.len(), |i| after + i);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sent_links_keep_no_token() {
        assert_eq!(
            withhold_links("confirm: {public_url}/confirm/abcDEF123 (valid 48 h). /confirm/x"),
            "confirm: {public_url}/confirm/… (valid 48 h). /confirm/…"
        );
        assert_eq!(withhold_links("no link, ünïcödé"), "no link, ünïcödé");
        assert_eq!(withhold_links("end /confirm/"), "end /confirm/…");
    }

    #[test]
    fn backoff_doubles_within_its_jitter_and_stops_at_the_cap() {
        let r = Retries {
            max_attempts: 8,
            base_ms: 1_000,
            cap_ms: 10_000,
        };
        assert_eq!(r.delay_ms(1, None, 1.0), 1_000);
        assert_eq!(r.delay_ms(1, None, 0.0), 500);
        assert_eq!(r.delay_ms(3, None, 1.0), 4_000);
        assert_eq!(r.delay_ms(20, None, 1.0), 10_000);
        assert_eq!(r.delay_ms(1, Some(30_000), 0.5), 30_000);
        assert_eq!(r.delay_ms(1, Some(i64::MAX), 0.5), 3_600_000);
    }

    #[test]
    fn a_full_robot_window_answers_when_the_oldest_send_leaves_it() {
        let wecom = RobotLimit {
            per_minute: 3,
            per_second: None,
        };
        assert_eq!(next_allowed(&[1, 2], wecom, 10), None);
        assert_eq!(next_allowed(&[1, 2, 3], wecom, 10), Some(60_002));
        let lark = RobotLimit {
            per_minute: 100,
            per_second: Some(2),
        };
        assert_eq!(next_allowed(&[9_500], lark, 10_000), None);
        assert_eq!(next_allowed(&[9_500, 9_600], lark, 10_000), Some(10_501));
    }

    #[test]
    fn long_answers_are_cut_on_a_character_boundary() {
        let answer = "é".repeat(400);
        let cut = short(&answer);
        assert!(cut.ends_with('…'));
        assert!(cut.len() <= 504);
    }
}
