//! The directories that feed the roster: added, listed and removed by an SDAdmin (console
//! settings) or the operator (`crewdesk directory`). A bind password is never stored, only
//! the name of the environment variable that holds it.

use super::audit::{self, AuditContext, Entry};
use super::db::{is_unique_violation, Db};
use super::error::ServiceError;
use super::Actor;
use crate::domain::directory::{DirectoryName, Mapping, Preset};
use serde_json::json;

/// Where a directory's entries come from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Source {
    /// A CSV (with a header row) or JSON file on the server.
    File {
        path: String,
    },
    Ldap(LdapSource),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LdapSource {
    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    pub url: String,
    pub starttls: bool,
    pub bind_dn: String,
    /// The environment variable the bind password is read from.
    pub bind_password_env: String,
    pub base_dn: String,
    pub filter: String,
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
    /// Where it reads from, for lists: the file, or the server and base DN.
    pub fn describe(&self) -> String {
        match &self.source {
            Source::File { path } => format!("file {path}"),
            Source::Ldap(l) => format!(
                "{}{} {} (password from ${})",
                l.url,
                if l.starttls { " +StartTLS" } else { "" },
                l.base_dn,
                l.bind_password_env
            ),
        }
    }
}

fn require_admin(actor: &Actor) -> Result<(), ServiceError> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(ServiceError::NotAuthorized(
            "only an SDAdmin may manage directories".into(),
        ))
    }
}

/// A directory to add.
#[derive(Debug, Clone)]
pub struct NewDirectory {
    pub name: DirectoryName,
    pub source: Source,
    pub preset: Preset,
    pub mapping: Mapping,
}

/// Adds a directory; its name must be new (any case).
pub async fn add(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    new: NewDirectory,
    now: i64,
) -> Result<Directory, ServiceError> {
    require_admin(actor)?;
    let NewDirectory {
        name,
        source,
        preset,
        mapping,
    } = new;
    let (file_path, ldap) = match &source {
        Source::File { path } => (Some(path.clone()), None),
        Source::Ldap(l) => (None, Some(l.clone())),
    };
    let mapping_json = serde_json::to_string(&mapping).map_err(anyhow::Error::new)?;
    let mut tx = db.writer().begin().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO directories (name, name_key, kind, file_path, ldap_url, bind_dn, \
         bind_password_env, base_dn, filter, starttls, preset, mapping_json, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
    )
    .bind(name.as_str())
    .bind(crate::domain::fold(name.as_str()))
    .bind(if ldap.is_some() { "ldap" } else { "file" })
    .bind(file_path)
    .bind(ldap.as_ref().map(|l| l.url.clone()))
    .bind(ldap.as_ref().map(|l| l.bind_dn.clone()))
    .bind(ldap.as_ref().map(|l| l.bind_password_env.clone()))
    .bind(ldap.as_ref().map(|l| l.base_dn.clone()))
    .bind(ldap.as_ref().map(|l| l.filter.clone()))
    .bind(i64::from(ldap.as_ref().is_some_and(|l| l.starttls)))
    .bind(preset.as_str())
    .bind(mapping_json)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
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
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "directory.add",
            technician_id: None,
            before: None,
            after: Some(json!({ "name": directory.name, "source": directory.describe() })),
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
                bind_password_env: text(self.bind_password_env),
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

const COLUMNS: &str = "id, name, kind, file_path, ldap_url, bind_dn, bind_password_env, base_dn, \
                       filter, starttls, preset, mapping_json";

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

/// Removes a directory. Its engineers stay, as they are; a later sync no longer sees them.
pub async fn remove(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    name: &str,
) -> Result<(), ServiceError> {
    require_admin(actor)?;
    let Some(directory) = find(db, name).await? else {
        return Err(ServiceError::NotFound(format!(
            "there is no directory named '{}'",
            name.chars().take(64).collect::<String>()
        )));
    };
    let mut tx = db.writer().begin().await?;
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
            before: Some(json!({ "name": directory.name, "source": directory.describe() })),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
