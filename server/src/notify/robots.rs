//! The chat robots of SPEC §5: how each is addressed, signed, limited and how its answer
//! is read. All three answer HTTP 200 when they refuse, so the body decides.

use app::domain::Robot;
use app::service::outbox::{Outcome, RobotLimit};
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::Url;
use serde_json::{json, Value};
use sha2::Sha256;

pub fn limit(robot: Robot) -> RobotLimit {
    match robot {
        Robot::WeCom | Robot::DingTalk => RobotLimit {
            per_minute: 20,
            per_second: None,
        },
        Robot::Lark => RobotLimit {
            per_minute: 100,
            per_second: Some(5),
        },
    }
}

fn hmac_base64(key: &[u8], message: &[u8]) -> String {
    // HMAC accepts keys of any length, so this never fails.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// DingTalk: `sign` = base64(HMAC-SHA256(secret, "{ms}\n{secret}")), added to the query
/// once: `append_pair` percent-encodes it, and nothing else does.
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    hmac_base64(
        secret.as_bytes(),
        format!("{timestamp_ms}\n{secret}").as_bytes(),
    )
}

/// Lark: `sign` = base64(HMAC-SHA256(key = "{s}\n{secret}", message = empty)).
pub fn lark_sign(secret: &str, timestamp_s: i64) -> String {
    hmac_base64(format!("{timestamp_s}\n{secret}").as_bytes(), b"")
}

/// The address and body of one text message.
pub fn request(
    robot: Robot,
    mut url: Url,
    secret: Option<&str>,
    text: &str,
    now_ms: i64,
) -> (Url, Value) {
    match robot {
        Robot::WeCom => (url, json!({"msgtype": "text", "text": {"content": text}})),
        Robot::DingTalk => {
            if let Some(secret) = secret {
                let sign = dingtalk_sign(secret, now_ms);
                url.query_pairs_mut()
                    .append_pair("timestamp", &now_ms.to_string())
                    .append_pair("sign", &sign);
            }
            (url, json!({"msgtype": "text", "text": {"content": text}}))
        }
        Robot::Lark => {
            let mut body = json!({"msg_type": "text", "content": {"text": text}});
            if let Some(secret) = secret {
                let seconds = now_ms / 1000;
                body["timestamp"] = json!(seconds.to_string());
                body["sign"] = json!(lark_sign(secret, seconds));
            }
            (url, body)
        }
    }
}

/// Codes that mean "later": DingTalk 130101 (over 20 a minute), Lark 9499 (too many
/// requests, which arrives as HTTP 400), WeCom 45009 (frequency limit) and -1 (busy).
fn later(robot: Robot, code: i64) -> bool {
    match robot {
        Robot::DingTalk => code == 130_101,
        Robot::Lark => code == 9499,
        Robot::WeCom => code == 45009 || code == -1,
    }
}

/// What an answer means. `retry_after_ms` is the `Retry-After` header, if any.
pub fn outcome(robot: Robot, status: u16, body: &str, retry_after_ms: Option<i64>) -> Outcome {
    let answer = format!("HTTP {status} {}", body.trim());
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let field = if robot == Robot::Lark {
        "code"
    } else {
        "errcode"
    };
    let code = parsed
        .as_ref()
        .and_then(|v| v.get(field).or_else(|| v.get("StatusCode")))
        .and_then(Value::as_i64);
    match code {
        Some(0) if status == 200 => Outcome::Delivered(answer),
        Some(code) if later(robot, code) => Outcome::Retry {
            answer,
            after_ms: retry_after_ms.or(Some(if robot == Robot::Lark { 1_000 } else { 60_000 })),
        },
        _ if status == 429 || status >= 500 => Outcome::Retry {
            answer,
            after_ms: retry_after_ms,
        },
        // A refusal in the body (a bad signature, 310000; no such robot, 300005; …) or a
        // 4xx: sending it again would be refused again.
        Some(_) => Outcome::Failed(answer),
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
    fn dingtalk_is_signed_with_the_documented_recipe_and_encoded_once() {
        // Computed independently, with a timestamp whose signature holds `+` and `/`:
        // `printf '1700000000011\nSECabc' | openssl dgst -sha256 -hmac SECabc -binary | base64`.
        let sign = dingtalk_sign("SECabc", 1_700_000_000_011);
        assert_eq!(sign, "xExLZuBAxaIrop0wGL20/+du634TRY5oq4uQ3Y9B5rw=");
        let url = Url::parse("https://oapi.dingtalk.com/robot/send?access_token=t").unwrap();
        let (url, _) = request(
            Robot::DingTalk,
            url,
            Some("SECabc"),
            "hi",
            1_700_000_000_011,
        );
        let query = url.query().unwrap();
        assert!(
            query.contains("sign=xExLZuBAxaIrop0wGL20%2F%2Bdu634TRY5oq4uQ3Y9B5rw%3D"),
            "{query}"
        );
        assert!(!query.contains("%25"), "encoded twice: {query}");
    }

    #[test]
    fn lark_is_signed_with_an_empty_message_keyed_by_time_and_secret() {
        // `printf '' | openssl dgst -sha256 -hmac "$(printf '1700000000\nabc')" -binary | base64`
        assert_eq!(
            lark_sign("abc", 1_700_000_000),
            "VIS10b0EBvzzSdFnuk4tznEmK5wHaruvf/WnViv2yR4="
        );
        let url = Url::parse("https://open.feishu.cn/open-apis/bot/v2/hook/x").unwrap();
        let (_, body) = request(Robot::Lark, url, Some("abc"), "hi", 1_700_000_000_123);
        assert_eq!(body["timestamp"], "1700000000");
        assert_eq!(body["content"]["text"], "hi");
    }

    #[test]
    fn the_body_decides_even_when_the_status_is_200() {
        let ok = outcome(Robot::WeCom, 200, r#"{"errcode":0,"errmsg":"ok"}"#, None);
        assert!(matches!(ok, Outcome::Delivered(_)));
        let bad_sign = outcome(
            Robot::DingTalk,
            200,
            r#"{"errcode":310000,"errmsg":"sign not match"}"#,
            None,
        );
        assert!(matches!(bad_sign, Outcome::Failed(_)));
        let no_token = outcome(
            Robot::DingTalk,
            200,
            r#"{"errcode":300005,"errmsg":"token is not exist"}"#,
            None,
        );
        assert!(matches!(no_token, Outcome::Failed(_)));
        let busy = outcome(
            Robot::DingTalk,
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
        let lark_busy = outcome(
            Robot::Lark,
            400,
            r#"{"code":9499,"msg":"too many request"}"#,
            None,
        );
        assert!(matches!(lark_busy, Outcome::Retry { .. }));
        let lark_ok = outcome(Robot::Lark, 200, r#"{"code":0,"msg":"success"}"#, None);
        assert!(matches!(lark_ok, Outcome::Delivered(_)));
        let down = outcome(Robot::Lark, 503, "<html>", Some(5_000));
        assert!(matches!(
            down,
            Outcome::Retry {
                after_ms: Some(5_000),
                ..
            }
        ));
        assert!(matches!(
            outcome(Robot::WeCom, 404, "", None),
            Outcome::Failed(_)
        ));
    }
}
