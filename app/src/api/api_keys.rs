//! API keys in the console (an SDAdmin's, under Settings): listed with their owner, scopes
//! and last use, created for an owner within scopes, revoked. A new key is shown once: it is
//! kept in the creator's session until the page has shown it, and never stored otherwise.

use super::AppError;
use crate::domain::Scope;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Postcard;

/// One key as the list shows it (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyLine {
    pub name: String,
    pub prefix: String,
    pub owner: Option<String>,
    pub scopes: Vec<Scope>,
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: Option<String>,
}

/// The session entry a new key waits in until it is shown.
#[cfg(feature = "ssr")]
const SESSION_NEW_KEY: &str = "new_api_key";

#[server(prefix = "/api", endpoint = "api_keys", output = Postcard)]
pub async fn load_api_keys() -> Result<Vec<KeyLine>, AppError> {
    let (state, actor) = super::actor().await?;
    actor.require_admin(crate::domain::AdminTask::ManageApiKeys)?;
    let keys = crate::service::api_keys::list(&state.db).await?;
    Ok(keys
        .into_iter()
        .map(|k| KeyLine {
            name: k.name,
            prefix: k.prefix,
            owner: k.owner,
            scopes: k.scopes,
            created: k.created,
            last_used: k.last_used,
            revoked: k.revoked,
        })
        .collect())
}

/// `scope[NAME]=true` for each ticked scope; `owner` a login (`domain\login` in a domain).
#[server(prefix = "/api", endpoint = "create_api_key", output = Postcard)]
pub async fn create_api_key(
    name: String,
    owner: String,
    scope: Option<std::collections::BTreeMap<String, String>>,
) -> Result<(), AppError> {
    let (state, actor) = super::actor().await?;
    let scopes: Vec<Scope> = scope
        .unwrap_or_default()
        .iter()
        .filter(|(_, on)| on.as_str() == "true")
        .filter_map(|(name, _)| Scope::parse(name))
        .collect();
    let owner = owner.trim();
    let (domain, login) = owner.split_once('\\').unwrap_or(("", owner));
    let new = crate::service::api_keys::NewKey {
        name: &name,
        owner: (!login.is_empty()).then_some((login, domain)),
        scopes,
    };
    let ctx = super::audit_context().await;
    let now = state.clock.now();
    let key = crate::service::api_keys::create(&state.db, &actor, &ctx, new, now).await?;
    let session = super::session().await?;
    session
        .insert(SESSION_NEW_KEY, (name.trim().to_owned(), key))
        .await
        .map_err(AppError::internal)?;
    leptos_axum::redirect("/settings?key=created");
    Ok(())
}

/// The key just created, once: (its name, the key). Taken out of the session as it is read.
#[server(prefix = "/api", endpoint = "take_new_api_key", output = Postcard)]
pub async fn take_new_api_key() -> Result<Option<(String, String)>, AppError> {
    let (_state, actor) = super::actor().await?;
    actor.require_admin(crate::domain::AdminTask::ManageApiKeys)?;
    let session = super::session().await?;
    session
        .remove::<(String, String)>(SESSION_NEW_KEY)
        .await
        .map_err(AppError::internal)
}

#[server(prefix = "/api", endpoint = "revoke_api_key", output = Postcard)]
pub async fn revoke_api_key(name: String) -> Result<(), AppError> {
    let (state, actor) = super::actor().await?;
    actor.require_admin(crate::domain::AdminTask::ManageApiKeys)?;
    let ctx = super::audit_context().await;
    let now = state.clock.now();
    crate::service::api_keys::revoke(&state.db, &actor, &ctx, &name, now).await?;
    leptos_axum::redirect("/settings?key=revoked");
    Ok(())
}
