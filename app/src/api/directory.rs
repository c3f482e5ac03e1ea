//! Synchronize Engineer Info from the console: start it, and follow it.

use super::AppError;
use crate::domain::directory::SyncSummary;
use leptos::prelude::*;

/// Starts a sync of every directory in the background (or joins the one running), then
/// goes to the roster with `sync=ID`, where its progress shows.
#[server(prefix = "/api", endpoint = "start_sync")]
pub async fn start_sync() -> Result<i64, AppError> {
    use crate::service::{AuditContext, Source};
    let (state, actor) = super::actor().await?;
    let addr = super::client_address().await.map(|ip| ip.to_string());
    let ctx = AuditContext::new(Source::Sync, addr);
    let id = (state.sync_starter.0)(actor, ctx).await?;
    leptos_axum::redirect(&format!("/?sync={id}"));
    Ok(id)
}

/// Sync `id` as it stands; without an id, the running one, if any.
#[server(prefix = "/api", endpoint = "sync_status")]
pub async fn sync_status(id: Option<i64>) -> Result<Option<SyncSummary>, AppError> {
    use crate::service::technicians::sync;
    let (state, actor) = super::actor().await?;
    if !actor.is_admin() {
        return Ok(None);
    }
    let found = match id {
        Some(id) => sync::summary(&state.db, id).await?,
        None => sync::latest(&state.db)
            .await?
            .filter(|s| s.state == "running"),
    };
    Ok(found)
}
