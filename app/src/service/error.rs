//! What a service call can answer besides success. Each edge maps these once: the servlet to
//! the envelope's `errorcode`, server functions to `AppError`, the CLI to a one-line message.

use crate::domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    NotAuthorized(String),
    #[error("{0}")]
    SiteRestricted(String),
    #[error("the login name '{0}' is already taken in that domain")]
    LoginNameExists(String),
    #[error("{0}")]
    Ambiguous(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    ProtectedAdmin(String),
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ServiceError {
    pub fn invalid(field: &str, message: impl std::fmt::Display) -> Self {
        let mut errors = FieldErrors::default();
        errors.push(field, message);
        Self::Invalid(errors)
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(anyhow::Error::new(err).context("database"))
    }
}
