//! The consent ledger: every step of a subscription (requested, confirmed, cancelled when
//! its contact changed, STOP and START replies), who took it, how, from which address and
//! when, written in the transaction that takes the step; and the numbers that replied STOP.

use super::actor::Actor;
use super::db::Db;
use super::error::ServiceError;
use crate::domain::Method;
use sqlx::{Any, Transaction};

/// How a step was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// The confirmation link.
    Link,
    /// A reply from the phone.
    Reply,
    /// Asked for by an administrator (or the engineer) in the console, the API or the CLI.
    Asked(super::audit::Source),
    /// The contact it was made for changed.
    ContactChanged,
    /// Its link was not used in time.
    LinkUnused,
}

impl How {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Link => "link",
            Self::Reply => "reply",
            Self::Asked(source) => source.as_str(),
            Self::ContactChanged => "contact changed",
            Self::LinkUnused => "link unused",
        }
    }
}

/// One step of one engineer's subscription of one method.
#[derive(Debug, Clone)]
pub struct Step<'a> {
    pub technician_id: i64,
    pub engineer: &'a str,
    pub method: Method,
    /// The number (E.164) or address it concerns.
    pub address: &'a str,
    /// `requested`, `confirmed`, `cancelled`, `expired`, `stop`, `start`.
    pub event: &'static str,
    pub how: How,
    /// Who took it: the actor's name, the engineer, or the number that replied.
    pub actor: &'a str,
    /// The network address the step came from, when it came over the network.
    pub source_addr: Option<&'a str>,
}

/// Writes `steps` in the transaction that takes them.
pub async fn record(
    tx: &mut Transaction<'_, Any>,
    steps: &[Step<'_>],
    now: i64,
) -> Result<(), ServiceError> {
    for step in steps {
        sqlx::query(
            "INSERT INTO consent_events (technician_id, engineer, method, address, event, how, \
             actor, source_addr, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(step.technician_id)
        .bind(step.engineer)
        .bind(step.method.as_str())
        .bind(step.address)
        .bind(step.event)
        .bind(step.how.as_str())
        .bind(step.actor)
        .bind(step.source_addr)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The latest steps of engineer `id`'s ledger, newest first; the caller checked who may
/// see them (an admin within reach, or the engineer).
pub async fn of_engineer(
    db: &Db,
    id: i64,
) -> Result<Vec<crate::domain::ConsentStep>, ServiceError> {
    let rows: Vec<(i64, String, String, String, String, String)> = sqlx::query_as(
        "SELECT at, method, address, event, how, actor FROM consent_events \
         WHERE technician_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(id)
    .bind(crate::domain::roster::HISTORY_SHOWN)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(at, method, address, event, how, actor)| crate::domain::ConsentStep {
                at: crate::domain::audit::utc_text(at),
                method,
                address,
                event,
                how,
                actor,
            },
        )
        .collect())
}

/// Marks confirmations whose link ran out unused as expired, each a step of the ledger.
/// Answers how many. Their links keep saying they expired.
pub async fn expire(db: &Db, now: i64) -> Result<usize, ServiceError> {
    let mut tx = db.begin_write().await?;
    let expired: Vec<(i64, String, String)> = sqlx::query_as(
        "UPDATE subscriptions SET state = 'expired' WHERE state = 'pending' AND expires_at <= $1 \
         RETURNING technician_id, method, contact",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    let ids: Vec<i64> = expired.iter().map(|(id, ..)| *id).collect();
    let names: std::collections::HashMap<i64, String> = super::db::by_many_ids::<(i64, String)>(
        &mut tx,
        "SELECT id, name FROM technicians WHERE id IN ({})",
        &ids,
    )
    .await?
    .into_iter()
    .collect();
    let steps: Vec<Step> = expired
        .iter()
        .filter_map(|(id, method, contact)| {
            Some(Step {
                technician_id: *id,
                engineer: names.get(id)?,
                method: Method::ALL.into_iter().find(|m| m.as_str() == method)?,
                address: contact,
                event: "expired",
                how: How::LinkUnused,
                actor: "",
                source_addr: None,
            })
        })
        .collect();
    record(&mut tx, &steps, now).await?;
    tx.commit().await?;
    Ok(expired.len())
}

/// Whether `number` (E.164) replied STOP and not START since.
pub async fn opted_out(conn: &mut sqlx::AnyConnection, number: &str) -> Result<bool, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT number FROM sms_opt_outs WHERE number = $1")
            .bind(number)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.is_some())
}

/// One line of the ledger, for an auditor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerLine {
    pub at: i64,
    pub technician_id: Option<i64>,
    pub engineer: String,
    pub method: String,
    pub address: String,
    pub event: String,
    pub how: String,
    pub actor: String,
    pub source_addr: Option<String>,
}

/// Lines read per page of [`ledger_page`].
pub const LEDGER_PAGE: i64 = 1000;

/// The ledger after line `after` (0 for the first), oldest first, a page at a time; only an
/// SDAdmin reads it.
pub async fn ledger_page(
    db: &Db,
    actor: &Actor,
    after: i64,
) -> Result<Vec<(i64, LedgerLine)>, ServiceError> {
    actor.require_admin(crate::domain::AdminTask::ReadAuditLog)?;
    type Row = (
        i64,
        i64,
        Option<i64>,
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, at, technician_id, engineer, method, address, event, how, actor, source_addr \
         FROM consent_events WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(LEDGER_PAGE)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, at, technician_id, engineer, method, address, event, how, actor, source_addr)| {
                (
                    id,
                    LedgerLine {
                        at,
                        technician_id,
                        engineer,
                        method,
                        address,
                        event,
                        how,
                        actor,
                        source_addr,
                    },
                )
            },
        )
        .collect())
}
