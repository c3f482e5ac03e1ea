//! Whether engineers can be reached: contacts delivery found failing, and the reachability
//! view's counts per site and group.

use super::Channel;
use serde::{Deserialize, Serialize};

/// A contact delivery found failing: since when (UTC) and what the provider answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactHealth {
    pub channel: Channel,
    /// `YYYY-MM-DD HH:MM:SS`, UTC.
    pub since: String,
    pub answer: String,
}

/// What the reachability view shows: one site or group, or all of them; one channel or all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachQuery {
    pub site: Option<i64>,
    pub group: Option<i64>,
    pub channel: Option<Channel>,
}

impl ReachQuery {
    /// From the page's address; anything that does not parse is no filter.
    pub fn parse(site: &str, group: &str, channel: &str) -> Self {
        Self {
            site: site.trim().parse().ok(),
            group: group.trim().parse().ok(),
            channel: Channel::parse(channel.trim()),
        }
    }
}

/// Whether a row is a site or a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlaceKind {
    Site,
    Group,
}

/// How many engineers of one site or group can be reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachRow {
    pub kind: PlaceKind,
    pub id: i64,
    pub name: String,
    /// The group's site, for a group.
    pub site: Option<String>,
    pub engineers: i64,
    /// Reachable on every channel they have set up (or, for one channel, on it).
    pub reachable: i64,
    /// Reachable on some, but a channel they set up is failing, unconfirmed or unproven (or,
    /// for one channel: set up on it, but not reachable there).
    pub partly: i64,
    /// Reachable on none (or, for one channel, not on it).
    pub unreachable: i64,
    /// Engineers reachable on each channel, in the order of [`ReachView::channels`].
    pub by_channel: Vec<i64>,
    /// Nobody here can be reached by SMS or voice.
    pub no_phone: bool,
}

/// An engineer nobody can reach (on the chosen channel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreachable {
    pub id: i64,
    pub name: String,
    pub site: Option<String>,
    /// Why, per channel set up.
    pub why: Vec<(Channel, Standing)>,
}

/// Where an engineer stands on one channel they set up, as the unreachable list says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Confirmed (and reaching them, on a channel other than the one chosen).
    Confirmed,
    /// Asked to confirm, not yet confirmed.
    Pending,
    /// The confirmation link expired unused.
    Expired,
    /// A robot that has not delivered lately.
    Unproven,
    /// Delivery found the contact failing.
    Failing,
}

impl Standing {
    /// The snapshot's code for it (0 is "nothing to say").
    pub const fn code(self) -> u8 {
        match self {
            Self::Unproven => 1,
            Self::Expired => 2,
            Self::Pending => 3,
            Self::Confirmed => 4,
            Self::Failing => 5,
        }
    }

    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Unproven),
            2 => Some(Self::Expired),
            3 => Some(Self::Pending),
            4 => Some(Self::Confirmed),
            5 => Some(Self::Failing),
            _ => None,
        }
    }
}

/// A site or group the filters may name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachView {
    pub query: ReachQuery,
    /// The channels counted: every one switched on.
    pub channels: Vec<Channel>,
    pub rows: Vec<ReachRow>,
    /// At most [`UNREACHABLE_SHOWN`], by name.
    pub unreachable: Vec<Unreachable>,
    pub unreachable_total: i64,
    pub sites: Vec<Place>,
    pub groups: Vec<Place>,
    /// When the counts were read, `YYYY-MM-DD HH:MM:SS` UTC.
    pub as_of: String,
    /// Whether the viewer may start drills (an SDAdmin).
    pub can_drill: bool,
    /// The latest drills, newest first.
    pub drills: Vec<super::DrillSummary>,
}

/// How many unreachable engineers the view lists by name.
pub const UNREACHABLE_SHOWN: usize = 200;

/// A robot counts as reachable when a message got through within this long.
pub const ROBOT_PROVEN_MS: i64 = 30 * 24 * 60 * 60 * 1000;
