//! The SMS and voice gateway of SPEC §4: `POST` JSON with a bearer token; 2xx accepted,
//! 429 or 5xx later (honouring `Retry-After`), 404, 410 or 422 a number that cannot be
//! reached (the engineer's SMS or voice is marked failing), any other 4xx refused for good.

use super::{Message, Provider};
use crate::notify::outbound::{read_answer, retry_after_ms};
use crate::notify::NotifySettings;
use app::service::outbox::Outcome;
use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

/// The operator's gateway, reached by a client of its own: any address the operator names
/// (http to a host on the premises too), no redirects, no proxy from the environment. The
/// robots' allowlist neither admits it nor is widened by it.
#[derive(Debug, Clone)]
pub struct Gateway {
    pub url: Url,
    pub token: Option<SecretString>,
    client: reqwest::Client,
}

impl Gateway {
    /// The gateway of `--sms-gateway-url`, if one is named.
    pub fn from_settings(settings: &NotifySettings) -> anyhow::Result<Option<Self>> {
        match &settings.sms_gateway_url {
            Some(raw) => Ok(Some(Self::new(
                raw,
                settings.sms_gateway_token.clone(),
                settings.http_timeout,
            )?)),
            None => Ok(None),
        }
    }

    pub fn new(
        raw: &str,
        token: Option<SecretString>,
        timeout: std::time::Duration,
    ) -> anyhow::Result<Self> {
        let url =
            Url::parse(raw).map_err(|e| anyhow::anyhow!("--sms-gateway-url is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            anyhow::bail!("--sms-gateway-url must be an http:// or https:// address");
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(timeout.min(std::time::Duration::from_secs(5)))
            .timeout(timeout)
            .user_agent(concat!("Crewdesk/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { url, token, client })
    }
}

#[async_trait::async_trait]
impl Provider for Gateway {
    async fn send(&self, message: &Message<'_>) -> Outcome {
        let (claimed, text) = (message.claimed, message.text);
        let body = json!({
            "to": message.address,
            "channel": claimed.channel.as_str(),
            "text": text,
            "idempotency_key": claimed.idempotency_key,
        });
        let mut request = self.client.post(self.url.clone()).json(&body);
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
                    // The number itself is refused (the gateway contract in the README); a
                    // 400 is about the request, not the number.
                    404 | 410 | 422 => Outcome::Refused(answer),
                    _ => Outcome::Failed(answer),
                }
            }
            Err(e) => Outcome::Retry {
                answer: crate::notify::describe(&e),
                after_ms: None,
            },
        }
    }
}
