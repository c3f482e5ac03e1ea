//! What a service call can answer besides success, and what a sign-in can. Each edge maps these once: the servlet to
//! the envelope's `errorcode`, server functions to `AppError`, the CLI to a one-line message.

use crate::domain::{FieldErrors, FieldProblem, Refusal};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    NotAuthorized(Refusal),
    #[error("{0}")]
    SiteRestricted(Refusal),
    #[error("the login name '{0}' is already taken in that domain")]
    LoginNameExists(String),
    #[error("{0}")]
    Ambiguous(Refusal),
    #[error("{0}")]
    NotFound(Refusal),
    #[error("{0}")]
    ProtectedAdmin(Refusal),
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(Refusal),
    /// Asked again too soon (a confirmation re-sent, a test notification repeated).
    #[error("{0}")]
    TooSoon(Refusal),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ServiceError {
    pub fn invalid(field: &str, problem: impl Into<FieldProblem>) -> Self {
        let mut errors = FieldErrors::default();
        errors.push(field, problem);
        Self::Invalid(errors)
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(anyhow::Error::new(err).context("database"))
    }
}

/// Why a sign-in did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the user name or password is not correct")]
    Failed,
    #[error("too many failed sign-ins for this account; try again in {minutes} minutes")]
    RateLimited { minutes: i64 },
    #[error("too many failed sign-ins from your address; try again in {minutes} minutes")]
    AddressThrottled { minutes: i64 },
    #[error("the server is busy checking other sign-ins; try again in a moment")]
    Busy,
    #[error("directory authentication is not configured on this server")]
    DirectoryUnavailable,
    /// The directory did not answer (or answered with an error): nothing was decided, and
    /// no local password stands in.
    #[error(
        "the directory {0} does not answer, so the password cannot be checked now; try again later"
    )]
    DirectoryDown(String),
    /// The directory is reached over plain `ldap://` and the operator did not allow it: the
    /// user's password would cross the network in clear.
    #[error(
        "the directory {0} is reached over plain LDAP, which would send the password in clear; \
         directory sign-in is refused until it uses TLS or the operator allows it"
    )]
    PlainLdap(String),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl AuthError {
    /// What the person signing in is told; `None` for an internal error, which is logged
    /// and answered without detail.
    pub fn refusal(&self) -> Option<Refusal> {
        Some(match self {
            Self::Failed => Refusal::WrongCredentials,
            Self::RateLimited { minutes } => Refusal::AccountHeldBack { minutes: *minutes },
            Self::AddressThrottled { minutes } => Refusal::AddressThrottled { minutes: *minutes },
            Self::Busy => Refusal::SignInBusy,
            Self::DirectoryUnavailable => Refusal::DirectorySignInOff,
            Self::DirectoryDown(directory) => Refusal::DirectoryDown {
                directory: directory.clone(),
            },
            Self::PlainLdap(directory) => Refusal::PlainLdap {
                directory: directory.clone(),
            },
            Self::Internal(_) => return None,
        })
    }
}
