//! Slack incoming webhooks: `{"text": …}` posted to `https://hooks.slack.com/services/…`.
//! Slack answers `ok` with 200, a code word with a 4xx when it refuses for good
//! (`invalid_token`, `channel_not_found`, …), and 429 with `Retry-After` when busy; one
//! message a second per webhook.

use super::robot::post_json;
use super::{Message, Provider, Reach};
use crate::notify::outbound::Outbound;
use app::service::outbox::{Outcome, RobotLimit};
use serde_json::json;

#[derive(Debug)]
pub struct Slack {
    http: Outbound,
}

impl Slack {
    pub fn new(http: Outbound) -> Self {
        Self { http }
    }
}

/// The body Slack documents for a plain message.
pub fn body(text: &str) -> serde_json::Value {
    json!({ "text": text })
}

#[async_trait::async_trait]
impl Provider for Slack {
    fn reach(&self) -> Reach {
        Reach::ContactPoint
    }

    fn limit(&self) -> Option<RobotLimit> {
        Some(RobotLimit {
            per_minute: 60,
            per_second: Some(1),
        })
    }

    async fn send(&self, message: &Message<'_>) -> Outcome {
        post_json(&self.http, message, &body(message.text)).await
    }
}
