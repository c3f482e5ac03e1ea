//! Synchronize Engineer Info: reads each directory and hands its entries, in batches, to
//! the sync rules of `app::service::technicians::sync`.

pub mod file;
pub mod ldap;

use app::domain::directory::{Entry, SyncSummary};
use app::domain::Refusal;
use app::service::directories::{self, BindPassword, Directory, LdapSource, Source};
use app::service::secret_box::SecretKey;
use app::service::technicians::sync::{self, Begun};
use app::service::{Actor, AuditContext, Clock, Db, ServiceError};
use secrecy::SecretString;

/// Entries written per transaction.
pub const BATCH: usize = 500;

/// How often a run says it is alive while it waits on a directory: well inside
/// [`sync::STALE_MS`], so a slow directory is never taken for a dead process.
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(10);

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
            _ = beat.tick() => sync::heartbeat(db, run, clock.now()).await?,
        }
    }
}

/// What reading a directory needs from the server: the key its stored bind password is
/// sealed under, and the folder the console's directory files lie in.
#[derive(Debug, Clone)]
pub struct Access {
    pub key: std::sync::Arc<SecretKey>,
    pub root: std::path::PathBuf,
}

impl Access {
    /// The bind password of `directory`'s source.
    pub fn bind_password(
        &self,
        directory: &Directory,
        source: &LdapSource,
    ) -> Result<SecretString, String> {
        match &source.password {
            BindPassword::Env(variable) => {
                std::env::var(variable)
                    .map(SecretString::from)
                    .map_err(|_| {
                        format!("the bind password variable ${variable} is not set for this server")
                    })
            }
            BindPassword::Sealed(sealed) => self
                .key
                .open(&directories::password_purpose(&directory.name), sealed)
                .map_err(|e| format!("the bind password of {}: {e}", directory.name)),
            BindPassword::Missing => Err(format!(
                "no bind password is stored for the directory {}: type it in its Edit form",
                directory.name
            )),
        }
    }
}

/// Reads a directory whole.
async fn entries_of(directory: &Directory, access: &Access) -> Result<Vec<Entry>, String> {
    match &directory.source {
        Source::File { path } => file::read(path, &access.root, &directory.mapping).await,
        Source::Ldap(source) => {
            source.check_plain(&directory.name)?;
            let password = access.bind_password(directory, source)?;
            ldap::read(source, &password, directory.preset, &directory.mapping).await
        }
    }
}

/// Why a sync could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("a sync is running already (sync {0}); its progress is on the Engineers page")]
    Running(i64),
    #[error("{0}")]
    Service(#[from] ServiceError),
    #[error("{0}")]
    Refused(Refusal),
    #[error("{0}")]
    Directory(String),
}

/// Starts a sync of every directory (or the one named): the run's id, or the running one.
pub async fn begin(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    ctx: &AuditContext,
    only: Option<&str>,
) -> Result<(i64, Vec<Directory>), SyncError> {
    // Asked before the directories are read, so a refusal says only that.
    sync::authorize(actor)?;
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
    match sync::begin(db, actor, ctx, only, clock.now()).await? {
        Begun::Started(run) => Ok((run, chosen)),
        Begun::AlreadyRunning(run) => Err(SyncError::Running(run)),
    }
}

/// Runs sync `run` over `chosen` to its end; a directory that cannot be read ends it as
/// failed, keeping what earlier batches wrote and flagging nobody.
pub async fn run(
    db: &Db,
    clock: &Clock,
    access: &Access,
    actor: &Actor,
    ctx: &AuditContext,
    run: i64,
    chosen: &[Directory],
) -> Result<SyncSummary, SyncError> {
    let outcome = run_inner(db, clock, access, actor, ctx, run, chosen).await;
    if let Err(e) = &outcome {
        tracing::warn!(run, error = %e, "directory sync failed");
        sync::fail(db, run, &e.to_string(), clock.now()).await?;
    }
    outcome
}

async fn run_inner(
    db: &Db,
    clock: &Clock,
    access: &Access,
    actor: &Actor,
    ctx: &AuditContext,
    run: i64,
    chosen: &[Directory],
) -> Result<SyncSummary, SyncError> {
    let mut names = Vec::new();
    for directory in chosen {
        let entries = while_alive(db, clock, run, HEARTBEAT, entries_of(directory, access))
            .await?
            .map_err(SyncError::Directory)?;
        let total = i64::try_from(entries.len()).unwrap_or(i64::MAX);
        sync::add_total(db, run, total, clock.now()).await?;
        for batch in entries.chunks(BATCH) {
            sync::apply_batch(db, actor, ctx, run, directory, batch, clock.now()).await?;
        }
        names.push(directory.name.clone());
    }
    let summary = sync::finish(db, actor, ctx, run, &names, clock.now()).await?;
    tracing::info!(run, result = %summary.line(), "directory sync done");
    Ok(summary)
}

/// Begins a sync and runs it in a background task: the run's id, or the running one's.
pub async fn start(
    db: Db,
    clock: Clock,
    access: Access,
    actor: Actor,
    ctx: AuditContext,
) -> Result<i64, ServiceError> {
    match begin(&db, &clock, &actor, &ctx, None).await {
        Ok((id, chosen)) => {
            tokio::spawn(async move {
                // The outcome is kept in the run's row, where the console reads it.
                let _ = run(&db, &clock, &access, &actor, &ctx, id, &chosen).await;
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

/// The starter the console calls.
pub fn starter(db: Db, clock: Clock, access: Access) -> app::service::SyncStarter {
    app::service::SyncStarter(std::sync::Arc::new(move |actor, ctx| {
        Box::pin(start(db.clone(), clock.clone(), access.clone(), actor, ctx))
    }))
}

/// The directory check the sign-in rules call (AD_AUTH).
pub fn directory_auth(access: Access) -> app::service::DirectoryAuth {
    app::service::DirectoryAuth(std::sync::Arc::new(
        move |directory: Directory, login, password| {
            let access = access.clone();
            Box::pin(async move {
                match &directory.source {
                    Source::Ldap(source) => {
                        // The user's own password would cross the network in clear.
                        source.check_plain(&directory.name)?;
                        let bind = access.bind_password(&directory, source)?;
                        ldap::verify_user(
                            source,
                            &bind,
                            directory.preset,
                            &directory.mapping,
                            &login,
                            &password,
                        )
                        .await
                    }
                    Source::File { .. } => Ok(false),
                }
            })
        },
    ))
}
