//! The audit log: who changed what, when, from where, before and after.

use super::auth::Actor;
use super::now_ms;
use serde::Serialize;
use sqlx::{Any, Transaction};

/// The edge a change came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Source {
    Console,
    Xml,
    Sync,
    Cli,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Console => "console",
            Self::Xml => "xml",
            Self::Sync => "sync",
            Self::Cli => "cli",
        }
    }
}

/// Where a request came from, carried into every audit entry it causes.
#[derive(Debug, Clone)]
pub struct AuditContext {
    pub source: Source,
    pub remote_addr: Option<String>,
}

impl AuditContext {
    pub fn new(source: Source, remote_addr: Option<String>) -> Self {
        Self {
            source,
            remote_addr,
        }
    }
}

pub struct Entry<'a> {
    pub action: &'a str,
    pub technician_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Written inside the transaction of the change itself, so a change never lands unlogged.
pub async fn record(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    ctx: &AuditContext,
    entry: Entry<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_name, source, action, technician_id, \
         remote_addr, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(now_ms())
    .bind(actor.id)
    .bind(&actor.name)
    .bind(ctx.source.as_str())
    .bind(entry.action)
    .bind(entry.technician_id)
    .bind(ctx.remote_addr.as_deref())
    .bind(entry.before.map(|v| v.to_string()))
    .bind(entry.after.map(|v| v.to_string()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
