//! LDAP v3 and Active Directory (SPEC §6): a simple bind as the service account, then one
//! subtree search with the Simple Paged Results control, so a directory of any size is read
//! in pages of [`PAGE`] entries.

use app::domain::directory::{Entry, Mapping, Preset};
use app::service::directories::LdapSource;
use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{LdapConnAsync, LdapConnSettings, Scope, SearchEntry};
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

/// The bind password, read from the variable the directory names.
pub fn bind_password(source: &LdapSource) -> Result<String, String> {
    std::env::var(&source.bind_password_env).map_err(|_| {
        format!(
            "the bind password variable ${} is not set for this server",
            source.bind_password_env
        )
    })
}

/// A stable id as text: `objectGUID` is 16 bytes, shown as hex; anything else as it is.
fn id_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(char::is_control) => text.to_owned(),
        _ => hex::encode(bytes),
    }
}

/// Every entry under the base DN that the filter selects, mapped.
pub async fn read(
    source: &LdapSource,
    preset: Preset,
    mapping: &Mapping,
) -> Result<Vec<Entry>, String> {
    let password = bind_password(source)?;
    let settings = LdapConnSettings::new()
        .set_conn_timeout(TIMEOUT)
        .set_starttls(source.starttls);
    let unreachable =
        |e: ldap3::LdapError| format!("the directory at {} does not answer: {e}", source.url);
    let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &source.url)
        .await
        .map_err(unreachable)?;
    ldap3::drive!(conn);
    ldap.with_timeout(TIMEOUT)
        .simple_bind(&source.bind_dn, &password)
        .await
        .map_err(unreachable)?
        .success()
        .map_err(|e| format!("the directory refused the bind as {}: {e}", source.bind_dn))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binary_guid_becomes_hex_and_text_ids_stay_as_they_are() {
        assert_eq!(id_text(b"6f1c2a10-0001"), "6f1c2a10-0001");
        assert_eq!(id_text(&[0x10, 0x00, 0xff, 0x01]), "1000ff01");
    }
}
