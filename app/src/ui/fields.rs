//! The technician fields as forms show them, and their instant validation: the same parsers
//! the server runs, compiled into the browser, so a message appears as you type.

use crate::domain::{
    parse_address, Channel, CostPerHour, Email, FieldProblem, LoginName, Password, PersonName,
    Phone, Role, ShortText, SigningSecret, WebhookHosts,
};
use crate::i18n::Texts;

/// (attribute, label, input type, hint) of one technician field.
pub type FieldSpec = (&'static str, &'static str, &'static str, &'static str);

/// The fields every technician form has, in the API's order.
pub fn technician_fields(t: &'static Texts) -> Vec<FieldSpec> {
    vec![
        ("name", t.field_name, "text", t.hint_required),
        ("alias", t.field_alias, "text", ""),
        ("employeeId", t.field_employee_id, "text", ""),
        ("email", t.field_email, "email", ""),
        ("phone", t.field_phone, "tel", t.hint_phone),
        ("mobile", t.field_mobile, "tel", t.hint_mobile),
        ("smsMailId", t.field_sms_mail_id, "email", ""),
        ("costPerHr", t.field_cost, "text", t.hint_cost),
        ("jobTitle", t.field_job_title, "text", ""),
        ("techSiteName", t.field_site, "text", t.hint_site),
        ("departmentName", t.field_department, "text", ""),
        ("associateSites", t.field_sites, "text", t.hint_sites),
        ("associateGroups", t.field_groups, "text", t.hint_groups),
    ]
}

/// The fields only AddTechnician has.
pub fn login_fields(t: &'static Texts) -> Vec<FieldSpec> {
    vec![
        ("associateRols", t.field_roles, "text", t.hint_roles),
        ("loginName", t.field_login_name, "text", t.hint_login),
        ("pwd", t.field_password, "password", t.hint_password),
        ("userDomainName", t.field_domain, "text", t.domain_hint),
    ]
}

fn message<T, E: Into<FieldProblem>>(result: Result<T, E>) -> Option<FieldProblem> {
    result.err().map(Into::into)
}

/// The message for `value` in the field `attribute`, or `None` when it is acceptable.
/// Empty optional fields are always acceptable.
pub fn validate(attribute: &str, value: &str) -> Option<FieldProblem> {
    let value = value.trim();
    if value.is_empty() {
        return (attribute == "name").then_some(FieldProblem::Required);
    }
    match attribute {
        "name" => message(PersonName::parse(value)),
        "email" | "smsMailId" => message(Email::parse(value)),
        "phone" | "mobile" => message(Phone::parse(value)),
        "costPerHr" => message(CostPerHour::parse(value)),
        "loginName" => message(LoginName::parse(value)),
        "pwd" => message(Password::parse(value)),
        "associateRols" => message(Role::parse_list(value)),
        "alias" | "employeeId" | "jobTitle" | "departmentName" => message(ShortText::parse(value)),
        _ => None,
    }
}

/// The message for a contact-point field: a webhook must point where `hosts` allows.
pub fn validate_credential(
    attribute: &str,
    value: &str,
    hosts: &WebhookHosts,
) -> Option<FieldProblem> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    for (channel, spec) in Channel::with_contact_points() {
        if attribute == spec.address_field {
            return message(parse_address(channel, value, hosts));
        }
        if Some(attribute) == spec.secret_field {
            return message(SigningSecret::parse(value));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_check_agrees_with_the_server_parsers() {
        assert!(validate("email", "ada@example.com").is_none());
        assert!(validate("email", "nope").unwrap().to_string().contains("@"));
        assert!(validate("mobile", "12").is_some());
        assert!(validate("name", "").is_some());
        assert!(validate("jobTitle", "").is_none());
        assert!(validate("costPerHr", "-1").is_some());
    }

    #[test]
    fn webhooks_are_checked_against_the_servers_allowlist() {
        let providers = WebhookHosts::default();
        let evil = "https://evil.example/x";
        assert!(validate_credential("wecom_webhook", evil, &providers).is_some());
        let custom = WebhookHosts::parse(&["evil.example".to_owned()]).unwrap();
        assert!(validate_credential("wecom_webhook", evil, &custom).is_none());
        let wecom = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a";
        assert!(validate_credential("wecom_webhook", wecom, &providers).is_none());
        assert!(validate_credential("wecom_webhook", wecom, &custom).is_some());
        assert!(validate_credential("lark_secret", "short", &custom).is_some());
        assert!(validate_credential("lark_secret", "", &custom).is_none());
    }
}
