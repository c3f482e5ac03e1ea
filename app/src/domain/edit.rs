//! The console's Edit dialog. Every field on the form is sent, so an empty one clears it;
//! credentials (webhooks and signing secrets) are the exception: left empty they are kept,
//! and only their "remove" box clears them, so a masked value is never written back.

use super::error::FieldErrors;
use super::patch::{Change, TechnicianPatch};
use super::technician::TechnicianForm;
use super::webhook::{Robot, SigningSecret, WebhookHosts, WebhookUrl};
use serde::{Deserialize, Serialize};

/// Raw fields as the form posts them. `None`: the field was not on the form (a plain
/// engineer's form has only the contact fields).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EditForm {
    pub technician: TechnicianForm,
    pub wecom_webhook: Option<String>,
    pub remove_wecom_webhook: Option<String>,
    pub dingtalk_webhook: Option<String>,
    pub remove_dingtalk_webhook: Option<String>,
    pub dingtalk_secret: Option<String>,
    pub remove_dingtalk_secret: Option<String>,
    pub lark_webhook: Option<String>,
    pub remove_lark_webhook: Option<String>,
    pub lark_secret: Option<String>,
    pub remove_lark_secret: Option<String>,
}

/// The robot credentials an edit changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RobotChanges {
    pub wecom_webhook: Change<WebhookUrl>,
    pub dingtalk_webhook: Change<WebhookUrl>,
    pub dingtalk_secret: Change<SigningSecret>,
    pub lark_webhook: Change<WebhookUrl>,
    pub lark_secret: Change<SigningSecret>,
}

impl RobotChanges {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The form field name of each robot credential, as errors name them.
pub fn webhook_field(robot: Robot) -> &'static str {
    match robot {
        Robot::WeCom => "wecom_webhook",
        Robot::DingTalk => "dingtalk_webhook",
        Robot::Lark => "lark_webhook",
    }
}

pub fn secret_field(robot: Robot) -> &'static str {
    match robot {
        Robot::Lark => "lark_secret",
        _ => "dingtalk_secret",
    }
}

fn ticked(flag: &Option<String>) -> bool {
    flag.as_deref()
        .is_some_and(|v| matches!(v, "true" | "on" | "1"))
}

fn credential<T, E: std::fmt::Display>(
    errors: &mut FieldErrors,
    field: &str,
    raw: &Option<String>,
    remove: &Option<String>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Change<T> {
    match raw.as_deref().map(str::trim) {
        Some(value) if !value.is_empty() => errors
            .take(field, parse(value))
            .map_or(Change::Keep, Change::Set),
        _ if ticked(remove) => Change::Clear,
        _ => Change::Keep,
    }
}

/// The technician attributes an engineer may change on their own record (with the robot
/// credentials); `Edit::is_contact_only` accepts exactly these.
pub const CONTACT_ATTRIBUTES: [&str; 5] = ["alias", "email", "phone", "mobile", "smsMailId"];

/// A parsed edit: the technician attributes and the robot credentials.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Edit {
    pub patch: TechnicianPatch,
    pub robots: RobotChanges,
}

impl Edit {
    /// Only contact methods change: what an engineer may do to their own record.
    pub fn is_contact_only(&self) -> bool {
        let p = &self.patch;
        p.name.is_none()
            && p.employee_id.is_keep()
            && p.cost_per_hr.is_keep()
            && p.job_title.is_keep()
            && p.site.is_none()
            && p.department.is_keep()
            && p.associate_sites.is_none()
            && p.associate_groups.is_none()
            && p.roles.is_none()
            && p.udfs.is_empty()
    }
}

impl Edit {
    /// The form as an edit; webhooks must point where `hosts` allows.
    pub fn parse(form: EditForm, hosts: &WebhookHosts) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let robots = RobotChanges {
            wecom_webhook: credential(
                &mut errors,
                webhook_field(Robot::WeCom),
                &form.wecom_webhook,
                &form.remove_wecom_webhook,
                |v| WebhookUrl::parse(Robot::WeCom, v, hosts),
            ),
            dingtalk_webhook: credential(
                &mut errors,
                webhook_field(Robot::DingTalk),
                &form.dingtalk_webhook,
                &form.remove_dingtalk_webhook,
                |v| WebhookUrl::parse(Robot::DingTalk, v, hosts),
            ),
            dingtalk_secret: credential(
                &mut errors,
                secret_field(Robot::DingTalk),
                &form.dingtalk_secret,
                &form.remove_dingtalk_secret,
                SigningSecret::parse,
            ),
            lark_webhook: credential(
                &mut errors,
                webhook_field(Robot::Lark),
                &form.lark_webhook,
                &form.remove_lark_webhook,
                |v| WebhookUrl::parse(Robot::Lark, v, hosts),
            ),
            lark_secret: credential(
                &mut errors,
                secret_field(Robot::Lark),
                &form.lark_secret,
                &form.remove_lark_secret,
                SigningSecret::parse,
            ),
        };
        let patch = match TechnicianPatch::try_from(form.technician) {
            Ok(patch) => Some(patch),
            Err(more) => {
                errors.0.extend(more.0);
                None
            }
        };
        match patch {
            Some(patch) if errors.is_empty() => Ok(Self { patch, robots }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(pairs: &[(&str, &str)]) -> Result<Edit, FieldErrors> {
        let robot = |k: &str| {
            ["wecom", "dingtalk", "lark", "remove"]
                .iter()
                .any(|p| k.starts_with(p))
        };
        let value = |v: &str| serde_json::Value::String(v.to_owned());
        let mut map: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .filter(|(k, _)| robot(k))
            .map(|(k, v)| ((*k).to_owned(), value(v)))
            .collect();
        let technician: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .filter(|(k, _)| !robot(k))
            .map(|(k, v)| ((*k).to_owned(), value(v)))
            .collect();
        map.insert("technician".into(), serde_json::Value::Object(technician));
        let form: EditForm = serde_json::from_value(serde_json::Value::Object(map)).unwrap();
        Edit::parse(form, &WebhookHosts::default())
    }

    #[test]
    fn an_empty_credential_is_kept_and_removed_only_on_request() {
        let kept = edit(&[("wecom_webhook", "")]).unwrap();
        assert!(kept.robots.wecom_webhook.is_keep());
        let removed = edit(&[("wecom_webhook", ""), ("remove_wecom_webhook", "true")]).unwrap();
        assert_eq!(removed.robots.wecom_webhook, Change::Clear);
        let set = edit(&[("lark_secret", "lark-secret-1")]).unwrap();
        assert!(matches!(set.robots.lark_secret, Change::Set(_)));
    }

    #[test]
    fn bad_credentials_are_named_by_their_field() {
        let err = edit(&[
            ("dingtalk_webhook", "https://example.com/robot/send"),
            ("dingtalk_secret", "x"),
            ("email", "nope"),
        ])
        .unwrap_err();
        assert!(err
            .for_field("dingtalk_webhook")
            .unwrap()
            .contains("DingTalk"));
        assert!(err.for_field("dingtalk_secret").is_some());
        assert!(err.for_field("email").is_some());
    }

    #[test]
    fn contact_attributes_are_exactly_what_a_contact_only_edit_accepts() {
        let attributes = [
            ("name", "Ada"),
            ("alias", "A"),
            ("employeeId", "E1"),
            ("email", "a@example.com"),
            ("phone", "+44 20 7946 0000"),
            ("mobile", "+86 138 0013 8000"),
            ("smsMailId", "a@sms.example.com"),
            ("costPerHr", "1"),
            ("jobTitle", "Lead"),
            ("techSiteName", "London"),
            ("departmentName", "Ops"),
            ("associateSites", "London"),
            ("associateGroups", "London-Net"),
            ("associateRols", "SDAdmin"),
            ("UDF_CHAR1", "x"),
        ];
        for (attribute, value) in attributes {
            let mut edit = edit(&[(attribute, value)]).unwrap();
            if attribute.starts_with("UDF_") {
                edit.patch.udfs = vec![(attribute.to_owned(), value.to_owned())];
            }
            assert_eq!(
                edit.is_contact_only(),
                CONTACT_ATTRIBUTES.contains(&attribute),
                "{attribute}"
            );
        }
    }

    #[test]
    fn contact_fields_alone_are_a_contact_only_edit() {
        assert!(edit(&[
            ("mobile", "+86 138 0013 8000"),
            ("email", ""),
            ("alias", "A")
        ])
        .unwrap()
        .is_contact_only());
        assert!(!edit(&[("mobile", ""), ("jobTitle", "Boss")])
            .unwrap()
            .is_contact_only());
        assert!(!edit(&[("associateRols", "SDAdmin")])
            .unwrap()
            .is_contact_only());
    }
}
