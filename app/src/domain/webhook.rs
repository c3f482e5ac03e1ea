//! Chat-robot webhooks (WeCom, DingTalk, Lark) and their signing secrets. Both are
//! credentials: whoever holds the URL can post to the group, so they are shown masked.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Robot {
    WeCom,
    DingTalk,
    Lark,
}

impl Robot {
    pub const ALL: [Robot; 3] = [Robot::WeCom, Robot::DingTalk, Robot::Lark];

    /// The hosts a webhook of this robot may point at, and the path it starts with.
    pub fn endpoints(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::WeCom => &[("qyapi.weixin.qq.com", "/cgi-bin/webhook/send")],
            Self::DingTalk => &[("oapi.dingtalk.com", "/robot/send")],
            Self::Lark => &[
                ("open.feishu.cn", "/open-apis/bot/v2/hook/"),
                ("open.larksuite.com", "/open-apis/bot/v2/hook/"),
            ],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::WeCom => "wecom",
            Self::DingTalk => "dingtalk",
            Self::Lark => "lark",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("must be an https:// address")]
    NotHttps,
    #[error("must be a {0} robot address, e.g. https://{1}{2}…")]
    WrongHost(&'static str, &'static str, &'static str),
    #[error("may not contain spaces or control characters")]
    Whitespace,
    #[error("is longer than 1000 characters")]
    TooLong,
}

/// A robot webhook address on the robot's own host.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookUrl(String);

fn label(robot: Robot) -> &'static str {
    match robot {
        Robot::WeCom => "WeCom",
        Robot::DingTalk => "DingTalk",
        Robot::Lark => "Lark/Feishu",
    }
}

impl WebhookUrl {
    pub fn parse(robot: Robot, raw: &str) -> Result<Self, WebhookError> {
        let value = raw.trim();
        if value.chars().count() > 1000 {
            return Err(WebhookError::TooLong);
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(WebhookError::Whitespace);
        }
        let rest = value
            .get(..8)
            .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
            .map(|_| &value[8..])
            .ok_or(WebhookError::NotHttps)?;
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(authority_end);
        let endpoints = robot.endpoints();
        let (first_host, first_path) = endpoints[0];
        let wrong = WebhookError::WrongHost(label(robot), first_host, first_path);
        // No user info and no port: the address must be the robot's host itself.
        let host = authority.to_ascii_lowercase();
        let fits = endpoints
            .iter()
            .any(|(h, p)| host == *h && path.starts_with(p) && path.len() > p.len());
        if fits {
            Ok(Self(value.to_owned()))
        } else {
            Err(wrong)
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the console shows: the host, then the last four characters.
    pub fn masked(&self) -> String {
        mask_url(&self.0)
    }
}

impl std::fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebhookUrl({})", self.masked())
    }
}

/// The scheme and host of `url`, then `…` and its last four characters.
pub fn mask_url(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let host_end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    format!("{}/…{}", &url[..host_end], last_four(url))
}

/// `••••` and the last four characters.
pub fn mask_secret(secret: &str) -> String {
    format!("••••{}", last_four(secret))
}

fn last_four(text: &str) -> String {
    let count = text.chars().count();
    text.chars().skip(count.saturating_sub(4)).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("may not contain spaces or control characters")]
    Whitespace,
    #[error("must be 8 to 200 characters")]
    Length,
}

/// A robot's signing secret (DingTalk `SEC…`, Lark).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningSecret(String);

impl SigningSecret {
    pub fn parse(raw: &str) -> Result<Self, SecretError> {
        let value = raw.trim();
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(SecretError::Whitespace);
        }
        if !(8..=200).contains(&value.chars().count()) {
            return Err(SecretError::Length);
        }
        Ok(Self(value.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningSecret({})", mask_secret(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_robot_accepts_its_own_hosts_only() {
        let good = [
            (
                Robot::WeCom,
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
            ),
            (
                Robot::DingTalk,
                "https://oapi.dingtalk.com/robot/send?access_token=abc",
            ),
            (
                Robot::Lark,
                "https://open.feishu.cn/open-apis/bot/v2/hook/abc",
            ),
            (
                Robot::Lark,
                "https://open.larksuite.com/open-apis/bot/v2/hook/abc",
            ),
        ];
        for (robot, url) in good {
            assert!(WebhookUrl::parse(robot, url).is_ok(), "{url}");
        }
        let bad: [(Robot, &str, &str); 8] = [
            (
                Robot::WeCom,
                "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
                "https",
            ),
            (
                Robot::WeCom,
                "https://oapi.dingtalk.com/robot/send?access_token=a",
                "WeCom",
            ),
            (
                Robot::WeCom,
                "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=a",
                "WeCom",
            ),
            (
                Robot::WeCom,
                "https://user@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a",
                "WeCom",
            ),
            (
                Robot::DingTalk,
                "https://oapi.dingtalk.com:8443/robot/send?access_token=a",
                "DingTalk",
            ),
            (
                Robot::Lark,
                "https://open.feishu.cn/open-apis/bot/v2/hook/",
                "Lark",
            ),
            (
                Robot::Lark,
                "https://127.0.0.1/open-apis/bot/v2/hook/abc",
                "Lark",
            ),
            (
                Robot::DingTalk,
                "https://oapi.dingtalk.com/robot/send?access_token=a b",
                "spaces",
            ),
        ];
        for (robot, url, fragment) in bad {
            let err = WebhookUrl::parse(robot, url).unwrap_err().to_string();
            assert!(err.contains(fragment), "{url}: {err}");
        }
    }

    #[test]
    fn credentials_are_masked_in_the_console_and_in_debug_output() {
        let url = WebhookUrl::parse(
            Robot::WeCom,
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret1234",
        )
        .unwrap();
        assert_eq!(url.masked(), "https://qyapi.weixin.qq.com/…1234");
        assert!(!format!("{url:?}").contains("secret"));
        let secret = SigningSecret::parse("SECabcdefgh5678").unwrap();
        assert_eq!(mask_secret(secret.expose()), "••••5678");
        assert!(!format!("{secret:?}").contains("abcdef"));
    }

    #[test]
    fn secrets_have_bounds() {
        assert_eq!(SigningSecret::parse("short"), Err(SecretError::Length));
        assert_eq!(
            SigningSecret::parse("has space 123"),
            Err(SecretError::Whitespace)
        );
    }
}
