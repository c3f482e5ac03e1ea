//! Phone and mobile numbers: normalised to E.164, displayed as the user typed them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
pub enum PhoneError {
    #[error("is required")]
    Empty,
    #[error(
        "may contain only digits, spaces, dashes, dots, brackets and a leading +; found '{0}'"
    )]
    Char(char),
    #[error("must start with + and the country code, e.g. +86 138 0013 8000")]
    CountryCode,
    #[error("must have 8 to 15 digits including the country code")]
    Length,
    #[error("is longer than 40 characters")]
    TooLong,
}

/// A phone number: `e164` is what systems dial, `display` is what the person typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone {
    e164: String,
    display: String,
}

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, PhoneError> {
        let display = raw.trim();
        if display.is_empty() {
            return Err(PhoneError::Empty);
        }
        if display.chars().count() > 40 {
            return Err(PhoneError::TooLong);
        }
        let mut digits = String::new();
        let mut plus = false;
        for (i, c) in display.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => plus = true,
                ' ' | '-' | '.' | '(' | ')' => {}
                other => return Err(PhoneError::Char(other)),
            }
        }
        // The international call prefix 00 is another way of writing +.
        let national = if plus {
            digits.as_str()
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest
        } else {
            return Err(PhoneError::CountryCode);
        };
        if national.starts_with('0') {
            return Err(PhoneError::CountryCode);
        }
        if !(8..=15).contains(&national.len()) {
            return Err(PhoneError::Length);
        }
        Ok(Self {
            e164: format!("+{national}"),
            display: display.to_owned(),
        })
    }

    /// The canonical form, e.g. `+8613800138000`.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// The number as it was typed.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// Rebuilds a stored number; the canonical form is recomputed from the display text.
    pub fn from_stored(display: &str) -> Result<Self, PhoneError> {
        Self::parse(display)
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> String {
        value.display
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_normalise_to_e164_and_keep_their_display() {
        for (input, e164) in [
            ("+86 138 0013 8000", "+8613800138000"),
            ("+1 (415) 555-2671", "+14155552671"),
            ("0044 20 7946 0958", "+442079460958"),
            ("+49.30.1234567", "+49301234567"),
        ] {
            let phone = Phone::parse(input).unwrap();
            assert_eq!(phone.e164(), e164);
            assert_eq!(phone.display(), input.trim());
        }
    }

    #[test]
    fn invalid_numbers_are_refused_with_their_reason() {
        let cases: &[(&str, PhoneError)] = &[
            ("", PhoneError::Empty),
            ("13800138000", PhoneError::CountryCode),
            ("+0 138 0013", PhoneError::CountryCode),
            ("+86 138x0013", PhoneError::Char('x')),
            ("86+13800138000", PhoneError::Char('+')),
            ("+12345", PhoneError::Length),
            ("+1234567890123456", PhoneError::Length),
            (
                "+1 234 567 890 123 456 789 012 345 678 901 234",
                PhoneError::TooLong,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                Phone::parse(input).unwrap_err(),
                *expected,
                "input {input:?}"
            );
        }
    }
}
