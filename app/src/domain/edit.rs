//! The console's Edit dialog. Every field on the form is sent, so an empty one clears it;
//! credentials (webhooks and signing secrets) are the exception: left empty they are kept,
//! and only their "remove" box clears them, so a masked value is never written back.

use super::channel::Channel;
use super::error::FieldErrors;
use super::patch::{Change, TechnicianPatch};
use super::technician::TechnicianForm;
use super::webhook::{parse_address, SigningSecret, WebhookHosts};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Raw fields as the form posts them. `None`: the field was not on the form (a plain
/// engineer's form has only the contact fields).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EditForm {
    pub technician: TechnicianForm,
    /// Contact-point fields by name (`wecom_webhook`, `dingtalk_secret`, …), and their
    /// `remove_…` boxes.
    pub contact: BTreeMap<String, String>,
}

/// What an edit does to one channel's contact point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactChange {
    pub channel: Channel,
    pub address: Change<String>,
    pub secret: Change<SigningSecret>,
}

/// The contact points an edit changes; a channel not listed is kept.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactChanges(pub Vec<ContactChange>);

impl ContactChanges {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn of(&self, channel: Channel) -> Option<&ContactChange> {
        self.0.iter().find(|c| c.channel == channel)
    }
}

fn ticked(flag: &Option<String>) -> bool {
    flag.as_deref()
        .is_some_and(|v| matches!(v, "true" | "on" | "1"))
}

fn credential<T, E: Into<super::FieldProblem>>(
    errors: &mut FieldErrors,
    form: &BTreeMap<String, String>,
    field: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Change<T> {
    let remove = form.get(&format!("remove_{field}")).cloned();
    match form.get(field).map(|v| v.trim()) {
        Some(value) if !value.is_empty() => errors
            .take(field, parse(value))
            .map_or(Change::Keep, Change::Set),
        _ if ticked(&remove) => Change::Clear,
        _ => Change::Keep,
    }
}

/// The technician attributes an engineer may change on their own record (with the robot
/// credentials); `Edit::is_contact_only` accepts exactly these.
/// What an engineer may change on their own record: how they are reached, and the language
/// messages to them are written in.
pub const CONTACT_ATTRIBUTES: [&str; 6] =
    ["alias", "email", "phone", "mobile", "smsMailId", "language"];

/// A parsed edit: the technician attributes and the contact points.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Edit {
    pub patch: TechnicianPatch,
    pub contacts: ContactChanges,
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
        let mut contacts = ContactChanges::default();
        for (channel, spec) in Channel::with_contact_points() {
            let address = credential(&mut errors, &form.contact, spec.address_field, |v| {
                parse_address(channel, v, hosts)
            });
            let secret = match spec.secret_field {
                Some(field) => credential(&mut errors, &form.contact, field, SigningSecret::parse),
                None => Change::Keep,
            };
            if !(address.is_keep() && secret.is_keep()) {
                contacts.0.push(ContactChange {
                    channel,
                    address,
                    secret,
                });
            }
        }
        let patch = match TechnicianPatch::try_from(form.technician) {
            Ok(patch) => Some(patch),
            Err(more) => {
                errors.0.extend(more.0);
                None
            }
        };
        match patch {
            Some(patch) if errors.is_empty() => Ok(Self { patch, contacts }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(pairs: &[(&str, &str)]) -> Result<Edit, FieldErrors> {
        let robot = |k: &str| {
            [
                "wecom", "dingtalk", "lark", "slack", "teams", "telegram", "remove",
            ]
            .iter()
            .any(|p| k.starts_with(p))
        };
        let value = |v: &str| serde_json::Value::String(v.to_owned());
        let contact: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .filter(|(k, _)| robot(k))
            .map(|(k, v)| ((*k).to_owned(), value(v)))
            .collect();
        let mut map = serde_json::Map::new();
        map.insert("contact".into(), serde_json::Value::Object(contact));
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
        assert!(kept.contacts.is_empty());
        let removed = edit(&[("wecom_webhook", ""), ("remove_wecom_webhook", "true")]).unwrap();
        assert_eq!(
            removed.contacts.of(Channel::WeCom).map(|c| &c.address),
            Some(&Change::Clear)
        );
        let set = edit(&[("lark_secret", "lark-secret-1")]).unwrap();
        let lark = set.contacts.of(Channel::Lark).unwrap();
        assert!(lark.address.is_keep() && matches!(lark.secret, Change::Set(_)));
        let chat = edit(&[("telegram_chat_id", " -100200300 ")]).unwrap();
        assert_eq!(
            chat.contacts.of(Channel::Telegram).map(|c| &c.address),
            Some(&Change::Set("-100200300".to_owned()))
        );
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
            .to_string()
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
            ("language", "zh-CN"),
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
