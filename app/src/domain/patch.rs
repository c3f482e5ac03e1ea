//! UpdateTechnician's input: only the attributes present change, and one sent empty clears
//! an optional field. Login details and `approvePurchaseOrder` cannot be changed this way.

use super::cost::CostPerHour;
use super::email::Email;
use super::error::FieldErrors;
use super::names::{PersonName, ShortText, SiteName};
use super::phone::Phone;
use super::role::Role;
use super::technician::{parse_sites, SiteChoice, TechnicianForm};

/// What an update does to one optional attribute.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Change<T> {
    /// Absent from the request.
    #[default]
    Keep,
    /// Sent empty.
    Clear,
    Set(T),
}

impl<T> Change<T> {
    /// The stored value after the change: `current` kept, cleared, or the new value as
    /// `store` writes it.
    pub fn over<S: Clone>(&self, current: &Option<S>, store: impl Fn(&T) -> S) -> Option<S> {
        match self {
            Self::Keep => current.clone(),
            Self::Clear => None,
            Self::Set(value) => Some(store(value)),
        }
    }

    pub fn is_keep(&self) -> bool {
        matches!(self, Self::Keep)
    }

    /// The same change of another type of value.
    pub fn map_ref<S>(&self, f: impl FnOnce(&T) -> S) -> Change<S> {
        match self {
            Self::Keep => Change::Keep,
            Self::Clear => Change::Clear,
            Self::Set(value) => Change::Set(f(value)),
        }
    }

    pub fn is_set(&self) -> bool {
        matches!(self, Self::Set(_))
    }
}

fn change<T, E: Into<super::FieldProblem>>(
    errors: &mut FieldErrors,
    field: &str,
    raw: &Option<String>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Change<T> {
    match raw.as_deref().map(str::trim) {
        None => Change::Keep,
        Some("") => Change::Clear,
        Some(value) => errors
            .take(field, parse(value))
            .map_or(Change::Keep, Change::Set),
    }
}

/// The attributes UpdateTechnician may not touch, with the API's names.
pub const FIXED_ATTRIBUTES: [&str; 5] = [
    "loginName",
    "pwd",
    "enableLogin",
    "userDomainName",
    "approvePurchaseOrder",
];

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TechnicianPatch {
    pub name: Option<PersonName>,
    pub alias: Change<ShortText>,
    pub employee_id: Change<ShortText>,
    pub email: Change<Email>,
    pub phone: Change<Phone>,
    pub mobile: Change<Phone>,
    pub sms_mail_id: Change<Email>,
    pub cost_per_hr: Change<CostPerHour>,
    pub job_title: Change<ShortText>,
    /// Cleared: the site's language.
    pub language: Change<crate::i18n::Lang>,
    /// `Some(NotAssociated)` for `default` or empty.
    pub site: Option<SiteChoice>,
    pub department: Change<ShortText>,
    /// `Some(empty)` for `default` or empty: no associated sites.
    pub associate_sites: Option<Vec<SiteName>>,
    pub associate_groups: Option<Vec<ShortText>>,
    pub roles: Option<Vec<Role>>,
    /// By column name; an empty value clears the field.
    pub udfs: Vec<(String, String)>,
}

impl TechnicianPatch {
    /// True when the request changes nothing at all.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl TryFrom<TechnicianForm> for TechnicianPatch {
    type Error = FieldErrors;

    fn try_from(form: TechnicianForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let fixed = [
            &form.login_name,
            &form.pwd,
            &form.enable_login,
            &form.user_domain_name,
            &form.approve_purchase_order,
        ];
        for (attribute, value) in FIXED_ATTRIBUTES.iter().zip(fixed) {
            if value.is_some() {
                errors.push(attribute, super::FieldProblem::NotUpdatable);
            }
        }
        let name = match form.name.as_deref() {
            None => None,
            Some(raw) if raw.trim().is_empty() => {
                errors.push("name", super::FieldProblem::NameNeeded);
                None
            }
            Some(raw) => errors.take("name", PersonName::parse(raw)),
        };
        let site = match form.tech_site_name.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(SiteChoice::NotAssociated),
            Some(s) if s.eq_ignore_ascii_case("default") => Some(SiteChoice::NotAssociated),
            Some(s) => errors
                .take("techSiteName", SiteName::parse(s))
                .map(SiteChoice::Named),
        };
        let associate_sites = form
            .associate_sites
            .as_ref()
            .map(|_| parse_sites(&mut errors, &form.associate_sites));
        let associate_groups = form.associate_groups.as_deref().map(|raw| {
            raw.split(',')
                .map(str::trim)
                .filter(|g| !g.is_empty())
                .filter_map(|g| errors.take("associateGroups", ShortText::parse(g)))
                .collect()
        });
        let roles = form
            .associate_rols
            .as_deref()
            .and_then(|raw| errors.take("associateRols", Role::parse_list(raw)));
        let patch = Self {
            name,
            alias: change(&mut errors, "alias", &form.alias, ShortText::parse),
            employee_id: change(
                &mut errors,
                "employeeId",
                &form.employee_id,
                ShortText::parse,
            ),
            email: change(&mut errors, "email", &form.email, Email::parse),
            phone: change(&mut errors, "phone", &form.phone, Phone::parse),
            mobile: change(&mut errors, "mobile", &form.mobile, Phone::parse),
            sms_mail_id: change(&mut errors, "smsMailId", &form.sms_mail_id, Email::parse),
            cost_per_hr: change(
                &mut errors,
                "costPerHr",
                &form.cost_per_hr,
                CostPerHour::parse,
            ),
            job_title: change(&mut errors, "jobTitle", &form.job_title, ShortText::parse),
            language: change(
                &mut errors,
                "language",
                &form.language,
                crate::i18n::Lang::parse_setting,
            ),
            site,
            department: change(
                &mut errors,
                "departmentName",
                &form.department_name,
                ShortText::parse,
            ),
            associate_sites,
            associate_groups,
            roles,
            udfs: form.udfs,
        };
        if errors.is_empty() {
            Ok(patch)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(pairs: &[(&str, &str)]) -> Result<TechnicianPatch, FieldErrors> {
        let map: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String((*v).to_owned())))
            .collect();
        let form: TechnicianForm = serde_json::from_value(serde_json::Value::Object(map)).unwrap();
        TechnicianPatch::try_from(form)
    }

    #[test]
    fn absent_attributes_are_kept_and_empty_ones_cleared() {
        let p = patch(&[("alias", ""), ("jobTitle", "Lead")]).unwrap();
        assert_eq!(p.alias, Change::Clear);
        assert_eq!(p.job_title, Change::Set(ShortText::parse("Lead").unwrap()));
        assert!(p.email.is_keep());
        assert!(p.name.is_none());
        assert!(p.associate_sites.is_none());
    }

    #[test]
    fn an_empty_site_list_or_default_means_no_associated_sites() {
        assert_eq!(
            patch(&[("associateSites", "")]).unwrap().associate_sites,
            Some(vec![])
        );
        assert_eq!(
            patch(&[("associateSites", "default")])
                .unwrap()
                .associate_sites,
            Some(vec![])
        );
        assert_eq!(
            patch(&[("techSiteName", "default")]).unwrap().site,
            Some(SiteChoice::NotAssociated)
        );
    }

    #[test]
    fn login_details_and_purchase_approval_cannot_be_changed() {
        for attribute in FIXED_ATTRIBUTES {
            let err = patch(&[(attribute, "x")]).unwrap_err();
            assert!(
                err.for_field(attribute)
                    .unwrap()
                    .to_string()
                    .contains("cannot be changed"),
                "{attribute}"
            );
        }
    }

    #[test]
    fn the_name_cannot_be_cleared_and_bad_values_are_named() {
        let err = patch(&[("name", " "), ("email", "nope"), ("costPerHr", "x")]).unwrap_err();
        assert!(err
            .for_field("name")
            .unwrap()
            .to_string()
            .contains("cannot be cleared"));
        assert!(err.for_field("email").is_some());
        assert!(err.for_field("costPerHr").is_some());
    }

    #[test]
    fn a_request_with_nothing_to_change_is_empty() {
        assert!(patch(&[]).unwrap().is_empty());
        assert!(!patch(&[("phone", "")]).unwrap().is_empty());
    }
}
