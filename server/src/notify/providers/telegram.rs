//! Telegram: the operator's bot (`--telegram-bot-token`) calls the Bot API's `sendMessage`
//! with the engineer's chat id. Telegram answers `{"ok":true,…}`; when busy, 429 with
//! `parameters.retry_after` in seconds; a chat the bot cannot write to, 400 or 403 (final).
//! The API address is the operator's own setting (`--telegram-api-url`) and is trusted on
//! it alone, as the SMS gateway is: engineers' webhooks never widen it.

use super::robot::HttpAnswer;
use super::{Message, Provider, Reach};
use crate::notify::NotifySettings;
use app::service::outbox::{Outcome, RobotLimit};
use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

pub const DEFAULT_API_URL: &str = "https://api.telegram.org";

pub struct Telegram {
    api: Url,
    token: SecretString,
    client: reqwest::Client,
}

impl std::fmt::Debug for Telegram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telegram")
            .field("api", &self.api.as_str())
            .finish_non_exhaustive()
    }
}

impl Telegram {
    /// The bot of `--telegram-bot-token`, if one is named.
    pub fn from_settings(settings: &NotifySettings) -> anyhow::Result<Option<Self>> {
        let Some(token) = settings.telegram_bot_token.clone() else {
            return Ok(None);
        };
        let raw = settings
            .telegram_api_url
            .as_deref()
            .unwrap_or(DEFAULT_API_URL);
        let api =
            Url::parse(raw).map_err(|e| anyhow::anyhow!("--telegram-api-url is not a URL: {e}"))?;
        if !matches!(api.scheme(), "http" | "https") || api.host_str().is_none() {
            anyhow::bail!("--telegram-api-url must be an http:// or https:// address");
        }
        let token_ok = !token.expose_secret().is_empty()
            && token
                .expose_secret()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-'));
        if !token_ok {
            anyhow::bail!("--telegram-bot-token must look like 123456:ABC-DEF… (letters, digits, ':', '_', '-')");
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(settings.http_timeout.min(std::time::Duration::from_secs(5)))
            .timeout(settings.http_timeout)
            .user_agent(concat!("Crewdesk/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Some(Self { api, token, client }))
    }

    /// `{api}/bot{token}/sendMessage`, as the Bot API names its methods.
    fn method_url(&self) -> Result<Url, Outcome> {
        let base = self.api.as_str().trim_end_matches('/');
        Url::parse(&format!(
            "{base}/bot{}/sendMessage",
            self.token.expose_secret()
        ))
        .map_err(|_| Outcome::Failed("the Telegram API address cannot be built".into()))
    }
}

/// `sendMessage`'s body: a numeric chat id as a number, a `@channel` name as text.
pub fn body(chat: &str, text: &str) -> Value {
    let chat_id = chat
        .parse::<i64>()
        .map_or_else(|_| Value::String(chat.to_owned()), Value::from);
    json!({ "chat_id": chat_id, "text": text })
}

/// What Telegram's answer means: its `retry_after` wins over the header.
pub fn outcome(answer: &HttpAnswer) -> Outcome {
    let parsed: Option<Value> = serde_json::from_str(&answer.body).ok();
    let told = parsed
        .as_ref()
        .and_then(|v| v["parameters"]["retry_after"].as_i64())
        .map(|s| s.clamp(0, 3600) * 1000);
    let ok = parsed.as_ref().and_then(|v| v["ok"].as_bool());
    match (answer.status, ok) {
        (200..=299, Some(true)) => Outcome::Delivered(answer.text()),
        (429 | 500..=599, _) => Outcome::Retry {
            answer: answer.text(),
            after_ms: told.or(answer.retry_after_ms),
        },
        (200..=299, _) => Outcome::Retry {
            answer: format!("{} (the answer could not be read)", answer.text()),
            after_ms: None,
        },
        // The chat is gone or the bot was put out of it: the engineer's chat id is at
        // fault. A 401 is the operator's token, not the chat.
        (403, _) => Outcome::Refused(answer.text()),
        (400, _) if answer.body.contains("chat not found") => Outcome::Refused(answer.text()),
        _ => Outcome::Failed(answer.text()),
    }
}

#[async_trait::async_trait]
impl Provider for Telegram {
    fn reach(&self) -> Reach {
        Reach::ContactPoint
    }

    /// Telegram allows a chat about one message a second, a group 20 a minute.
    fn limit(&self) -> Option<RobotLimit> {
        Some(RobotLimit {
            per_minute: 20,
            per_second: Some(1),
        })
    }

    async fn send(&self, message: &Message<'_>) -> Outcome {
        let url = match self.method_url() {
            Ok(url) => url,
            Err(refused) => return refused,
        };
        let request = self
            .client
            .post(url)
            .json(&body(message.address, message.text));
        match HttpAnswer::send(request).await {
            Ok(answer) => outcome(&answer),
            Err(retry) => retry,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> HttpAnswer {
        HttpAnswer {
            status,
            retry_after_ms: None,
            body: body.to_owned(),
        }
    }

    #[test]
    fn a_chat_id_is_a_number_and_a_channel_name_is_text() {
        assert_eq!(
            body("-1001234", "hi").to_string(),
            r#"{"chat_id":-1001234,"text":"hi"}"#
        );
        assert_eq!(
            body("@oncall", "hi").to_string(),
            r#"{"chat_id":"@oncall","text":"hi"}"#
        );
    }

    #[test]
    fn busy_waits_as_long_as_telegram_says_and_a_blocked_bot_is_final() {
        let busy = answer(
            429,
            r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#,
        );
        assert!(matches!(
            outcome(&busy),
            Outcome::Retry {
                after_ms: Some(7_000),
                ..
            }
        ));
        let blocked = answer(
            403,
            r#"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#,
        );
        assert!(matches!(outcome(&blocked), Outcome::Refused(_)));
        let gone = answer(
            400,
            r#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#,
        );
        assert!(matches!(outcome(&gone), Outcome::Refused(_)));
        let ours = answer(
            401,
            r#"{"ok":false,"error_code":401,"description":"Unauthorized"}"#,
        );
        assert!(matches!(outcome(&ours), Outcome::Failed(_)));
        let sent = answer(200, r#"{"ok":true,"result":{"message_id":1}}"#);
        assert!(matches!(outcome(&sent), Outcome::Delivered(_)));
        // Hostile or broken answers: a wait told as years is capped at an hour, a negative
        // one is no wait, a body that is not JSON (or not Telegram's) is never "delivered".
        let years = answer(
            429,
            r#"{"ok":false,"parameters":{"retry_after":99999999999}}"#,
        );
        assert!(matches!(
            outcome(&years),
            Outcome::Retry {
                after_ms: Some(3_600_000),
                ..
            }
        ));
        let negative = answer(429, r#"{"ok":false,"parameters":{"retry_after":-5}}"#);
        assert!(matches!(
            outcome(&negative),
            Outcome::Retry {
                after_ms: Some(0),
                ..
            }
        ));
        for body in [
            "",
            "<html>ok</html>",
            r#"{"ok":"true"}"#,
            &"[".repeat(10_000),
            "好",
        ] {
            assert!(
                matches!(outcome(&answer(200, body)), Outcome::Retry { .. }),
                "{body}"
            );
            assert!(
                matches!(outcome(&answer(400, body)), Outcome::Failed(_)),
                "{body}"
            );
        }
    }
}
