//! The roles a technician may hold.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// May do everything.
    SdAdmin,
    /// Administers only the technicians of its own sites.
    SdSiteAdmin,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[error("'{0}' is not a role; use SDAdmin or SDSiteAdmin")]
pub struct RoleError(pub String);

impl Role {
    pub fn parse(raw: &str) -> Result<Self, RoleError> {
        match raw.trim() {
            r if r.eq_ignore_ascii_case("SDAdmin") => Ok(Self::SdAdmin),
            r if r.eq_ignore_ascii_case("SDSiteAdmin") => Ok(Self::SdSiteAdmin),
            other => Err(RoleError(other.chars().take(40).collect())),
        }
    }

    /// A comma-separated list; empty entries are skipped and duplicates dropped.
    pub fn parse_list(raw: &str) -> Result<Vec<Self>, RoleError> {
        let mut roles = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let role = Self::parse(part)?;
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        Ok(roles)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SdAdmin => "SDAdmin",
            Self::SdSiteAdmin => "SDSiteAdmin",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_lists_parse_in_order_without_duplicates() {
        assert_eq!(
            Role::parse_list("SDSiteAdmin, SDAdmin,SDSiteAdmin,").unwrap(),
            vec![Role::SdSiteAdmin, Role::SdAdmin]
        );
        assert_eq!(Role::parse_list("").unwrap(), vec![]);
    }

    #[test]
    fn unknown_roles_are_named_in_the_error() {
        assert_eq!(
            Role::parse_list("SDAdmin,Root").unwrap_err().to_string(),
            "'Root' is not a role; use SDAdmin or SDSiteAdmin"
        );
    }
}
