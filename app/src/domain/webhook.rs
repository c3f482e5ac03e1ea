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
    #[error("must be on a host this server posts to: {0}")]
    NotAllowed(String),
}

/// A scheme, host and port that webhooks may be posted to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// `https`, or `http` only when an operator's entry says so.
    pub scheme: String,
    /// Lower case; an IPv6 address without its brackets.
    pub host: String,
    /// `None`: the scheme's default port.
    pub port: Option<u16>,
}

impl Origin {
    /// `scheme://host[:port]` and the rest of `raw` (path, query), or `None` when `raw`
    /// has no scheme, user info, an empty or malformed host, or a bad port.
    fn split(raw: &str) -> Option<(Self, &str)> {
        let (scheme, rest) = raw.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => 443,
            "http" => 80,
            _ => return None,
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.contains('@') {
            return None;
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6.split_once(']')?;
            (host, after.strip_prefix(':'))
        } else {
            match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            }
        };
        let host_ok = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
        if !host_ok {
            return None;
        }
        let port = match port {
            None => None,
            Some(p) => Some(p.parse::<u16>().ok().filter(|p| *p != 0)?),
        };
        let origin = Self {
            scheme,
            host: host.to_lowercase(),
            port: port.filter(|p| *p != default_port),
        };
        Some((origin, tail))
    }

    fn show(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match self.port {
            Some(port) => format!("{}://{host}:{port}", self.scheme),
            None => format!("{}://{host}", self.scheme),
        }
    }
}

/// Where robot webhooks may point. Empty: each robot's own provider endpoints (SPEC §5).
/// Otherwise the operator's `--webhook-allow` entries, which replace them: any path on a
/// listed scheme, host and port. Saving and sending both go by it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookHosts(Vec<Origin>);

impl WebhookHosts {
    /// Entries like `oapi.dingtalk.com`, `https://gw.example.com:8443` or
    /// `http://127.0.0.1:9001`; no entries at all means the providers' hosts.
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        let mut origins = Vec::new();
        for raw in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let with_scheme = if raw.contains("://") {
                raw.to_owned()
            } else {
                format!("https://{raw}")
            };
            let (origin, tail) = Origin::split(&with_scheme).ok_or_else(|| {
                format!(
                    "--webhook-allow '{raw}' is not a host or an http(s):// address \
                     (like oapi.dingtalk.com or https://gw.example.com:8443)"
                )
            })?;
            if !tail.is_empty() && tail != "/" {
                return Err(format!(
                    "--webhook-allow '{raw}' names a path; name only the scheme, host and port"
                ));
            }
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        Ok(Self(origins))
    }

    /// Whether the operator replaced the providers' hosts.
    pub fn is_custom(&self) -> bool {
        !self.0.is_empty()
    }

    /// Where posting is allowed: the operator's entries, or the providers' hosts.
    pub fn origins(&self) -> Vec<Origin> {
        if self.is_custom() {
            return self.0.clone();
        }
        Robot::ALL
            .iter()
            .flat_map(|r| r.endpoints().iter())
            .map(|(host, _)| Origin {
                scheme: "https".into(),
                host: (*host).into(),
                port: None,
            })
            .collect()
    }

    /// Whether the operator's entries let a webhook point at `origin`.
    fn allows(&self, origin: &Origin) -> bool {
        self.0.contains(origin)
    }

    fn listed(&self) -> String {
        self.0
            .iter()
            .map(Origin::show)
            .collect::<Vec<_>>()
            .join(", ")
    }
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
    /// `raw` as a webhook of `robot`, on a host `hosts` allows.
    pub fn parse(robot: Robot, raw: &str, hosts: &WebhookHosts) -> Result<Self, WebhookError> {
        let value = raw.trim();
        if value.chars().count() > 1000 {
            return Err(WebhookError::TooLong);
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(WebhookError::Whitespace);
        }
        if hosts.is_custom() {
            return match Origin::split(value) {
                Some((origin, _)) if hosts.allows(&origin) => Ok(Self(value.to_owned())),
                _ => Err(WebhookError::NotAllowed(hosts.listed())),
            };
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
            assert!(
                WebhookUrl::parse(robot, url, &WebhookHosts::default()).is_ok(),
                "{url}"
            );
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
            let err = WebhookUrl::parse(robot, url, &WebhookHosts::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains(fragment), "{url}: {err}");
        }
    }

    #[test]
    fn credentials_are_masked_in_the_console_and_in_debug_output() {
        let url = WebhookUrl::parse(
            Robot::WeCom,
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret1234",
            &WebhookHosts::default(),
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

    fn hosts(entries: &[&str]) -> WebhookHosts {
        let entries: Vec<String> = entries.iter().map(|e| (*e).to_owned()).collect();
        WebhookHosts::parse(&entries).unwrap()
    }

    #[test]
    fn the_operators_allowlist_replaces_the_provider_hosts_when_saving() {
        let allow = hosts(&[
            "http://127.0.0.1:9001",
            "HTTPS://Robots.Example.com:8443/",
            "[::1]:7000",
            "chat.example.org",
        ]);
        for url in [
            "http://127.0.0.1:9001/cgi-bin/webhook/send?key=a",
            "https://robots.example.com:8443/any/path",
            "https://[::1]:7000/hook",
            "https://chat.example.org:443/hook",
            "https://CHAT.example.org/hook",
        ] {
            assert!(
                WebhookUrl::parse(Robot::WeCom, url, &allow).is_ok(),
                "{url}"
            );
        }
        for url in [
            // The providers' own hosts are not listed any more.
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a",
            // Another scheme, port or host than an entry names.
            "https://127.0.0.1:9001/x",
            "http://127.0.0.1:9002/x",
            "http://chat.example.org/hook",
            "https://robots.example.com/any/path",
            "https://chat.example.org.evil.example/hook",
            "https://user@chat.example.org/hook",
            "https://[::1]:7000@evil.example/hook",
            "ftp://chat.example.org/hook",
            "chat.example.org/hook",
        ] {
            let err = WebhookUrl::parse(Robot::WeCom, url, &allow).unwrap_err();
            assert!(
                err.to_string()
                    .contains("http://127.0.0.1:9001, https://robots.example.com:8443"),
                "{url}: {err}"
            );
        }
        let err = WebhookUrl::parse(Robot::Lark, "https://chat.example.org/a b", &allow);
        assert_eq!(err, Err(WebhookError::Whitespace));
    }

    #[test]
    fn allowlist_entries_are_checked_when_the_server_starts() {
        for bad in [
            "ftp://x.example",
            "https://",
            "https://user@x.example",
            "https://x.example:99999",
            "https://x.example:0",
            "https://x.example/path",
            "x example",
            "[::1",
            "https://é\u{0}.example",
        ] {
            assert!(WebhookHosts::parse(&[bad.to_owned()]).is_err(), "{bad}");
        }
        assert!(!WebhookHosts::parse(&[" ".to_owned()]).unwrap().is_custom());
        let providers = WebhookHosts::default().origins();
        assert_eq!(providers.len(), 4);
        assert!(providers
            .iter()
            .all(|o| o.scheme == "https" && o.port.is_none()));
        assert_eq!(
            hosts(&["a.example", "https://A.example:443"])
                .origins()
                .len(),
            1
        );
    }
}
