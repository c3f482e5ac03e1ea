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
use crate::domain::FieldErrors;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

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
            format!("'{url}' must start with ldap:// or ldaps://"),
        ),
        Some(host)
            if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            errors.push("ldap_url", format!("'{url}' names no host"));
        }
        Some(_) => {}
    }
    if starttls && lower.starts_with("ldaps://") {
        errors.push("starttls", "is for ldap://; ldaps:// is TLS already");
    }
    for (field, value) in [("bind_dn", bind_dn), ("base_dn", base_dn)] {
        if !value.contains('=') || value.chars().any(char::is_control) {
            errors.push(
                field,
                format!("'{value}' is not a DN like dc=corp,dc=example"),
            );
        }
    }
    let filter = filter.trim();
    let bracketed = filter.starts_with('(') && filter.ends_with(')');
    if !filter.is_empty() && !bracketed {
        errors.push(
            "filter",
            format!("'{filter}' must be an LDAP filter in parentheses"),
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
pub fn console_file_path(raw: &str) -> Result<String, String> {
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
        Err(
            "must be the name of a CSV or JSON file in the server's directory folder (no /, .. \
             or drive at its start)"
                .to_owned(),
        )
    }
}

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

async fn ldap_hosts(db: &Db) -> Result<Vec<String>, sqlx::Error> {
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

/// The most a typed bind password may be.
const MAX_PASSWORD_BYTES: usize = 1024;

impl NewDirectory {
    /// The console's form, every field checked.
    pub fn parse(form: &DirectoryForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.take("name", DirectoryName::parse(&form.name));
        let preset = errors.take("preset", Preset::parse(&form.preset));
        let overrides: Vec<(String, String)> = form
            .map
            .split([',', '\n'])
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .filter_map(|m| match m.split_once('=') {
                Some((f, a)) => Some((f.trim().to_owned(), a.trim().to_owned())),
                None => {
                    errors.push("map", format!("'{m}' must be FIELD=ATTRIBUTE"));
                    None
                }
            })
            .collect();
        let mapping = preset.and_then(|p| {
            p.mapping()
                .with_overrides(&overrides)
                .map_err(|e| errors.push("map", e))
                .ok()
        });
        let source = match form.kind.as_str() {
            "ldap" => ldap_source(
                &form.ldap_url,
                form.starttls.as_deref() == Some("true"),
                &form.bind_dn,
                &form.base_dn,
                &form.filter,
            )
            .map(Source::Ldap)
            .map_err(|more| errors.0.extend(more.0))
            .ok(),
            "file" => {
                let path = form.file.trim();
                if path.is_empty() || path.chars().any(char::is_control) {
                    errors.push(
                        "file",
                        "must be the path of a CSV or JSON file on the server",
                    );
                    None
                } else {
                    Some(Source::File {
                        path: path.to_owned(),
                    })
                }
            }
            _ => {
                errors.push("kind", "must be file or ldap");
                None
            }
        };
        let typed = form.bind_password.as_str();
        if typed.len() > MAX_PASSWORD_BYTES {
            errors.push(
                "bind_password",
                format!("must be at most {MAX_PASSWORD_BYTES} bytes"),
            );
        }
        let typed_password =
            (form.kind == "ldap" && !typed.is_empty()).then(|| SecretString::from(typed));
        match (name, preset, mapping, source) {
            (Some(name), Some(preset), Some(mapping), Some(source)) if errors.is_empty() => {
                Ok(Self {
                    name,
                    source,
                    preset,
                    mapping,
                    typed_password,
                })
            }
            _ => Err(errors),
        }
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

/// A directory to add, or the new settings of one to change.
#[derive(Debug)]
pub struct NewDirectory {
    pub name: DirectoryName,
    pub source: Source,
    pub preset: Preset,
    pub mapping: Mapping,
    /// A bind password typed in the console, sealed before it is stored.
    pub typed_password: Option<SecretString>,
}

/// `new`'s source as it may be stored for `actor`, given the directory as it was
/// (`before`): the console's rules of the module docs applied, a typed password sealed.
fn settle(
    actor: &Actor,
    before: Option<&Directory>,
    new: &NewDirectory,
    key: &SecretKey,
    ldap_hosts: &[String],
) -> Result<Source, ServiceError> {
    let before_ldap = before.and_then(|b| match &b.source {
        Source::Ldap(l) => Some(l),
        Source::File { .. } => None,
    });
    match &new.source {
        Source::File { path } => {
            let unchanged =
                matches!(before.map(|b| &b.source), Some(Source::File { path: p }) if p == path);
            if !actor.is_operator() && !unchanged {
                console_file_path(path).map_err(|e| ServiceError::invalid("file", e))?;
            }
            Ok(new.source.clone())
        }
        Source::Ldap(asked) => {
            let mut ldap = asked.clone();
            if !actor.is_operator() {
                if matches!(asked.password, BindPassword::Env(_)) || asked.allow_plain {
                    return Err(ServiceError::NotAuthorized(
                        "only the operator may name a server variable or allow plain LDAP".into(),
                    ));
                }
                // Users' own passwords go wherever the URL points (AD_AUTH): the console may
                // point a directory only at a server the operator listed.
                let same_server = before_ldap
                    .is_some_and(|b| b.url.trim().eq_ignore_ascii_case(asked.url.trim()));
                if !same_server && !ldap_host_allowed(&asked.url, ldap_hosts) {
                    return Err(ServiceError::invalid(
                        "ldap_url",
                        format!(
                            "'{}' is not a directory server this Crewdesk may reach: the operator \
                             lists them with --ldap-allow",
                            asked.url.chars().take(200).collect::<String>()
                        ),
                    ));
                }
                let same = before_ldap.filter(|b| b.same_connection(asked));
                ldap.allow_plain = same.is_some_and(|b| b.allow_plain);
                ldap.password = match (&new.typed_password, same, before_ldap) {
                    (Some(_), _, _) => BindPassword::Missing,
                    (None, Some(b), _) => b.password.clone(),
                    (None, None, Some(b)) if matches!(b.password, BindPassword::Env(_)) => {
                        return Err(ServiceError::invalid(
                            "bind_password",
                            "type the bind password: the connection changed, and this \
                             directory's password comes from the server's environment",
                        ))
                    }
                    (None, None, _) => BindPassword::Missing,
                };
            }
            if let Some(typed) = &new.typed_password {
                ldap.password = BindPassword::Sealed(
                    key.seal(&password_purpose(new.name.as_str()), typed.expose_secret()),
                );
            }
            Ok(Source::Ldap(ldap))
        }
    }
}

/// Writes `directory`'s source, preset and mapping to its row: what Add and Change share.
async fn write_settings(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    directory: &Directory,
    now: i64,
) -> Result<bool, ServiceError> {
    let mapping_json = serde_json::to_string(&directory.mapping).map_err(anyhow::Error::new)?;
    let (kind, file_path, ldap) = match &directory.source {
        Source::File { path } => ("file", Some(path.as_str()), None),
        Source::Ldap(l) => ("ldap", None, Some(l)),
    };
    let updated = sqlx::query(
        "UPDATE directories SET kind = $1, file_path = $2, ldap_url = $3, bind_dn = $4, \
         bind_password_env = $5, base_dn = $6, filter = $7, starttls = $8, preset = $9, \
         mapping_json = $10, updated_at = $11, bind_password_sealed = $13, \
         allow_plain_ldap = $14 WHERE id = $12",
    )
    .bind(kind)
    .bind(file_path)
    .bind(ldap.map(|l| l.url.as_str()))
    .bind(ldap.map(|l| l.bind_dn.as_str()))
    .bind(ldap.and_then(|l| match &l.password {
        BindPassword::Env(variable) => Some(variable.as_str()),
        _ => None,
    }))
    .bind(ldap.map(|l| l.base_dn.as_str()))
    .bind(ldap.map(|l| l.filter.as_str()))
    .bind(i64::from(ldap.is_some_and(|l| l.starttls)))
    .bind(directory.preset.as_str())
    .bind(mapping_json)
    .bind(now)
    .bind(directory.id)
    .bind(ldap.and_then(|l| match &l.password {
        BindPassword::Sealed(sealed) => Some(sealed.as_str()),
        _ => None,
    }))
    .bind(i64::from(ldap.is_some_and(|l| l.allow_plain)))
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Adds a directory; its name must be new (any case).
pub async fn add(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    new: NewDirectory,
    key: &SecretKey,
    now: i64,
) -> Result<Directory, ServiceError> {
    actor.require_admin("manage directories")?;
    let source = settle(actor, None, &new, key, &ldap_hosts(db).await?)?;
    let NewDirectory {
        name,
        preset,
        mapping,
        ..
    } = new;
    let mut tx = db.begin_write().await?;
    // The row with its name first, then the settings as Change writes them.
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO directories (name, name_key, kind, preset, mapping_json, created_at, \
         updated_at) VALUES ($1, $2, 'file', $3, '{}', $4, $4) RETURNING id",
    )
    .bind(name.as_str())
    .bind(crate::domain::fold(name.as_str()))
    .bind(preset.as_str())
    .bind(now)
    .fetch_one(&mut *tx)
    .await;
    let (id,) = inserted.map_err(|e| {
        if is_unique_violation(&e, "directories_name") {
            ServiceError::Conflict(format!(
                "a directory named '{}' already exists",
                name.as_str()
            ))
        } else {
            e.into()
        }
    })?;
    let directory = Directory {
        id,
        name: name.as_str().to_owned(),
        source,
        preset,
        mapping,
    };
    write_settings(&mut tx, &directory, now).await?;
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "directory.add",
            technician_id: None,
            before: None,
            after: Some(directory.audit_json()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(directory)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    kind: String,
    file_path: Option<String>,
    ldap_url: Option<String>,
    bind_dn: Option<String>,
    bind_password_env: Option<String>,
    bind_password_sealed: Option<String>,
    allow_plain_ldap: i64,
    base_dn: Option<String>,
    filter: Option<String>,
    starttls: i64,
    preset: String,
    mapping_json: String,
}

impl Row {
    fn into_directory(self) -> Directory {
        let preset = Preset::parse(&self.preset).unwrap_or(Preset::OpenLdap);
        let mapping = serde_json::from_str(&self.mapping_json).unwrap_or_else(|_| preset.mapping());
        let text = |v: Option<String>| v.unwrap_or_default();
        let source = if self.kind == "ldap" {
            Source::Ldap(LdapSource {
                url: text(self.ldap_url),
                starttls: self.starttls != 0,
                bind_dn: text(self.bind_dn),
                password: match (self.bind_password_env, self.bind_password_sealed) {
                    (Some(variable), _) => BindPassword::Env(variable),
                    (None, Some(sealed)) => BindPassword::Sealed(sealed),
                    (None, None) => BindPassword::Missing,
                },
                allow_plain: self.allow_plain_ldap != 0,
                base_dn: text(self.base_dn),
                filter: text(self.filter),
            })
        } else {
            Source::File {
                path: text(self.file_path),
            }
        };
        Directory {
            id: self.id,
            name: self.name,
            source,
            preset,
            mapping,
        }
    }
}

const COLUMNS: &str = "id, name, kind, file_path, ldap_url, bind_dn, bind_password_env, \
                       bind_password_sealed, allow_plain_ldap, base_dn, filter, starttls, preset, \
                       mapping_json";

/// Every directory as the settings page shows it (SDAdmin).
pub async fn listings(db: &Db, actor: &Actor) -> Result<Vec<DirectoryListing>, ServiceError> {
    actor.require_admin("manage directories")?;
    Ok(list(db).await?.iter().map(Directory::listing).collect())
}

/// Every directory, by name.
pub async fn list(db: &Db) -> Result<Vec<Directory>, ServiceError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM directories ORDER BY name_key"
    ))
    .fetch_all(db.reader())
    .await?;
    Ok(rows.into_iter().map(Row::into_directory).collect())
}

/// The directory named `name` (any case).
pub async fn find(db: &Db, name: &str) -> Result<Option<Directory>, ServiceError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM directories WHERE name_key = $1"
    ))
    .bind(crate::domain::fold(name.trim()))
    .fetch_optional(db.reader())
    .await?;
    Ok(row.map(Row::into_directory))
}

/// Changes the directory named as `changed` is (any case): its source, preset and
/// mapping. Its engineers stay its own: the name, their login domain, never changes.
pub async fn change(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    changed: NewDirectory,
    key: &SecretKey,
    now: i64,
) -> Result<Directory, ServiceError> {
    actor.require_admin("manage directories")?;
    let Some(before) = find(db, changed.name.as_str()).await? else {
        return Err(ServiceError::NotFound(format!(
            "there is no directory named '{}'",
            changed.name.as_str()
        )));
    };
    let source = settle(actor, Some(&before), &changed, key, &ldap_hosts(db).await?)?;
    let after = Directory {
        id: before.id,
        name: before.name.clone(),
        source,
        preset: changed.preset,
        mapping: changed.mapping,
    };
    let mut tx = db.begin_write().await?;
    if !write_settings(&mut tx, &after, now).await? {
        return Err(ServiceError::NotFound(format!(
            "the directory '{}' was removed meanwhile",
            before.name
        )));
    }
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "directory.change",
            technician_id: None,
            before: Some(before.audit_json()),
            after: Some(after.audit_json()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Removes a directory. Its engineers stay, as they are; a later sync no longer sees them.
pub async fn remove(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    name: &str,
) -> Result<(), ServiceError> {
    actor.require_admin("manage directories")?;
    let Some(directory) = find(db, name).await? else {
        return Err(ServiceError::NotFound(format!(
            "there is no directory named '{}'",
            name.chars().take(64).collect::<String>()
        )));
    };
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM directories WHERE id = $1")
        .bind(directory.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "directory.remove",
            technician_id: None,
            before: Some(directory.audit_json()),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
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
