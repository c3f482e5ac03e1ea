//! DingTalk (钉钉) group robots: `{"msgtype":"text",…}` to the webhook, signed in its query
//! when the robot has a secret; 20 a minute.

use super::robot::{hmac_base64, post, webhook, Reading};
use super::{Message, Provider, Reach};
use crate::notify::outbound::Outbound;
use app::service::outbox::{Outcome, RobotLimit};
use reqwest::Url;
use serde_json::json;

/// Code 130101: over 20 a minute.
const READING: Reading = Reading {
    code_field: "errcode",
    later: &[130_101],
    later_ms: 60_000,
    // 300001 and 300005: no such robot (its token is gone). 310000 (signature, keyword,
    // address or clock refused) may be about one message or our clock: not the robot's end.
    gone: &[300_001, 300_005],
};

#[derive(Debug)]
pub struct DingTalk {
    http: Outbound,
}

impl DingTalk {
    pub fn new(http: Outbound) -> Self {
        Self { http }
    }
}

/// `sign` = base64(HMAC-SHA256(secret, "{ms}\n{secret}")).
pub fn sign(secret: &str, timestamp_ms: i64) -> String {
    hmac_base64(
        secret.as_bytes(),
        format!("{timestamp_ms}\n{secret}").as_bytes(),
    )
}

/// The webhook with its signature added to the query once: `append_pair` percent-encodes
/// it, and nothing else does.
fn signed(mut url: Url, secret: Option<&str>, now_ms: i64) -> Url {
    if let Some(secret) = secret {
        let sign = sign(secret, now_ms);
        url.query_pairs_mut()
            .append_pair("timestamp", &now_ms.to_string())
            .append_pair("sign", &sign);
    }
    url
}

#[async_trait::async_trait]
impl Provider for DingTalk {
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
        let url = signed(url, message.secret, message.now_ms);
        let body = json!({"msgtype": "text", "text": {"content": message.text}});
        post(&self.http, url, &body, READING).await
    }
}

#[cfg(test)]
mod tests {
    use super::super::robot::outcome;
    use super::*;

    #[test]
    fn dingtalk_is_signed_with_the_documented_recipe_and_encoded_once() {
        // Computed independently, with a timestamp whose signature holds `+` and `/`:
        // `printf '1700000000011\nSECabc' | openssl dgst -sha256 -hmac SECabc -binary | base64`.
        assert_eq!(
            sign("SECabc", 1_700_000_000_011),
            "xExLZuBAxaIrop0wGL20/+du634TRY5oq4uQ3Y9B5rw="
        );
        let url = Url::parse("https://oapi.dingtalk.com/robot/send?access_token=t").unwrap();
        let url = signed(url, Some("SECabc"), 1_700_000_000_011);
        let query = url.query().unwrap();
        assert!(
            query.contains("sign=xExLZuBAxaIrop0wGL20%2F%2Bdu634TRY5oq4uQ3Y9B5rw%3D"),
            "{query}"
        );
        assert!(!query.contains("%25"), "encoded twice: {query}");
    }

    #[test]
    fn a_robot_that_is_gone_is_failing_a_refused_message_is_not_and_the_limit_is_later() {
        let bad_sign = outcome(
            READING,
            200,
            r#"{"errcode":310000,"errmsg":"sign not match"}"#,
            None,
        );
        // A signature or keyword refused may be about this message or our clock.
        assert!(matches!(bad_sign, Outcome::Failed(_)));
        let no_token = outcome(
            READING,
            200,
            r#"{"errcode":300005,"errmsg":"token is not exist"}"#,
            None,
        );
        assert!(matches!(no_token, Outcome::Refused(_)));
        let too_long = outcome(
            READING,
            200,
            r#"{"errcode":460101,"errmsg":"message too long"}"#,
            None,
        );
        assert!(matches!(too_long, Outcome::Failed(_)));
        let busy = outcome(
            READING,
            200,
            r#"{"errcode":130101,"errmsg":"send too fast"}"#,
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
