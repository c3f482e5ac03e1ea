//! A sync run as a row of `sync_runs`: begun once across instances, kept alive, counted,
//! finished (flagging who the directory no longer lists) or failed.

use crate::domain::directory::{SyncLists, SyncSummary};
use crate::service::audit::{self, AuditContext, Entry as AuditEntry};
use crate::service::db::{is_unique_violation, Db};
use crate::service::error::ServiceError;
use crate::service::Actor;

/// A run that has not said it is alive for this long is taken to be dead.
pub const STALE_MS: i64 = 60_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begun {
    Started(i64),
    /// Another sync is running; its id.
    AlreadyRunning(i64),
}

/// Who may synchronize: an SDAdmin.
pub fn authorize(actor: &Actor) -> Result<(), ServiceError> {
    actor.require_admin(crate::domain::AdminTask::Synchronize)
}

/// Starts a run, unless one is running; a run left by a dead process is ended first.
pub async fn begin(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    directory: Option<&str>,
    now: i64,
) -> Result<Begun, ServiceError> {
    authorize(actor)?;
    // A run may end between our failed insert and the look for it: then start again, a
    // bounded number of times.
    for _ in 0..5 {
        let mut tx = db.begin_write().await?;
        sqlx::query(
            "UPDATE sync_runs SET running = NULL, state = 'failed', finished_at = $1, \
             error = 'interrupted: the process running it stopped; this run was ended by the next' \
             WHERE running = 1 AND heartbeat_at < $2",
        )
        .bind(now)
        .bind(now - STALE_MS)
        .execute(&mut *tx)
        .await?;
        let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO sync_runs (running, state, directory, started_by, source, started_at, heartbeat_at) \
             VALUES (1, 'running', $1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(directory)
        .bind(&actor.name)
        .bind(ctx.source.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await;
        match inserted {
            Ok((id,)) => {
                tx.commit().await?;
                return Ok(Begun::Started(id));
            }
            Err(e) if is_unique_violation(&e, "sync_runs_one_running") => {
                drop(tx);
                let running: Option<(i64,)> =
                    sqlx::query_as("SELECT id FROM sync_runs WHERE running = 1")
                        .fetch_optional(db.writer())
                        .await?;
                if let Some((id,)) = running {
                    return Ok(Begun::AlreadyRunning(id));
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ServiceError::Conflict(crate::domain::Refusal::SyncRace))
}

/// Adds `more` to the number of entries the run will go through (one directory at a time).
pub async fn add_total(db: &Db, run: i64, more: i64, now: i64) -> Result<(), ServiceError> {
    sqlx::query("UPDATE sync_runs SET total = total + $1, heartbeat_at = $2 WHERE id = $3")
        .bind(more)
        .bind(now)
        .bind(run)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Ends a run that went through every entry of `directories`: engineers of those
/// directories it did not see are flagged (never deleted).
pub async fn finish(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    run: i64,
    directories: &[String],
    now: i64,
) -> Result<SyncSummary, ServiceError> {
    let mut tx = db.begin_write().await?;
    let mut flagged_names = Vec::new();
    for directory in directories {
        let gone: Vec<(i64, String)> = sqlx::query_as(
            "UPDATE technicians SET directory_missing = 1, version = version + 1, updated_at = $1 \
             WHERE directory_source = $2 AND directory_missing = 0 \
             AND (sync_run IS NULL OR sync_run <> $3) RETURNING id, name",
        )
        .bind(now)
        .bind(directory)
        .bind(run)
        .fetch_all(&mut *tx)
        .await?;
        for (id, name) in gone {
            audit::record(
                &mut tx,
                actor,
                ctx,
                AuditEntry {
                    action: "technician.flag",
                    technician_id: Some(id),
                    before: None,
                    after: Some(serde_json::json!({ "directory": directory, "missing": true })),
                },
            )
            .await?;
            flagged_names.push(name);
        }
    }
    let lists: (String,) = sqlx::query_as("SELECT lists_json FROM sync_runs WHERE id = $1")
        .bind(run)
        .fetch_one(&mut *tx)
        .await?;
    let mut merged = SyncLists::from_saved(&lists.0);
    for name in &flagged_names {
        SyncLists::push(&mut merged.flagged, name.clone());
    }
    sqlx::query(
        "UPDATE sync_runs SET running = NULL, state = 'done', finished_at = $1, heartbeat_at = $1, \
         flagged = $2, lists_json = $3 WHERE id = $4",
    )
    .bind(now)
    .bind(i64::try_from(flagged_names.len()).unwrap_or(i64::MAX))
    .bind(serde_json::to_string(&merged).map_err(anyhow::Error::new)?)
    .bind(run)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    summary(db, run)
        .await?
        .ok_or_else(|| ServiceError::NotFound(crate::domain::Refusal::NoSync { run }))
}

/// Ends a run that could not go on (a directory that does not answer, a file that cannot be
/// read). What it applied stays; nothing is flagged.
pub async fn fail(db: &Db, run: i64, error: &str, now: i64) -> Result<(), ServiceError> {
    let error: String = error.chars().take(1000).collect();
    sqlx::query(
        "UPDATE sync_runs SET running = NULL, state = 'failed', finished_at = $1, error = $2 \
         WHERE id = $3",
    )
    .bind(now)
    .bind(error)
    .bind(run)
    .execute(db.writer())
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct RunRow {
    id: i64,
    state: String,
    started_by: String,
    started_at: i64,
    finished_at: Option<i64>,
    total: i64,
    processed: i64,
    created: i64,
    updated: i64,
    unchanged: i64,
    flagged: i64,
    skipped: i64,
    lists_json: String,
    error: Option<String>,
}

const RUN: &str = "id, state, started_by, started_at, finished_at, total, processed, created, \
                   updated, unchanged, flagged, skipped, lists_json, error";

impl RunRow {
    fn into_summary(self) -> SyncSummary {
        use crate::domain::audit::utc_text;
        SyncSummary {
            id: self.id,
            state: self.state,
            started_by: self.started_by,
            started_at: utc_text(self.started_at),
            finished_at: self.finished_at.map(utc_text),
            total: self.total,
            processed: self.processed,
            created: self.created,
            updated: self.updated,
            unchanged: self.unchanged,
            flagged: self.flagged,
            skipped: self.skipped,
            lists: SyncLists::from_saved(&self.lists_json),
            error: self.error,
        }
    }
}

/// Run `run` as it stands.
pub async fn summary(db: &Db, run: i64) -> Result<Option<SyncSummary>, ServiceError> {
    let row: Option<RunRow> = sqlx::query_as(&format!("SELECT {RUN} FROM sync_runs WHERE id = $1"))
        .bind(run)
        .fetch_optional(db.reader())
        .await?;
    Ok(row.map(RunRow::into_summary))
}

/// The newest run, running or not.
pub async fn latest(db: &Db) -> Result<Option<SyncSummary>, ServiceError> {
    let row: Option<RunRow> = sqlx::query_as(&format!(
        "SELECT {RUN} FROM sync_runs ORDER BY id DESC LIMIT 1"
    ))
    .fetch_optional(db.reader())
    .await?;
    Ok(row.map(RunRow::into_summary))
}

/// Keeps a long step (reading a directory) from looking dead.
pub async fn heartbeat(db: &Db, run: i64, now: i64) -> Result<(), ServiceError> {
    sqlx::query("UPDATE sync_runs SET heartbeat_at = $1 WHERE id = $2 AND running = 1")
        .bind(now)
        .bind(run)
        .execute(db.writer())
        .await?;
    Ok(())
}
