//! Microsoft Teams workflow webhooks (Power Automate "Post to a channel when a webhook
//! request is received"): the message is the Adaptive Card Teams documents for webhooks,
//! wrapped in a `message` with one attachment. A workflow answers 202 once it has taken the
//! request.

use super::robot::post_json;
use super::{Message, Provider, Reach};
use crate::notify::outbound::Outbound;
use app::service::outbox::{Outcome, RobotLimit};
use serde_json::json;

#[derive(Debug)]
pub struct Teams {
    http: Outbound,
}

impl Teams {
    pub fn new(http: Outbound) -> Self {
        Self { http }
    }
}

/// One text block, wrapped, in an Adaptive Card 1.2 attachment.
pub fn body(text: &str) -> serde_json::Value {
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.2",
                "body": [{ "type": "TextBlock", "text": text, "wrap": true }]
            }
        }]
    })
}

#[async_trait::async_trait]
impl Provider for Teams {
    fn reach(&self) -> Reach {
        Reach::ContactPoint
    }

    fn limit(&self) -> Option<RobotLimit> {
        Some(RobotLimit {
            per_minute: 60,
            per_second: Some(4),
        })
    }

    async fn send(&self, message: &Message<'_>) -> Outcome {
        post_json(&self.http, message, &body(message.text)).await
    }
}
