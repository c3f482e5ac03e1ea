//! What an API key may do: each scope names a family of endpoints; within it the key acts
//! with its owner's reach.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Scope {
    TechniciansRead,
    TechniciansWrite,
    Notify,
    DirectoriesSync,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Self::TechniciansRead,
        Self::TechniciansWrite,
        Self::Notify,
        Self::DirectoriesSync,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TechniciansRead => "technicians:read",
            Self::TechniciansWrite => "technicians:write",
            Self::Notify => "notify",
            Self::DirectoriesSync => "directories:sync",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }

    /// Scopes as stored: space-separated names; unknown names are dropped.
    pub fn parse_list(raw: &str) -> Vec<Self> {
        let mut scopes: Vec<Self> = raw.split_whitespace().filter_map(Self::parse).collect();
        scopes.sort();
        scopes.dedup();
        scopes
    }

    pub fn list_text(scopes: &[Self]) -> String {
        scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_back_as_written_and_unknown_ones_are_dropped() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(
            Scope::parse_list("notify technicians:read bogus notify"),
            [Scope::TechniciansRead, Scope::Notify]
        );
        assert_eq!(
            Scope::list_text(&[Scope::TechniciansRead, Scope::Notify]),
            "technicians:read notify"
        );
    }
}
