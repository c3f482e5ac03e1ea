//! Cost per hour: a non-negative decimal with at most two places, kept in cents.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
pub enum CostError {
    #[error("must be a number such as 45 or 45.50")]
    NotANumber,
    #[error("may not be negative")]
    Negative,
    #[error("may have at most two decimal places")]
    Precision,
    #[error("must be at most 1000000")]
    TooLarge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CostPerHour {
    cents: i64,
}

impl CostPerHour {
    const MAX_CENTS: i64 = 100_000_000;

    pub fn parse(raw: &str) -> Result<Self, CostError> {
        let value = raw.trim();
        if let Some(rest) = value.strip_prefix('-') {
            if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '.') {
                return Err(CostError::Negative);
            }
            return Err(CostError::NotANumber);
        }
        let (whole, frac) = value.split_once('.').unwrap_or((value, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(frac) {
            return Err(CostError::NotANumber);
        }
        if frac.len() > 2 {
            return Err(CostError::Precision);
        }
        if whole.len() > 7 {
            return Err(CostError::TooLarge);
        }
        let whole: i64 = whole.parse().map_err(|_| CostError::NotANumber)?;
        let frac_cents: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| CostError::NotANumber)? * 10,
            _ => frac.parse().map_err(|_| CostError::NotANumber)?,
        };
        let cents = whole * 100 + frac_cents;
        if cents > Self::MAX_CENTS {
            return Err(CostError::TooLarge);
        }
        Ok(Self { cents })
    }

    pub fn from_cents(cents: i64) -> Option<Self> {
        (0..=Self::MAX_CENTS)
            .contains(&cents)
            .then_some(Self { cents })
    }

    pub fn cents(self) -> i64 {
        self.cents
    }
}

impl TryFrom<String> for CostPerHour {
    type Error = CostError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CostPerHour> for String {
    fn from(value: CostPerHour) -> String {
        value.to_string()
    }
}

impl std::fmt::Display for CostPerHour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.cents / 100, self.cents % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_parse_to_cents_and_print_with_two_places() {
        for (input, cents, shown) in [
            ("0", 0, "0.00"),
            ("45", 4500, "45.00"),
            ("45.5", 4550, "45.50"),
            (" 12.34 ", 1234, "12.34"),
            ("1000000", 100_000_000, "1000000.00"),
        ] {
            let cost = CostPerHour::parse(input).unwrap();
            assert_eq!(cost.cents(), cents);
            assert_eq!(cost.to_string(), shown);
        }
    }

    #[test]
    fn invalid_costs_are_refused_with_their_reason() {
        let cases: &[(&str, CostError)] = &[
            ("", CostError::NotANumber),
            ("abc", CostError::NotANumber),
            ("1,5", CostError::NotANumber),
            (".5", CostError::NotANumber),
            ("1e3", CostError::NotANumber),
            ("-3", CostError::Negative),
            ("-", CostError::NotANumber),
            ("1.234", CostError::Precision),
            ("1000000.01", CostError::TooLarge),
            ("99999999", CostError::TooLarge),
        ];
        for (input, expected) in cases {
            assert_eq!(
                CostPerHour::parse(input).unwrap_err(),
                *expected,
                "input {input:?}"
            );
        }
    }
}
