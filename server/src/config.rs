//! Settings: defaults, then `CREWDESK_*` environment variables, then command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_DATABASE_URL: &str = "sqlite:data/crewdesk.db";

#[derive(Clone)]
pub struct Settings {
    pub database_url: String,
    /// Port 0 picks a free port (tests).
    pub addr: SocketAddr,
    /// The folder holding `pkg/` (WASM, JS, CSS) and `favicon.ico`.
    pub site_root: PathBuf,
    /// Set when Crewdesk is served over HTTPS: session cookies become `__Host-` and Secure.
    pub secure_cookies: bool,
    /// How long a verified XML API credential is recognised without argon2id; zero turns
    /// the memory off.
    pub credential_cache_ttl: Duration,
    /// Password checks at once, and failed sign-ins per client address.
    pub sign_in_limits: app::service::sign_in_limits::Limits,
    /// A request not answered by then is answered 408.
    pub request_deadline: Duration,
    /// A client that stops sending its body for this long is cut off with an answer.
    pub body_idle: Duration,
    /// A connection that has not sent a whole request head by then is closed; this also
    /// ends a keep-alive connection left idle that long.
    pub header_deadline: Duration,
    /// Connections open at once; more wait in the listen backlog.
    pub max_connections: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client (sign-in limits, audit).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Providers, confirmation links and the delivery workers.
    pub notify: crate::notify::NotifySettings,
    /// The server key (`CREWDESK_SECRET_KEY`); when unset, the key in `secret_key_file`.
    pub secret_key: Option<secrecy::SecretString>,
    /// Where the server key is kept when no key is given: created (0600) on first start.
    pub secret_key_file: PathBuf,
    /// The only folder the console may name directory files in.
    pub directory_root: PathBuf,
    /// Directory servers the console may point a directory at (`host` or `host:port`).
    pub ldap_allow: Vec<String>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field(
                "database_url",
                &app::service::db::redact_url(&self.database_url),
            )
            .field("addr", &self.addr)
            .field("site_root", &self.site_root)
            .field("secure_cookies", &self.secure_cookies)
            .field("credential_cache_ttl", &self.credential_cache_ttl)
            .field("sign_in_limits", &self.sign_in_limits)
            .field("request_deadline", &self.request_deadline)
            .field("body_idle", &self.body_idle)
            .field("header_deadline", &self.header_deadline)
            .field("max_connections", &self.max_connections)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("notify", &self.notify)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "(set)"))
            .field("secret_key_file", &self.secret_key_file)
            .field("directory_root", &self.directory_root)
            .field("ldap_allow", &self.ldap_allow)
            .finish()
    }
}

/// Five minutes: short enough that a revoked credential is forgotten soon even if the
/// database check somehow missed it, long enough that a busy tool pays argon2id rarely.
pub const DEFAULT_CREDENTIAL_CACHE_SECONDS: u64 = 300;

/// Well under the usual limit of 1,024 open files, leaving room for database connections,
/// outgoing deliveries and the log.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 800;

impl Settings {
    pub fn new(database_url: impl Into<String>) -> Self {
        let database_url = database_url.into();
        Self {
            secret_key: None,
            secret_key_file: beside_database(&database_url, "crewdesk.key"),
            directory_root: beside_database(&database_url, "directories"),
            ldap_allow: Vec::new(),
            database_url,
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            site_root: default_site_root(),
            secure_cookies: false,
            credential_cache_ttl: Duration::from_secs(DEFAULT_CREDENTIAL_CACHE_SECONDS),
            sign_in_limits: Default::default(),
            request_deadline: Duration::from_secs(30),
            body_idle: Duration::from_secs(10),
            header_deadline: Duration::from_secs(30),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            trusted_proxies: Vec::new(),
            notify: Default::default(),
        }
    }
}

/// `CREWDESK_SITE_ROOT`, else `target/site` under the working directory.
pub fn default_site_root() -> PathBuf {
    std::env::var_os("CREWDESK_SITE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/site"))
}

/// `name` in the folder of the SQLite database file, or under `data/` for PostgreSQL.
pub fn beside_database(database_url: &str, name: &str) -> PathBuf {
    if let Some(rest) = database_url.strip_prefix("sqlite:") {
        let rest = rest.trim_start_matches("//");
        let path = rest.split('?').next().unwrap_or(rest);
        if let Some(parent) = Path::new(path).parent() {
            return parent.join(name);
        }
    }
    PathBuf::from("data").join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_and_the_directory_folder_sit_beside_the_database() {
        assert_eq!(
            beside_database("sqlite:data/crewdesk.db", "crewdesk.key"),
            PathBuf::from("data/crewdesk.key")
        );
        assert_eq!(
            beside_database("sqlite:///srv/cd/db.sqlite?mode=rwc", "directories"),
            PathBuf::from("/srv/cd/directories")
        );
        assert_eq!(
            beside_database("postgres://u:p@h/db", "crewdesk.key"),
            PathBuf::from("data/crewdesk.key")
        );
    }
}
