//! WeCom (企业微信) group robots: `{"msgtype":"text",…}` to the webhook; 20 a minute.

use super::robot::{post, webhook, Reading};
use super::{Message, Provider, Reach};
use crate::notify::outbound::Outbound;
use app::service::outbox::{Outcome, RobotLimit};
use serde_json::json;

/// Code 45009 is the frequency limit, -1 "busy": both later.
const READING: Reading = Reading {
    code_field: "errcode",
    later: &[45009, -1],
    later_ms: 60_000,
    // 93000: the webhook's key is invalid (the robot was removed).
    gone: &[93_000],
};

#[derive(Debug)]
pub struct WeCom {
    http: Outbound,
}

impl WeCom {
    pub fn new(http: Outbound) -> Self {
        Self { http }
    }
}

#[async_trait::async_trait]
impl Provider for WeCom {
    fn reach(&self) -> Reach {
        Reach::ContactPoint
    }

    fn limit(&self) -> Option<RobotLimit> {
        Some(RobotLimit {
            per_minute: 20,
            per_second: None,
        })
    }

    async fn send(&self, message: &Message<'_>) -> Outcome {
        let url = match webhook(&self.http, message) {
            Ok(url) => url,
            Err(refused) => return refused,
        };
        let body = json!({"msgtype": "text", "text": {"content": message.text}});
        post(&self.http, url, &body, READING).await
    }
}

#[cfg(test)]
mod tests {
    use super::super::robot::outcome;
    use super::*;

    #[test]
    fn the_body_decides_even_when_the_status_is_200() {
        let ok = outcome(READING, 200, r#"{"errcode":0,"errmsg":"ok"}"#, None);
        assert!(matches!(ok, Outcome::Delivered(_)));
        let busy = outcome(
            READING,
            200,
            r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#,
            None,
        );
        assert!(matches!(
            busy,
            Outcome::Retry {
                after_ms: Some(60_000),
                ..
            }
        ));
    }
}
