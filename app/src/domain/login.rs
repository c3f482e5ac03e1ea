//! Sign-in credentials: login names and passwords.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
pub enum LoginError {
    #[error("is required")]
    Empty,
    #[error("is longer than 64 characters")]
    TooLong,
    #[error("may contain letters, digits and . _ - @ only; found '{0}'")]
    Char(char),
}

/// A login name: letters, digits and `._-@`, at most 64 characters. Unique per domain,
/// compared without regard to case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LoginName(String);

impl LoginName {
    pub fn parse(raw: &str) -> Result<Self, LoginError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(LoginError::Empty);
        }
        if value.chars().count() > 64 {
            return Err(LoginError::TooLong);
        }
        if let Some(c) = value
            .chars()
            .find(|c| !(c.is_alphanumeric() || "._-@".contains(*c)))
        {
            return Err(LoginError::Char(c));
        }
        Ok(Self(value.to_owned()))
    }
}

impl TryFrom<String> for LoginName {
    type Error = LoginError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<LoginName> for String {
    fn from(value: LoginName) -> String {
        value.0
    }
}

impl AsRef<str> for LoginName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LoginName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
pub enum PasswordError {
    #[error("must be at least 8 characters")]
    TooShort,
    #[error("is longer than 1024 characters")]
    TooLong,
}

/// A password in clear text, on its way to being hashed. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, PasswordError> {
        let n = raw.chars().count();
        if n < 8 {
            return Err(PasswordError::TooShort);
        }
        if n > 1024 {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The legacy API's rule: without `pwd`, the password equals the login name.
    pub fn from_login_name(login: &LoginName) -> Self {
        Self(login.as_ref().to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_names_accept_directory_style_names() {
        for ok in ["ada", "ada.lovelace", "ops_1", "ada@corp", "李雷"] {
            assert!(LoginName::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn invalid_login_names_are_refused_with_their_reason() {
        let long = "a".repeat(65);
        let cases: &[(&str, LoginError)] = &[
            ("", LoginError::Empty),
            (&long, LoginError::TooLong),
            ("ada lovelace", LoginError::Char(' ')),
            ("corp\\ada", LoginError::Char('\\')),
            ("ada,bob", LoginError::Char(',')),
        ];
        for (input, expected) in cases {
            assert_eq!(
                LoginName::parse(input).unwrap_err(),
                *expected,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn passwords_have_bounds_and_never_print() {
        assert_eq!(
            Password::parse("short").unwrap_err(),
            PasswordError::TooShort
        );
        assert_eq!(
            Password::parse(&"p".repeat(1025)).unwrap_err(),
            PasswordError::TooLong
        );
        let pw = Password::parse("correct horse").unwrap();
        assert_eq!(format!("{pw:?}"), "Password(***)");
    }
}
