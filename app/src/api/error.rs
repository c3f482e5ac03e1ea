//! The error every server function answers with: typed, so the UI renders it, and free of
//! internal detail (that is logged on the server instead).

use crate::domain::{FieldErrors, FieldProblem, Refusal};
use serde::{Deserialize, Serialize};
use server_fn::codec::PostcardEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in.")]
    Unauthenticated,
    #[error("{0}")]
    SignInFailed(Refusal),
    /// Too many sign-ins: the account is held back, the address throttled, or the server busy.
    #[error("{0}")]
    TooManyAttempts(Refusal),
    #[error("{0}")]
    Forbidden(Refusal),
    #[error("Please correct the highlighted fields.")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(Refusal),
    #[error("{0}")]
    NotFound(Refusal),
    #[error("Something went wrong on the server. It has been logged; please try again.")]
    Internal,
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

impl AppError {
    pub fn field(&self, name: &str) -> Option<FieldProblem> {
        match self {
            Self::Invalid(errors) => errors.for_field(name).cloned(),
            _ => None,
        }
    }

    #[cfg(feature = "ssr")]
    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error");
        Self::Internal
    }
}

impl FromServerFnError for AppError {
    type Encoder = PostcardEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<crate::service::ServiceError> for AppError {
    fn from(err: crate::service::ServiceError) -> Self {
        use crate::service::ServiceError as E;
        match err {
            E::NotAuthorized(m) | E::SiteRestricted(m) | E::ProtectedAdmin(m) => Self::Forbidden(m),
            E::LoginNameExists(login) => {
                let mut errors = FieldErrors::default();
                errors.push("loginName", FieldProblem::LoginTaken { login });
                Self::Invalid(errors)
            }
            E::Invalid(errors) => Self::Invalid(errors),
            E::Ambiguous(m) | E::Conflict(m) => Self::Conflict(m),
            E::NotFound(m) => Self::NotFound(m),
            E::TooSoon(m) => Self::TooManyAttempts(m),
            E::Internal(e) => {
                tracing::error!(error = ?e, "service failed");
                Self::Internal
            }
        }
    }
}

/// The error a form posted without JavaScript left in the address (`?__path=…&__err=…`),
/// if the server function it was posted to is one of `paths`: each form shows its own error
/// only, not another form's on the same page.
pub fn url_error(query: &leptos_router::params::ParamsMap, paths: &[&str]) -> Option<AppError> {
    use base64::Engine;
    let path = query.get_str("__path")?;
    if !paths.contains(&path) {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE
        .decode(query.get_str("__err")?)
        .ok()?;
    Some(AppError::de(bytes.into()))
}
