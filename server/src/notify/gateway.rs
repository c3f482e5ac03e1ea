//! The SMS and voice gateway of SPEC §4: `POST` JSON with a bearer token; 2xx accepted,
//! 429 or 5xx later (honouring `Retry-After`), any other 4xx refused for good.

use super::outbound::{read_answer, retry_after_ms, Outbound};
use app::service::outbox::{Claimed, Outcome};
use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

#[derive(Debug, Clone)]
pub struct Gateway {
    pub url: Url,
    pub token: Option<SecretString>,
}

impl Gateway {
    pub async fn send(&self, http: &Outbound, claimed: &Claimed, text: &str) -> Outcome {
        let body = json!({
            "to": claimed.recipient,
            "channel": claimed.channel.as_str(),
            "text": text,
            "idempotency_key": claimed.idempotency_key,
        });
        let mut request = http.client.post(self.url.clone()).json(&body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose_secret());
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let after = retry_after_ms(response.headers());
                let answer = format!("HTTP {status} {}", read_answer(response).await.trim());
                match status {
                    200..=299 => Outcome::Delivered(answer),
                    429 | 500..=599 => Outcome::Retry {
                        answer,
                        after_ms: after,
                    },
                    _ => Outcome::Failed(answer),
                }
            }
            Err(e) => Outcome::Retry {
                answer: super::describe(&e),
                after_ms: None,
            },
        }
    }
}
