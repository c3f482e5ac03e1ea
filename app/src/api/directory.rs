//! Synchronize Engineer Info from the console: start it, and follow it.

use super::AppError;
use crate::domain::directory::SyncSummary;
use leptos::prelude::*;
use server_fn::codec::Postcard;

/// Starts a sync of every directory in the background (or joins the one running), then
/// goes to the roster with `sync=ID`, where its progress shows.
#[server(prefix = "/api", endpoint = "start_sync", output = Postcard)]
pub async fn start_sync() -> Result<i64, AppError> {
    use crate::service::{AuditContext, Source};
    let (state, actor) = super::actor().await?;
    let addr = super::client_address().await.map(|ip| ip.to_string());
    let ctx = AuditContext::new(Source::Sync, addr);
    let id = crate::service::sync::start(
        state.db.clone(),
        state.clock.clone(),
        state.directories.clone(),
        actor,
        ctx,
        None,
    )
    .await?;
    leptos_axum::redirect(&format!("/?sync={id}"));
    Ok(id)
}

/// Sync `id` as it stands; without an id, the running one, if any.
#[server(prefix = "/api", endpoint = "sync_status", output = Postcard)]
pub async fn sync_status(id: Option<i64>) -> Result<Option<SyncSummary>, AppError> {
    use crate::service::sync;
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

/// The configured directories (SDAdmin).
#[server(prefix = "/api", endpoint = "directories", output = Postcard)]
pub async fn load_directories() -> Result<Vec<crate::domain::directory::DirectoryListing>, AppError>
{
    let (state, actor) = super::actor().await?;
    Ok(crate::service::directories::listings(&state.db, &actor).await?)
}

/// Adds a directory from the settings page's form.
#[server(prefix = "/api", endpoint = "add_directory", output = Postcard)]
pub async fn add_directory(form: crate::domain::directory::DirectoryForm) -> Result<(), AppError> {
    use crate::service::directories::{self, NewDirectory};
    let (state, actor) = super::actor().await?;
    let new = NewDirectory::parse(&form).map_err(AppError::Invalid)?;
    let ctx = super::audit_context().await;
    directories::add(
        &state.db,
        &actor,
        &ctx,
        new,
        &state.secret_key,
        state.clock.now(),
    )
    .await?;
    leptos_axum::redirect("/settings?directory=added");
    Ok(())
}

/// Changes a directory from the settings page's form (its name stays).
#[server(prefix = "/api", endpoint = "change_directory", output = Postcard)]
pub async fn change_directory(
    form: crate::domain::directory::DirectoryForm,
) -> Result<(), AppError> {
    use crate::service::directories::{self, NewDirectory};
    let (state, actor) = super::actor().await?;
    let changed = NewDirectory::parse(&form).map_err(AppError::Invalid)?;
    let ctx = super::audit_context().await;
    directories::change(
        &state.db,
        &actor,
        &ctx,
        changed,
        &state.secret_key,
        state.clock.now(),
    )
    .await?;
    leptos_axum::redirect("/settings?directory=changed");
    Ok(())
}

/// Removes a directory; its engineers stay.
#[server(prefix = "/api", endpoint = "remove_directory", output = Postcard)]
pub async fn remove_directory(name: String) -> Result<(), AppError> {
    let (state, actor) = super::actor().await?;
    let ctx = super::audit_context().await;
    crate::service::directories::remove(&state.db, &actor, &ctx, &name).await?;
    leptos_axum::redirect("/settings?directory=removed");
    Ok(())
}
