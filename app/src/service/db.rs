//! The database handle: SQLite (embedded default) or PostgreSQL, chosen by the URL.

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

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

/// `url` with any password replaced by `***`, for messages and logs: the one in the user
/// information (`user:PASS@`) and any query parameter that names one (`?password=…`,
/// `sslpassword`, a token or secret), however its name is percent-encoded.
pub fn redact_url(url: &str) -> String {
    let (url, fragment) = match url.find('#') {
        Some(at) => (&url[..at], &url[at..]),
        None => (url, ""),
    };
    let (head, query) = match url.find('?') {
        Some(at) => (&url[..at], Some(&url[at + 1..])),
        None => (url, None),
    };
    let mut out = redact_userinfo(head);
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| {
                let name = pair.split('=').next().unwrap_or("");
                let folded = percent_decoded(name).to_ascii_lowercase();
                let secret = ["pass", "pwd", "secret", "token", "key"]
                    .iter()
                    .any(|word| folded.contains(word));
                if secret && pair.contains('=') {
                    format!("{name}=***")
                } else {
                    pair.to_owned()
                }
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out.push_str(fragment);
    out
}

fn redact_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end],
            &rest[..colon],
            &rest[at..]
        ),
        None => url.to_owned(),
    }
}

/// `%XX` sequences decoded (bytes that are not UTF-8 become U+FFFD).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (other, _) => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Creates the file's folder and asks SQLite to create the file when it is missing.
pub fn sqlite_url(url: &str) -> anyhow::Result<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" {
        anyhow::bail!("an in-memory SQLite database cannot be shared: give a file path");
    }
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating the folder {}", parent.display()))?;
        }
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// Values bound to one statement at most. SQLite finds each bound value's place by walking
/// the statement's list of parameter names (`sqlite3_bind_parameter_name`), so binding n
/// values costs n²: a 500-row insert of 8,500 values spent most of a sync there. A few
/// hundred keep that negligible while a batch stays a handful of statements.
pub const VALUES_PER_STATEMENT: usize = 256;

/// A value bound to a numbered parameter of a statement built at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Int(i64),
    Text(String),
}

/// `query` with `values` bound to its numbered parameters, in order.
pub fn bind_values<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    values: impl IntoIterator<Item = &'q Value>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    values.into_iter().fold(query, |query, value| match value {
        Value::Int(v) => query.bind(*v),
        Value::Text(v) => query.bind(v.as_str()),
    })
}

/// [`bind_values`] for a query that reads rows.
pub fn bind_values_as<'q, O>(
    query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    values: impl IntoIterator<Item = &'q Value>,
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    values.into_iter().fold(query, |query, value| match value {
        Value::Int(v) => query.bind(*v),
        Value::Text(v) => query.bind(v.as_str()),
    })
}

/// `INSERT INTO {into} VALUES (…), (…) {tail}` for `rows` (each as wide as the first), in as
/// few statements as [`VALUES_PER_STATEMENT`] allows. `into` and `tail` are constants of the
/// caller, never input. No rows, no statement.
pub async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    into: &str,
    tail: &str,
    rows: &[Vec<Value>],
) -> Result<(), sqlx::Error> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    for part in rows.chunks(rows_per_statement(width)) {
        let values: Vec<String> = (0..part.len())
            .map(|i| format!("({})", placeholders(i * width + 1, width)))
            .collect();
        let sql = format!("INSERT INTO {into} VALUES {} {tail}", values.join(", "));
        bind_values(sqlx::query(&sql), part.iter().flatten())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Rows per multi-row statement for rows of `values` bound values each.
pub const fn rows_per_statement(values: usize) -> usize {
    let rows = VALUES_PER_STATEMENT / if values == 0 { 1 } else { values };
    if rows == 0 {
        1
    } else {
        rows
    }
}

/// `$first, $first+1, …` for `count` values.
pub fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rows of `sql` with `{}` replaced by the ids (its only parameters): a batch of any
/// size in one statement. No ids, no statement.
pub async fn by_ids<'c, E, T>(executor: E, sql: &str, ids: &[i64]) -> Result<Vec<T>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
    T: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = sql.replace("{}", &placeholders(1, ids.len()));
    let mut query = sqlx::query_as::<_, T>(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    query.fetch_all(executor).await
}

/// [`by_ids`] for any number of ids, [`VALUES_PER_STATEMENT`] at a time, on a connection.
pub async fn by_many_ids<T>(
    conn: &mut sqlx::AnyConnection,
    sql: &str,
    ids: &[i64],
) -> Result<Vec<T>, sqlx::Error>
where
    T: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
{
    let mut rows = Vec::new();
    for part in ids.chunks(VALUES_PER_STATEMENT) {
        rows.extend(by_ids(&mut *conn, sql, part).await?);
    }
    Ok(rows)
}

/// A `LIKE … ESCAPE '\\'` pattern that finds `text`, lower-cased, anywhere: wildcards in
/// the text are taken literally, so a search for `50%` finds "50%", not everything.
pub fn like_contains(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in crate::domain::fold(text.trim()).chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// SQLite names an index on plain columns by its columns, not its name, in the error.
const SQLITE_COLUMN_INDEXES: [(&str, &str); 9] = [
    ("technicians_login_unique", "technicians.login_key"),
    ("sites_name_unique", "sites.name_key"),
    (
        "tech_groups_name_unique",
        "tech_groups.site_id, tech_groups.name_key",
    ),
    (
        "udf_definitions_column_unique",
        "udf_definitions.column_name",
    ),
    ("api_keys_live_name", "api_keys.name"),
    (
        "notifications_idempotency",
        "notifications.api_key_id, notifications.idempotency_key",
    ),
    (
        "technicians_directory_unique",
        "technicians.directory_source, technicians.directory_id",
    ),
    ("sync_runs_one_running", "sync_runs.running"),
    ("directories_name", "directories.name_key"),
];

/// Whether `err` is the violation of the unique index `name`.
pub fn is_unique_violation(err: &sqlx::Error, name: &str) -> bool {
    let sqlite_columns = SQLITE_COLUMN_INDEXES
        .iter()
        .find(|(index, _)| *index == name)
        .map(|(_, columns)| *columns);
    match err {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                && (db.constraint() == Some(name)
                    || db.message().contains(name)
                    || sqlite_columns.is_some_and(|c| db.message().ends_with(c)))
        }
        _ => false,
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
