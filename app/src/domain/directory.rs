//! Directories that feed the roster (SPEC §6): their names (login domains), attribute
//! mappings with the `openldap` and `ad` presets, the entries they give, and the result of
//! a sync as the console and the CLI show it.

use super::note::SyncNote;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
pub enum DirectoryError {
    #[error("must be 1 to 64 letters, digits, '.', '_' or '-' (it is the login domain)")]
    BadName,
    #[error("'{0}' is not a preset; use openldap or ad")]
    BadPreset(String),
    #[error("the attribute name '{0}' may have only letters, digits, '-' and ';' (at most 64)")]
    BadAttribute(String),
    #[error(
        "'{0}' is not a field; map id, login, name, email, mobile, phone, title, employee_id or department"
    )]
    BadField(String),
}

/// A directory's name: the login domain its engineers sign in with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryName(String);

impl DirectoryName {
    pub fn parse(raw: &str) -> Result<Self, DirectoryError> {
        let name = raw.trim();
        let fits = (1..=64).contains(&name.chars().count())
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if fits {
            Ok(Self(name.to_owned()))
        } else {
            Err(DirectoryError::BadName)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Preset {
    OpenLdap,
    Ad,
}

impl Preset {
    pub fn parse(raw: &str) -> Result<Self, DirectoryError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "openldap" | "" => Ok(Self::OpenLdap),
            "ad" => Ok(Self::Ad),
            _ => Err(DirectoryError::BadPreset(raw.chars().take(40).collect())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenLdap => "openldap",
            Self::Ad => "ad",
        }
    }

    /// The attributes each field is read from (SPEC §6).
    pub fn mapping(self) -> Mapping {
        let (id, login, name) = match self {
            Self::OpenLdap => ("entryUUID", "uid", "cn"),
            Self::Ad => ("objectGUID", "sAMAccountName", "displayName"),
        };
        Mapping {
            id: id.into(),
            login: login.into(),
            name: name.into(),
            email: "mail".into(),
            mobile: "mobile".into(),
            phone: "telephoneNumber".into(),
            title: "title".into(),
            employee_id: "employeeNumber".into(),
            department: "department".into(),
        }
    }
}

/// Which directory attribute fills each engineer field; attribute names match without
/// regard to case, as LDAP's do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// The stable id (`entryUUID`, `objectGUID`): an entry renamed or moved stays the same
    /// engineer.
    pub id: String,
    pub login: String,
    pub name: String,
    pub email: String,
    pub mobile: String,
    pub phone: String,
    pub title: String,
    pub employee_id: String,
    pub department: String,
}

impl Mapping {
    /// `(field, attribute)` pairs, in a fixed order.
    pub fn fields(&self) -> [(&'static str, &str); 9] {
        [
            ("id", &self.id),
            ("login", &self.login),
            ("name", &self.name),
            ("email", &self.email),
            ("mobile", &self.mobile),
            ("phone", &self.phone),
            ("title", &self.title),
            ("employee_id", &self.employee_id),
            ("department", &self.department),
        ]
    }

    /// The preset with `overrides` (`field=attribute`) applied; every name is checked.
    pub fn with_overrides(
        mut self,
        overrides: &[(String, String)],
    ) -> Result<Self, DirectoryError> {
        for (field, attribute) in overrides {
            let attribute = attribute.trim();
            let fits = (1..=64).contains(&attribute.len())
                && attribute
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ';'));
            if !fits {
                return Err(DirectoryError::BadAttribute(
                    attribute.chars().take(64).collect(),
                ));
            }
            let slot = match field.trim() {
                "id" => &mut self.id,
                "login" => &mut self.login,
                "name" => &mut self.name,
                "email" => &mut self.email,
                "mobile" => &mut self.mobile,
                "phone" => &mut self.phone,
                "title" => &mut self.title,
                "employee_id" => &mut self.employee_id,
                "department" => &mut self.department,
                other => return Err(DirectoryError::BadField(other.chars().take(40).collect())),
            };
            attribute.clone_into(slot);
        }
        Ok(self)
    }

    /// The entry an attribute lookup gives: `get(attribute)` answers the first value.
    pub fn entry<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> Entry {
        let text = |attribute: &str| {
            get(attribute)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let login = text(&self.login);
        Entry {
            // A file without an id column is keyed by the login.
            id: text(&self.id).or_else(|| login.clone()),
            login,
            name: text(&self.name),
            email: text(&self.email),
            mobile: text(&self.mobile),
            phone: text(&self.phone),
            title: text(&self.title),
            employee_id: text(&self.employee_id),
            department: text(&self.department),
        }
    }
}

/// One directory entry, mapped but not yet checked: a sync parses each field and reports
/// what it had to leave out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: Option<String>,
    pub login: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub employee_id: Option<String>,
    pub department: Option<String>,
}

/// The console's Add directory (or Change directory) form, as posted.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DirectoryForm {
    pub name: String,
    /// `file` or `ldap`.
    pub kind: String,
    pub file: String,
    pub ldap_url: String,
    /// `true` when ticked.
    pub starttls: Option<String>,
    pub bind_dn: String,
    /// Typed to set (or replace) the bind password; never filled in by the server.
    pub bind_password: String,
    /// Shown, never read back: a password is stored for this directory.
    pub bind_password_stored: bool,
    /// Shown, never read back: the operator allowed plain `ldap://` for it.
    pub allow_plain_ldap: bool,
    pub base_dn: String,
    pub filter: String,
    pub preset: String,
    /// `field=attribute` pairs, separated by commas or new lines.
    pub map: String,
}

impl std::fmt::Debug for DirectoryForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectoryForm")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("file", &self.file)
            .field("ldap_url", &self.ldap_url)
            .field("starttls", &self.starttls)
            .field("bind_dn", &self.bind_dn)
            .field("bind_password", &"***")
            .field("base_dn", &self.base_dn)
            .field("filter", &self.filter)
            .field("preset", &self.preset)
            .field("map", &self.map)
            .finish_non_exhaustive()
    }
}

/// A directory as the settings page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryListing {
    pub name: String,
    /// Where it reads from: the file, or the server, base DN and password variable.
    pub source: String,
    pub preset: String,
    /// `(field, attribute)`.
    pub mapping: Vec<(String, String)>,
    /// Its settings as the form shows them, to change them.
    pub form: DirectoryForm,
}

/// How a sync ended, as the console and `directory sync` report it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSummary {
    pub id: i64,
    /// `running`, `done` or `failed`.
    pub state: String,
    pub started_by: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub total: i64,
    pub processed: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub flagged: i64,
    pub skipped: i64,
    pub lists: SyncLists,
    pub error: Option<String>,
}

impl SyncSummary {
    /// The one line `directory sync` prints (SPEC §7).
    pub fn line(&self) -> String {
        format!(
            "created {}, updated {}, unchanged {}, flagged {}",
            self.created, self.updated, self.unchanged, self.flagged
        )
    }

    /// Done per mille, for the progress bar.
    pub fn per_mille(&self) -> i64 {
        if self.total <= 0 {
            return if self.state == "running" { 0 } else { 1000 };
        }
        (self.processed.clamp(0, self.total) * 1000) / self.total
    }
}

/// Who was created, updated, flagged or skipped (and why), each list cut at
/// [`LIST_LIMIT`] names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncLists {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub flagged: Vec<String>,
    pub skipped: Vec<SyncNote>,
    /// Fields left out of an entry that was kept, and contacts kept because they were
    /// edited here.
    pub notes: Vec<SyncNote>,
}

impl SyncLists {
    /// The lists as a run saved them (JSON), reading the plain English notes of runs saved
    /// before notes were typed; lists that cannot be read at all are empty.
    pub fn from_saved(json: &str) -> Self {
        #[derive(Deserialize)]
        struct Saved {
            #[serde(default)]
            created: Vec<String>,
            #[serde(default)]
            updated: Vec<String>,
            #[serde(default)]
            flagged: Vec<String>,
            #[serde(default, deserialize_with = "super::note::saved_notes")]
            skipped: Vec<SyncNote>,
            #[serde(default, deserialize_with = "super::note::saved_notes")]
            notes: Vec<SyncNote>,
        }
        serde_json::from_str::<Saved>(json)
            .map(|s| Self {
                created: s.created,
                updated: s.updated,
                flagged: s.flagged,
                skipped: s.skipped,
                notes: s.notes,
            })
            .unwrap_or_default()
    }
}

pub const LIST_LIMIT: usize = 200;

impl SyncLists {
    pub fn push<T>(list: &mut Vec<T>, item: T) {
        if list.len() < LIST_LIMIT {
            list.push(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_as_runs_saved_them_are_read_and_travel_as_postcard() {
        let typed = serde_json::to_string(&SyncNote::NoId { who: "Ada".into() }).unwrap();
        let saved = format!(
            r#"{{"created": ["Ada"], "skipped": ["Bob: no id", {typed}], "notes": [{{"Renamed": 1}}]}}"#
        );
        let lists = SyncLists::from_saved(&saved);
        assert_eq!(lists.created, vec!["Ada".to_owned()]);
        assert!(lists.updated.is_empty() && lists.flagged.is_empty());
        assert_eq!(
            lists.skipped,
            vec![
                SyncNote::Earlier {
                    text: "Bob: no id".into()
                },
                SyncNote::NoId { who: "Ada".into() },
            ]
        );
        assert_eq!(
            lists.notes,
            vec![SyncNote::Earlier {
                text: r#"{"Renamed":1}"#.into()
            }]
        );
        // What the browser is sent decodes to the same lists.
        let wire = postcard::to_allocvec(&lists).unwrap();
        assert_eq!(postcard::from_bytes::<SyncLists>(&wire).unwrap(), lists);
        // Lists that cannot be read at all are empty, not an error.
        assert_eq!(SyncLists::from_saved("not json"), SyncLists::default());
    }

    #[test]
    fn names_are_login_domains() {
        for good in ["CORP", "corp.example", "北京-ad", "a_b"] {
            assert!(DirectoryName::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            " ",
            "a b",
            "a\\b",
            "x\u{0}",
            &"d".repeat(65),
            "a/b",
            "Local Authentication",
        ] {
            assert_eq!(
                DirectoryName::parse(bad),
                Err(DirectoryError::BadName),
                "{bad}"
            );
        }
    }

    #[test]
    fn presets_name_the_attributes_of_spec_6() {
        let ad = Preset::parse("AD").unwrap().mapping();
        assert_eq!(
            (ad.id.as_str(), ad.login.as_str(), ad.name.as_str()),
            ("objectGUID", "sAMAccountName", "displayName")
        );
        let ldap = Preset::parse("openldap").unwrap().mapping();
        assert_eq!(
            (ldap.id.as_str(), ldap.login.as_str(), ldap.name.as_str()),
            ("entryUUID", "uid", "cn")
        );
        assert!(Preset::parse("novell").is_err());
    }

    #[test]
    fn a_mapping_is_edited_by_field_and_checked() {
        let base = Preset::OpenLdap.mapping();
        let edited = base
            .clone()
            .with_overrides(&[("mobile".into(), "pager".into())])
            .unwrap();
        assert_eq!(edited.mobile, "pager");
        for bad in [
            ("mobile", "a b"),
            ("mobile", ""),
            ("mobile", "x)(uid=*"),
            ("fax", "fax"),
        ] {
            assert!(
                base.clone()
                    .with_overrides(&[(bad.0.into(), bad.1.into())])
                    .is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn an_entry_takes_trimmed_values_and_falls_back_to_the_login_as_id() {
        let mapping = Preset::OpenLdap.mapping();
        let values = [
            ("uid", " ada "),
            ("cn", "Ada Lovelace"),
            ("mobile", " "),
            ("MAIL", "ada@example.com"),
        ];
        let entry = mapping.entry(|attribute| {
            values
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(attribute))
                .map(|(_, v)| *v)
        });
        assert_eq!(entry.id.as_deref(), Some("ada"));
        assert_eq!(entry.login.as_deref(), Some("ada"));
        assert_eq!(entry.mobile, None);
        assert_eq!(entry.email.as_deref(), Some("ada@example.com"));
    }
}
