//! What the chat robots share: an allowed webhook posted JSON, and an answer whose body
//! decides (all of them answer HTTP 200 when they refuse).

use super::Message;
use crate::notify::outbound::{read_answer, retry_after_ms, Outbound};
use app::service::outbox::Outcome;
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::Url;
use serde_json::Value;
use sha2::Sha256;

/// How one robot's answer is read.
#[derive(Debug, Clone, Copy)]
pub struct Reading {
    /// The body field that holds the result code (0: sent).
    pub code_field: &'static str,
    /// Codes that mean "later" rather than "never".
    pub later: &'static [i64],
    /// How long "later" is when the answer does not say.
    pub later_ms: i64,
    /// Codes that say the robot itself is gone or refuses us (its key, signature, keyword or
    /// network settings): the engineer's contact is marked failing.
    pub gone: &'static [i64],
}

/// HTTP statuses that say the endpoint itself refuses us for good: forbidden (a revoked
/// token, a signature the receiver does not accept), not found, gone.
pub const GONE_STATUSES: [u16; 3] = [403, 404, 410];

pub fn hmac_base64(key: &[u8], message: &[u8]) -> String {
    // HMAC accepts keys of any length, so this never fails.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The webhook of `message`, if it may be posted to (the allowlist, no IP literals).
pub fn webhook(http: &Outbound, message: &Message<'_>) -> Result<Url, Outcome> {
    // An address the allowlist no longer admits is the contact's to change.
    http.target(message.address).map_err(Outcome::Refused)
}

/// What an endpoint answered: its status, its `Retry-After`, and at most 64 KiB of its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    pub status: u16,
    pub retry_after_ms: Option<i64>,
    pub body: String,
}

impl HttpAnswer {
    /// Posts `body` as JSON to `url`. `Err`: no answer came (the connection failed or timed
    /// out), and the retry that calls for.
    pub async fn post(http: &Outbound, url: Url, body: &Value) -> Result<Self, Outcome> {
        Self::send(http.client.post(url).json(body)).await
    }

    /// Sends a request built by the caller (with its own headers).
    pub async fn send(request: reqwest::RequestBuilder) -> Result<Self, Outcome> {
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after_ms = retry_after_ms(response.headers());
                let body = read_answer(response).await;
                Ok(Self {
                    status,
                    retry_after_ms,
                    body,
                })
            }
            Err(e) => Err(Outcome::Retry {
                answer: crate::notify::describe(&e),
                after_ms: None,
            }),
        }
    }

    /// `HTTP 200 ok`: what the delivery log shows.
    pub fn text(&self) -> String {
        format!("HTTP {} {}", self.status, self.body.trim())
    }

    /// The status decides: 2xx delivered, 429 and 5xx later, any other refusal final.
    pub fn by_status(&self) -> Outcome {
        match self.status {
            200..=299 => Outcome::Delivered(self.text()),
            429 | 500..=599 => Outcome::Retry {
                answer: self.text(),
                after_ms: self.retry_after_ms,
            },
            status if GONE_STATUSES.contains(&status) => Outcome::Refused(self.text()),
            _ => Outcome::Failed(self.text()),
        }
    }
}

/// Posts `body` to the message's webhook, if it may be posted to; the status decides.
pub async fn post_json(http: &Outbound, message: &Message<'_>, body: &Value) -> Outcome {
    let url = match webhook(http, message) {
        Ok(url) => url,
        Err(refused) => return refused,
    };
    match HttpAnswer::post(http, url, body).await {
        Ok(answer) => answer.by_status(),
        Err(retry) => retry,
    }
}

/// Posts `body` to `url` and reads the answer as `reading` says.
pub async fn post(http: &Outbound, url: Url, body: &Value, reading: Reading) -> Outcome {
    match HttpAnswer::post(http, url, body).await {
        Ok(answer) => outcome(reading, answer.status, &answer.body, answer.retry_after_ms),
        Err(retry) => retry,
    }
}

/// What an answer means. `retry_after_ms` is the `Retry-After` header, if any.
pub fn outcome(reading: Reading, status: u16, body: &str, retry_after_ms: Option<i64>) -> Outcome {
    let answer = format!("HTTP {status} {}", body.trim());
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let code = parsed
        .as_ref()
        .and_then(|v| v.get(reading.code_field).or_else(|| v.get("StatusCode")))
        .and_then(Value::as_i64);
    match code {
        Some(0) if status == 200 => Outcome::Delivered(answer),
        Some(code) if reading.later.contains(&code) => Outcome::Retry {
            answer,
            after_ms: retry_after_ms.or(Some(reading.later_ms)),
        },
        _ if status == 429 || status >= 500 => Outcome::Retry {
            answer,
            after_ms: retry_after_ms,
        },
        Some(code) if reading.gone.contains(&code) => Outcome::Refused(answer),
        // Any other refusal in the body (a message too long, …) or a 4xx: sending it again
        // would be refused again, but the robot itself may be fine.
        Some(_) => Outcome::Failed(answer),
        None if GONE_STATUSES.contains(&status) => Outcome::Refused(answer),
        None if (200..300).contains(&status) => Outcome::Retry {
            answer: format!("{answer} (the answer could not be read)"),
            after_ms: retry_after_ms,
        },
        None => Outcome::Failed(answer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_4xx_without_a_code_is_final_and_a_5xx_is_later() {
        let reading = Reading {
            code_field: "errcode",
            later: &[],
            later_ms: 60_000,
            gone: &[93_000],
        };
        assert!(matches!(
            outcome(reading, 404, "", None),
            Outcome::Refused(_)
        ));
        assert!(matches!(
            outcome(reading, 400, "", None),
            Outcome::Failed(_)
        ));
        assert!(matches!(
            outcome(
                reading,
                200,
                r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#,
                None
            ),
            Outcome::Refused(_)
        ));
        assert!(matches!(
            outcome(
                reading,
                200,
                r#"{"errcode":40058,"errmsg":"content exceed max length"}"#,
                None
            ),
            Outcome::Failed(_)
        ));
        assert!(matches!(
            outcome(reading, 503, "<html>", Some(5_000)),
            Outcome::Retry {
                after_ms: Some(5_000),
                ..
            }
        ));
        assert!(matches!(
            outcome(reading, 200, "not json", None),
            Outcome::Retry { .. }
        ));
    }
}
