//! Server functions: thin adapters from the console onto `service`.

pub mod api_keys;
pub mod auth;
pub mod directory;
pub mod error;
pub mod import;
pub mod messages;
pub mod reachability;
pub mod reference;
pub mod settings;
pub mod technicians;

pub use error::AppError;

#[cfg(feature = "ssr")]
mod context {
    use super::AppError;
    use crate::service::{audit::Source, Actor, AppState, AuditContext};
    use std::net::SocketAddr;

    pub use crate::service::sessions::SESSION_TECH_ID;
    /// Set at sign-in for an account whose password is still its login name.
    pub const SESSION_MUST_CHANGE: &str = "must_change_password";

    pub fn state() -> Result<AppState, AppError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the Leptos context");
            AppError::Internal
        })
    }

    pub async fn session() -> Result<tower_sessions::Session, AppError> {
        leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "session layer missing");
                AppError::Internal
            })
    }

    /// The signed-in technician as loaded for this request: a page's server functions
    /// (the layout, the roster, the filters) share one load. Provided per request by the
    /// server; without it every call loads afresh.
    #[derive(Clone, Default)]
    pub struct RequestActor(std::sync::Arc<tokio::sync::Mutex<Option<(i64, Actor)>>>);

    /// The signed-in technician, or `Unauthenticated`.
    pub async fn actor() -> Result<(AppState, Actor), AppError> {
        let state = state()?;
        let session = session().await?;
        let id: Option<i64> = session
            .get(SESSION_TECH_ID)
            .await
            .map_err(AppError::internal)?;
        let id = id.ok_or(AppError::Unauthenticated)?;
        let cache = leptos::prelude::use_context::<RequestActor>();
        // Held while loading, so calls made at once wait for the one load.
        let mut cached = match &cache {
            Some(cache) => Some(cache.0.lock().await),
            None => None,
        };
        if let Some(Some((for_id, actor))) = cached.as_deref() {
            if *for_id == id {
                return Ok((state, actor.clone()));
            }
        }
        let actor = crate::service::auth::load_actor(&state.db, id)
            .await
            .map_err(AppError::internal)?
            .ok_or(AppError::Unauthenticated)?;
        // The page guard reads the mark from the session: kept in step with the account
        // (marked by an XML sign-in since, or cleared by an SDAdmin's reset).
        let marked = session
            .get::<bool>(SESSION_MUST_CHANGE)
            .await
            .ok()
            .flatten()
            .unwrap_or(false);
        if marked != actor.must_change_password {
            let _ = if actor.must_change_password {
                session.insert(SESSION_MUST_CHANGE, true).await
            } else {
                session
                    .remove::<bool>(SESSION_MUST_CHANGE)
                    .await
                    .map(|_| ())
            };
        }
        if actor.must_change_password {
            return Err(AppError::Forbidden(
                crate::domain::Refusal::MustChangePassword,
            ));
        }
        if let Some(slot) = cached.as_deref_mut() {
            *slot = Some((id, actor.clone()));
        }
        Ok((state, actor))
    }

    /// The address of the client the request came from.
    pub async fn client_address() -> Option<std::net::IpAddr> {
        leptos_axum::extract::<axum::extract::ConnectInfo<SocketAddr>>()
            .await
            .ok()
            .map(|info| info.0.ip())
    }

    pub async fn audit_context() -> AuditContext {
        let addr = client_address().await.map(|ip| ip.to_string());
        AuditContext::new(Source::Console, addr)
    }
}

#[cfg(feature = "ssr")]
pub use context::*;
