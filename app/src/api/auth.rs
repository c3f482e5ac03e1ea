//! Signing in and out, and who is signed in.

use super::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Postcard;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub id: i64,
    pub name: String,
    pub roles: Vec<String>,
    /// For SDAdmins: messages held by a channel's hourly budget right now.
    #[serde(default)]
    pub held: Vec<HeldMessages>,
}

/// Confirmations and tests waiting for `channel`'s hourly budget; the last goes out at
/// `until` (UTC, HH:MM).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldMessages {
    pub channel: String,
    pub count: i64,
    pub until: String,
}

impl SignedInUser {
    pub fn is_admin(&self) -> bool {
        self.roles
            .iter()
            .any(|r| r == "SDAdmin" || r == "SDSiteAdmin")
    }
}

#[server(prefix = "/api", endpoint = "login", output = Postcard)]
pub async fn login(
    login: String,
    password: String,
    domain: Option<String>,
) -> Result<(), AppError> {
    use crate::service::auth::Credentials;
    use crate::service::AuthError;
    let state = super::state()?;
    let domain = domain.unwrap_or_default();
    let credentials = Credentials {
        login: &login,
        domain: &domain,
        password: &password,
        from: super::client_address().await,
    };
    let checked = crate::service::auth::sign_in(
        &state.db,
        &state.sign_in,
        None,
        state.directories.as_ref(),
        credentials,
        false,
    )
    .await;
    let actor = checked
        .map_err(|e| {
            let throttled = matches!(
                e,
                AuthError::RateLimited { .. }
                    | AuthError::AddressThrottled { .. }
                    | AuthError::Busy
            );
            match (e.refusal(), e) {
                (_, AuthError::Internal(e)) => AppError::internal(format!("{e:#}")),
                (Some(refusal), _) if throttled => AppError::TooManyAttempts(refusal),
                (Some(refusal), _) => AppError::SignInFailed(refusal),
                (None, e) => AppError::internal(e),
            }
        })
        .inspect_err(|e| back_with_login(&login, &domain, e))?;
    let session = super::session().await?;
    // A new session id at sign-in: an id planted before sign-in is worth nothing after it.
    session.cycle_id().await.map_err(AppError::internal)?;
    session
        .insert(super::SESSION_TECH_ID, actor.id)
        .await
        .map_err(AppError::internal)?;
    tracing::info!(technician = actor.id, "signed in");
    if actor.must_change_password {
        session
            .insert(super::SESSION_MUST_CHANGE, true)
            .await
            .map_err(AppError::internal)?;
        leptos_axum::redirect("/change-password");
    } else {
        leptos_axum::redirect("/");
    }
    Ok(())
}

/// A refused sign-in posted as a plain form (the sign-in page loads no WASM) comes back to
/// the sign-in page with its error and with the login name and domain as typed, so that
/// only the password is typed again. Names too long for an address are left out.
#[cfg(feature = "ssr")]
fn back_with_login(login: &str, domain: &str, error: &AppError) {
    use crate::url::encode_component;
    use leptos::server_fn::error::ServerFnUrlError;
    use leptos::server_fn::ServerFn as _;
    const LONGEST: usize = 512;
    let plain_form = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    });
    if !plain_form {
        return;
    }
    let mut typed = Vec::new();
    for (key, value) in [("login", login), ("domain", domain)] {
        let value = encode_component(value);
        if !value.is_empty() && value.len() <= LONGEST {
            typed.push(format!("{key}={value}"));
        }
    }
    // A base only to parse against: the address sent is the path and query alone.
    let base = format!("http://crewdesk/login?{}", typed.join("&"));
    if let Ok(url) = ServerFnUrlError::new(Login::PATH, error.clone()).to_url(&base) {
        let query = url.query().unwrap_or_default();
        leptos_axum::redirect(&format!("{}?{query}", url.path()));
    }
}

#[server(prefix = "/api", endpoint = "logout", output = Postcard)]
pub async fn logout() -> Result<(), AppError> {
    let session = super::session().await?;
    session.flush().await.map_err(AppError::internal)?;
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(prefix = "/api", endpoint = "current_user", output = Postcard)]
pub async fn current_user() -> Result<Option<SignedInUser>, AppError> {
    match super::actor().await {
        Ok((state, actor)) => {
            let held = if actor.is_admin() {
                crate::service::send_limits::held(&state.db, state.clock.now())
                    .await
                    .map_err(AppError::internal)?
                    .into_iter()
                    .map(|(channel, count, until)| HeldMessages {
                        channel,
                        count,
                        until: crate::service::send_limits::clock_time(until),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            Ok(actor.id.map(|id| SignedInUser {
                id,
                name: actor.name.clone(),
                roles: actor.roles.iter().map(|r| r.to_string()).collect(),
                held,
            }))
        }
        Err(AppError::Unauthenticated) => Ok(None),
        Err(other) => Err(other),
    }
}
