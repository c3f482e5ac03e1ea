//! The delivery log (SPEC §3 "Deliveries"): every delivery of the outbox with its attempts
//! and the providers' answers, filtered by state, and the dead letters an SDAdmin may retry.

use serde::{Deserialize, Serialize};

/// The states the log filters by; `Pending` gathers queued, sending and retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum DeliveryFilter {
    #[default]
    All,
    Pending,
    Dead,
    Delivered,
    Cancelled,
}

impl DeliveryFilter {
    pub const ALL: [DeliveryFilter; 5] = [
        Self::All,
        Self::Pending,
        Self::Dead,
        Self::Delivered,
        Self::Cancelled,
    ];

    /// Anything unknown is `All`: a filter is a view, not an input that can be wrong.
    pub fn parse(raw: &str) -> Self {
        match raw {
            "pending" => Self::Pending,
            "dead" => Self::Dead,
            "delivered" => Self::Delivered,
            "cancelled" => Self::Cancelled,
            _ => Self::All,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "",
            Self::Pending => "pending",
            Self::Dead => "dead",
            Self::Delivered => "delivered",
            Self::Cancelled => "cancelled",
        }
    }

    /// The stored states this filter shows.
    pub fn statuses(self) -> &'static [&'static str] {
        match self {
            Self::All => &[
                "queued",
                "sending",
                "retrying",
                "dead",
                "delivered",
                "cancelled",
            ],
            Self::Pending => &["queued", "sending", "retrying"],
            Self::Dead => &["dead"],
            Self::Delivered => &["delivered"],
            Self::Cancelled => &["cancelled"],
        }
    }

    /// The address of page `page` of this filter.
    pub fn link(self, page: u32) -> String {
        match (self, page) {
            (Self::All, p) if p <= 1 => "/deliveries".to_owned(),
            (Self::All, p) => format!("/deliveries?page={p}"),
            (f, p) if p <= 1 => format!("/deliveries?status={}", f.as_str()),
            (f, p) => format!("/deliveries?status={}&page={p}", f.as_str()),
        }
    }
}

/// One attempt as the provider answered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptRow {
    pub attempt: i64,
    /// `YYYY-MM-DD HH:MM:SS`, UTC.
    pub at: String,
    /// `delivered`, `captured`, `retry`, `failed`, `dead` or `cancelled`.
    pub outcome: String,
    pub answer: String,
    pub worker: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: i64,
    /// When it was queued, UTC.
    pub queued_at: String,
    /// The engineer's name; `None` once the engineer was deleted.
    pub engineer: Option<String>,
    pub channel: String,
    /// The number, the address or the masked robot.
    pub recipient: String,
    /// `confirmation`, `test` or `api`.
    pub kind: String,
    /// `queued`, `sending`, `retrying`, `delivered`, `dead` or `cancelled`.
    pub status: String,
    pub attempts: i64,
    /// When the next attempt is due, for queued and retrying deliveries.
    pub next_attempt_at: Option<String>,
    pub last_answer: Option<String>,
    /// Newest first, at most [`ATTEMPTS_SHOWN`].
    pub attempt_log: Vec<AttemptRow>,
}

/// How many attempts of one delivery the log shows.
pub const ATTEMPTS_SHOWN: usize = 20;

impl DeliveryRow {
    /// Only a dead letter may be retried by hand; anything else is still on its way or ended
    /// for a reason a retry cannot change.
    pub fn retryable(&self) -> bool {
        self.status == "dead"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryPage {
    pub filter: DeliveryFilter,
    /// How many deliveries each filter shows, in the order of [`DeliveryFilter::ALL`].
    pub counts: Vec<(DeliveryFilter, i64)>,
    pub rows: Vec<DeliveryRow>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filter_reads_back_from_its_link() {
        for filter in DeliveryFilter::ALL {
            assert_eq!(DeliveryFilter::parse(filter.as_str()), filter);
            let link = filter.link(3);
            let status = link
                .split(['?', '&'])
                .find_map(|p| p.strip_prefix("status="))
                .unwrap_or("");
            assert_eq!(DeliveryFilter::parse(status), filter, "{link}");
            assert!(link.ends_with("page=3"), "{link}");
        }
        assert_eq!(DeliveryFilter::All.link(1), "/deliveries");
    }

    #[test]
    fn unknown_filters_show_everything() {
        for raw in ["", "DEAD", "queued", "x'; drop table deliveries; --", "é"] {
            assert_eq!(DeliveryFilter::parse(raw), DeliveryFilter::All, "{raw}");
        }
    }
}
