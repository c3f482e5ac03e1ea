//! Contact health: what delivery learns about each engineer's contact on a channel. A
//! provider refusing the contact itself marks it failing at once; transient failures do once
//! they have gone on for a day; the next success clears it. A changed contact starts over.
//!
//! Written by the outbox in the transaction that records the attempts; read by the roster's
//! chips, the Edit dialog, the reachability view and the notification API.

use super::db::{by_many_ids, insert_rows, Value};
use super::error::ServiceError;
use crate::domain::{audit::utc_text, Channel, ContactHealth};
use sqlx::{Any, AnyConnection, Transaction};
use std::collections::HashMap;

/// How long transient failures must go on, unbroken by a success, to mark a contact failing.
pub const TROUBLE_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;
/// And at least how many of them.
pub const TROUBLE_FAILURES: i64 = 3;

/// What one finished attempt says about the contact it went to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The provider took it.
    Worked,
    /// The provider refused the contact itself; its answer.
    Refused(String),
    /// The provider could not take it now; its answer.
    Trouble(String),
}

/// What one finished attempt to an engineer's channel said, and where it went.
pub struct Learnt<'a> {
    pub technician_id: i64,
    pub channel: Channel,
    /// The number or address the message was sent to (a robot's masked address).
    pub recipient: &'a str,
    pub verdict: Verdict,
}

/// Records what `learnt` says, in the caller's transaction. Only the last verdict for an
/// engineer's channel counts, and a message sent to a number or address the engineer no
/// longer has says nothing about the one they have now.
pub(crate) async fn learn(
    tx: &mut Transaction<'_, Any>,
    learnt: &[Learnt<'_>],
    now: i64,
) -> Result<(), ServiceError> {
    let ids: Vec<i64> = learnt
        .iter()
        .filter(|l| l.channel.method().is_some())
        .map(|l| l.technician_id)
        .collect();
    let current: Vec<(i64, String, String)> = by_many_ids(
        tx,
        "SELECT technician_id, method, contact FROM subscriptions WHERE technician_id IN ({})",
        &ids,
    )
    .await?;
    let still_theirs = |l: &Learnt<'_>| match l.channel.method() {
        // Robots and chats are sent to the contact point as it is when the message goes.
        None => true,
        Some(method) => current.iter().any(|(id, m, contact)| {
            *id == l.technician_id && m == method.as_str() && contact == l.recipient
        }),
    };
    let mut last: Vec<(i64, Channel, &Verdict)> = Vec::new();
    for l in learnt.iter().filter(|l| still_theirs(l)) {
        let (id, channel, verdict) = (l.technician_id, l.channel, &l.verdict);
        match last.iter_mut().find(|(i, c, _)| *i == id && *c == channel) {
            Some(entry) => entry.2 = verdict,
            None => last.push((id, channel, verdict)),
        }
    }
    let (mut worked, mut refused, mut trouble) = (Vec::new(), Vec::new(), Vec::new());
    for (id, channel, verdict) in last {
        let (id, channel) = (Value::Int(id), Value::Text(channel.as_str().into()));
        match verdict {
            Verdict::Worked => worked.push(vec![id, channel, Value::Int(now)]),
            Verdict::Refused(answer) => refused.push(vec![
                id,
                channel,
                Value::Int(now),
                Value::Text(answer.clone()),
            ]),
            Verdict::Trouble(answer) => trouble.push(vec![
                id,
                channel,
                Value::Int(now),
                Value::Text(answer.clone()),
            ]),
        }
    }
    insert_rows(
        tx,
        "contact_health (technician_id, channel, last_success_at)",
        "ON CONFLICT (technician_id, channel) DO UPDATE SET failing = 0, failing_since = NULL, \
         troubled_since = NULL, failures = 0, last_success_at = excluded.last_success_at",
        &worked,
    )
    .await?;
    // A new row is written whole by the VALUES (failing from the start); a row that exists
    // keeps when its failing and its trouble began.
    insert_rows(
        tx,
        "contact_health (technician_id, channel, last_failure_at, answer, failing, \
         failing_since, troubled_since, failures)",
        "ON CONFLICT (technician_id, channel) DO UPDATE SET failing = 1, \
         failing_since = COALESCE(contact_health.failing_since, excluded.failing_since), \
         troubled_since = COALESCE(contact_health.troubled_since, excluded.troubled_since), \
         failures = contact_health.failures + 1, answer = excluded.answer, \
         last_failure_at = excluded.last_failure_at",
        &with_columns(
            refused,
            &[
                Value::Int(1),
                Value::Int(now),
                Value::Int(now),
                Value::Int(1),
            ],
        ),
    )
    .await?;
    // A run of trouble goes on while each failure comes within a window of the one before;
    // a failure after a longer quiet starts a new run.
    let new_run = format!(
        "(contact_health.troubled_since IS NULL OR contact_health.last_failure_at IS NULL \
         OR contact_health.last_failure_at < excluded.last_failure_at - {TROUBLE_WINDOW_MS})"
    );
    let past_window = format!(
        "(NOT {new_run} AND contact_health.failures + 1 >= {TROUBLE_FAILURES} \
         AND excluded.last_failure_at - contact_health.troubled_since >= {TROUBLE_WINDOW_MS})"
    );
    insert_rows(
        tx,
        "contact_health (technician_id, channel, last_failure_at, answer, troubled_since, failures)",
        &format!(
            "ON CONFLICT (technician_id, channel) DO UPDATE SET \
             failing = CASE WHEN contact_health.failing = 1 OR {past_window} THEN 1 ELSE 0 END, \
             failing_since = CASE WHEN contact_health.failing = 1 THEN contact_health.failing_since \
               WHEN {past_window} THEN excluded.last_failure_at ELSE NULL END, \
             troubled_since = CASE WHEN {new_run} THEN excluded.troubled_since \
               ELSE contact_health.troubled_since END, \
             failures = CASE WHEN {new_run} THEN 1 ELSE contact_health.failures + 1 END, \
             answer = excluded.answer, last_failure_at = excluded.last_failure_at"
        ),
        &with_columns(trouble, &[Value::Int(now), Value::Int(1)]),
    )
    .await?;
    Ok(())
}

/// `rows`, each with `more` after its own values.
fn with_columns(rows: Vec<Vec<Value>>, more: &[Value]) -> Vec<Vec<Value>> {
    rows.into_iter()
        .map(|mut row| {
            row.extend_from_slice(more);
            row
        })
        .collect()
}

/// Forgets what was learnt about `channels` of engineers `ids`: their contact changed.
pub(crate) async fn forget(
    conn: &mut AnyConnection,
    ids: &[i64],
    channels: &[Channel],
) -> Result<(), ServiceError> {
    if ids.is_empty() || channels.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = channels
        .iter()
        .map(|c| format!("'{}'", c.as_str()))
        .collect();
    let _: Vec<(i64,)> = by_many_ids(
        conn,
        &format!(
            "DELETE FROM contact_health WHERE channel IN ({}) AND technician_id IN ({{}}) \
             RETURNING technician_id",
            names.join(", ")
        ),
        ids,
    )
    .await?;
    Ok(())
}

/// The failing contacts of engineers `ids`, by engineer, in the order of [`Channel::ALL`].
pub async fn failing_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<ContactHealth>>, ServiceError> {
    let rows: Vec<(i64, String, Option<i64>, String)> = by_many_ids(
        conn,
        "SELECT technician_id, channel, failing_since, answer FROM contact_health \
         WHERE failing = 1 AND technician_id IN ({})",
        ids,
    )
    .await?;
    let mut by_engineer: HashMap<i64, Vec<ContactHealth>> = HashMap::new();
    for (id, channel, since, answer) in rows {
        let Some(channel) = Channel::parse(&channel) else {
            continue;
        };
        by_engineer.entry(id).or_default().push(ContactHealth {
            channel,
            since: utc_text(since.unwrap_or_default()),
            answer,
        });
    }
    for list in by_engineer.values_mut() {
        list.sort_by_key(|h| h.channel);
    }
    Ok(by_engineer)
}
