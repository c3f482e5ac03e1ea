//! Sessions persisted in the application's own database, in the store matching its backend.

use anyhow::Context;
use app::service::db::{sqlite_url, Backend};
use app::service::Db;
use axum::Router;
use std::str::FromStr;
use tower_sessions::cookie::SameSite;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, SessionManagerLayer, SessionStore};
use tower_sessions_sqlx_store::sqlx::postgres::PgPoolOptions;
use tower_sessions_sqlx_store::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions,
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// How often sessions past their expiry are removed from the store.
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// A working day of inactivity ends a session.
const IDLE: tower_sessions::cookie::time::Duration =
    tower_sessions::cookie::time::Duration::hours(8);

pub async fn layer(router: Router, db: &Db, secure: bool) -> anyhow::Result<Router> {
    match db.backend() {
        Backend::Sqlite => {
            let options = SqliteConnectOptions::from_str(&sqlite_url(db.url())?)
                .context("reading the SQLite URL for sessions")?
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(std::time::Duration::from_secs(5));
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await
                .context("opening the session store")?;
            let store = SqliteStore::new(pool);
            store
                .migrate()
                .await
                .context("creating the session table")?;
            Ok(apply(router, store, secure))
        }
        Backend::Postgres => {
            let pool = PgPoolOptions::new()
                .max_connections(4)
                .connect(db.url())
                .await
                .context("opening the session store")?;
            let store = PostgresStore::new(pool);
            store
                .migrate()
                .await
                .context("creating the session table")?;
            Ok(apply(router, store, secure))
        }
    }
}

fn apply<S: SessionStore + ExpiredDeletion + Clone>(
    router: Router,
    store: S,
    secure: bool,
) -> Router {
    // An expired session is refused on use; this keeps the table from growing without bound.
    let purger = store.clone();
    tokio::spawn(async move {
        if let Err(e) = purger.continuously_delete_expired(PURGE_EVERY).await {
            tracing::warn!(error = %e, "purging expired sessions stopped");
        }
    });
    // Over HTTPS the `__Host-` prefix pins the cookie to this host and path `/`.
    let name = if secure {
        "__Host-crewdesk"
    } else {
        "crewdesk_session"
    };
    let layer = SessionManagerLayer::new(store)
        .with_name(name)
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(IDLE));
    router.layer(layer)
}
