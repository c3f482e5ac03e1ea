//! Free-text values with bounds: person names, short texts, site names.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
pub enum TextError {
    #[error("is required")]
    Empty,
    #[error("is longer than {0} characters")]
    TooLong(usize),
    #[error("contains control characters")]
    Control,
    #[error("may not contain '{0}'")]
    Forbidden(char),
    #[error("'default' is reserved for \"Not associated to any site\"")]
    Reserved,
}

fn bounded(raw: &str, max: usize) -> Result<String, TextError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(TextError::Empty);
    }
    if value.chars().count() > max {
        return Err(TextError::TooLong(max));
    }
    if value.chars().any(char::is_control) {
        return Err(TextError::Control);
    }
    Ok(value.to_owned())
}

macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, TextError> {
                bounded(raw, Self::MAX).map(Self)
            }
        }

        impl TryFrom<String> for $name {
            type Error = TextError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_newtype!(
    /// A technician's display name: required, at most 100 characters.
    PersonName,
    100
);
text_newtype!(
    /// An optional free-text attribute (alias, employee ID, job title, ...).
    ShortText,
    200
);

/// The name of a site, department or group. Commas separate list entries in the API, so a
/// name may not contain one, and `default` is the API's word for "Not associated to any site".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SiteName(String);

impl SiteName {
    pub const MAX: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let value = bounded(raw, Self::MAX)?;
        if value.contains(',') {
            return Err(TextError::Forbidden(','));
        }
        if value.eq_ignore_ascii_case("default") {
            return Err(TextError::Reserved);
        }
        Ok(Self(value))
    }
}

impl TryFrom<String> for SiteName {
    type Error = TextError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<SiteName> for String {
    fn from(value: SiteName) -> String {
        value.0
    }
}

impl AsRef<str> for SiteName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SiteName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed() {
        assert_eq!(
            PersonName::parse("  Ada Lovelace ").unwrap().as_ref(),
            "Ada Lovelace"
        );
    }

    #[test]
    fn invalid_names_are_refused_with_a_reason() {
        let long = "x".repeat(101);
        let cases: &[(&str, TextError)] = &[
            ("", TextError::Empty),
            ("   ", TextError::Empty),
            (&long, TextError::TooLong(100)),
            ("Ada\u{7}", TextError::Control),
            ("Ada\nLovelace", TextError::Control),
        ];
        for (input, expected) in cases {
            assert_eq!(
                PersonName::parse(input).unwrap_err(),
                *expected,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn site_names_refuse_commas_and_the_reserved_word() {
        assert_eq!(
            SiteName::parse("A,B").unwrap_err(),
            TextError::Forbidden(',')
        );
        assert_eq!(SiteName::parse("Default").unwrap_err(), TextError::Reserved);
        assert_eq!(
            SiteName::parse("Asia-Pacific").unwrap().as_ref(),
            "Asia-Pacific"
        );
    }
}
