//! User-defined fields: an admin names a column (`UDF_CHAR1`) and gives it a display alias;
//! the XML API addresses the value by the column name.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
pub enum UdfError {
    #[error(
        "must start with UDF_ followed by 1 to 40 capital letters, digits or _ (e.g. UDF_CHAR1)"
    )]
    Shape,
}

/// A UDF column name: `UDF_` then capitals, digits and `_`. Attribute names are
/// case-sensitive, so the column is kept exactly as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UdfColumn(String);

impl UdfColumn {
    pub fn parse(raw: &str) -> Result<Self, UdfError> {
        let value = raw.trim();
        let rest = value.strip_prefix("UDF_").ok_or(UdfError::Shape)?;
        let valid = (1..=40).contains(&rest.len())
            && rest
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err(UdfError::Shape)
        }
    }
}

impl TryFrom<String> for UdfColumn {
    type Error = UdfError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<UdfColumn> for String {
    fn from(value: UdfColumn) -> String {
        value.0
    }
}

impl AsRef<str> for UdfColumn {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UdfColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_follow_the_udf_pattern() {
        for good in ["UDF_CHAR1", "UDF_LONG_2", " UDF_DATE3 "] {
            assert!(UdfColumn::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "UDF_",
            "udf_char1",
            "UDF_char1",
            "CHAR1",
            "UDF_CHAR 1",
            "UDF_É",
        ] {
            assert_eq!(UdfColumn::parse(bad), Err(UdfError::Shape), "{bad}");
        }
    }
}
