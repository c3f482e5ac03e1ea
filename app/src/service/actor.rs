//! Who a request acts for, and the site rule that authorisation decisions are made with.

use crate::domain::Role;

/// The technician (or the operator's CLI) a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `None` for the operator's CLI.
    pub id: Option<i64>,
    pub name: String,
    pub roles: Vec<Role>,
    /// The technician's own site and its associated sites.
    pub site_ids: Vec<i64>,
    /// Its password is still its login name (the legacy API's default): until it is
    /// changed, the XML API refuses it and the console shows only the change-password page.
    pub must_change_password: bool,
}

impl Actor {
    /// The operator at the command line: an administrator that is nobody in the roster.
    pub fn operator() -> Self {
        Self {
            id: None,
            name: "operator (CLI)".to_owned(),
            roles: vec![Role::SdAdmin],
            site_ids: Vec::new(),
            must_change_password: false,
        }
    }

    /// The operator at the command line, who owns the server's environment and files.
    pub fn is_operator(&self) -> bool {
        self.id.is_none() && self.is_admin()
    }

    pub fn is_admin(&self) -> bool {
        self.roles.contains(&Role::SdAdmin)
    }

    /// Refuses anyone but an SDAdmin, saying "only an SDAdmin may `task`".
    pub fn require_admin(&self, task: crate::domain::AdminTask) -> Result<(), super::ServiceError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(super::ServiceError::NotAuthorized(
                crate::domain::Refusal::AdminOnly { task },
            ))
        }
    }

    pub fn is_site_admin(&self) -> bool {
        self.roles.contains(&Role::SdSiteAdmin)
    }

    /// An SDSiteAdmin acts only where every site involved is one of its own; a technician
    /// with no site at all is for an SDAdmin only.
    pub fn covers_sites(&self, sites: &[Option<i64>]) -> bool {
        self.is_admin()
            || (self.is_site_admin()
                && !sites.is_empty()
                && sites
                    .iter()
                    .all(|s| s.is_some_and(|id| self.site_ids.contains(&id))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site_admin(sites: &[i64]) -> Actor {
        Actor {
            id: Some(1),
            name: "s".into(),
            roles: vec![Role::SdSiteAdmin],
            site_ids: sites.to_vec(),
            must_change_password: false,
        }
    }

    #[test]
    fn a_site_admin_covers_only_technicians_wholly_inside_its_sites() {
        let actor = site_admin(&[1, 2]);
        assert!(actor.covers_sites(&[Some(1)]));
        assert!(actor.covers_sites(&[Some(1), Some(2)]));
        assert!(!actor.covers_sites(&[Some(1), Some(3)]));
        assert!(!actor.covers_sites(&[None]));
        assert!(!actor.covers_sites(&[]));
    }

    #[test]
    fn an_admin_covers_everything_and_a_plain_engineer_nothing() {
        assert!(Actor::operator().covers_sites(&[None]));
        let plain = Actor {
            roles: vec![],
            ..site_admin(&[1])
        };
        assert!(!plain.covers_sites(&[Some(1)]));
    }
}
