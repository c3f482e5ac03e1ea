//! Settings: the beta channels.

use super::AppError;
use crate::domain::BetaChannels;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "beta_channels")]
pub async fn load_beta_channels() -> Result<BetaChannels, AppError> {
    let (state, _actor) = super::actor().await?;
    Ok(crate::service::settings::beta_channels(&state.db).await?)
}

/// Checkboxes post `true` when ticked and nothing otherwise.
#[server(prefix = "/api", endpoint = "save_beta_channels")]
pub async fn save_beta_channels(
    voice: Option<String>,
    wecom: Option<String>,
    dingtalk: Option<String>,
    lark: Option<String>,
) -> Result<(), AppError> {
    let (state, actor) = super::actor().await?;
    let on = |v: &Option<String>| v.as_deref() == Some("true");
    let beta = BetaChannels {
        voice: on(&voice),
        wecom: on(&wecom),
        dingtalk: on(&dingtalk),
        lark: on(&lark),
    };
    let ctx = super::audit_context().await;
    crate::service::settings::set_beta_channels(&state.db, &actor, &ctx, beta).await?;
    leptos_axum::redirect("/settings?saved=1");
    Ok(())
}
