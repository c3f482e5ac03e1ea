//! The directory servers the console may reach: the operator's `--ldap-allow` list, kept in
//! the settings so the CLI and every instance read the same.

use crate::service::db::Db;

/// The settings key of the operator's `--ldap-allow` list.
const LDAP_HOSTS_KEY: &str = "directory.ldap_allow";

/// The directory servers the console may point a directory at (`--ldap-allow`, written by
/// `serve` at start): `host` (any port) or `host:port`, lower case.
pub async fn set_ldap_hosts(db: &Db, hosts: &[String]) -> Result<(), sqlx::Error> {
    let list: Vec<String> = hosts
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = $2",
    )
    .bind(LDAP_HOSTS_KEY)
    .bind(list.join(","))
    .execute(db.writer())
    .await?;
    Ok(())
}

pub(super) async fn ldap_hosts(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    let value: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
        .bind(LDAP_HOSTS_KEY)
        .fetch_optional(db.reader())
        .await?;
    Ok(value
        .map(|(v,)| {
            v.split(',')
                .filter(|h| !h.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default())
}

/// Whether `url`'s server is on `hosts` (`host` for any port, or `host:port`).
pub fn ldap_host_allowed(url: &str, hosts: &[String]) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("ldap://")
        .or_else(|| lower.strip_prefix("ldaps://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return false;
    }
    let host = match authority.rsplit_once(':') {
        Some((host, port))
            if !port.is_empty()
                && port.chars().all(|c| c.is_ascii_digit())
                && (!host.contains(':') || host.ends_with(']')) =>
        {
            host
        }
        _ => authority,
    };
    hosts.iter().any(|h| h == authority || h == host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_reaches_only_listed_directory_servers() {
        let hosts = vec![
            "dc1.corp.example".to_owned(),
            "127.0.0.1:1389".to_owned(),
            "[::1]".to_owned(),
        ];
        for ok in [
            "ldap://dc1.corp.example",
            "LDAPS://DC1.corp.example:636/",
            "ldap://127.0.0.1:1389",
            "ldap://[::1]:389",
        ] {
            assert!(ldap_host_allowed(ok, &hosts), "{ok}");
        }
        for refused in [
            "ldap://evil.example",
            "ldap://127.0.0.1:1390",
            "ldap://127.0.0.1",
            "ldap://dc1.corp.example@evil.example",
            "ldap://dc1.corp.example.evil.example",
            "http://dc1.corp.example",
            "ldap://",
            "ldap://[::2]:389",
        ] {
            assert!(!ldap_host_allowed(refused, &hosts), "{refused}");
        }
        assert!(!ldap_host_allowed("ldap://dc1.corp.example", &[]));
    }
}
