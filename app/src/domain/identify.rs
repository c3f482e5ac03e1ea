//! How a request names the technician it is about: the identification order of the legacy
//! API (login name and domain, then email, then name, then id). Each criterion is tried in
//! turn; the first that matches decides, and one that matches several technicians stops the
//! search (nothing changes).

use super::error::FieldErrors;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Criterion {
    /// Login names are unique per domain; an absent domain is the empty domain.
    Login {
        name: String,
        domain: String,
    },
    Email(String),
    Name(String),
    Id(i64),
}

impl std::fmt::Display for Criterion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Login { name, domain } if domain.is_empty() => write!(f, "login name '{name}'"),
            Self::Login { name, domain } => write!(f, "login name '{name}' in domain '{domain}'"),
            Self::Email(email) => write!(f, "email '{email}'"),
            Self::Name(name) => write!(f, "name '{name}'"),
            Self::Id(id) => write!(f, "id {id}"),
        }
    }
}

/// The criteria a request gave, in the order they are tried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechnicianRef(Vec<Criterion>);

/// The raw identification attributes, whatever the operation calls them.
#[derive(Debug, Clone, Copy, Default)]
pub struct RefFields<'a> {
    pub login: Option<&'a str>,
    pub domain: Option<&'a str>,
    pub email: Option<&'a str>,
    pub name: Option<&'a str>,
    pub id: Option<&'a str>,
    /// The attribute names, for messages: (login, email, name, id).
    pub names: (&'a str, &'a str, &'a str, &'a str),
}

fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

impl TechnicianRef {
    pub fn by_id(id: i64) -> Self {
        Self(vec![Criterion::Id(id)])
    }

    pub fn parse(fields: RefFields<'_>) -> Result<Self, FieldErrors> {
        let (login_attr, email_attr, name_attr, id_attr) = fields.names;
        let mut errors = FieldErrors::default();
        let mut criteria = Vec::new();
        if let Some(name) = given(fields.login) {
            criteria.push(Criterion::Login {
                name: name.to_owned(),
                domain: given(fields.domain).unwrap_or("").to_owned(),
            });
        }
        if let Some(email) = given(fields.email) {
            criteria.push(Criterion::Email(email.to_owned()));
        }
        if let Some(name) = given(fields.name) {
            criteria.push(Criterion::Name(name.to_owned()));
        }
        if let Some(id) = given(fields.id) {
            match id.parse::<i64>() {
                Ok(id) if id > 0 => criteria.push(Criterion::Id(id)),
                _ => errors.push(id_attr, super::FieldProblem::NotAnId),
            }
        }
        if criteria.is_empty() && errors.is_empty() {
            errors.push(
                id_attr,
                super::FieldProblem::NoTechnicianNamed {
                    login: login_attr.to_owned(),
                    email: email_attr.to_owned(),
                    name: name_attr.to_owned(),
                    id: id_attr.to_owned(),
                },
            );
        }
        if errors.is_empty() {
            Ok(Self(criteria))
        } else {
            Err(errors)
        }
    }

    pub fn criteria(&self) -> &[Criterion] {
        &self.0
    }
}

impl std::fmt::Display for TechnicianRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: (&str, &str, &str, &str) =
        ("techLoginName", "techEmailId", "techUserName", "userid");

    fn fields<'a>(pairs: [Option<&'a str>; 5]) -> RefFields<'a> {
        RefFields {
            login: pairs[0],
            domain: pairs[1],
            email: pairs[2],
            name: pairs[3],
            id: pairs[4],
            names: NAMES,
        }
    }

    #[test]
    fn criteria_come_in_the_documented_order() {
        let r = TechnicianRef::parse(fields([
            Some("ada"),
            None,
            Some("ada@example.com"),
            Some("Ada"),
            Some("7"),
        ]))
        .unwrap();
        assert_eq!(
            r.criteria(),
            &[
                Criterion::Login {
                    name: "ada".into(),
                    domain: String::new()
                },
                Criterion::Email("ada@example.com".into()),
                Criterion::Name("Ada".into()),
                Criterion::Id(7),
            ]
        );
    }

    #[test]
    fn a_domain_without_a_login_name_identifies_nothing() {
        let err = TechnicianRef::parse(fields([None, Some("CORP"), None, None, None])).unwrap_err();
        assert!(err
            .for_field("userid")
            .unwrap()
            .to_string()
            .contains("techLoginName"));
    }

    #[test]
    fn a_userid_must_be_a_positive_number() {
        for bad in ["abc", "0", "-3", "1.5"] {
            let err =
                TechnicianRef::parse(fields([None, None, None, None, Some(bad)])).unwrap_err();
            assert!(
                err.for_field("userid")
                    .unwrap()
                    .to_string()
                    .contains("positive"),
                "{bad}"
            );
        }
    }

    #[test]
    fn blank_attributes_count_as_absent() {
        let r =
            TechnicianRef::parse(fields([Some(" "), None, Some(""), Some("Bo"), None])).unwrap();
        assert_eq!(r.criteria(), &[Criterion::Name("Bo".into())]);
    }
}
