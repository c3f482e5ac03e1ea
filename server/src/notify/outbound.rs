//! Outbound HTTP that a stored address cannot turn against the network it runs in.
//!
//! Only hosts on the allowlist (the robot providers' by default; `--webhook-allow` replaces
//! it), https only, no redirects, no proxy from the environment. A name is resolved here and
//! every address that is not public is dropped, and the connection goes to the addresses
//! that passed, so a name cannot be re-pointed between the check and the connect. An IP
//! literal is refused unless an allowlist entry names that very address, which is also the
//! only way to reach a loopback or private address (tests, on-premises gateways).

use app::domain::{Origin, WebhookHosts};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Where robots may be posted to: the origins of [`WebhookHosts`] (the providers' hosts, or
/// the operator's `--webhook-allow` entries). The SMS gateway is not among them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowlist {
    entries: Vec<Origin>,
}

impl Default for Allowlist {
    fn default() -> Self {
        Self::new(&WebhookHosts::default())
    }
}

impl Allowlist {
    pub fn new(hosts: &WebhookHosts) -> Self {
        Self {
            entries: hosts.origins(),
        }
    }

    /// Exactly these origins.
    pub fn of(entries: Vec<Origin>) -> Self {
        Self { entries }
    }

    /// Entries like `oapi.dingtalk.com`, `https://gw.example.com:8443` or
    /// `http://127.0.0.1:9001`.
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        WebhookHosts::parse(entries).map(|hosts| Self::new(&hosts))
    }

    /// Whether `url` may be posted to; the reason when not.
    pub fn check(&self, url: &Url) -> Result<(), String> {
        let host = url
            .host_str()
            .ok_or("the address has no host")?
            .trim_matches(['[', ']'])
            .to_ascii_lowercase();
        let origin = Origin {
            scheme: url.scheme().to_owned(),
            host,
            port: url.port(),
        };
        let listed = self.entries.iter().any(|e| {
            e.scheme == origin.scheme
                && e.port == origin.port
                && app::domain::webhook::host_fits(&e.host, &origin.host)
        });
        if listed {
            Ok(())
        } else {
            Err(format!(
                "{}://{} is not on the allowlist of hosts Crewdesk posts to",
                origin.scheme, origin.host
            ))
        }
    }

    /// Addresses an entry names literally: the only private ones allowed.
    fn literal_addresses(&self) -> Vec<IpAddr> {
        self.entries
            .iter()
            .filter_map(|e| e.host.parse().ok())
            .collect()
    }
}

/// Whether an address is on the public internet: loopback, private, link-local, CGNAT,
/// unspecified, multicast, documentation and benchmark ranges are not.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
                || first == 0x2001 && v6.segments()[1] == 0x0db8 // documentation
                || first == 0x0064 && v6.segments()[1] == 0xff9b // NAT64 to anywhere
                // Addresses that carry an IPv4 address a relay would reach: 6to4, Teredo,
                // and the deprecated IPv4-compatible form (`::a.b.c.d`).
                || first == 0x2002
                || first == 0x2001 && v6.segments()[1] == 0x0000
                || v6.segments()[..6].iter().all(|s| *s == 0)
                || first == 0x0100 && v6.segments()[1..4].iter().all(|s| *s == 0))
            // discard
        }
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    !(v4.is_private()
        || v4.is_loopback()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || v4.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // CGNAT
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240)
}

/// Resolves names and keeps only public addresses (and those the allowlist names).
#[derive(Debug)]
struct CheckedResolver {
    allowed_literals: Vec<IpAddr>,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allowed = self.allowed_literals.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let kept: Vec<SocketAddr> = found
                .filter(|a| is_public(a.ip()) || allowed.contains(&a.ip()))
                .collect();
            if kept.is_empty() {
                let refused: Box<dyn std::error::Error + Send + Sync> = format!(
                    "{host} resolves only to private, loopback or link-local addresses, which are not posted to"
                )
                .into();
                return Err(refused);
            }
            let addrs: Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

/// An HTTP client over the checks above, and the allowlist it checks against.
#[derive(Clone, Debug)]
pub struct Outbound {
    pub client: reqwest::Client,
    allow: Arc<Allowlist>,
}

impl Outbound {
    pub fn new(allow: Allowlist, timeout: Duration) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .timeout(timeout)
            .pool_max_idle_per_host(64)
            .dns_resolver(Arc::new(CheckedResolver {
                allowed_literals: allow.literal_addresses(),
            }))
            .user_agent(concat!("Crewdesk/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            allow: Arc::new(allow),
        })
    }

    /// `url` parsed and checked: on the allowlist, and an IP literal only if it is listed.
    pub fn target(&self, raw: &str) -> Result<Url, String> {
        let url = Url::parse(raw).map_err(|_| "the address is not a valid URL".to_owned())?;
        self.allow.check(&url)?;
        if let Some(host) = url.host_str() {
            if let Ok(ip) = host.trim_matches(['[', ']']).parse::<IpAddr>() {
                if !self.allow.literal_addresses().contains(&ip) {
                    return Err("addresses written as IP numbers are not posted to".into());
                }
            }
        }
        Ok(url)
    }
}

/// `Retry-After` in seconds (the HTTP-date form is rare from these providers and is
/// treated as absent, which falls back to the backoff).
pub fn retry_after_ms(headers: &reqwest::header::HeaderMap) -> Option<i64> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    let seconds: i64 = value.trim().parse().ok()?;
    Some(seconds.clamp(0, 3600) * 1000)
}

/// Reads at most 64 KiB of an answer: a hostile endpoint cannot make a worker buffer more.
pub async fn read_answer(mut response: reqwest::Response) -> String {
    const LIMIT: usize = 64 * 1024;
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = LIMIT - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= LIMIT {
            break;
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(raw: &str) -> Url {
        Url::parse(raw).unwrap()
    }

    #[test]
    fn only_the_provider_hosts_over_https_by_default() {
        let allow = Allowlist::default();
        assert!(allow
            .check(&url("https://oapi.dingtalk.com/robot/send?access_token=x"))
            .is_ok());
        assert!(allow
            .check(&url("http://oapi.dingtalk.com/robot/send"))
            .is_err());
        assert!(allow
            .check(&url("https://oapi.dingtalk.com:8443/robot/send"))
            .is_err());
        assert!(allow.check(&url("https://evil.example/robot")).is_err());
        assert!(allow.check(&url("https://169.254.169.254/")).is_err());
    }

    #[test]
    fn an_operator_entry_replaces_the_list_and_may_allow_plain_http_to_one_address() {
        let allow = Allowlist::parse(&["http://127.0.0.1:9001".into()]).unwrap();
        assert!(allow.check(&url("http://127.0.0.1:9001/hook")).is_ok());
        assert!(allow.check(&url("http://127.0.0.1:9002/hook")).is_err());
        assert!(allow
            .check(&url("https://oapi.dingtalk.com/robot/send"))
            .is_err());
        assert_eq!(
            allow.literal_addresses(),
            vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]
        );
        assert!(Allowlist::parse(&["ftp://x".into()]).is_err());
        assert_eq!(
            Allowlist::parse(&[" ".into()]).unwrap(),
            Allowlist::default()
        );
    }

    #[test]
    fn private_loopback_link_local_and_cgnat_addresses_are_not_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::a9fe:a9fe",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "::7f00:1",
            "::a9fe:a9fe",
            "100::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "8.8.8.8",
            "203.119.1.1",
            "2606:4700::1111",
            "2001:4860::8888",
            "2400:cb00::1",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
        assert!(!is_public(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED)));
    }
}
