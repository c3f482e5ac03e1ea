//! One limiter for every message that costs money or reaches a stranger's phone: the
//! confirmations (an edit, an XML add or update, a sync, the Subscribe dialog) and the test
//! notifications. It never refuses: it gives each such delivery the first time it may go,
//! and the outbox holds it until then, so a held confirmation is sent when allowed, never
//! lost. Three limits, each a sliding hour kept in `send_slots` (first come, first served):
//!
//! - per engineer and channel: five an hour (so a typo corrected at once is not held);
//! - per recipient address (whoever's number it is): one a minute of each kind (a test
//!   right after a confirmation is not held), five an hour;
//! - per channel for the whole server, SMS and voice only: the operator's hourly budget
//!   (`--sms-budget-per-hour`, `--voice-budget-per-hour`). A delivery held by the budget is
//!   marked, SDAdmins see a banner while any wait, and the first one held in an hour is
//!   audited.
//!
//! Alerts sent through the notification API go to confirmed contacts only and are not held.

use super::actor::Actor;
use super::audit::{self, AuditContext, Entry};
use super::db::Db;
use crate::domain::Channel;
use serde_json::json;
use sqlx::{Any, Transaction};

pub const HOUR_MS: i64 = 60 * 60 * 1000;
/// One message of a kind a minute to one address.
pub const GAP_MS: i64 = 60_000;
/// Five an hour to an engineer's channel, or to one address.
pub const PER_HOUR: i64 = 5;
/// The budgets when the operator sets none: room for a large roster's first sync in a few
/// hours, far below what a pumping attack needs to pay off.
pub const DEFAULT_SMS_BUDGET: i64 = 1000;
pub const DEFAULT_VOICE_BUDGET: i64 = 300;

const SMS_BUDGET_KEY: &str = "budget.sms_per_hour";
const VOICE_BUDGET_KEY: &str = "budget.voice_per_hour";

/// The operator's budgets, written by `serve` at start (the last instance started wins).
pub async fn set_budgets(db: &Db, sms: i64, voice: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    for (key, value) in [(SMS_BUDGET_KEY, sms), (VOICE_BUDGET_KEY, voice)] {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = $2",
        )
        .bind(key)
        .bind(value.to_string())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

async fn budget(
    tx: &mut Transaction<'_, Any>,
    channel: Channel,
) -> Result<Option<i64>, sqlx::Error> {
    let (key, default) = match channel {
        Channel::Sms => (SMS_BUDGET_KEY, DEFAULT_SMS_BUDGET),
        Channel::Voice => (VOICE_BUDGET_KEY, DEFAULT_VOICE_BUDGET),
        _ => return Ok(None),
    };
    let set: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(Some(
        set.and_then(|(v,)| v.parse::<i64>().ok())
            .filter(|b| *b > 0)
            .unwrap_or(default),
    ))
}

/// Whether `channel`'s messages go through the limiter at all.
pub fn limited(channel: Channel) -> bool {
    matches!(channel, Channel::Sms | Channel::Voice | Channel::Email)
}

/// The earliest time a new slot of `kind` may take under one limit, given the slots already
/// taken (`where_` picks them, `binds` fill it from `$3`): at or after the last one of the
/// same kind plus `gap`, and at least an hour after the `per_hour`-th most recent one.
async fn earliest(
    tx: &mut Transaction<'_, Any>,
    kind: &str,
    where_: &str,
    binds: &[&str],
    gap: i64,
    per_hour: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let sql = format!(
        "SELECT MAX(CASE WHEN kind = $2 THEN at END), (SELECT at FROM send_slots \
         WHERE {where_} AND at > $1 ORDER BY at DESC LIMIT 1 OFFSET {}) \
         FROM send_slots WHERE {where_} AND at > $1",
        per_hour - 1
    );
    let mut query = sqlx::query_as::<_, (Option<i64>, Option<i64>)>(&sql)
        .bind(now - HOUR_MS)
        .bind(kind);
    for value in binds {
        query = query.bind(*value);
    }
    let (last, nth) = query.fetch_one(&mut **tx).await?;
    let mut at = now;
    // Only a gap orders slots: a count alone never makes a message wait behind one held
    // for another reason (another engineer's sixth edit).
    if let (Some(last), true) = (last, gap > 0) {
        at = at.max(last + gap);
    }
    if let Some(nth) = nth {
        at = at.max(nth + HOUR_MS);
    }
    Ok(at)
}

/// A delivery to schedule: its kind, engineer, channel and recipient.
pub struct Slot<'a> {
    pub kind: &'a str,
    pub technician_id: Option<i64>,
    pub channel: Channel,
    pub recipient: &'a str,
}

/// The time each of `slots` may go (in order, first come first served), each taken in the
/// ledger in the caller's transaction.
pub async fn schedule(
    tx: &mut Transaction<'_, Any>,
    slots: &[Slot<'_>],
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut times = Vec::with_capacity(slots.len());
    for slot in slots {
        if !limited(slot.channel) {
            times.push(now);
            continue;
        }
        let channel = slot.channel.as_str();
        let technician = slot.technician_id.map(|id| id.to_string());
        let kind = slot.kind;
        // One mailbox however its address is cased.
        let recipient = if slot.channel == Channel::Email {
            crate::domain::fold(slot.recipient)
        } else {
            slot.recipient.to_owned()
        };
        let mut at = earliest(
            tx,
            kind,
            "recipient = $3",
            &[&recipient],
            GAP_MS,
            PER_HOUR,
            now,
        )
        .await?;
        if let Some(technician) = &technician {
            let by_engineer = earliest(
                tx,
                kind,
                "technician_key = $3 AND channel = $4",
                &[technician, channel],
                0,
                PER_HOUR,
                now,
            )
            .await?;
            at = at.max(by_engineer);
        }
        let mut held = false;
        if let Some(budget) = budget(tx, slot.channel).await? {
            let by_budget = earliest(tx, kind, "channel = $3", &[channel], 0, budget, now).await?;
            if by_budget > at {
                at = by_budget;
                held = true;
            }
        }
        sqlx::query(
            "INSERT INTO send_slots (channel, technician_key, recipient, at, held, kind) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(channel)
        .bind(technician.as_deref().unwrap_or(""))
        .bind(&recipient)
        .bind(at)
        .bind(i64::from(held))
        .bind(kind)
        .execute(&mut **tx)
        .await?;
        if held {
            audit_first_hold(tx, slot.channel, at, now).await?;
        }
        times.push(at);
    }
    Ok(times)
}

/// The first delivery held by a channel's budget in an hour is audited.
async fn audit_first_hold(
    tx: &mut Transaction<'_, Any>,
    channel: Channel,
    until: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let action = "notify.budget_held";
    let (recent,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM audit_log WHERE action = $1 AND at > $2 AND after_json LIKE $3",
    )
    .bind(action)
    .bind(now - HOUR_MS)
    .bind(format!("%\"channel\":\"{}\"%", channel.as_str()))
    .fetch_one(&mut **tx)
    .await?;
    if recent > 0 {
        return Ok(());
    }
    let system = Actor {
        id: None,
        name: "delivery budget".to_owned(),
        roles: Vec::new(),
        site_ids: Vec::new(),
        must_change_password: false,
    };
    audit::record(
        tx,
        &system,
        &AuditContext::new(audit::Source::Console, None),
        Entry {
            action,
            technician_id: None,
            before: None,
            after: Some(json!({ "channel": channel.as_str(), "held_until": until })),
        },
    )
    .await
}

/// Messages held by a channel's budget right now: `(channel, how many, the last one's time)`,
/// for the SDAdmins' banner.
pub async fn held(db: &Db, now: i64) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT channel, count(*), MAX(at) FROM send_slots WHERE held = 1 AND at > $1 \
         GROUP BY channel ORDER BY channel",
    )
    .bind(now)
    .fetch_all(db.reader())
    .await
}

/// `at` (ms since the epoch) as the time of day in UTC, `HH:MM`.
pub fn clock_time(at: i64) -> String {
    let minutes = at.div_euclid(60_000).rem_euclid(24 * 60);
    format!("{:02}:{:02} UTC", minutes / 60, minutes % 60)
}

/// Forgets slots more than an hour old: they limit nothing any more.
pub async fn purge(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM send_slots WHERE at < $1")
        .bind(now - HOUR_MS)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}

/// An engineer's name as it may stand in a message: printable characters only (no control
/// or direction-changing ones), spaces collapsed, at most 32 characters.
pub fn message_name(name: &str) -> String {
    const MAX: usize = 32;
    let printable: String = name
        .chars()
        .filter(|c| !is_format(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let words: Vec<&str> = printable.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() <= MAX {
        return joined;
    }
    let cut: String = joined.chars().take(MAX - 1).collect();
    format!("{}…", cut.trim_end())
}

/// Unicode format characters (bidirectional overrides, zero-width joiners and the like).
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_in_a_message_is_short_and_printable() {
        assert_eq!(message_name("Ada Lovelace"), "Ada Lovelace");
        assert_eq!(message_name("  Ada\n\tLovelace \u{0} "), "Ada Lovelace");
        assert_eq!(message_name("Ada\u{202E}ecalevoL"), "AdaecalevoL");
        let long = message_name(&format!(
            "Win a prize at http://evil.example {}",
            "x".repeat(500)
        ));
        assert_eq!(long.chars().count(), 32);
        assert!(long.ends_with('…'));
        assert_eq!(message_name("张伟"), "张伟");
    }
}
