//! Housekeeping every instance does in the background: rows that are refused on use anyway
//! (expired sessions, idle counts of failed sign-ins) are removed so tables stay small.

use app::service::{lockout, now_ms, outbox, sessions, Db};
use std::time::Duration;

/// How often the housekeeping runs.
const EVERY: Duration = Duration::from_secs(10 * 60);

pub fn spawn(db: Db) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            run_once(&db).await;
        }
    });
}

async fn run_once(db: &Db) {
    let now = now_ms();
    match sessions::purge(db, now).await {
        Ok(n) if n > 0 => tracing::info!(sessions = n, "expired sessions removed"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = ?e, "purging sessions failed"),
    }
    match lockout::purge(db, now).await {
        Ok(n) if n > 0 => tracing::info!(counts = n, "idle failed sign-in counts removed"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = ?e, "purging failed sign-ins failed"),
    }
    if let Err(e) = app::service::send_limits::purge(db, now).await {
        tracing::warn!(error = ?e, "purging send slots failed");
    }
    if let Err(e) = outbox::purge_robot_sends(db, now).await {
        tracing::warn!(error = ?e, "purging robot send times failed");
    }
    match app::service::ledger::expire(db, now).await {
        Ok(n) if n > 0 => tracing::info!(confirmations = n, "unused confirmation links expired"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = ?e, "expiring confirmation links failed"),
    }
    match outbox::purge_captured(db, now).await {
        Ok(n) if n > 0 => tracing::info!(messages = n, "old Message log entries removed"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = ?e, "purging the Message log failed"),
    }
}
