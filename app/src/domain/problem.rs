//! What can be wrong with one field, as a code with its values. The English text is the
//! `Display` (the XML envelope and the JSON API speak it); the console renders the same value
//! in its own language (`crate::i18n::Speak`).

use super::channel::Channel;
use super::cost::CostError;
use super::directory::DirectoryError;
use super::email::EmailError;
use super::flag::FlagError;
use super::login::{LoginError, PasswordError};
use super::names::TextError;
use super::phone::PhoneError;
use super::role::RoleError;
use super::roster::{Unavailable, Unusable};
use super::udf::UdfError;
use super::webhook::{SecretError, WebhookError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum FieldProblem {
    // What a parser says of a value.
    #[error(transparent)]
    Text(#[from] TextError),
    #[error(transparent)]
    Email(#[from] EmailError),
    #[error(transparent)]
    Phone(#[from] PhoneError),
    #[error(transparent)]
    Cost(#[from] CostError),
    #[error(transparent)]
    Login(#[from] LoginError),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Role(#[from] RoleError),
    #[error(transparent)]
    Flag(#[from] FlagError),
    #[error(transparent)]
    Udf(#[from] UdfError),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Address(#[from] WebhookError),
    #[error(transparent)]
    Secret(#[from] SecretError),

    // Plain text limits.
    #[error("is required")]
    Required,
    #[error("is longer than {max} characters")]
    TooLong { max: usize },
    #[error("names more than {max} entries")]
    TooMany { max: usize },
    #[error("must be at most {max} characters without control characters")]
    PlainText { max: usize },
    #[error("must be {min} to {max} characters without control characters")]
    PlainTextBetween { min: usize, max: usize },
    #[error("must be at most {max} bytes")]
    TooManyBytes { max: usize },

    // A technician's rules.
    #[error("can be true only when the technician has an email address")]
    ApproverNeedsEmail,
    #[error("cannot be cleared while the technician approves purchase orders")]
    EmailNeededByApprover,
    #[error("can be true only with a loginName")]
    LoginNeedsName,
    #[error("needs a loginName")]
    PasswordNeedsLogin,
    #[error("cannot be changed by an update")]
    NotUpdatable,
    #[error("cannot be cleared; a technician needs a name")]
    NameNeeded,
    #[error("'{login}' is already taken in that domain")]
    LoginTaken { login: String },
    #[error("there is no site named '{site}'")]
    NoSuchSite { site: String },
    #[error("there is no group '{group}' (write groups as site-group)")]
    NoSuchGroup { group: String },
    #[error("is a beta channel that is switched off; an SDAdmin switches it on under Settings")]
    BetaChannelOff,
    #[error("must be at least {min} characters for a signed webhook")]
    SignedSecretShort { min: usize },
    #[error("must be typed again when the address changes")]
    SecretRetype,
    #[error("is needed to sign what is sent to this address")]
    SecretNeeded,
    #[error("must be a technician id (a positive whole number)")]
    NotAnId,
    #[error("name the technician with {login}, {email}, {name} or {id}")]
    NoTechnicianNamed {
        login: String,
        email: String,
        name: String,
        id: String,
    },

    // Passwords.
    #[error("'{given}' is not a language; use en or zh-CN")]
    NotALanguage { given: String },
    #[error("is not your current password")]
    NotCurrentPassword,
    #[error("must differ from your login name and your current password")]
    PasswordReused,
    #[error("is too easy to guess: {advice}")]
    WeakPassword { advice: String },

    // API keys.
    #[error("a key without an owner may only notify; name its owner with --owner")]
    ScopeNeedsOwner,

    // Reference data.
    #[error("a site named '{name}' already exists")]
    SiteExists { name: String },
    #[error("the department '{name}' already exists there")]
    DepartmentExists { name: String },
    #[error("the group '{name}' already exists in '{site}'")]
    GroupExists { name: String, site: String },
    #[error("the field {column} is already defined")]
    UdfExists { column: String },

    // Subscriptions and notifications.
    #[error("pick at least one method")]
    NoMethod,
    #[error("{} cannot be subscribed: {}", channel.as_str(), why.describe())]
    CannotSubscribe { channel: Channel, why: Unavailable },
    #[error("{} cannot be tested: {}", channel.as_str(), why.describe())]
    CannotTest { channel: Channel, why: Unusable },
    #[error("{}", not_a_channel(given))]
    NotAChannel { given: Option<String> },
    #[error("{given} is not an engineer id")]
    NotAnEngineerId { given: String },
    #[error("{given} is neither an id nor a login name")]
    NotIdOrLogin { given: String },
    #[error("there is no engineer {engineer}")]
    NoSuchEngineer { engineer: String },
    #[error("{engineer} is the login name of engineers in several domains; use the id")]
    LoginInSeveralDomains { engineer: String },
    #[error("name at least one engineer or group")]
    NoRecipient,
    #[error("names more than {max} engineers and groups")]
    TooManyRecipients { max: usize },
    #[error("leave it out for every usable channel, or name at least one")]
    NoChannel,

    // Directories.
    #[error("'{url}' must start with ldap:// or ldaps://")]
    LdapScheme { url: String },
    #[error("'{url}' names no host")]
    LdapNoHost { url: String },
    #[error("is for ldap://; ldaps:// is TLS already")]
    StartTlsOnLdaps,
    #[error("'{value}' is not a DN like dc=corp,dc=example")]
    NotADn { value: String },
    #[error("'{filter}' must be an LDAP filter in parentheses")]
    NotAFilter { filter: String },
    #[error("'{entry}' must be FIELD=ATTRIBUTE")]
    NotAMapping { entry: String },
    #[error("must be the path of a CSV or JSON file on the server")]
    NotAFilePath,
    #[error(
        "must be the name of a CSV or JSON file in the server's directory folder (no /, .. or drive at its start)"
    )]
    FileOutsideFolder,
    #[error("must be file or ldap")]
    NotAKind,
    #[error(
        "'{url}' is not a directory server this Crewdesk may reach: the operator lists them with --ldap-allow"
    )]
    LdapNotAllowed { url: String },
    #[error(
        "type the bind password: the connection changed, and this directory's password comes from the server's environment"
    )]
    BindPasswordRetype,

    // Roster import.
    #[error("is empty: its first line must name the columns, as an export does")]
    NoColumns,
    #[error("is not a CSV file of UTF-8 text")]
    NotCsvText,
    #[error("names columns Crewdesk does not know: {columns} (use the column names of an export)")]
    UnknownColumns { columns: String },
    #[error("names the column '{column}' twice")]
    ColumnTwice { column: String },
    #[error("has more than {max} rows; split it")]
    TooManyRows { max: usize },
    #[error("is larger than {max_mb} MB; split it")]
    FileTooLarge { max_mb: usize },
    #[error("has {found} cells where the header names {expected} columns")]
    CellCount { expected: usize, found: usize },
    #[error("is not UTF-8 text")]
    NotText,
    #[error("names the same engineer as row {row}")]
    SameEngineerAsRow { row: usize },
    #[error("has more than {max} columns")]
    TooManyColumns { max: usize },
    #[error("has a pwd column: passwords are not kept in an upload; import them with the command line, or set them in the console")]
    PasswordColumn,
}

impl FieldProblem {
    /// A stable name of the problem for programs (`too_long`, `email.local_char`): the JSON
    /// API answers it beside the English text.
    pub fn code(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or_else(|e| {
            debug_assert!(false, "a field problem always serializes: {e}");
            serde_json::Value::Null
        });
        let mut path = Vec::new();
        let mut at = &value;
        // Variant names, outermost first; a parser's own error is named inside its kind.
        for depth in 0..2 {
            match at {
                serde_json::Value::String(name) => {
                    path.push(snake(name));
                    break;
                }
                serde_json::Value::Object(map) if map.len() == 1 => {
                    let Some((name, inner)) = map.iter().next() else {
                        break;
                    };
                    // A variant is named in capitals; a field of one (`max`) is not.
                    if !name.chars().next().is_some_and(char::is_uppercase) {
                        break;
                    }
                    path.push(snake(name));
                    if depth > 0 || matches!(self, Self::Role(_) | Self::Flag(_)) {
                        break;
                    }
                    at = inner;
                }
                _ => break,
            }
        }
        path.join(".")
    }
}

/// `TooLong` as `too_long`.
pub(crate) fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn not_a_channel(given: &Option<String>) -> String {
    match given {
        Some(raw) => format!("'{raw}' is not one of {}", Channel::names()),
        None => format!("is not one of {}", Channel::names()),
    }
}

/// Every variant once, with sample values: the translation test renders each.
#[cfg(test)]
pub fn samples() -> Vec<FieldProblem> {
    use FieldProblem as P;
    let s = |t: &str| t.to_owned();
    let mut all = vec![
        P::Required,
        P::TooLong { max: 40 },
        P::TooMany { max: 200 },
        P::PlainText { max: 100 },
        P::PlainTextBetween { min: 1, max: 200 },
        P::TooManyBytes { max: 1024 },
        P::ApproverNeedsEmail,
        P::EmailNeededByApprover,
        P::LoginNeedsName,
        P::PasswordNeedsLogin,
        P::NotUpdatable,
        P::NameNeeded,
        P::LoginTaken { login: s("ada") },
        P::NoSuchSite { site: s("Paris") },
        P::NoSuchGroup {
            group: s("Paris-Net"),
        },
        P::BetaChannelOff,
        P::SignedSecretShort { min: 16 },
        P::SecretRetype,
        P::SecretNeeded,
        P::NotAnId,
        P::NoTechnicianNamed {
            login: s("techLoginName"),
            email: s("techEmailId"),
            name: s("techUserName"),
            id: s("userid"),
        },
        P::NotALanguage { given: s("fr") },
        P::NotCurrentPassword,
        P::PasswordReused,
        P::WeakPassword {
            advice: s("Add another word or two."),
        },
        P::NoMethod,
        P::ScopeNeedsOwner,
        P::NotAnEngineerId { given: s("1.5") },
        P::NotIdOrLogin { given: s("true") },
        P::NoSuchEngineer { engineer: s("ada") },
        P::LoginInSeveralDomains { engineer: s("ada") },
        P::SiteExists { name: s("Paris") },
        P::DepartmentExists { name: s("Ops") },
        P::GroupExists {
            name: s("Net"),
            site: s("Paris"),
        },
        P::UdfExists {
            column: s("UDF_CHAR1"),
        },
        P::NoRecipient,
        P::TooManyRecipients { max: 1000 },
        P::NoChannel,
        P::NotAChannel { given: None },
        P::NotAChannel {
            given: Some(s("fax")),
        },
        P::LdapScheme { url: s("http://x") },
        P::LdapNoHost { url: s("ldap://") },
        P::StartTlsOnLdaps,
        P::NotADn { value: s("corp") },
        P::NotAFilter { filter: s("uid=*") },
        P::NotAMapping { entry: s("mail") },
        P::NotAFilePath,
        P::FileOutsideFolder,
        P::NotAKind,
        P::LdapNotAllowed {
            url: s("ldap://evil"),
        },
        P::BindPasswordRetype,
        P::NoColumns,
        P::NotCsvText,
        P::UnknownColumns { columns: s("Nmae") },
        P::ColumnTwice { column: s("email") },
        P::TooManyRows { max: 50_000 },
        P::FileTooLarge { max_mb: 16 },
        P::CellCount {
            expected: 20,
            found: 3,
        },
        P::NotText,
        P::SameEngineerAsRow { row: 2 },
        P::TooManyColumns { max: 200 },
        P::PasswordColumn,
    ];
    for why in Unavailable::ALL {
        all.push(P::CannotSubscribe {
            channel: Channel::Sms,
            why,
        });
    }
    for why in Unusable::ALL {
        all.push(P::CannotTest {
            channel: Channel::WeCom,
            why,
        });
    }
    all.extend(
        [
            TextError::Empty,
            TextError::TooLong(40),
            TextError::Control,
            TextError::Forbidden(','),
            TextError::Reserved,
        ]
        .map(P::Text),
    );
    all.extend(
        [
            EmailError::Empty,
            EmailError::TooLong,
            EmailError::At,
            EmailError::LocalLength,
            EmailError::LocalChar('!'),
            EmailError::LocalDots,
            EmailError::Domain,
            EmailError::Label(s("-x")),
        ]
        .map(P::Email),
    );
    all.extend(
        [
            PhoneError::Empty,
            PhoneError::Char('x'),
            PhoneError::CountryCode,
            PhoneError::Length,
            PhoneError::TooLong,
        ]
        .map(P::Phone),
    );
    all.extend(
        [
            CostError::NotANumber,
            CostError::Negative,
            CostError::Precision,
            CostError::TooLarge,
        ]
        .map(P::Cost),
    );
    all.extend(
        [
            LoginError::Empty,
            LoginError::TooLong,
            LoginError::Char(' '),
        ]
        .map(P::Login),
    );
    all.extend([PasswordError::TooShort, PasswordError::TooLong].map(P::Password));
    all.push(P::Role(RoleError(s("God"))));
    all.push(P::Flag(FlagError));
    all.push(P::Udf(UdfError::Shape));
    all.extend(
        [
            DirectoryError::BadName,
            DirectoryError::BadPreset(s("x")),
            DirectoryError::BadAttribute(s("a b")),
            DirectoryError::BadField(s("x")),
        ]
        .map(P::Directory),
    );
    all.extend(
        [
            WebhookError::NotHttps,
            WebhookError::WrongHost {
                channel: Channel::Slack,
                example: s("hooks.slack.com/services/"),
            },
            WebhookError::NoHosts,
            WebhookError::NotAChat,
            WebhookError::Whitespace,
            WebhookError::TooLong,
            WebhookError::NotAllowed {
                hosts: s("a.example"),
            },
        ]
        .map(P::Address),
    );
    all.extend([SecretError::Whitespace, SecretError::Length].map(P::Secret));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_problem_has_a_stable_code_for_programs() {
        assert_eq!(FieldProblem::Required.code(), "required");
        assert_eq!(FieldProblem::TooLong { max: 4 }.code(), "too_long");
        assert_eq!(
            FieldProblem::Text(TextError::TooLong(4)).code(),
            "text.too_long"
        );
        assert_eq!(
            FieldProblem::Email(EmailError::LocalChar('!')).code(),
            "email.local_char"
        );
        assert_eq!(FieldProblem::Role(RoleError("God".into())).code(), "role");
        assert_eq!(FieldProblem::Flag(FlagError).code(), "flag");
        assert_eq!(
            FieldProblem::NoSuchEngineer {
                engineer: "x".into()
            }
            .code(),
            "no_such_engineer"
        );
        let codes: std::collections::HashSet<String> =
            samples().iter().map(FieldProblem::code).collect();
        assert!(codes.len() > 70, "{}", codes.len());
        // A code names the problem, never the value: no sample value leaks into one.
        for code in &codes {
            assert!(
                code.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.'),
                "{code}"
            );
            for value in ["god", "fax", "ada", "paris", "ops", "corp", "x"] {
                assert!(!code.split(['.', '_']).any(|w| w == value), "{code}");
            }
        }
    }
}
