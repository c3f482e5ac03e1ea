//! Signed webhooks: an address under one of the operator's `--signed-webhook-allow`
//! prefixes (and nowhere else: neither the chat robots' hosts nor `--webhook-allow` take
//! one), posted a JSON body signed with the contact point's own secret, so the receiver can
//! tell the message is Crewdesk's:
//!
//! - `X-Crewdesk-Signature: sha256=HEX`: HMAC-SHA256 of the raw body under the secret;
//! - `X-Crewdesk-Timestamp`: seconds since 1970, also inside the signed body;
//! - `Idempotency-Key`: the delivery's key, the same on every retry, also in the body.
//!
//! 2xx is delivered, 429 and 5xx are tried again, any other answer is final.

use super::robot::HttpAnswer;
use super::{Message, Provider, Reach};
use crate::notify::outbound::{Allowlist, Outbound};
use crate::notify::NotifySettings;
use app::domain::{parse_address, Channel, WebhookHosts};
use app::service::outbox::{Outcome, RobotLimit};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

#[derive(Debug)]
pub struct Webhook {
    /// A client of its own: its allowlist (and the private addresses it may reach) is the
    /// operator's signed-webhook entries only.
    http: Outbound,
    hosts: WebhookHosts,
}

impl Webhook {
    pub fn new(settings: &NotifySettings) -> anyhow::Result<Self> {
        let hosts = WebhookHosts::default()
            .with_signed(&settings.signed_webhook_allow)
            .map_err(|e| anyhow::anyhow!(e))?;
        let http = Outbound::new(Allowlist::of(hosts.signed_origins()), settings.http_timeout)?;
        Ok(Self { http, hosts })
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

    /// A receiver is somebody's own server: a steady pace, never a flood.
    fn limit(&self) -> Option<RobotLimit> {
        Some(RobotLimit {
            per_minute: 60,
            per_second: Some(5),
        })
    }

    async fn send(&self, message: &Message<'_>) -> Outcome {
        // The rule the address was saved by, again: the operator may have narrowed it since.
        if let Err(refused) = parse_address(Channel::Webhook, message.address, &self.hosts) {
            return Outcome::Refused(format!("the address {refused}"));
        }
        let url = match self.http.target(message.address) {
            Ok(url) => url,
            Err(refused) => return Outcome::Refused(refused),
        };
        let Some(secret) = message.secret else {
            return Outcome::Refused("the webhook has no signing secret".into());
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
