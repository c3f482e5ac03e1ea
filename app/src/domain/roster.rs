//! The engineer table: what a query asks for and what one line shows.

use super::channel::Channel;
use serde::{Deserialize, Serialize};

/// A site, for lists and filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    pub id: i64,
    pub name: String,
    /// What messages to its engineers are written in, unless they chose; `None`: English.
    #[serde(default)]
    pub language: Option<crate::i18n::Lang>,
}

/// The state of one confirmable method (SMS, voice, email) as the table shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SubState {
    #[default]
    Unsubscribed,
    Pending,
    Confirmed,
    Expired,
}

impl SubState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unsubscribed => "unsubscribed",
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Expired => "expired",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "unsubscribed" => Some(Self::Unsubscribed),
            "pending" => Some(Self::Pending),
            "confirmed" => Some(Self::Confirmed),
            "expired" => Some(Self::Expired),
            _ => None,
        }
    }
}

/// Every channel of one engineer at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Channels {
    pub sms: SubState,
    pub voice: SubState,
    pub email: SubState,
    /// The contact-point channels that have an address.
    pub points: Vec<Channel>,
    /// The channels whose contact delivery found failing (`contact_health`).
    pub failing: Vec<Channel>,
}

impl Channels {
    /// Sets the state of one confirmable method, named as stored (`sms`, `voice`, `email`).
    pub fn record(&mut self, method: &str, state: SubState) {
        match method {
            "sms" => self.sms = state,
            "voice" => self.voice = state,
            "email" => self.email = state,
            _ => {}
        }
    }
}

/// The beta channels an SDAdmin has switched on (SPEC §4).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BetaChannels(pub Vec<Channel>);

impl BetaChannels {
    /// Whether `channel` may be used: it is not a beta channel, or it is switched on.
    pub fn is_on(&self, channel: Channel) -> bool {
        !channel.is_beta() || self.0.contains(&channel)
    }
}

/// One line of the engineer table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechnicianRow {
    pub id: i64,
    pub version: i64,
    pub name: String,
    pub alias: Option<String>,
    pub login_name: Option<String>,
    pub site: Option<String>,
    pub department: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub channels: Channels,
    /// The viewer may edit every field and delete this engineer.
    pub manageable: bool,
    /// This line is the viewer.
    pub is_self: bool,
    /// The directory it came from, and whether that directory no longer lists it.
    pub directory: Option<String>,
    pub missing: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SortKey {
    #[default]
    Name,
    Login,
    Site,
    Updated,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [Self::Name, Self::Login, Self::Site, Self::Updated];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Login => "login",
            Self::Site => "site",
            Self::Updated => "updated",
        }
    }

    /// Unknown keys sort by name: a hand-edited URL still shows the table.
    pub fn parse(raw: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .unwrap_or_default()
    }
}

/// The longest search that is looked for; the rest of a longer one is dropped.
pub const MAX_SEARCH_CHARS: usize = 200;

/// What a typed search looks for: trimmed, without control characters (a NUL is refused
/// by PostgreSQL's text), and at most [`MAX_SEARCH_CHARS`] characters.
pub fn search_terms(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_control())
        .take(MAX_SEARCH_CHARS)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// Matched against name, alias, login, email and mobile, ignoring case.
    pub search: String,
    /// A site id, `none` (not associated) or empty (any).
    pub site: String,
    /// `SDAdmin`, `SDSiteAdmin`, `none` or empty (any).
    pub role: String,
    /// A `SubState` name (some confirmable method is in that state) or empty (any).
    pub state: String,
    /// `synced` (from a directory, still listed there), `missing` (flagged: gone from its
    /// directory) or empty (any).
    pub directory: String,
    pub sort: SortKey,
    pub descending: bool,
    /// 1-based. With a cursor it only names the page; the cursor says where it starts.
    pub page: u32,
    pub per_page: u32,
    /// The page starts after this row of the sort (`Page::next_cursor` of the page before):
    /// the page is then read from the sort's index at that point, however deep it is.
    pub after: String,
    /// The page ends before this row of the sort (`Page::prev_cursor` of the page after).
    pub before: String,
}

impl ListQuery {
    /// The view an address names, by the roster page's own parameter names (`q`, `site`,
    /// `role`, `state`, `dir`, `sort`, `desc=1`); the export and the API read the same.
    pub fn from_params(param: impl Fn(&str) -> String) -> Self {
        Self {
            search: param("q"),
            site: param("site"),
            role: param("role"),
            state: param("state"),
            directory: param("dir"),
            sort: SortKey::parse(&param("sort")),
            descending: param("desc") == "1",
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub rows: Vec<TechnicianRow>,
    /// How many engineers match; when `total_is_floor`, at least this many (counting stops
    /// at a cap, so a page view never counts a whole large roster).
    pub total: i64,
    pub total_is_floor: bool,
    /// Whether a page follows this one.
    pub has_next: bool,
    /// Where the next page starts (`ListQuery::after`), when one follows.
    pub next_cursor: Option<String>,
    /// Where the page before ends (`ListQuery::before`), when this is not the first.
    pub prev_cursor: Option<String>,
    pub page: u32,
    pub per_page: u32,
    pub beta: BetaChannels,
}

/// A notification method that needs the engineer's confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    Sms,
    Voice,
    Email,
}

impl Method {
    pub const ALL: [Method; 3] = [Self::Sms, Self::Voice, Self::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Voice => "voice",
            Self::Email => "email",
        }
    }

    /// The channel the method sends over.
    pub fn channel(self) -> super::Channel {
        match self {
            Self::Sms => super::Channel::Sms,
            Self::Voice => super::Channel::Voice,
            Self::Email => super::Channel::Email,
        }
    }
}

/// Why a method cannot be picked in the Subscribe dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unavailable {
    NeedsMobile,
    NeedsEmail,
    BetaOff,
    AlreadyConfirmed,
    /// The number replied STOP and has not replied START since.
    RepliedStop,
}

impl Unavailable {
    pub const ALL: [Unavailable; 5] = [
        Self::NeedsMobile,
        Self::NeedsEmail,
        Self::BetaOff,
        Self::AlreadyConfirmed,
        Self::RepliedStop,
    ];

    pub fn describe(self) -> &'static str {
        match self {
            Self::NeedsMobile => "it needs a mobile number",
            Self::NeedsEmail => "it needs an email address",
            Self::BetaOff => "it is a beta channel that is switched off",
            Self::AlreadyConfirmed => "it is already confirmed",
            Self::RepliedStop => "the number replied STOP; it must reply START first",
        }
    }
}

/// Why a channel cannot be used for an engineer now (a test notification, the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unusable {
    NotConfirmed,
    NoWebhook,
    BetaOff,
}

impl Unusable {
    pub const ALL: [Unusable; 3] = [Self::NotConfirmed, Self::NoWebhook, Self::BetaOff];

    pub fn describe(self) -> &'static str {
        match self {
            Self::NotConfirmed => "the subscription is not confirmed",
            Self::NoWebhook => "no webhook is configured",
            Self::BetaOff => "this beta channel is switched off in Settings",
        }
    }
}

/// One line of the Subscribe dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodOption {
    pub method: Method,
    pub state: SubState,
    pub unavailable: Option<Unavailable>,
}

/// What the Subscribe dialog shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeView {
    pub id: i64,
    pub name: String,
    pub options: Vec<MethodOption>,
    /// The engineer's consent ledger, newest first, at most [`HISTORY_SHOWN`] steps.
    pub history: Vec<ConsentStep>,
}

/// How many steps of an engineer's consent ledger the Subscribe dialog shows.
pub const HISTORY_SHOWN: i64 = 20;

/// One step of an engineer's consent ledger as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentStep {
    /// `YYYY-MM-DD HH:MM:SS`, UTC.
    pub at: String,
    pub method: String,
    pub address: String,
    /// `requested`, `confirmed`, `cancelled`, `expired`, `stop`, `start`.
    pub event: String,
    /// `console`, `api`, `xml`, `cli`, `link`, `reply`, `contact changed`, `link unused`.
    pub how: String,
    pub actor: String,
}

impl SubscribeView {
    /// The row's Subscribe button is off when nothing is left to subscribe.
    pub fn anything_to_subscribe(&self) -> bool {
        any_available(&self.options)
    }
}

/// Whether any option can still be picked.
pub fn any_available(options: &[MethodOption]) -> bool {
    options.iter().any(|o| o.unavailable.is_none())
}

/// The options for one engineer: a confirmed method is shown and disabled; a method whose
/// contact is missing, or a beta channel that is off, is disabled with the reason.
pub fn method_options(
    channels: &Channels,
    has_mobile: bool,
    has_email: bool,
    beta: &BetaChannels,
) -> Vec<MethodOption> {
    Method::ALL
        .into_iter()
        .map(|method| {
            let (state, needs) = match method {
                Method::Sms => (
                    channels.sms,
                    (!has_mobile).then_some(Unavailable::NeedsMobile),
                ),
                Method::Voice => (
                    channels.voice,
                    if !beta.is_on(Channel::Voice) {
                        Some(Unavailable::BetaOff)
                    } else {
                        (!has_mobile).then_some(Unavailable::NeedsMobile)
                    },
                ),
                Method::Email => (
                    channels.email,
                    (!has_email).then_some(Unavailable::NeedsEmail),
                ),
            };
            let unavailable = if state == SubState::Confirmed {
                Some(Unavailable::AlreadyConfirmed)
            } else {
                needs
            };
            MethodOption {
                method,
                state,
                unavailable,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmed_missing_contact_and_beta_off_methods_are_disabled() {
        let channels = Channels {
            sms: SubState::Confirmed,
            ..Channels::default()
        };
        let options = method_options(&channels, true, false, &BetaChannels::default());
        let reasons: Vec<_> = options.iter().map(|o| o.unavailable).collect();
        assert_eq!(
            reasons,
            [
                Some(Unavailable::AlreadyConfirmed),
                Some(Unavailable::BetaOff),
                Some(Unavailable::NeedsEmail)
            ]
        );
    }

    #[test]
    fn nothing_is_left_to_subscribe_when_every_usable_method_is_confirmed() {
        let channels = Channels {
            sms: SubState::Confirmed,
            email: SubState::Confirmed,
            ..Channels::default()
        };
        let view = |beta: BetaChannels| SubscribeView {
            id: 1,
            name: "A".into(),
            options: method_options(&channels, true, true, &beta),
            history: Vec::new(),
        };
        assert!(!view(BetaChannels::default()).anything_to_subscribe());
        let voice_on = BetaChannels(vec![Channel::Voice]);
        assert!(view(voice_on).anything_to_subscribe());
    }
}
