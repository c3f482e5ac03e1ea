//! A sync from the button (or the command line) to its end: the directories chosen, a run
//! begun, each directory read from its [`DirectorySource`] while the run stays alive, its
//! entries applied in batches, and the run finished or failed.

use super::runs::{self, Begun};
use crate::domain::directory::SyncSummary;
use crate::domain::Refusal;
use crate::service::directories::{self, Directory, DirectorySource};
use crate::service::{Actor, AuditContext, Clock, Db, ServiceError};

/// Entries written per transaction.
pub const BATCH: usize = 500;

/// How often a run says it is alive while it waits on a directory: well inside
/// [`runs::STALE_MS`], so a slow directory is never taken for a dead process.
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(10);

/// Why a sync could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("a sync is running already (sync {0}); its progress is on the Engineers page")]
    Running(i64),
    #[error("{0}")]
    Service(#[from] ServiceError),
    #[error("{0}")]
    Refused(Refusal),
    /// The directory could not be read: its own words.
    #[error("{0}")]
    Directory(String),
}

/// Awaits `work` (reading a directory, which may take minutes), keeping run `run` alive
/// every `every` meanwhile.
pub async fn while_alive<T>(
    db: &Db,
    clock: &Clock,
    run: i64,
    every: std::time::Duration,
    work: impl std::future::Future<Output = T>,
) -> Result<T, ServiceError> {
    tokio::pin!(work);
    let mut beat = tokio::time::interval(every);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            done = &mut work => return Ok(done),
            _ = beat.tick() => runs::heartbeat(db, run, clock.now()).await?,
        }
    }
}

/// Begins a sync of every directory (or the one named): the run's id and what it reads.
pub async fn begin_run(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    ctx: &AuditContext,
    only: Option<&str>,
) -> Result<(i64, Vec<Directory>), SyncError> {
    // Asked before the directories are read, so a refusal says only that.
    runs::authorize(actor)?;
    let chosen = match only {
        Some(name) => match directories::find(db, name).await? {
            Some(directory) => vec![directory],
            None => {
                return Err(SyncError::Refused(Refusal::NoDirectory {
                    name: name.chars().take(64).collect(),
                }))
            }
        },
        None => directories::list(db).await?,
    };
    if chosen.is_empty() {
        return Err(SyncError::Refused(Refusal::NoDirectoryConfigured));
    }
    match runs::begin(db, actor, ctx, only, clock.now()).await? {
        Begun::Started(run) => Ok((run, chosen)),
        Begun::AlreadyRunning(run) => Err(SyncError::Running(run)),
    }
}

/// What a run needs besides its id: where it writes, its clock, where it reads, and on
/// whose behalf.
pub struct Runner<'a> {
    pub db: &'a Db,
    pub clock: &'a Clock,
    pub source: &'a dyn DirectorySource,
    pub actor: &'a Actor,
    pub ctx: &'a AuditContext,
}

/// Runs sync `run` over `chosen` to its end; a directory that cannot be read ends it as
/// failed, keeping what earlier batches wrote and flagging nobody.
pub async fn run(
    runner: &Runner<'_>,
    run: i64,
    chosen: &[Directory],
) -> Result<SyncSummary, SyncError> {
    let outcome = run_all(runner, run, chosen).await;
    if let Err(e) = &outcome {
        tracing::warn!(run, error = %e, "directory sync failed");
        runs::fail(runner.db, run, &e.to_string(), runner.clock.now()).await?;
    }
    outcome
}

async fn run_all(
    runner: &Runner<'_>,
    run: i64,
    chosen: &[Directory],
) -> Result<SyncSummary, SyncError> {
    let Runner {
        db,
        clock,
        source,
        actor,
        ctx,
    } = *runner;
    let mut names = Vec::new();
    for directory in chosen {
        let entries = while_alive(db, clock, run, HEARTBEAT, source.entries(directory))
            .await?
            .map_err(SyncError::Directory)?;
        let total = i64::try_from(entries.len()).unwrap_or(i64::MAX);
        runs::add_total(db, run, total, clock.now()).await?;
        for batch in entries.chunks(BATCH) {
            super::apply_batch(db, actor, ctx, run, directory, batch, clock.now()).await?;
        }
        names.push(directory.name.clone());
    }
    let summary = runs::finish(db, actor, ctx, run, &names, clock.now()).await?;
    tracing::info!(run, result = %summary.line(), "directory sync done");
    Ok(summary)
}

/// Begins a sync of every directory (or the one named) and runs it in a background task:
/// the run's id, or the running one's. What the console's button and the API do.
pub async fn start(
    db: Db,
    clock: Clock,
    source: std::sync::Arc<dyn DirectorySource>,
    actor: Actor,
    ctx: AuditContext,
    only: Option<&str>,
) -> Result<i64, ServiceError> {
    match begin_run(&db, &clock, &actor, &ctx, only).await {
        Ok((id, chosen)) => {
            tokio::spawn(async move {
                let runner = Runner {
                    db: &db,
                    clock: &clock,
                    source: source.as_ref(),
                    actor: &actor,
                    ctx: &ctx,
                };
                // The outcome is kept in the run's row, where the console reads it.
                let _ = run(&runner, id, &chosen).await;
            });
            Ok(id)
        }
        Err(SyncError::Running(id)) => Ok(id),
        Err(SyncError::Service(e)) => Err(e),
        Err(SyncError::Refused(refusal)) => Err(ServiceError::Conflict(refusal)),
        Err(SyncError::Directory(detail)) => {
            Err(ServiceError::Conflict(Refusal::DirectoryFailed { detail }))
        }
    }
}
