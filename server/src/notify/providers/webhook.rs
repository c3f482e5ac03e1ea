//! Signed webhooks: any https address the allowlist admits, posted a JSON body signed with
//! the contact point's own secret, so the receiver can tell the message is Crewdesk's:
//!
//! - `X-Crewdesk-Signature: sha256=HEX`: HMAC-SHA256 of the raw body under the secret;
//! - `X-Crewdesk-Timestamp`: seconds since 1970, also inside the signed body;
//! - `Idempotency-Key`: the delivery's key, the same on every retry, also in the body.
//!
//! 2xx is delivered, 429 and 5xx are tried again, any other answer is final.

use super::robot::{webhook, HttpAnswer};
use super::{Message, Provider, Reach};
use crate::notify::outbound::Outbound;
use app::service::outbox::Outcome;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

#[derive(Debug)]
pub struct Webhook {
    http: Outbound,
}

impl Webhook {
    pub fn new(http: Outbound) -> Self {
        Self { http }
    }
}

/// The raw body: what is signed is exactly what is sent.
pub fn body(message: &Message<'_>) -> Vec<u8> {
    let value = json!({
        "text": message.text,
        "kind": message.claimed.kind,
        "idempotency_key": message.claimed.idempotency_key,
        "timestamp": message.now_ms / 1000,
    });
    value.to_string().into_bytes()
}

/// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this never fails.
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[async_trait::async_trait]
impl Provider for Webhook {
    fn reach(&self) -> Reach {
        Reach::ContactPoint
    }

    async fn send(&self, message: &Message<'_>) -> Outcome {
        let url = match webhook(&self.http, message) {
            Ok(url) => url,
            Err(refused) => return refused,
        };
        let Some(secret) = message.secret else {
            return Outcome::Failed("the webhook has no signing secret".into());
        };
        let body = body(message);
        let request = self
            .http
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("x-crewdesk-signature", signature(secret, &body))
            .header("x-crewdesk-timestamp", (message.now_ms / 1000).to_string())
            .header("idempotency-key", message.claimed.idempotency_key.as_str())
            .body(body);
        match HttpAnswer::send(request).await {
            Ok(answer) => answer.by_status(),
            Err(retry) => retry,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_documented_hmac_of_the_raw_body() {
        // `printf '{"a":1}' | openssl dgst -sha256 -hmac s3cret`
        assert_eq!(
            signature("s3cret", br#"{"a":1}"#),
            "sha256=5910e62016ef5034272c926c27071992a465c2335cecf41851bda071577f4f6d"
        );
    }
}
