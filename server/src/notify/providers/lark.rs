//! Lark / Feishu (飞书) group robots: `{"msg_type":"text",…}` to the webhook, with a
//! timestamp and signature in the body when the robot has a secret; 100 a minute, 5 a second.

use super::robot::{hmac_base64, post, webhook, Reading};
use super::{Message, Provider, Reach};
use crate::notify::outbound::Outbound;
use app::service::outbox::{Outcome, RobotLimit};
use serde_json::{json, Value};

/// Code 9499: too many requests (it arrives as HTTP 400).
const READING: Reading = Reading {
    code_field: "code",
    later: &[9499],
    later_ms: 1_000,
    // 19001: the webhook's token is invalid. A signature or timestamp refused (19021) or a
    // keyword missing (19024) may be about one message or our clock: not the robot's end.
    gone: &[19_001],
};

#[derive(Debug)]
pub struct Lark {
    http: Outbound,
}

impl Lark {
    pub fn new(http: Outbound) -> Self {
        Self { http }
    }
}

/// `sign` = base64(HMAC-SHA256(key = "{s}\n{secret}", message = empty)).
pub fn sign(secret: &str, timestamp_s: i64) -> String {
    hmac_base64(format!("{timestamp_s}\n{secret}").as_bytes(), b"")
}

fn body(text: &str, secret: Option<&str>, now_ms: i64) -> Value {
    let mut body = json!({"msg_type": "text", "content": {"text": text}});
    if let Some(secret) = secret {
        let seconds = now_ms / 1000;
        body["timestamp"] = json!(seconds.to_string());
        body["sign"] = json!(sign(secret, seconds));
    }
    body
}

#[async_trait::async_trait]
impl Provider for Lark {
    fn reach(&self) -> Reach {
        Reach::ContactPoint
    }

    fn limit(&self) -> Option<RobotLimit> {
        Some(RobotLimit {
            per_minute: 100,
            per_second: Some(5),
        })
    }

    async fn send(&self, message: &Message<'_>) -> Outcome {
        let url = match webhook(&self.http, message) {
            Ok(url) => url,
            Err(refused) => return refused,
        };
        let body = body(message.text, message.secret, message.now_ms);
        post(&self.http, url, &body, READING).await
    }
}

#[cfg(test)]
mod tests {
    use super::super::robot::outcome;
    use super::*;

    #[test]
    fn lark_is_signed_with_an_empty_message_keyed_by_time_and_secret() {
        // `printf '' | openssl dgst -sha256 -hmac "$(printf '1700000000\nabc')" -binary | base64`
        assert_eq!(
            sign("abc", 1_700_000_000),
            "VIS10b0EBvzzSdFnuk4tznEmK5wHaruvf/WnViv2yR4="
        );
        let body = body("hi", Some("abc"), 1_700_000_000_123);
        assert_eq!(body["timestamp"], "1700000000");
        assert_eq!(body["content"]["text"], "hi");
    }

    #[test]
    fn too_many_requests_is_later_even_as_a_400() {
        let busy = outcome(
            READING,
            400,
            r#"{"code":9499,"msg":"too many request"}"#,
            None,
        );
        assert!(matches!(
            busy,
            Outcome::Retry {
                after_ms: Some(1_000),
                ..
            }
        ));
        let ok = outcome(READING, 200, r#"{"code":0,"msg":"success"}"#, None);
        assert!(matches!(ok, Outcome::Delivered(_)));
    }
}
