//! Why a request as a whole was refused (not allowed, not found, in conflict, too soon), as a
//! code with its values. The English text is the `Display`; the console renders the same
//! value in its own language (`crate::i18n::Speak`).

use super::channel::Channel;
use super::identify::{Criterion, TechnicianRef};
use serde::{Deserialize, Serialize};

/// What was done to a technician, as a refusal names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verb {
    Add,
    Edit,
    Update,
    Delete,
    Subscribe,
    SendTestTo,
    Export,
    Import,
    CheckReachabilityOf,
}

impl Verb {
    pub const ALL: [Verb; 9] = [
        Self::Add,
        Self::Edit,
        Self::Update,
        Self::Delete,
        Self::Subscribe,
        Self::SendTestTo,
        Self::Export,
        Self::Import,
        Self::CheckReachabilityOf,
    ];

    pub fn english(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Edit => "edit",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Subscribe => "subscribe",
            Self::SendTestTo => "send a test notification to",
            Self::Export => "export",
            Self::Import => "import",
            Self::CheckReachabilityOf => "check the reachability of",
        }
    }
}

/// What only an SDAdmin may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdminTask {
    ChangeReferenceData,
    ManageDirectories,
    Synchronize,
    AddInBulk,
    ReadMessageLog,
    ReadDeliveryLog,
    RetryDelivery,
    ReadAuditLog,
    SwitchBetaChannels,
    SetPasswords,
    GrantRoles,
    GrantOrRemoveRoles,
    ManageApiKeys,
    RunDrills,
}

impl AdminTask {
    pub const ALL: [AdminTask; 14] = [
        Self::ChangeReferenceData,
        Self::ManageDirectories,
        Self::Synchronize,
        Self::AddInBulk,
        Self::ReadMessageLog,
        Self::ReadDeliveryLog,
        Self::RetryDelivery,
        Self::ReadAuditLog,
        Self::SwitchBetaChannels,
        Self::SetPasswords,
        Self::GrantRoles,
        Self::GrantOrRemoveRoles,
        Self::ManageApiKeys,
        Self::RunDrills,
    ];

    pub fn english(self) -> &'static str {
        match self {
            Self::ChangeReferenceData => "change reference data",
            Self::ManageDirectories => "manage directories",
            Self::Synchronize => "synchronize engineer info",
            Self::AddInBulk => "add engineers in bulk",
            Self::ReadMessageLog => "read the Message log",
            Self::ReadDeliveryLog => "read the delivery log",
            Self::RetryDelivery => "retry a delivery",
            Self::ReadAuditLog => "read the audit log",
            Self::SwitchBetaChannels => "switch beta channels",
            Self::SetPasswords => "set passwords",
            Self::GrantRoles => "grant roles",
            Self::GrantOrRemoveRoles => "grant or remove roles",
            Self::ManageApiKeys => "manage API keys",
            Self::RunDrills => "run reachability drills",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Refusal {
    // Signing in.
    #[error("the user name or password is not correct")]
    WrongCredentials,
    #[error("too many failed sign-ins for this account; try again in {minutes} minutes")]
    AccountHeldBack { minutes: i64 },
    #[error("too many failed sign-ins from your address; try again in {minutes} minutes")]
    AddressThrottled { minutes: i64 },
    #[error("the server is busy checking other sign-ins; try again in a moment")]
    SignInBusy,
    #[error("directory authentication is not configured on this server")]
    DirectorySignInOff,
    #[error(
        "the directory {directory} does not answer, so the password cannot be checked now; try again later"
    )]
    DirectoryDown { directory: String },
    #[error(
        "the directory {directory} is reached over plain LDAP, which would send the password in clear; directory sign-in is refused until it uses TLS or the operator allows it"
    )]
    PlainLdap { directory: String },
    #[error("choose a new password first: yours is still your login name")]
    MustChangePassword,
    #[error("there is no account '{login}'")]
    NoAccount { login: String },
    #[error("this account can no longer sign in")]
    AccountGone,

    // Permissions.
    #[error("only an SDAdmin may {}", task.english())]
    AdminOnly { task: AdminTask },
    #[error("only an SDAdmin or SDSiteAdmin may {} technicians", verb.english())]
    AdminsOnly { verb: Verb },
    #[error(
        "only an SDAdmin or SDSiteAdmin may update technicians through the API; engineers change their own contact methods in the console"
    )]
    ApiUpdateAdminsOnly,
    #[error(
        "only an SDAdmin or SDSiteAdmin may update technicians; engineers may change their own contact methods"
    )]
    ContactsOnly,
    #[error("'{name}' is an SDAdmin; only an SDAdmin may {} an SDAdmin", verb.english())]
    ProtectedAdmin { name: String, verb: Verb },
    #[error(
        "'{name}' belongs to sites outside yours; an SDSiteAdmin may {} only technicians wholly within its sites",
        verb.english()
    )]
    OutsideSites { name: String, verb: Verb },
    #[error(
        "an SDSiteAdmin may add technicians only to its own sites (site, associated sites and groups)"
    )]
    AddOutsideSites,
    #[error(
        "an SDSiteAdmin may place technicians only within its own sites (site, associated sites and groups)"
    )]
    PlaceOutsideSites,
    #[error(
        "'{name}' is the last SDAdmin and cannot be deleted; grant SDAdmin to someone else first"
    )]
    LastAdminDelete { name: String },
    #[error("'{name}' is the last SDAdmin; grant SDAdmin to someone else first")]
    LastAdmin { name: String },
    #[error("only the operator may name a server variable or allow plain LDAP")]
    OperatorOnly,

    // Finding things.
    #[error("There is no technician with id {id}.")]
    NoTechnicianWithId { id: i64 },
    #[error("No technician matches {target}.")]
    NoTechnicianMatches { target: TechnicianRef },
    #[error(
        "More than one technician has the {criterion}; name the technician by login name or id instead. Nothing was changed."
    )]
    Ambiguous { criterion: Criterion },
    #[error("there is no site named '{site}'")]
    NoSite { site: String },
    #[error("there is no directory named '{name}'")]
    NoDirectory { name: String },
    #[error("the directory '{name}' was removed meanwhile")]
    DirectoryRemoved { name: String },
    #[error("no directory is configured yet, so there is nothing to synchronize")]
    NoDirectoryConfigured,
    #[error("no sync {run}")]
    NoSync { run: i64 },
    #[error("there is no notification {id} made with this key")]
    NoNotification { id: i64 },
    #[error("there is no live API key named '{name}'")]
    NoApiKey { name: String },
    #[error("no delivery {id}")]
    NoDelivery { id: i64 },
    #[error(
        "there is no such import: uploads are kept a day, for the administrator who made them"
    )]
    NoSuchImport,
    #[error("no drill {id}")]
    NoDrill { id: i64 },
    #[error("there is no such site or group")]
    NoSuchPlace,
    #[error("{place} had a drill less than an hour ago; try again in {minutes} minutes")]
    DrillTooSoon { place: String, minutes: i64 },
    #[error("a drill of {place} would send {messages} messages; one drill sends at most {max}: choose a group")]
    DrillTooLarge {
        place: String,
        messages: usize,
        max: usize,
    },
    #[error("nobody in {place} can be reached on any channel: there is nothing to drill")]
    DrillReachesNobody { place: String },
    #[error(
        "this import is not waiting to be applied: it is applied, being applied, or was refused"
    )]
    ImportNotWaiting,
    #[error("only the administrator who uploaded this file may apply it")]
    ImportNotYours,

    // Conflicts.
    #[error(
        "'{name}' was changed by someone else after you opened it. Reload to see the current values; nothing was saved."
    )]
    StaleEdit { name: String },
    #[error(
        "'{name}' was changed by someone else after you opened it. Reload and try again; nothing was deleted."
    )]
    StaleDelete { name: String },
    #[error("The technician kept changing while this update was applied; try again.")]
    KeptChanging,
    #[error(
        "the contact methods changed while you were subscribing; nothing was sent, please try again"
    )]
    ContactsChanged,
    #[error("a directory named '{name}' already exists")]
    DirectoryExists { name: String },
    #[error("syncs are starting and ending faster than this one could begin; try again")]
    SyncRace,
    #[error("{detail}")]
    DirectoryFailed { detail: String },
    #[error("the notification is being created; ask again")]
    NotificationPending,
    #[error("an API key named '{name}' exists already; revoke it first or pick another name")]
    ApiKeyExists { name: String },
    #[error("delivery {id} is {status}, not dead: only a dead letter can be retried")]
    DeliveryNotDead { id: i64, status: String },
    #[error("delivery {id} cannot be retried: its engineer was deleted")]
    DeliveryOrphaned { id: i64 },
    #[error("delivery {id} was retried by someone else a moment ago")]
    DeliveryRetried { id: i64 },

    // Too soon.
    #[error(
        "a test was sent over {} moments ago; wait {seconds} s before sending another",
        channel.as_str()
    )]
    TestTooSoon { channel: Channel, seconds: i64 },
    #[error(
        "a confirmation was sent by {} moments ago; wait {seconds} s before sending another",
        confirmed_by(*channel)
    )]
    ConfirmationTooSoon { channel: Channel, seconds: i64 },
    #[error(
        "{count} confirmations were sent by {} in the last hour; try again later",
        confirmed_by(*channel)
    )]
    ConfirmationsPerHour { channel: Channel, count: i64 },
}

impl Refusal {
    /// A stable name of the refusal for programs (`stale_edit`, `admin_only`): the JSON API
    /// answers it beside the English text.
    pub fn code(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or_else(|e| {
            debug_assert!(false, "a refusal always serializes: {e}");
            serde_json::Value::Null
        });
        let name = match &value {
            serde_json::Value::String(name) => name.as_str(),
            serde_json::Value::Object(map) => map.keys().next().map_or("", String::as_str),
            _ => "",
        };
        super::problem::snake(name)
    }
}

/// How a confirmation went out, in English: by email, else by SMS (a voice subscription is
/// confirmed by SMS).
fn confirmed_by(channel: Channel) -> &'static str {
    if channel == Channel::Email {
        "email"
    } else {
        "SMS"
    }
}

/// Every variant once, with sample values: the translation test renders each.
#[cfg(test)]
pub fn samples() -> Vec<Refusal> {
    use Refusal as R;
    let s = |t: &str| t.to_owned();
    let mut all = vec![
        R::WrongCredentials,
        R::AccountHeldBack { minutes: 15 },
        R::AddressThrottled { minutes: 5 },
        R::SignInBusy,
        R::DirectorySignInOff,
        R::DirectoryDown {
            directory: s("CORP"),
        },
        R::PlainLdap {
            directory: s("CORP"),
        },
        R::MustChangePassword,
        R::NoAccount { login: s("ada") },
        R::AccountGone,
        R::ApiUpdateAdminsOnly,
        R::ContactsOnly,
        R::AddOutsideSites,
        R::PlaceOutsideSites,
        R::LastAdminDelete { name: s("Ada") },
        R::LastAdmin { name: s("Ada") },
        R::OperatorOnly,
        R::NoTechnicianWithId { id: 7 },
        R::NoSite { site: s("Paris") },
        R::NoDirectory { name: s("CORP") },
        R::DirectoryRemoved { name: s("CORP") },
        R::NoDirectoryConfigured,
        R::NoSync { run: 3 },
        R::NoNotification { id: 9 },
        R::NoApiKey { name: s("ci") },
        R::NoDelivery { id: 4 },
        R::NoSuchImport,
        R::NoDrill { id: 5 },
        R::NoSuchPlace,
        R::DrillTooSoon {
            place: s("London"),
            minutes: 12,
        },
        R::DrillTooLarge {
            place: s("London"),
            messages: 2400,
            max: 2000,
        },
        R::DrillReachesNobody { place: s("London") },
        R::ImportNotWaiting,
        R::ImportNotYours,
        R::ImportNotYours,
        R::StaleEdit { name: s("Ada") },
        R::StaleDelete { name: s("Ada") },
        R::KeptChanging,
        R::ContactsChanged,
        R::DirectoryExists { name: s("CORP") },
        R::SyncRace,
        R::DirectoryFailed {
            detail: s("connection refused"),
        },
        R::NotificationPending,
        R::ApiKeyExists { name: s("ci") },
        R::DeliveryNotDead {
            id: 4,
            status: s("queued"),
        },
        R::DeliveryOrphaned { id: 4 },
        R::DeliveryRetried { id: 4 },
        R::TestTooSoon {
            channel: Channel::Sms,
            seconds: 30,
        },
        R::ConfirmationTooSoon {
            channel: Channel::Email,
            seconds: 30,
        },
        R::ConfirmationsPerHour {
            channel: Channel::Sms,
            count: 5,
        },
    ];
    all.extend(AdminTask::ALL.map(|task| R::AdminOnly { task }));
    for verb in Verb::ALL {
        all.push(R::AdminsOnly { verb });
        all.push(R::ProtectedAdmin {
            name: s("Ada"),
            verb,
        });
        all.push(R::OutsideSites {
            name: s("Ada"),
            verb,
        });
    }
    for criterion in [
        Criterion::Login {
            name: s("ada"),
            domain: String::new(),
        },
        Criterion::Login {
            name: s("ada"),
            domain: s("CORP"),
        },
        Criterion::Email(s("ada@example.com")),
        Criterion::Name(s("Ada")),
        Criterion::Id(7),
    ] {
        all.push(R::Ambiguous { criterion });
    }
    all.push(R::NoTechnicianMatches {
        target: TechnicianRef::by_id(7),
    });
    all
}
