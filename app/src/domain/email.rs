//! Email addresses: the practical subset of RFC 5321 that mail systems accept in the wild.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
pub enum EmailError {
    #[error("is required")]
    Empty,
    #[error("is longer than 254 characters")]
    TooLong,
    #[error("needs exactly one @, as in name@example.com")]
    At,
    #[error("needs a name before the @ of at most 64 characters")]
    LocalLength,
    #[error("has a character not allowed before the @: '{0}'")]
    LocalChar(char),
    #[error("may not start or end with a dot, or have two dots in a row, before the @")]
    LocalDots,
    #[error("needs a domain such as example.com after the @")]
    Domain,
    #[error("has an invalid domain label '{0}'")]
    Label(String),
}

/// A valid email address; the domain is kept in lower case, the local part as typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~.-";

impl Email {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(EmailError::Empty);
        }
        if value.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = match value.split_once('@') {
            Some((l, d)) if !d.contains('@') => (l, d),
            _ => return Err(EmailError::At),
        };
        if local.is_empty() || local.len() > 64 {
            return Err(EmailError::LocalLength);
        }
        if let Some(c) = local
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(*c)))
        {
            return Err(EmailError::LocalChar(c));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(EmailError::LocalDots);
        }
        let domain = domain.to_ascii_lowercase();
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return Err(EmailError::Domain);
        }
        for label in &labels {
            let ok = !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !ok {
                return Err(EmailError::Label((*label).to_owned()));
            }
        }
        if labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(EmailError::Domain);
        }
        Ok(Self(format!("{local}@{domain}")))
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> String {
        value.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_addresses_are_kept_with_a_lower_case_domain() {
        for (input, expected) in [
            ("ada@example.com", "ada@example.com"),
            (" Ada.Lovelace@Example.COM ", "Ada.Lovelace@example.com"),
            (
                "ops+pager@mail.example.co.uk",
                "ops+pager@mail.example.co.uk",
            ),
            (
                "o'brien@xn--bcher-kva.example",
                "o'brien@xn--bcher-kva.example",
            ),
        ] {
            assert_eq!(Email::parse(input).unwrap().as_ref(), expected);
        }
    }

    #[test]
    fn invalid_addresses_are_refused_with_their_reason() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long = format!("a@{}.com", "b".repeat(250));
        let cases: Vec<(&str, EmailError)> = vec![
            ("", EmailError::Empty),
            ("ada", EmailError::At),
            ("ada@@example.com", EmailError::At),
            ("a@b@example.com", EmailError::At),
            ("@example.com", EmailError::LocalLength),
            (&long_local, EmailError::LocalLength),
            (&long, EmailError::TooLong),
            ("ada lovelace@example.com", EmailError::LocalChar(' ')),
            ("ada\"x@example.com", EmailError::LocalChar('"')),
            (".ada@example.com", EmailError::LocalDots),
            ("ada..l@example.com", EmailError::LocalDots),
            ("ada@localhost", EmailError::Domain),
            ("ada@127.0.0.1", EmailError::Domain),
            ("ada@-example.com", EmailError::Label("-example".into())),
            ("ada@example..com", EmailError::Label(String::new())),
            ("ada@exa_mple.com", EmailError::Label("exa_mple".into())),
        ];
        for (input, expected) in cases {
            assert_eq!(
                Email::parse(input).unwrap_err(),
                expected,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn deserialising_validates() {
        let parsed: Result<Email, _> = serde_json::from_str("\"not-an-email\"");
        assert!(parsed.is_err());
    }
}
