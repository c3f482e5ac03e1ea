//! Sessions persisted in the application's own database (see `app::service::sessions`).

use app::service::sessions::DbSessionStore;
use app::service::Db;
use axum::Router;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// A working day of inactivity ends a session.
const IDLE: tower_sessions::cookie::time::Duration =
    tower_sessions::cookie::time::Duration::hours(8);

/// The name of the session cookie: over HTTPS the `__Host-` prefix pins it to this host and
/// path `/`.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-crewdesk"
    } else {
        "crewdesk_session"
    }
}

pub fn layer(router: Router, db: &Db, secure: bool) -> Router {
    let store = DbSessionStore::new(db.clone());
    let layer = SessionManagerLayer::new(store)
        .with_name(cookie_name(secure))
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(IDLE));
    router.layer(layer)
}
