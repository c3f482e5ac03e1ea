//! The API's booleans: exactly `true` or `false`.

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[error("must be true or false")]
pub struct FlagError;

pub fn parse_flag(raw: &str) -> Result<bool, FlagError> {
    match raw.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(FlagError),
    }
}

/// An absent or empty attribute takes the API's default.
pub fn parse_flag_or(raw: Option<&str>, default: bool) -> Result<bool, FlagError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(default),
        Some(value) => parse_flag(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_true_and_false_are_booleans() {
        assert_eq!(parse_flag("true"), Ok(true));
        assert_eq!(parse_flag(" false "), Ok(false));
        for bad in ["TRUE", "yes", "1", "on", ""] {
            assert_eq!(parse_flag(bad), Err(FlagError), "input {bad:?}");
        }
    }

    #[test]
    fn absent_flags_take_the_default() {
        assert_eq!(parse_flag_or(None, false), Ok(false));
        assert_eq!(parse_flag_or(Some(""), true), Ok(true));
        assert_eq!(parse_flag_or(Some("maybe"), false), Err(FlagError));
    }
}
