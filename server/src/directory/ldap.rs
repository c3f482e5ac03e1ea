//! LDAP v3 and Active Directory (SPEC §6): a simple bind as the service account, then one
//! subtree search with the Simple Paged Results control, so a directory of any size is read
//! in pages of [`PAGE`] entries.

use app::domain::directory::{Entry, Mapping, Preset};
use app::service::directories::LdapSource;
use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{LdapConnAsync, LdapConnSettings, Scope, SearchEntry};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// Entries per page of the paged search.
pub const PAGE: i32 = 500;

/// How long one LDAP operation (connect, bind, a page) may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The filter when none is configured: people, in each preset's terms.
pub fn default_filter(preset: Preset) -> &'static str {
    match preset {
        Preset::OpenLdap => "(objectClass=inetOrgPerson)",
        Preset::Ad => "(&(objectCategory=person)(objectClass=user))",
    }
}

/// A stable id as text: `objectGUID` is 16 bytes, shown as hex; anything else as it is.
fn id_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(char::is_control) => text.to_owned(),
        _ => hex::encode(bytes),
    }
}

/// A connection bound as the service account.
async fn connect(source: &LdapSource, password: &SecretString) -> Result<ldap3::Ldap, String> {
    let settings = LdapConnSettings::new()
        .set_conn_timeout(TIMEOUT)
        .set_starttls(source.starttls);
    let unreachable = |e: ldap3::LdapError| {
        let e = e.to_string();
        if e.contains("certificate") {
            format!(
                "the directory at {} answered with a certificate this server does not trust \
                 ({}); add its CA to the system's trust store or name it in SSL_CERT_FILE",
                source.url,
                e.trim_start_matches("I/O error: ")
            )
        } else {
            format!("the directory at {} does not answer: {e}", source.url)
        }
    };
    let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &source.url)
        .await
        .map_err(unreachable)?;
    ldap3::drive!(conn);
    ldap.with_timeout(TIMEOUT)
        .simple_bind(&source.bind_dn, password.expose_secret())
        .await
        .map_err(unreachable)?
        .success()
        .map_err(|e| format!("the directory refused the bind as {}: {e}", source.bind_dn))?;
    Ok(ldap)
}

/// Every entry under the base DN that the filter selects, mapped.
pub async fn read(
    source: &LdapSource,
    password: &SecretString,
    preset: Preset,
    mapping: &Mapping,
) -> Result<Vec<Entry>, String> {
    let mut ldap = connect(source, password).await?;
    let mut attributes: Vec<String> = mapping
        .fields()
        .iter()
        .map(|(_, a)| (*a).to_owned())
        .collect();
    attributes.sort_unstable();
    attributes.dedup();
    let filter = if source.filter.trim().is_empty() {
        default_filter(preset)
    } else {
        source.filter.as_str()
    };
    let adapters: Vec<Box<dyn Adapter<_, _>>> = vec![
        Box::new(EntriesOnly::new()),
        Box::new(PagedResults::new(PAGE)),
    ];
    let mut search = ldap
        .with_timeout(TIMEOUT)
        .streaming_search_with(
            adapters,
            &source.base_dn,
            Scope::Subtree,
            filter,
            attributes,
        )
        .await
        .map_err(|e| format!("searching {} failed: {e}", source.base_dn))?;
    let mut entries = Vec::new();
    while let Some(found) = search
        .next()
        .await
        .map_err(|e| format!("reading the directory failed: {e}"))?
    {
        let found = SearchEntry::construct(found);
        let binary_id = found
            .bin_attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&mapping.id))
            .and_then(|(_, v)| v.first())
            .map(|v| id_text(v));
        let mut entry = mapping.entry(|attribute| {
            found
                .attrs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(attribute))
                .and_then(|(_, v)| v.first())
                .map(String::as_str)
        });
        if binary_id.is_some() {
            entry.id = binary_id;
        }
        entries.push(entry);
    }
    search
        .finish()
        .await
        .success()
        .map_err(|e| format!("the directory ended the search with an error: {e}"))?;
    let _ = ldap.unbind().await;
    Ok(entries)
}

/// The user `login` of a directory, checked by a bind as that user: `Ok(false)` when the
/// password is wrong or no single entry has that login. The user is found by a search as
/// the service account, with `login` escaped per RFC 4515, so it cannot change the filter.
pub async fn verify_user(
    source: &LdapSource,
    bind_password: &SecretString,
    preset: Preset,
    mapping: &Mapping,
    login: &str,
    password: &str,
) -> Result<bool, String> {
    let mut ldap = connect(source, bind_password).await?;
    let unreachable = |e: ldap3::LdapError| format!("{}: {e}", source.url);
    let people = if source.filter.trim().is_empty() {
        default_filter(preset)
    } else {
        source.filter.as_str()
    };
    let filter = user_filter(people, &mapping.login, login);
    let (found, _) = ldap
        .with_timeout(TIMEOUT)
        .search(&source.base_dn, Scope::Subtree, &filter, vec!["1.1"])
        .await
        .map_err(unreachable)?
        .success()
        .map_err(|e| format!("searching for the user failed: {e}"))?;
    let [only] = found.as_slice() else {
        let _ = ldap.unbind().await;
        return Ok(false);
    };
    let dn = SearchEntry::construct(only.clone()).dn;
    let bound = ldap
        .with_timeout(TIMEOUT)
        .simple_bind(&dn, password)
        .await
        .map_err(unreachable)?;
    let _ = ldap.unbind().await;
    match bound.rc {
        0 => Ok(true),
        // invalidCredentials, and AD's "account disabled/expired" variants of it.
        49 => Ok(false),
        rc => Err(format!(
            "the bind as the user answered {rc}: {}",
            bound.text
        )),
    }
}

/// `(&PEOPLE(LOGIN_ATTRIBUTE=login))` with `login` escaped.
pub fn user_filter(people: &str, attribute: &str, login: &str) -> String {
    format!("(&{people}({attribute}={}))", ldap3::ldap_escape(login))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_cannot_change_the_filter() {
        assert_eq!(
            user_filter("(objectClass=inetOrgPerson)", "uid", "ada"),
            "(&(objectClass=inetOrgPerson)(uid=ada))"
        );
        let hostile = user_filter(
            "(objectClass=inetOrgPerson)",
            "uid",
            "*)(uid=*))(|(uid=*\\\0",
        );
        assert_eq!(
            hostile,
            "(&(objectClass=inetOrgPerson)(uid=\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a\\5c\\00))"
        );
    }

    #[test]
    fn a_binary_guid_becomes_hex_and_text_ids_stay_as_they_are() {
        assert_eq!(id_text(b"6f1c2a10-0001"), "6f1c2a10-0001");
        assert_eq!(id_text(&[0x10, 0x00, 0xff, 0x01]), "1000ff01");
    }
}
