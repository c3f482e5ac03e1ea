//! The audit log: who changed what, when, from where, before and after.

use super::actor::Actor;
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
    /// The notification API, with an API key.
    Api,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Console => "console",
            Self::Xml => "xml",
            Self::Sync => "sync",
            Self::Cli => "cli",
            Self::Api => "api",
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
    record_many(tx, actor, ctx, vec![entry]).await
}

/// Rows written per statement: 9 values each.
const ROWS_PER_INSERT: usize = super::db::rows_per_statement(9);

/// [`record`] for many changes of one actor (a sync's batch), a few statements in all.
pub async fn record_many(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    ctx: &AuditContext,
    entries: Vec<Entry<'_>>,
) -> Result<(), sqlx::Error> {
    let at = now_ms();
    for chunk in entries.chunks(ROWS_PER_INSERT) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", super::db::placeholders(i * 9 + 1, 9)))
            .collect();
        let sql = format!(
            "INSERT INTO audit_log (at, actor_id, actor_name, source, action, technician_id, \
             remote_addr, before_json, after_json) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for entry in chunk {
            query = query
                .bind(at)
                .bind(actor.id)
                .bind(&actor.name)
                .bind(ctx.source.as_str())
                .bind(entry.action)
                .bind(entry.technician_id)
                .bind(ctx.remote_addr.as_deref())
                .bind(entry.before.as_ref().map(|v| v.to_string()))
                .bind(entry.after.as_ref().map(|v| v.to_string()));
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: i64,
    actor_name: String,
    source: String,
    action: String,
    technician_id: Option<i64>,
    technician_name: Option<String>,
    remote_addr: Option<String>,
    before_json: Option<String>,
    after_json: Option<String>,
}

/// `$1` technician id (0 any), `$2` technician text pattern, `$3` actor pattern, `$4` source.
const FILTER: &str = "($1 = 0 OR a.technician_id = $1) \
    AND ($2 = '%%' OR lower(coalesce(t.name, '')) LIKE $2 ESCAPE '\\' \
         OR lower(coalesce(a.before_json, '')) LIKE $2 ESCAPE '\\' \
         OR lower(coalesce(a.after_json, '')) LIKE $2 ESCAPE '\\') \
    AND lower(a.actor_name) LIKE $3 ESCAPE '\\' \
    AND ($4 = '' OR a.source = $4)";

/// The audit log, newest first: for SDAdmins only, since it shows every site's changes.
pub async fn list(
    db: &super::Db,
    actor: &Actor,
    query: &crate::domain::AuditQuery,
) -> Result<crate::domain::AuditPage, super::ServiceError> {
    use crate::domain::audit::{changes, utc_text};
    use crate::domain::{AuditPage, AuditRow};
    if !actor.is_admin() {
        return Err(super::ServiceError::NotAuthorized(
            crate::domain::Refusal::AdminOnly {
                task: crate::domain::AdminTask::ReadAuditLog,
            },
        ));
    }
    let per_page: u32 = 50;
    let page = query.page.max(1);
    let technician = query.technician.trim();
    let (id, text) = match technician.parse::<i64>() {
        Ok(id) => (id, String::new()),
        Err(_) => (0, technician.to_lowercase()),
    };
    let source = [
        Source::Console,
        Source::Xml,
        Source::Sync,
        Source::Cli,
        Source::Api,
    ]
    .into_iter()
    .map(Source::as_str)
    .find(|s| *s == query.source)
    .unwrap_or("");
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT count(*) FROM audit_log a LEFT JOIN technicians t ON t.id = a.technician_id WHERE {FILTER}"
    ))
    .bind(id)
    .bind(super::db::like_contains(&text))
    .bind(super::db::like_contains(&query.actor))
    .bind(source)
    .fetch_one(db.reader())
    .await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT a.id, a.at, a.actor_name, a.source, a.action, a.technician_id, t.name AS technician_name, \
         a.remote_addr, a.before_json, a.after_json \
         FROM audit_log a LEFT JOIN technicians t ON t.id = a.technician_id \
         WHERE {FILTER} ORDER BY a.at DESC, a.id DESC LIMIT $5 OFFSET $6"
    ))
    .bind(id)
    .bind(super::db::like_contains(&text))
    .bind(super::db::like_contains(&query.actor))
    .bind(source)
    .bind(i64::from(per_page))
    .bind(i64::from(page - 1) * i64::from(per_page))
    .fetch_all(db.reader())
    .await?;
    let parse = |v: &Option<String>| {
        v.as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or(serde_json::Value::Null)
    };
    let rows = rows
        .into_iter()
        .map(|r| {
            let before = parse(&r.before_json);
            let after = parse(&r.after_json);
            let recorded_name = [&after, &before]
                .iter()
                .find_map(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_owned));
            AuditRow {
                id: r.id,
                at: utc_text(r.at),
                actor: r.actor_name,
                source: r.source,
                action: r.action,
                technician_id: r.technician_id,
                technician: r.technician_name.or(recorded_name),
                remote_addr: r.remote_addr,
                changes: changes(&before, &after),
            }
        })
        .collect();
    Ok(AuditPage {
        rows,
        total,
        page,
        per_page,
    })
}
