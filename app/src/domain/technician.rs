//! The technician (O&M engineer): the raw form every edge fills in, and the parsed entity.

use super::cost::CostPerHour;
use super::email::Email;
use super::error::FieldErrors;
use super::flag::parse_flag_or;
use super::login::{LoginName, Password};
use super::names::{PersonName, ShortText, SiteName};
use super::phone::Phone;
use super::problem::FieldProblem;
use super::role::Role;
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// The attributes of AddTechnician exactly as the XML API names them. Every edge (console
/// form, servlet, sync, CLI) fills this in and converts it with `NewTechnician::try_from`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TechnicianForm {
    pub name: Option<String>,
    pub alias: Option<String>,
    #[serde(rename = "employeeId")]
    pub employee_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    #[serde(rename = "smsMailId")]
    pub sms_mail_id: Option<String>,
    #[serde(rename = "costPerHr")]
    pub cost_per_hr: Option<String>,
    #[serde(rename = "jobTitle")]
    pub job_title: Option<String>,
    #[serde(rename = "techSiteName")]
    pub tech_site_name: Option<String>,
    #[serde(rename = "departmentName")]
    pub department_name: Option<String>,
    #[serde(rename = "associateSites")]
    pub associate_sites: Option<String>,
    #[serde(rename = "associateGroups")]
    pub associate_groups: Option<String>,
    #[serde(rename = "associateRols", alias = "associateRoles")]
    pub associate_rols: Option<String>,
    #[serde(rename = "approvePurchaseOrder")]
    pub approve_purchase_order: Option<String>,
    #[serde(rename = "enableLogin")]
    pub enable_login: Option<String>,
    #[serde(rename = "loginName")]
    pub login_name: Option<String>,
    pub pwd: Option<String>,
    #[serde(rename = "userDomainName")]
    pub user_domain_name: Option<String>,
    /// `en` or `zh-CN`: the language of messages to the technician; blank takes the site's.
    pub language: Option<String>,
    /// User-defined fields by column name (`UDF_CHAR1`, ...).
    pub udfs: Vec<(String, String)>,
}

/// Where a technician's primary site points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SiteChoice {
    /// "Not associated to any site" (`default` in the API).
    NotAssociated,
    Named(SiteName),
}

/// Sign-in details of a new technician.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLogin {
    pub name: LoginName,
    pub domain: String,
    pub enabled: bool,
    pub password: Password,
}

/// A technician that passed every field check; references to sites, departments and groups
/// are still names, resolved against the database by the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTechnician {
    pub name: PersonName,
    pub alias: Option<ShortText>,
    pub employee_id: Option<ShortText>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub mobile: Option<Phone>,
    pub sms_mail_id: Option<Email>,
    pub cost_per_hr: Option<CostPerHour>,
    pub job_title: Option<ShortText>,
    pub site: SiteChoice,
    pub department: Option<ShortText>,
    pub associate_sites: Vec<SiteName>,
    /// `site-group` entries as given; the site part is found against known site names.
    pub associate_groups: Vec<ShortText>,
    pub roles: Vec<Role>,
    pub approve_purchase_order: bool,
    pub login: Option<NewLogin>,
    pub language: Option<Lang>,
    pub udfs: Vec<(String, String)>,
}

/// `None` for an absent or blank attribute, the parsed value otherwise.
fn optional<T, E: Into<FieldProblem>>(
    errors: &mut FieldErrors,
    field: &str,
    raw: &Option<String>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Option<T> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(value) => errors.take(field, parse(value)),
    }
}

fn list(raw: &Option<String>) -> Vec<&str> {
    raw.as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

pub(crate) fn parse_sites(errors: &mut FieldErrors, raw: &Option<String>) -> Vec<SiteName> {
    let entries = list(raw);
    if entries.len() == 1 && entries[0].eq_ignore_ascii_case("default") {
        return Vec::new();
    }
    let mut sites: Vec<SiteName> = Vec::new();
    for entry in entries {
        if let Some(site) = errors.take("associateSites", SiteName::parse(entry)) {
            if !sites.contains(&site) {
                sites.push(site);
            }
        }
    }
    sites
}

impl TryFrom<TechnicianForm> for NewTechnician {
    type Error = FieldErrors;

    fn try_from(form: TechnicianForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = match form.name.as_deref() {
            Some(raw) => errors.take("name", PersonName::parse(raw)),
            None => {
                errors.push("name", FieldProblem::Required);
                None
            }
        };
        let alias = optional(&mut errors, "alias", &form.alias, ShortText::parse);
        let employee_id = optional(
            &mut errors,
            "employeeId",
            &form.employee_id,
            ShortText::parse,
        );
        let email = optional(&mut errors, "email", &form.email, Email::parse);
        let phone = optional(&mut errors, "phone", &form.phone, Phone::parse);
        let mobile = optional(&mut errors, "mobile", &form.mobile, Phone::parse);
        let sms_mail_id = optional(&mut errors, "smsMailId", &form.sms_mail_id, Email::parse);
        let cost_per_hr = optional(
            &mut errors,
            "costPerHr",
            &form.cost_per_hr,
            CostPerHour::parse,
        );
        let job_title = optional(&mut errors, "jobTitle", &form.job_title, ShortText::parse);
        let language = optional(&mut errors, "language", &form.language, Lang::parse_setting);
        let site = match form.tech_site_name.as_deref().map(str::trim) {
            None | Some("") => SiteChoice::NotAssociated,
            Some(s) if s.eq_ignore_ascii_case("default") => SiteChoice::NotAssociated,
            Some(s) => errors
                .take("techSiteName", SiteName::parse(s))
                .map_or(SiteChoice::NotAssociated, SiteChoice::Named),
        };
        let department = optional(
            &mut errors,
            "departmentName",
            &form.department_name,
            ShortText::parse,
        );
        let associate_sites = parse_sites(&mut errors, &form.associate_sites);
        let associate_groups = list(&form.associate_groups)
            .into_iter()
            .filter_map(|g| errors.take("associateGroups", ShortText::parse(g)))
            .collect();
        let roles = errors
            .take(
                "associateRols",
                Role::parse_list(form.associate_rols.as_deref().unwrap_or("")),
            )
            .unwrap_or_default();
        let approve_purchase_order = errors
            .take(
                "approvePurchaseOrder",
                parse_flag_or(form.approve_purchase_order.as_deref(), false),
            )
            .unwrap_or(false);
        if approve_purchase_order
            && email.is_none()
            && form.email.as_deref().is_none_or(|e| e.trim().is_empty())
        {
            errors.push("approvePurchaseOrder", FieldProblem::ApproverNeedsEmail);
        }
        let enable_login = errors
            .take(
                "enableLogin",
                parse_flag_or(form.enable_login.as_deref(), false),
            )
            .unwrap_or(false);
        let login_name = optional(&mut errors, "loginName", &form.login_name, LoginName::parse);
        let password = optional(&mut errors, "pwd", &form.pwd, Password::parse);
        let domain = form
            .user_domain_name
            .as_deref()
            .unwrap_or("")
            .trim()
            .to_owned();
        let login_name_given = form
            .login_name
            .as_deref()
            .is_some_and(|l| !l.trim().is_empty());
        if enable_login && !login_name_given {
            errors.push("enableLogin", FieldProblem::LoginNeedsName);
        }
        if !login_name_given && form.pwd.as_deref().is_some_and(|p| !p.is_empty()) {
            errors.push("pwd", FieldProblem::PasswordNeedsLogin);
        }
        if domain.chars().count() > 100 || domain.chars().any(char::is_control) {
            errors.push("userDomainName", FieldProblem::PlainText { max: 100 });
        }
        let login = login_name.map(|name| NewLogin {
            password: password.unwrap_or_else(|| Password::from_login_name(&name)),
            name,
            domain,
            enabled: enable_login,
        });
        match name {
            Some(name) if errors.is_empty() => Ok(Self {
                name,
                alias,
                employee_id,
                email,
                phone,
                mobile,
                sms_mail_id,
                cost_per_hr,
                job_title,
                site,
                department,
                associate_sites,
                associate_groups,
                roles,
                approve_purchase_order,
                login,
                language,
                udfs: form.udfs,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> TechnicianForm {
        let map: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String((*v).to_owned())))
            .collect();
        serde_json::from_value(serde_json::Value::Object(map)).unwrap()
    }

    #[test]
    fn a_minimal_technician_takes_the_api_defaults() {
        let tech = NewTechnician::try_from(form(&[("name", "Ada")])).unwrap();
        assert_eq!(tech.site, SiteChoice::NotAssociated);
        assert!(!tech.approve_purchase_order);
        assert!(tech.login.is_none());
        assert!(tech.roles.is_empty());
    }

    #[test]
    fn without_pwd_the_password_is_the_login_name() {
        let tech = NewTechnician::try_from(form(&[
            ("name", "Ada"),
            ("loginName", "ada"),
            ("enableLogin", "true"),
        ]))
        .unwrap();
        let login = tech.login.unwrap();
        assert!(login.enabled);
        assert_eq!(login.password.expose(), "ada");
    }

    #[test]
    fn default_means_no_associated_sites() {
        let tech = NewTechnician::try_from(form(&[
            ("name", "Ada"),
            ("associateSites", "default"),
            ("techSiteName", "default"),
        ]))
        .unwrap();
        assert!(tech.associate_sites.is_empty());
        assert_eq!(tech.site, SiteChoice::NotAssociated);
    }

    #[test]
    fn roles_accept_both_spellings_of_the_attribute() {
        let tech = NewTechnician::try_from(form(&[("name", "Ada"), ("associateRoles", "SDAdmin")]))
            .unwrap();
        assert_eq!(tech.roles, vec![Role::SdAdmin]);
    }

    #[test]
    fn each_bad_field_gets_its_own_message() {
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: &[Case] = &[
            (&[("email", "x")], "name", "is required"),
            (
                &[("name", "A"), ("email", "nope")],
                "email",
                "needs exactly one @",
            ),
            (&[("name", "A"), ("mobile", "12")], "mobile", "country code"),
            (
                &[("name", "A"), ("costPerHr", "-1")],
                "costPerHr",
                "negative",
            ),
            (
                &[("name", "A"), ("enableLogin", "yes")],
                "enableLogin",
                "true or false",
            ),
            (
                &[("name", "A"), ("enableLogin", "true")],
                "enableLogin",
                "loginName",
            ),
            (
                &[("name", "A"), ("approvePurchaseOrder", "true")],
                "approvePurchaseOrder",
                "email",
            ),
            (
                &[("name", "A"), ("associateRols", "God")],
                "associateRols",
                "not a role",
            ),
            (
                &[("name", "A"), ("loginName", "a b")],
                "loginName",
                "letters",
            ),
            (&[("name", "A"), ("pwd", "secret123")], "pwd", "loginName"),
            (
                &[("name", "A"), ("loginName", "ab"), ("pwd", "short")],
                "pwd",
                "8 characters",
            ),
        ];
        for (pairs, field, fragment) in cases {
            let errors = NewTechnician::try_from(form(pairs)).unwrap_err();
            let message = errors
                .for_field(field)
                .unwrap_or_else(|| panic!("{field}: {errors}"));
            assert!(message.to_string().contains(fragment), "{field}: {message}");
        }
    }
}
