//! The directories that feed the roster: added, changed, listed and removed by an SDAdmin
//! (console settings) or the operator (`crewdesk directory`).
//!
//! What only the operator may do: name an environment variable of the server as a bind
//! password, name a file anywhere on the server, and allow plain `ldap://` (passwords in
//! clear). A password typed in the console is sealed under the server key
//! ([`super::secret_box`]) and never shown again; changing a directory's connection (URL,
//! StartTLS, bind DN) in the console drops its password and the plain-LDAP allowance unless a
//! password is typed in the same change, so a console setting can never send a stored
//! secret to a server of someone's choosing.

use super::audit::{self, AuditContext, Entry};
use super::db::{is_unique_violation, Db};
use super::error::ServiceError;
use super::secret_box::SecretKey;
use super::Actor;
use crate::domain::directory::{DirectoryForm, DirectoryListing, DirectoryName, Mapping, Preset};
use crate::domain::{FieldErrors, FieldProblem, Refusal};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

mod form;
mod hosts;
mod source;
mod store;

use form::settle;
pub use form::NewDirectory;
use hosts::ldap_hosts;
pub use hosts::{ldap_host_allowed, set_ldap_hosts};
pub use source::DirectorySource;
pub use store::{add, change, find, list, listings, remove};

/// Where a directory's entries come from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Source {
    /// A CSV (with a header row) or JSON file on the server: an absolute path is the
    /// operator's; a relative one (all the console may name) lies in the directory root.
    File {
        path: String,
    },
    Ldap(LdapSource),
}

/// Where a directory's bind password comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BindPassword {
    /// None: none was typed, or the connection changed in the console since.
    Missing,
    /// The operator named this environment variable of the server (CLI only).
    Env(String),
    /// Typed in the console, sealed under the server key.
    Sealed(String),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LdapSource {
    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    pub url: String,
    pub starttls: bool,
    pub bind_dn: String,
    pub password: BindPassword,
    pub base_dn: String,
    pub filter: String,
    /// The operator allowed binds over plain `ldap://` without StartTLS (CLI only).
    pub allow_plain: bool,
}

impl LdapSource {
    /// Whether binds would carry passwords in clear: `ldap://` without StartTLS.
    pub fn is_plain(&self) -> bool {
        self.url.trim().to_ascii_lowercase().starts_with("ldap://") && !self.starttls
    }

    /// Where a password would be sent, and as whom: what the console may not change
    /// without typing the password again.
    fn same_connection(&self, other: &Self) -> bool {
        self.url.trim().eq_ignore_ascii_case(other.url.trim())
            && self.starttls == other.starttls
            && self.bind_dn.trim() == other.bind_dn.trim()
    }

    /// Refuses a bind that would carry a password in clear, unless the operator allowed it
    /// for this directory.
    pub fn check_plain(&self, directory: &str) -> Result<(), String> {
        if self.is_plain() && !self.allow_plain {
            Err(format!(
                "the directory {directory} is reached over plain ldap:// without StartTLS, which \
                 would send passwords in clear; use ldaps:// or StartTLS, or let the operator \
                 allow it with `crewdesk directory change {directory} --allow-plain-ldap`"
            ))
        } else {
            Ok(())
        }
    }
}

/// What a sealed bind password is bound to: its directory (whose name never changes).
pub fn password_purpose(directory: &str) -> String {
    format!("directory-bind:{}", crate::domain::fold(directory))
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Directory {
    pub id: i64,
    pub name: String,
    pub source: Source,
    pub preset: Preset,
    pub mapping: Mapping,
}

impl Directory {
    /// Where it reads from, for lists: the file, or the server and base DN, and where its
    /// password comes from (never the password).
    pub fn describe(&self) -> String {
        match &self.source {
            Source::File { path } => format!("file {path}"),
            Source::Ldap(l) => format!(
                "{}{} {} ({}{})",
                l.url,
                if l.starttls { " +StartTLS" } else { "" },
                l.base_dn,
                match &l.password {
                    BindPassword::Missing => "no bind password stored".to_owned(),
                    BindPassword::Env(variable) => format!("password from ${variable}"),
                    BindPassword::Sealed(_) => "bind password stored".to_owned(),
                },
                if l.allow_plain && l.is_plain() {
                    "; plain LDAP allowed by the operator"
                } else {
                    ""
                }
            ),
        }
    }
}

/// The LDAP settings of a directory, each checked; the messages name the CLI's options,
/// which are also the form's field names. Its password is [`BindPassword::Missing`] and
/// plain LDAP is not allowed: only the operator sets those.
pub fn ldap_source(
    url: &str,
    starttls: bool,
    bind_dn: &str,
    base_dn: &str,
    filter: &str,
) -> Result<LdapSource, FieldErrors> {
    let mut errors = FieldErrors::default();
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    match lower
        .strip_prefix("ldap://")
        .or_else(|| lower.strip_prefix("ldaps://"))
    {
        None => errors.push(
            "ldap_url",
            FieldProblem::LdapScheme {
                url: url.chars().take(200).collect(),
            },
        ),
        Some(host)
            if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            errors.push(
                "ldap_url",
                FieldProblem::LdapNoHost {
                    url: url.chars().take(200).collect(),
                },
            );
        }
        Some(_) => {}
    }
    if starttls && lower.starts_with("ldaps://") {
        errors.push("starttls", FieldProblem::StartTlsOnLdaps);
    }
    for (field, value) in [("bind_dn", bind_dn), ("base_dn", base_dn)] {
        if !value.contains('=') || value.chars().any(char::is_control) {
            errors.push(
                field,
                FieldProblem::NotADn {
                    value: value.chars().take(200).collect(),
                },
            );
        }
    }
    let filter = filter.trim();
    let bracketed = filter.starts_with('(') && filter.ends_with(')');
    if !filter.is_empty() && !bracketed {
        errors.push(
            "filter",
            FieldProblem::NotAFilter {
                filter: filter.chars().take(200).collect(),
            },
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(LdapSource {
        url: url.to_owned(),
        starttls,
        bind_dn: bind_dn.trim().to_owned(),
        password: BindPassword::Missing,
        base_dn: base_dn.trim().to_owned(),
        filter: filter.to_owned(),
        allow_plain: false,
    })
}

/// An environment variable's name as the operator gives it for a bind password.
pub fn password_variable(raw: &str) -> Result<String, String> {
    let variable = raw.trim();
    let fits = variable
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && variable
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if fits {
        Ok(variable.to_owned())
    } else {
        Err(format!(
            "'{variable}' must be a variable name like CORP_LDAP_PASSWORD"
        ))
    }
}

/// A directory file the console names: a relative path inside the directory root, without
/// `..`, so it can only name what the operator put there.
pub fn console_file_path(raw: &str) -> Result<String, FieldProblem> {
    let path = raw.trim();
    let inside = !path.is_empty()
        && path.len() <= 255
        && !path.chars().any(char::is_control)
        && !path.starts_with(['/', '\\'])
        && !path.contains(':')
        && path
            .split(['/', '\\'])
            .all(|part| !part.is_empty() && part != "." && part != "..");
    if inside {
        Ok(path.to_owned())
    } else {
        Err(FieldProblem::FileOutsideFolder)
    }
}

impl Directory {
    pub fn listing(&self) -> DirectoryListing {
        let mapping: Vec<(String, String)> = self
            .mapping
            .fields()
            .iter()
            .map(|(f, a)| ((*f).to_owned(), (*a).to_owned()))
            .collect();
        // What differs from the preset, as the form's FIELD=ATTRIBUTE changes.
        let preset = self.preset.mapping();
        let map = self
            .mapping
            .fields()
            .iter()
            .zip(preset.fields())
            .filter(|(mine, theirs)| mine.1 != theirs.1)
            .map(|((field, attribute), _)| format!("{field}={attribute}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut form = DirectoryForm {
            name: self.name.clone(),
            preset: self.preset.as_str().to_owned(),
            map,
            ..DirectoryForm::default()
        };
        match &self.source {
            Source::File { path } => {
                form.kind = "file".into();
                form.file = path.clone();
            }
            Source::Ldap(l) => {
                form.kind = "ldap".into();
                form.ldap_url = l.url.clone();
                form.starttls = l.starttls.then(|| "true".to_owned());
                form.bind_dn = l.bind_dn.clone();
                // Never shown again: the form leaves it empty, which keeps it.
                form.bind_password_stored = !matches!(l.password, BindPassword::Missing);
                form.allow_plain_ldap = l.allow_plain;
                form.base_dn = l.base_dn.clone();
                form.filter = l.filter.clone();
            }
        }
        DirectoryListing {
            name: self.name.clone(),
            source: self.describe(),
            preset: self.preset.as_str().to_owned(),
            mapping,
            form,
        }
    }

    /// What the audit log shows of it.
    fn audit_json(&self) -> serde_json::Value {
        json!({
            "name": self.name,
            "source": self.describe(),
            "preset": self.preset.as_str(),
            "mapping": self.listing().mapping.iter().map(|(f, a)| format!("{f}={a}")).collect::<Vec<_>>().join(", "),
        })
    }
}
