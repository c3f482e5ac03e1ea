//! The database handle: SQLite (embedded default) or PostgreSQL, chosen by the URL.

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

mod statements;
mod urls;

pub use statements::*;
pub use urls::{redact_url, sqlite_url};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Two pools over one database. On SQLite every write goes through a single connection, so
/// writers queue in-process instead of failing with `SQLITE_BUSY` on a lock upgrade; readers
/// use the other pool and, in WAL mode, never wait for the writer. On PostgreSQL both are
/// the same pool.
#[derive(Clone)]
pub struct Db {
    reader: AnyPool,
    writer: AnyPool,
    backend: Backend,
    url: String,
    /// The queue of the task that commits waiting adds together, kept here by the
    /// technician service, which alone knows its type.
    adds: std::sync::Arc<std::sync::OnceLock<Box<dyn std::any::Any + Send + Sync>>>,
    /// Woken when a transaction that queued deliveries commits (the outbox's `commit`):
    /// the delivery workers wait on it between polls.
    outbox_ready: std::sync::Arc<tokio::sync::Notify>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .field("url", &redact_url(&self.url))
            .finish_non_exhaustive()
    }
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

impl Db {
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let (reader, writer) = match backend {
            Backend::Sqlite => {
                let url = sqlite_url(url)?;
                let options = AnyConnectOptions::from_str(&url)
                    .with_context(|| format!("reading the database URL {}", redact_url(&url)))?;
                // Connections to a file are never reaped or pinged: reopening one runs the
                // set-up again, which is what may wait on a lock. A request that cannot get
                // the writer within 10 s is answered with an error and logged, well before
                // the request timeout, so a stall is seen for what it is.
                let open = |max: u32| {
                    AnyPoolOptions::new()
                        .max_connections(max)
                        .acquire_timeout(Duration::from_secs(10))
                        .acquire_slow_threshold(Duration::from_secs(1))
                        .idle_timeout(None)
                        .max_lifetime(None)
                        .test_before_acquire(false)
                        .after_connect(|conn, _| {
                            Box::pin(async move {
                                conn.execute(
                                    "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                                )
                                .await?;
                                Ok(())
                            })
                        })
                        .connect_with(options.clone())
                };
                let writer = open(1).await.context("opening the SQLite database")?;
                let reader = open(8).await.context("opening the SQLite database")?;
                (reader, writer)
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await
                    .context("connecting to PostgreSQL")?;
                (pool.clone(), pool)
            }
        };
        Ok(Self {
            reader,
            writer,
            backend,
            url: url.to_owned(),
            adds: Default::default(),
            outbox_ready: Default::default(),
        })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        migrator
            .run(&self.writer)
            .await
            .context("running database migrations")
    }

    /// For queries that only read.
    pub fn reader(&self) -> &AnyPool {
        &self.reader
    }

    /// For every statement that writes outside a transaction; transactions that write
    /// begin with [`begin_write`](Self::begin_write).
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// A transaction that writes. On SQLite it takes the write lock up front (`BEGIN
    /// IMMEDIATE`): the database is shared with the CLI, another process, and a deferred
    /// transaction that read first could not wait for the lock when it came to write (it
    /// failed at once with code 517, "database is locked"); this one waits its turn within
    /// the busy timeout.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        begin_write_on(&self.writer, self.backend).await
    }

    pub(crate) fn add_queue(&self) -> &std::sync::OnceLock<Box<dyn std::any::Any + Send + Sync>> {
        &self.adds
    }

    /// What the delivery workers wait on: woken each time deliveries are queued.
    pub fn outbox_ready(&self) -> &tokio::sync::Notify {
        &self.outbox_ready
    }

    /// The same, for a task that outlives no [`Db`] it would hold (the add writer).
    pub(crate) fn outbox_ready_shared(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.outbox_ready.clone()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL as the operator gave it, for stores that need their own typed pool.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// [`Db::begin_write`] on `pool` (the writer pool of a [`Db`] of `backend`).
pub async fn begin_write_on(
    pool: &AnyPool,
    backend: Backend,
) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    match backend {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => pool.begin().await,
    }
}

fn backend_of(url: &str) -> anyhow::Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        anyhow::bail!(
            "unsupported database URL '{}': use sqlite:PATH or postgres://...",
            redact_url(url)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_wildcards_are_taken_literally() {
        assert_eq!(like_contains(" 50%_Off "), "%50\\%\\_off%");
        assert_eq!(like_contains(""), "%%");
    }

    #[test]
    fn sqlite_urls_are_created_when_missing() {
        let dir = std::env::temp_dir().join(format!("crewdesk-url-{}", std::process::id()));
        let url = format!("sqlite:{}/x.db", dir.display());
        assert_eq!(
            sqlite_url(&url).unwrap(),
            format!("sqlite://{}/x.db?mode=rwc", dir.display())
        );
        assert!(dir.is_dir());
    }

    #[test]
    fn passwords_in_database_urls_are_never_repeated() {
        assert_eq!(
            redact_url("postgres://app:s3cr%40t@db.internal:5432/crewdesk"),
            "postgres://app:***@db.internal:5432/crewdesk"
        );
        assert_eq!(redact_url("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(redact_url("sqlite:data/x.db"), "sqlite:data/x.db");
        assert_eq!(
            redact_url("postgres://app@db/x?sslmode=require&password=hunter2#top"),
            "postgres://app@db/x?sslmode=require&password=***#top"
        );
        assert_eq!(
            redact_url("postgresql:///x?host=/run&PassWord=a&pass%77ord=b&sslpassword=c&user=u"),
            "postgresql:///x?host=/run&PassWord=***&pass%77ord=***&sslpassword=***&user=u"
        );
        assert_eq!(
            redact_url("postgres://app:pw@db/x?password=q"),
            "postgres://app:***@db/x?password=***"
        );
        let err = backend_of("mysql://root:hunter2@h/db")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn unknown_schemes_are_refused_with_a_hint() {
        let err = backend_of("mysql://x").unwrap_err().to_string();
        assert!(err.contains("sqlite:PATH"), "{err}");
        assert!(sqlite_url("sqlite::memory:").is_err());
    }
}
