//! A roster CSV in the console: the upload (a plain form to `/roster/import`, so a file goes
//! up without JavaScript too) leaves a preview; these read it and apply it.

use super::AppError;
use crate::domain::import::ImportView;
use leptos::prelude::*;
use server_fn::codec::Postcard;

#[server(prefix = "/api", endpoint = "load_import", output = Postcard)]
pub async fn load_import(id: i64) -> Result<ImportView, AppError> {
    let (state, actor) = super::actor().await?;
    Ok(crate::service::roster_imports::view(&state.db, &actor, id).await?)
}

/// Starts writing a previewed import; the page follows it with [`load_import`].
#[server(prefix = "/api", endpoint = "apply_import", output = Postcard)]
pub async fn apply_import(id: i64) -> Result<(), AppError> {
    let (state, actor) = super::actor().await?;
    let ctx = super::audit_context().await;
    crate::service::roster_imports::start_apply(
        &state.db,
        state.secret_key.clone(),
        &actor,
        &ctx,
        id,
    )
    .await?;
    Ok(())
}
