//! Reachability drills: a test message with an acknowledgement link to every engineer of a
//! site or group on each channel that reaches them, and who acknowledged, where, how fast.

use super::{Channel, PlaceKind};
use serde::{Deserialize, Serialize};

/// How long an acknowledgement link works.
pub const ACK_VALID_MS: i64 = 24 * 60 * 60 * 1000;
/// A place gets one drill at a time: another starts only this long after the last.
pub const DRILL_GAP_MS: i64 = 60 * 60 * 1000;
/// The most messages one drill sends.
pub const DRILL_MAX_MESSAGES: usize = 2_000;

/// One message of a drill as the drill page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillTarget {
    pub technician_id: Option<i64>,
    pub engineer: String,
    pub channel: Channel,
    /// The delivery's state: `queued`, `sending`, `retrying`, `delivered`, `dead`, `cancelled`.
    pub delivery: String,
    /// Seconds from the start of the drill to the acknowledgement.
    pub acked_after_s: Option<i64>,
}

impl DrillTarget {
    /// Delivered, never acknowledged: the channel reached a phone or a chat nobody reads.
    pub fn silent(&self) -> bool {
        self.delivery == "delivered" && self.acked_after_s.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillSummary {
    pub id: i64,
    pub kind: PlaceKind,
    pub place: String,
    pub started_by: String,
    /// `YYYY-MM-DD HH:MM:SS`, UTC.
    pub started_at: String,
    pub messages: i64,
    pub acknowledged: i64,
    /// Whether links still work.
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillView {
    pub summary: DrillSummary,
    /// By engineer, then channel.
    pub targets: Vec<DrillTarget>,
}

/// What an acknowledgement link leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ack {
    /// Waiting for the button (or just pressed).
    Open {
        name: String,
        channel: Channel,
    },
    Done {
        name: String,
        channel: Channel,
    },
    Expired,
    Unknown,
}
