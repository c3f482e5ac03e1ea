//! Contact-point addresses (chat webhooks, chat ids) and signing secrets. Webhooks and
//! secrets are credentials: whoever holds the URL can post to the group, so they are shown
//! masked.

use super::channel::{AddressKind, Channel};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum WebhookError {
    #[error("must be an https:// address")]
    NotHttps,
    #[error("must be a {} address, e.g. https://{example}…", channel.title())]
    WrongHost { channel: Channel, example: String },
    #[error(
        "must be on a host this server posts to, named by its operator (--signed-webhook-allow)"
    )]
    NoHosts,
    #[error("must be a chat id (a number like -1001234567890) or a public @name")]
    NotAChat,
    #[error("may not contain spaces or control characters")]
    Whitespace,
    #[error("is longer than 1000 characters")]
    TooLong,
    #[error("must be on a host this server posts to: {hosts}")]
    NotAllowed { hosts: String },
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

/// Where webhooks may point. Empty: each channel's own provider endpoints (SPEC §5), where a
/// host written `.example.com` stands for any name under it.
/// Otherwise the operator's `--webhook-allow` entries, which replace them: any path on a
/// listed scheme, host and port. Saving and sending both go by it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookHosts {
    origins: Vec<Origin>,
    /// Where signed webhooks may point (`--signed-webhook-allow`): a scheme, host and port,
    /// and the path an address must start with. Nothing else takes a signed webhook.
    signed: Vec<(Origin, String)>,
}

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
        Ok(Self {
            origins,
            signed: Vec::new(),
        })
    }

    /// These hosts, and the `--signed-webhook-allow` prefixes: `https://hooks.example.com/crewdesk/`
    /// (`http://` only when written so, for a receiver on the premises).
    pub fn with_signed(mut self, entries: &[String]) -> Result<Self, String> {
        for raw in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let bad = || {
                format!(
                    "--signed-webhook-allow '{raw}' is not an http(s):// address with a path \
                     (like https://hooks.example.com/crewdesk/)"
                )
            };
            let (origin, path) = Origin::split(raw).ok_or_else(bad)?;
            if path.contains(['?', '#', '\\']) {
                return Err(bad());
            }
            let path = if path.is_empty() { "/" } else { path };
            let entry = (origin, path.to_owned());
            if !self.signed.contains(&entry) {
                self.signed.push(entry);
            }
        }
        Ok(self)
    }

    /// The origins signed webhooks may be posted to, for the sender's own client.
    pub fn signed_origins(&self) -> Vec<Origin> {
        let mut origins: Vec<Origin> = Vec::new();
        for (origin, _) in &self.signed {
            if !origins.contains(origin) {
                origins.push(origin.clone());
            }
        }
        origins
    }

    /// Whether `raw` is under one of the `--signed-webhook-allow` prefixes.
    pub fn allows_signed(&self, raw: &str) -> bool {
        match Origin::split(raw) {
            Some((origin, tail)) => {
                let tail = if tail.is_empty() { "/" } else { tail };
                self.signed
                    .iter()
                    .any(|(o, prefix)| *o == origin && tail.starts_with(prefix.as_str()))
            }
            None => false,
        }
    }

    fn signed_listed(&self) -> String {
        self.signed
            .iter()
            .map(|(o, p)| format!("{}{p}", o.show()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether the operator replaced the providers' hosts.
    pub fn is_custom(&self) -> bool {
        !self.origins.is_empty()
    }

    /// Where posting is allowed: the operator's entries, or the providers' hosts.
    pub fn origins(&self) -> Vec<Origin> {
        if self.is_custom() {
            return self.origins.clone();
        }
        let mut origins: Vec<Origin> = Vec::new();
        for (_, spec) in Channel::with_contact_points() {
            let AddressKind::Webhook(endpoints) = spec.address else {
                continue;
            };
            for (host, _) in endpoints {
                let origin = Origin {
                    scheme: "https".into(),
                    host: (*host).into(),
                    port: None,
                };
                if !origins.contains(&origin) {
                    origins.push(origin);
                }
            }
        }
        origins
    }

    /// Whether the operator's entries let a webhook point at `origin`.
    fn allows(&self, origin: &Origin) -> bool {
        self.origins.contains(origin)
    }

    fn listed(&self) -> String {
        self.origins
            .iter()
            .map(Origin::show)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A webhook address on its channel's own host (or one the operator allows).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookUrl(String);

/// Whether `host` is `pattern`, or under it when the pattern starts with a dot.
pub fn host_fits(pattern: &str, host: &str) -> bool {
    if pattern.starts_with('.') {
        host.len() > pattern.len() && host.ends_with(pattern)
    } else {
        host == pattern
    }
}

/// A contact point's address as `channel` takes it, or why not.
pub fn parse_address(
    channel: Channel,
    raw: &str,
    hosts: &WebhookHosts,
) -> Result<String, WebhookError> {
    match channel.contact().map(|spec| spec.address) {
        Some(AddressKind::ChatId) => parse_chat(raw),
        Some(AddressKind::Signed) => parse_signed(raw, hosts),
        Some(AddressKind::Webhook(endpoints)) => {
            WebhookUrl::parse_on(channel, endpoints, raw, hosts).map(|u| u.0)
        }
        None => Err(WebhookError::NoHosts),
    }
}

/// A signed webhook: under an operator's `--signed-webhook-allow` prefix, nowhere else.
fn parse_signed(raw: &str, hosts: &WebhookHosts) -> Result<String, WebhookError> {
    let value = raw.trim();
    if value.chars().count() > 1000 {
        return Err(WebhookError::TooLong);
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(WebhookError::Whitespace);
    }
    if hosts.signed.is_empty() {
        return Err(WebhookError::NoHosts);
    }
    // The path is compared as written: no `\`, and no `..` that a receiver would resolve
    // out of the prefix.
    let tricky = value.contains('\\') || value.split(['/', '?', '#']).any(|part| part == "..");
    if !tricky && hosts.allows_signed(value) {
        Ok(value.to_owned())
    } else {
        Err(WebhookError::NotAllowed {
            hosts: hosts.signed_listed(),
        })
    }
}

/// A Telegram chat: a number (negative for groups), or a public `@name` of 5 to 32
/// letters, digits and underscores.
fn parse_chat(raw: &str) -> Result<String, WebhookError> {
    let value = raw.trim();
    let digits = value.strip_prefix('-').unwrap_or(value);
    let number =
        !digits.is_empty() && digits.len() <= 20 && digits.bytes().all(|b| b.is_ascii_digit());
    let name = value.strip_prefix('@').is_some_and(|n| {
        (5..=32).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    });
    if number || name {
        Ok(value.to_owned())
    } else {
        Err(WebhookError::NotAChat)
    }
}

impl WebhookUrl {
    /// `raw` as a webhook of `channel`, on a host `hosts` allows.
    pub fn parse(channel: Channel, raw: &str, hosts: &WebhookHosts) -> Result<Self, WebhookError> {
        match channel.contact().map(|spec| spec.address) {
            Some(AddressKind::Webhook(endpoints)) => Self::parse_on(channel, endpoints, raw, hosts),
            _ => Err(WebhookError::NoHosts),
        }
    }

    fn parse_on(
        channel: Channel,
        endpoints: &'static [(&'static str, &'static str)],
        raw: &str,
        hosts: &WebhookHosts,
    ) -> Result<Self, WebhookError> {
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
                _ => Err(WebhookError::NotAllowed {
                    hosts: hosts.listed(),
                }),
            };
        }
        let rest = value
            .get(..8)
            .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
            .map(|_| &value[8..])
            .ok_or(WebhookError::NotHttps)?;
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(authority_end);
        let Some((first_host, first_path)) = endpoints.first() else {
            return Err(WebhookError::NoHosts);
        };
        // A host pattern `.example.com` is shown as `….example.com`.
        let example = if first_host.starts_with('.') {
            format!("…{first_host}")
        } else {
            (*first_host).to_owned()
        };
        let wrong = WebhookError::WrongHost {
            channel,
            example: format!("{example}{first_path}"),
        };
        // No user info and no other port: the address must be the provider's host itself.
        let host = authority.to_ascii_lowercase();
        let host = host.strip_suffix(":443").unwrap_or(&host);
        // Letters, digits, dots and dashes only: no user info, and no `\` that a URL parser
        // would read as the end of the host (`127.0.0.1\.logic.azure.com`).
        let plain = host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        let fits = plain
            && endpoints
                .iter()
                .any(|(h, p)| host_fits(h, host) && path.starts_with(p) && path.len() > p.len());
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

/// A contact point's address as the console and the logs show it: a webhook masked (it is
/// a credential), a chat id as it is.
pub fn mask_address(channel: Channel, address: &str) -> String {
    match channel.contact().map(|spec| spec.address) {
        Some(AddressKind::ChatId) => address.to_owned(),
        _ => mask_url(address),
    }
}

/// `••••` and the last four characters.
pub fn mask_secret(secret: &str) -> String {
    format!("••••{}", last_four(secret))
}

fn last_four(text: &str) -> String {
    let count = text.chars().count();
    text.chars().skip(count.saturating_sub(4)).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
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
                Channel::WeCom,
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
            ),
            (
                Channel::DingTalk,
                "https://oapi.dingtalk.com/robot/send?access_token=abc",
            ),
            (
                Channel::Lark,
                "https://open.feishu.cn/open-apis/bot/v2/hook/abc",
            ),
            (
                Channel::Lark,
                "https://open.larksuite.com/open-apis/bot/v2/hook/abc",
            ),
        ];
        for (robot, url) in good {
            assert!(
                WebhookUrl::parse(robot, url, &WebhookHosts::default()).is_ok(),
                "{url}"
            );
        }
        let bad: [(Channel, &str, &str); 8] = [
            (
                Channel::WeCom,
                "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
                "https",
            ),
            (
                Channel::WeCom,
                "https://oapi.dingtalk.com/robot/send?access_token=a",
                "WeCom",
            ),
            (
                Channel::WeCom,
                "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=a",
                "WeCom",
            ),
            (
                Channel::WeCom,
                "https://user@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a",
                "WeCom",
            ),
            (
                Channel::DingTalk,
                "https://oapi.dingtalk.com:8443/robot/send?access_token=a",
                "DingTalk",
            ),
            (
                Channel::Lark,
                "https://open.feishu.cn/open-apis/bot/v2/hook/",
                "Lark",
            ),
            (
                Channel::Lark,
                "https://127.0.0.1/open-apis/bot/v2/hook/abc",
                "Lark",
            ),
            (
                Channel::DingTalk,
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
    fn slack_teams_and_telegram_take_their_own_addresses() {
        let none = WebhookHosts::default();
        let ok = |channel, raw: &str| parse_address(channel, raw, &none);
        assert!(ok(Channel::Slack, "https://hooks.slack.com/services/T0/B0/xyz").is_ok());
        assert!(ok(
            Channel::Slack,
            "https://hooks.slack.com.evil.example/services/T0"
        )
        .is_err());
        // Workflows live under a region's host, with the default port written out.
        let flow = "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x";
        assert_eq!(ok(Channel::Teams, flow).as_deref(), Ok(flow));
        let platform = "https://default1.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/a1";
        assert!(ok(Channel::Teams, platform).is_ok());
        for bad in [
            "https://127.0.0.1\\.logic.azure.com/workflows/abc",
            "https://u:p@x.logic.azure.com/workflows/abc",
            "https://logic.azure.com/workflows/abc",
            "https://evil-logic.azure.com/workflows/abc",
            "https://x.logic.azure.com.evil.example/workflows/abc",
            "https://x.logic.azure.com:8443/workflows/abc",
        ] {
            let err = ok(Channel::Teams, bad).unwrap_err().to_string();
            assert!(err.contains("Microsoft Teams"), "{bad}: {err}");
        }
        for chat in ["123456789", "-1001234567890", "@oncall_team"] {
            assert_eq!(ok(Channel::Telegram, chat).as_deref(), Ok(chat));
        }
        for bad in [
            "",
            "-",
            "12a",
            "@abc",
            "@has space",
            "https://t.me/x",
            "1234567890123456789012",
        ] {
            assert_eq!(
                ok(Channel::Telegram, bad),
                Err(WebhookError::NotAChat),
                "{bad}"
            );
        }
    }

    #[test]
    fn signed_webhooks_go_only_under_the_operators_prefixes() {
        let entries = [
            "https://hooks.example.com/crewdesk/".to_owned(),
            "http://10.0.0.5:8080/in".to_owned(),
        ];
        let hosts = WebhookHosts::default().with_signed(&entries).unwrap();
        let ok = |raw: &str| parse_address(Channel::Webhook, raw, &hosts);
        assert!(ok("https://hooks.example.com/crewdesk/oncall?team=1").is_ok());
        assert!(ok("https://HOOKS.example.com:443/crewdesk/x").is_ok());
        assert!(ok("http://10.0.0.5:8080/in/x").is_ok());
        for bad in [
            "https://hooks.example.com/admin",
            "https://hooks.example.com/crewdesk/../admin",
            "https://hooks.example.com/crewdesk\\..\\admin",
            "http://hooks.example.com/crewdesk/x",
            "https://hooks.example.com:8443/crewdesk/x",
            "https://user@hooks.example.com/crewdesk/x",
            "http://10.0.0.5:8081/in/x",
        ] {
            assert!(ok(bad).is_err(), "{bad}");
        }
        // The robots neither gain these hosts nor lend theirs to signed webhooks.
        assert!(!hosts
            .origins()
            .iter()
            .any(|o| o.host == "hooks.example.com"));
        let none = WebhookHosts::default();
        assert_eq!(
            parse_address(
                Channel::Webhook,
                "https://hooks.slack.com/services/x",
                &none
            ),
            Err(WebhookError::NoHosts)
        );
        for entry in [
            "ftp://x.example/a",
            "https://x.example/a?b",
            "x.example/a",
            "https://u@x.example/",
        ] {
            assert!(
                WebhookHosts::default()
                    .with_signed(&[entry.to_owned()])
                    .is_err(),
                "{entry}"
            );
        }
    }

    #[test]
    fn credentials_are_masked_in_the_console_and_in_debug_output() {
        let url = WebhookUrl::parse(
            Channel::WeCom,
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
                WebhookUrl::parse(Channel::WeCom, url, &allow).is_ok(),
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
            let err = WebhookUrl::parse(Channel::WeCom, url, &allow).unwrap_err();
            assert!(
                err.to_string()
                    .contains("http://127.0.0.1:9001, https://robots.example.com:8443"),
                "{url}: {err}"
            );
        }
        let err = WebhookUrl::parse(Channel::Lark, "https://chat.example.org/a b", &allow);
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
        assert_eq!(providers.len(), 7);
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
