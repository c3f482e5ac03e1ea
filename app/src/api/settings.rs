//! Settings: the beta channels.

use super::AppError;
use crate::domain::BetaChannels;
use leptos::prelude::*;
use server_fn::codec::Postcard;

#[server(prefix = "/api", endpoint = "beta_channels", output = Postcard)]
pub async fn load_beta_channels() -> Result<BetaChannels, AppError> {
    let (state, _actor) = super::actor().await?;
    Ok(crate::service::settings::beta_channels(&state.db).await?)
}

/// Checkboxes post `on[channel]=true` when ticked and nothing otherwise.
#[server(prefix = "/api", endpoint = "save_beta_channels", output = Postcard)]
pub async fn save_beta_channels(
    on: Option<std::collections::BTreeMap<String, String>>,
) -> Result<(), AppError> {
    let (state, actor) = super::actor().await?;
    let on = on.unwrap_or_default();
    let beta = BetaChannels(
        crate::domain::Channel::ALL
            .into_iter()
            .filter(|c| c.is_beta() && on.get(c.as_str()).map(String::as_str) == Some("true"))
            .collect(),
    );
    let ctx = super::audit_context().await;
    crate::service::settings::set_beta_channels(&state.db, &actor, &ctx, beta).await?;
    leptos_axum::redirect("/settings?saved=1");
    Ok(())
}
