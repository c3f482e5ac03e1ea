//! Directories written, listed and removed.

use super::*;

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
    actor.require_admin(crate::domain::AdminTask::ManageDirectories)?;
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
            ServiceError::Conflict(Refusal::DirectoryExists {
                name: name.as_str().to_owned(),
            })
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
    actor.require_admin(crate::domain::AdminTask::ManageDirectories)?;
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
    actor.require_admin(crate::domain::AdminTask::ManageDirectories)?;
    let Some(before) = find(db, changed.name.as_str()).await? else {
        return Err(ServiceError::NotFound(Refusal::NoDirectory {
            name: changed.name.as_str().to_owned(),
        }));
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
        return Err(ServiceError::NotFound(Refusal::DirectoryRemoved {
            name: before.name.clone(),
        }));
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
    actor.require_admin(crate::domain::AdminTask::ManageDirectories)?;
    let Some(directory) = find(db, name).await? else {
        return Err(ServiceError::NotFound(Refusal::NoDirectory {
            name: name.chars().take(64).collect(),
        }));
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
