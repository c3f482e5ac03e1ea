//! Replies from phones, recorded in the consent ledger ([`super::ledger`]). A number that
//! replies STOP (or UNSUBSCRIBE, CANCEL, END, QUIT) has SMS and voice cancelled for every
//! engineer subscribed on it, and no confirmation is requested for it again until it replies
//! START (or UNSTOP), which sends each of them a new confirmation. Nothing is ever sent back
//! to the number that wrote.

use super::db::Db;
use super::error::ServiceError;
use super::ledger::{record, How, Step};
use crate::domain::{Method, Phone};

/// The words that stop, and that start again, alone on a message (any case).
const STOP_WORDS: [&str; 5] = ["STOP", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"];
const START_WORDS: [&str; 2] = ["START", "UNSTOP"];

/// What a reply did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// SMS and voice cancelled for this many engineers.
    Stopped { engineers: usize },
    /// A new confirmation sent to this many engineers.
    Started { engineers: usize },
    /// Not a keyword, or not a number: nothing changes.
    Ignored,
}

impl Reply {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stopped { .. } => "stop",
            Self::Started { .. } => "start",
            Self::Ignored => "ignored",
        }
    }
}

/// A message `from` a phone, as the SMS gateway passes it on (its signature checked by the
/// caller). `source_addr` is the gateway's address.
pub async fn reply(
    db: &Db,
    from: &str,
    text: &str,
    source_addr: Option<&str>,
    now: i64,
) -> Result<Reply, ServiceError> {
    let Ok(number) = Phone::parse(from) else {
        return Ok(Reply::Ignored);
    };
    let number = number.e164().to_owned();
    let word = text.trim().to_ascii_uppercase();
    if STOP_WORDS.contains(&word.as_str()) {
        stop(db, &number, source_addr, now).await
    } else if START_WORDS.contains(&word.as_str()) {
        start(db, &number, source_addr, now).await
    } else {
        Ok(Reply::Ignored)
    }
}

async fn stop(
    db: &Db,
    number: &str,
    source_addr: Option<&str>,
    now: i64,
) -> Result<Reply, ServiceError> {
    let mut tx = db.begin_write().await?;
    let cancelled: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT s.technician_id, s.method, t.name FROM subscriptions s \
         JOIN technicians t ON t.id = s.technician_id \
         WHERE s.contact = $1 AND s.method IN ('sms', 'voice') AND s.state <> 'cancelled' \
         ORDER BY s.technician_id, s.method",
    )
    .bind(number)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE subscriptions SET state = 'cancelled', token_hash = NULL \
         WHERE contact = $1 AND method IN ('sms', 'voice') AND state <> 'cancelled'",
    )
    .bind(number)
    .execute(&mut *tx)
    .await?;
    // What is still waiting to go to the number (a confirmation held by the limits, a retry)
    // does not go.
    sqlx::query(
        "UPDATE deliveries SET status = 'cancelled', last_answer = 'the number replied STOP', \
         lease_owner = NULL, lease_until = NULL, updated_at = $2 \
         WHERE recipient = $1 AND channel IN ('sms', 'voice') AND status IN ('queued', 'retrying')",
    )
    .bind(number)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO sms_opt_outs (number, at) VALUES ($1, $2) ON CONFLICT (number) DO NOTHING",
    )
    .bind(number)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let steps: Vec<Step> = cancelled
        .iter()
        .filter_map(|(id, method, name)| {
            Some(Step {
                technician_id: *id,
                engineer: name,
                method: Method::ALL.into_iter().find(|m| m.as_str() == method)?,
                address: number,
                event: "stop",
                how: How::Reply,
                actor: number,
                source_addr,
            })
        })
        .collect();
    record(&mut tx, &steps, now).await?;
    tx.commit().await?;
    let mut engineers: Vec<i64> = cancelled.iter().map(|(id, ..)| *id).collect();
    engineers.dedup();
    tracing::info!(engineers = engineers.len(), "a number replied STOP");
    Ok(Reply::Stopped {
        engineers: engineers.len(),
    })
}

async fn start(
    db: &Db,
    number: &str,
    source_addr: Option<&str>,
    now: i64,
) -> Result<Reply, ServiceError> {
    let mut tx = db.begin_write().await?;
    let removed = sqlx::query("DELETE FROM sms_opt_outs WHERE number = $1")
        .bind(number)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if removed == 0 {
        // Never stopped: a START is not a way to be subscribed by anyone who knows a number.
        return Ok(Reply::Ignored);
    }
    // The methods a STOP from this number cancelled, and still cancelled, for engineers whose
    // mobile is still this number.
    let stopped: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT c.technician_id, c.method, t.name, t.mobile FROM consent_events c \
         JOIN technicians t ON t.id = c.technician_id \
         JOIN subscriptions s ON s.technician_id = c.technician_id AND s.method = c.method \
         WHERE c.address = $1 AND c.event = 'stop' AND s.state = 'cancelled' AND s.contact = $1 \
         AND c.at = (SELECT MAX(at) FROM consent_events e WHERE e.technician_id = c.technician_id \
                     AND e.method = c.method AND e.address = $1) \
         ORDER BY c.technician_id, c.method",
    )
    .bind(number)
    .fetch_all(&mut *tx)
    .await?;
    let voice_on: Option<(String,)> =
        sqlx::query_as("SELECT value FROM settings WHERE key = 'beta.voice'")
            .fetch_optional(&mut *tx)
            .await?;
    let voice_on = voice_on.is_some_and(|(v,)| v == "on");
    let mut by_engineer: Vec<(i64, String, Vec<Method>)> = Vec::new();
    for (id, method, name, mobile) in stopped {
        let same = mobile
            .as_deref()
            .and_then(|m| Phone::parse(m).ok())
            .is_some_and(|m| m.e164() == number);
        let Some(method) = Method::ALL.into_iter().find(|m| m.as_str() == method) else {
            continue;
        };
        // Voice is a beta channel: while it is off, START asks again for SMS only.
        if !same || (method == Method::Voice && !voice_on) {
            continue;
        }
        match by_engineer.last_mut() {
            Some((last, _, methods)) if *last == id => methods.push(method),
            _ => by_engineer.push((id, name, vec![method])),
        }
    }
    // A START is limited as any request is: a number that flips STOP and START sends at most
    // the confirmations an hour allows.
    let mut allowed = Vec::with_capacity(by_engineer.len());
    for engineer in by_engineer {
        if super::confirmations::check_resend(&mut tx, engineer.0, crate::domain::Channel::Sms, now)
            .await
            .is_ok()
        {
            allowed.push(engineer);
        }
    }
    let by_engineer = allowed;
    let mut steps = Vec::new();
    for (id, name, methods) in &by_engineer {
        for method in methods {
            steps.push(Step {
                technician_id: *id,
                engineer: name,
                method: *method,
                address: number,
                event: "start",
                how: How::Reply,
                actor: number,
                source_addr,
            });
        }
    }
    let starts: Vec<super::confirmations::Start> = by_engineer
        .iter()
        .map(|(id, name, methods)| super::confirmations::Start {
            id: *id,
            name,
            methods,
            to: number,
        })
        .collect();
    record(&mut tx, &steps, now).await?;
    let by = super::confirmations::Requested {
        actor: number,
        how: How::Reply,
        source_addr,
    };
    super::confirmations::start_many(&mut tx, &starts, now, &by).await?;
    super::outbox::commit(db, tx).await?;
    tracing::info!(engineers = by_engineer.len(), "a number replied START");
    Ok(Reply::Started {
        engineers: by_engineer.len(),
    })
}
