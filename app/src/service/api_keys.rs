//! Keys of the API (SPEC §7, §8): shown once when created, stored only as their SHA-256
//! hash, named, revocable. A key has scopes, and an owner whose reach it acts with (read
//! again at every request); a key without an owner may only notify.

use super::actor::Actor;
use super::audit::{self, AuditContext, Entry};
use super::db::{is_unique_violation, Db};
use super::error::ServiceError;
use crate::domain::audit::utc_text;
use crate::domain::{login_key, AdminTask, FieldProblem, Refusal, Scope};
use serde_json::json;
use sha2::{Digest, Sha256};

/// What every key starts with, so a leaked one is recognisable in a scan.
pub const PREFIX: &str = "cdk_";

fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// A name: 1 to 100 characters, no control characters.
fn checked_name(raw: &str) -> Result<String, ServiceError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ServiceError::invalid(
            "name",
            crate::domain::FieldProblem::PlainTextBetween { min: 1, max: 100 },
        ));
    }
    Ok(name.to_owned())
}

/// A key to create: its name, the owner it acts for (login and domain), and its scopes
/// (none: `notify`).
#[derive(Debug, Clone, Default)]
pub struct NewKey<'a> {
    pub name: &'a str,
    pub owner: Option<(&'a str, &'a str)>,
    pub scopes: Vec<Scope>,
}

/// Creates a key (an SDAdmin's act); answers the key itself, which is not kept.
pub async fn create(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    new: NewKey<'_>,
    now: i64,
) -> Result<String, ServiceError> {
    actor.require_admin(AdminTask::ManageApiKeys)?;
    let name = checked_name(new.name)?;
    let mut scopes = new.scopes.clone();
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        scopes.push(Scope::Notify);
    }
    let owner = match new.owner {
        Some((login, domain)) => {
            let found: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM technicians WHERE login_key = $1")
                    .bind(login_key(login, domain))
                    .fetch_optional(db.reader())
                    .await?;
            let (id,) = found.ok_or_else(|| {
                ServiceError::NotFound(Refusal::NoAccount {
                    login: login.chars().take(64).collect(),
                })
            })?;
            Some(id)
        }
        None if scopes != [Scope::Notify] => {
            return Err(ServiceError::invalid(
                "scope",
                FieldProblem::ScopeNeedsOwner,
            ))
        }
        None => None,
    };
    let secret: [u8; 32] = rand::random();
    let key = format!("{PREFIX}{}", hex::encode(secret));
    let mut tx = db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO api_keys (name, key_hash, prefix, created_at, owner_id, scopes) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&name)
    .bind(hash(&key))
    .bind(&key[..PREFIX.len() + 6])
    .bind(now)
    .bind(owner)
    .bind(Scope::list_text(&scopes))
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e, "api_keys_live_name") => {
            return Err(ServiceError::Conflict(
                crate::domain::Refusal::ApiKeyExists {
                    name: name.to_owned(),
                },
            ))
        }
        Err(e) => return Err(e.into()),
    }
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "apikey.create",
            technician_id: owner,
            before: None,
            after: Some(json!({ "name": name, "scopes": Scope::list_text(&scopes) })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(key)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub name: String,
    /// The first characters, enough to tell keys apart.
    pub prefix: String,
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: Option<String>,
    /// The owner's login (`domain\login` in a domain); `None` for a notify-only key.
    pub owner: Option<String>,
    pub scopes: Vec<Scope>,
}

pub async fn list(db: &Db) -> Result<Vec<KeyInfo>, ServiceError> {
    type Row = (
        String,
        String,
        i64,
        Option<i64>,
        Option<i64>,
        String,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT k.name, k.prefix, k.created_at, k.last_used_at, k.revoked_at, k.scopes, \
         t.login_name, t.login_domain FROM api_keys k LEFT JOIN technicians t ON t.id = k.owner_id \
         ORDER BY k.name, k.id",
    )
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(name, prefix, created, used, revoked, scopes, login, domain)| KeyInfo {
                name,
                prefix,
                created: utc_text(created),
                last_used: used.map(utc_text),
                revoked: revoked.map(utc_text),
                owner: login.map(|l| match domain.as_deref() {
                    Some(d) if !d.is_empty() => format!("{d}\\{l}"),
                    _ => l,
                }),
                scopes: Scope::parse_list(&scopes),
            },
        )
        .collect())
}

pub async fn revoke(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    name: &str,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require_admin(AdminTask::ManageApiKeys)?;
    let name = checked_name(name)?;
    let mut tx = db.begin_write().await?;
    let done =
        sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(&name)
            .execute(&mut *tx)
            .await?;
    if done.rows_affected() == 0 {
        return Err(ServiceError::NotFound(crate::domain::Refusal::NoApiKey {
            name: name.to_owned(),
        }));
    }
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "apikey.revoke",
            technician_id: None,
            before: None,
            after: Some(json!({ "name": name })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A live key as a request presents it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    /// The technician the key acts for; `None`: a notify-only key.
    pub owner_id: Option<i64>,
    pub scopes: Vec<Scope>,
}

impl ApiKey {
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// The live key `key` is; `None` for anything else.
pub async fn authenticate(db: &Db, key: &str) -> Result<Option<ApiKey>, ServiceError> {
    if !key.starts_with(PREFIX) || key.len() != PREFIX.len() + 64 {
        return Ok(None);
    }
    let row: Option<(i64, String, Option<i64>, String)> = sqlx::query_as(
        "SELECT id, name, owner_id, scopes FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
    )
    .bind(hash(key))
    .fetch_optional(db.reader())
    .await?;
    Ok(row.map(|(id, name, owner_id, scopes)| ApiKey {
        id,
        name,
        owner_id,
        scopes: Scope::parse_list(&scopes),
    }))
}

/// Remembers when a key was last used (at most once a minute per key, to spare the writer).
pub async fn touch(db: &Db, id: i64, now: i64) -> Result<(), ServiceError> {
    sqlx::query(
        "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 \
         AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(now)
    .bind(id)
    .bind(now - 60_000)
    .execute(db.writer())
    .await?;
    Ok(())
}
