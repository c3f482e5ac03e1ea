//! Who is acting: password hashing (argon2id), sign-in with a lockout shared by every edge
//! and every instance, and the `Actor` that authorisation decisions are made about.

use super::credentials::CredentialCache;
use super::db::Db;
use super::now_ms;
use crate::domain::Role;
use anyhow::Context;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::OnceLock;

/// Consecutive failures after which an account is held back.
pub const MAX_FAILURES: i64 = 10;
/// How long an account is held back.
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;

/// The technician (or the operator's CLI) a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `None` for the operator's CLI.
    pub id: Option<i64>,
    pub name: String,
    pub roles: Vec<Role>,
    /// The technician's own site and its associated sites.
    pub site_ids: Vec<i64>,
}

impl Actor {
    /// The operator at the command line: an administrator that is nobody in the roster.
    pub fn operator() -> Self {
        Self {
            id: None,
            name: "operator (CLI)".to_owned(),
            roles: vec![Role::SdAdmin],
            site_ids: Vec::new(),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.roles.contains(&Role::SdAdmin)
    }

    pub fn is_site_admin(&self) -> bool {
        self.roles.contains(&Role::SdSiteAdmin)
    }

    /// An SDSiteAdmin acts only where every site involved is one of its own; a technician
    /// with no site at all is for an SDAdmin only.
    pub fn covers_sites(&self, sites: &[Option<i64>]) -> bool {
        self.is_admin()
            || (self.is_site_admin()
                && !sites.is_empty()
                && sites
                    .iter()
                    .all(|s| s.is_some_and(|id| self.site_ids.contains(&id))))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the user name or password is not correct")]
    Failed,
    #[error("too many failed sign-ins for this account; try again in {minutes} minutes")]
    RateLimited { minutes: i64 },
    #[error("directory authentication is not configured on this server")]
    DirectoryUnavailable,
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

/// Hashes a password with argon2id off the async runtime (it costs tens of milliseconds).
pub async fn hash_password(password: &str) -> anyhow::Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await
    .context("joining the hashing task")?
}

/// A hash of nothing anyone knows, verified against when the account does not exist so an
/// unknown user costs the same time as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"crewdesk-decoy-password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

async fn verify_password(password: &str, hash: Option<String>) -> anyhow::Result<bool> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| decoy_hash().to_owned());
        let ok = PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && known
    })
    .await
    .context("joining the verification task")
}

/// The key failed sign-ins are counted under, the same for every edge.
fn account_key(login: &str, domain: &str) -> String {
    let mut key = format!(
        "{}\\{}",
        domain.trim().to_lowercase(),
        login.trim().to_lowercase()
    );
    key.truncate(200);
    key
}

/// Checks a local password. Ten consecutive failures hold the account back for 15 minutes,
/// even from the right password; a success clears the count.
pub async fn authenticate(
    db: &Db,
    login: &str,
    domain: &str,
    password: &str,
) -> Result<Actor, AuthError> {
    let key = account_key(login, domain);
    let failures = check_lockout(db, &key).await?;
    verify(db, &key, failures, login, domain, password)
        .await
        .map(|(actor, _)| actor)
}

/// `authenticate` for edges that send the password with every request (the XML API): a
/// credential that verified recently is recognised from `cache` without argon2id.
pub async fn authenticate_remembered(
    db: &Db,
    cache: &CredentialCache,
    login: &str,
    domain: &str,
    password: &str,
) -> Result<Actor, AuthError> {
    let key = account_key(login, domain);
    let failures = check_lockout(db, &key).await?;
    let digest = cache.digest(login, domain, password);
    if let Some(hit) = cache.get(&digest) {
        match load(db, hit.technician_id).await? {
            Some((actor, Some(hash))) if hash == hit.password_hash => {
                if failures > 0 {
                    clear_failures(db, &key).await?;
                }
                return Ok(actor);
            }
            // Deleted, no longer allowed to sign in, or the password changed since.
            _ => cache.forget(&digest),
        }
    }
    let (actor, hash) = verify(db, &key, failures, login, domain, password).await?;
    if let Some(id) = actor.id {
        cache.remember(digest, id, hash);
    }
    Ok(actor)
}

/// The failures counted so far, or `RateLimited` while the account is held back.
async fn check_lockout(db: &Db, key: &str) -> Result<i64, AuthError> {
    let now = now_ms();
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT failures, locked_until FROM auth_failures WHERE account_key = $1")
            .bind(key)
            .fetch_optional(db.reader())
            .await
            .context("reading the sign-in lockout")?;
    match row {
        Some((_, until)) if until > now => Err(AuthError::RateLimited {
            minutes: ((until - now) / 60_000) + 1,
        }),
        Some((failures, _)) => Ok(failures),
        None => Ok(0),
    }
}

async fn clear_failures(db: &Db, key: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM auth_failures WHERE account_key = $1")
        .bind(key)
        .execute(db.writer())
        .await
        .context("clearing failed sign-ins")?;
    Ok(())
}

/// The argon2id check itself; answers the actor and the hash it verified against.
async fn verify(
    db: &Db,
    key: &str,
    failures: i64,
    login: &str,
    domain: &str,
    password: &str,
) -> Result<(Actor, String), AuthError> {
    let account: Option<(i64, Option<String>)> = sqlx::query_as(
        "SELECT id, password_hash FROM technicians \
         WHERE lower(login_domain) = lower($1) AND lower(login_name) = lower($2) AND login_enabled = 1",
    )
    .bind(domain.trim())
    .bind(login.trim())
    .fetch_optional(db.reader())
    .await
    .context("looking up the account")?;
    let (id, hash) = match account {
        Some((id, hash)) => (Some(id), hash),
        None => (None, None),
    };
    if verify_password(password, hash.clone()).await? {
        if let (Some(id), Some(hash)) = (id, hash) {
            if failures > 0 {
                clear_failures(db, key).await?;
            }
            if let Some((actor, _)) = load(db, id).await? {
                return Ok((actor, hash));
            }
        }
    }
    record_failure(db, key, now_ms()).await?;
    Err(AuthError::Failed)
}

async fn record_failure(db: &Db, key: &str, now: i64) -> anyhow::Result<()> {
    let mut tx = db.writer().begin().await?;
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT failures, locked_until FROM auth_failures WHERE account_key = $1")
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
    // A lockout that has run out starts the count afresh.
    let failures = match row {
        Some((_, until)) if until != 0 && until <= now => 1,
        Some((n, _)) => n + 1,
        None => 1,
    };
    let locked_until = if failures >= MAX_FAILURES {
        now + LOCKOUT_MS
    } else {
        0
    };
    sqlx::query(
        "INSERT INTO auth_failures (account_key, failures, locked_until) VALUES ($1, $2, $3) \
         ON CONFLICT (account_key) DO UPDATE SET failures = $2, locked_until = $3",
    )
    .bind(key)
    .bind(failures)
    .bind(locked_until)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The actor for a technician id, if that technician still exists and may sign in.
pub async fn load_actor(db: &Db, id: i64) -> anyhow::Result<Option<Actor>> {
    Ok(load(db, id).await?.map(|(actor, _)| actor))
}

/// The actor and its current password hash.
async fn load(db: &Db, id: i64) -> anyhow::Result<Option<(Actor, Option<String>)>> {
    let row: Option<(String, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT name, site_id, password_hash FROM technicians WHERE id = $1 AND login_enabled = 1",
    )
    .bind(id)
    .fetch_optional(db.reader())
    .await
    .context("loading the signed-in technician")?;
    let Some((name, site_id, hash)) = row else {
        return Ok(None);
    };
    let roles: Vec<(String,)> = sqlx::query_as(
        "SELECT role FROM technician_roles WHERE technician_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(db.reader())
    .await
    .context("loading roles")?;
    let sites: Vec<(i64,)> = sqlx::query_as(
        "SELECT site_id FROM technician_sites WHERE technician_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(db.reader())
    .await
    .context("loading associated sites")?;
    let mut site_ids: Vec<i64> = site_id.into_iter().collect();
    site_ids.extend(sites.into_iter().map(|(s,)| s));
    let actor = Actor {
        id: Some(id),
        name,
        roles: roles
            .iter()
            .filter_map(|(r,)| Role::parse(r).ok())
            .collect(),
        site_ids,
    };
    Ok(Some((actor, hash)))
}

/// Sets the password of the account `login` in `domain` (an SDAdmin's act).
pub async fn set_password(
    db: &Db,
    actor: &Actor,
    ctx: &super::AuditContext,
    login: &str,
    domain: &str,
    password: &str,
) -> Result<i64, super::ServiceError> {
    use super::ServiceError;
    if !actor.is_admin() {
        return Err(ServiceError::NotAuthorized(
            "only an SDAdmin may set passwords".into(),
        ));
    }
    let password =
        crate::domain::Password::parse(password).map_err(|e| ServiceError::invalid("pwd", e))?;
    let hash = hash_password(password.expose()).await?;
    let mut tx = db.writer().begin().await?;
    let row: Option<(i64,)> = sqlx::query_as(
        "UPDATE technicians SET password_hash = $1, updated_at = $2, version = version + 1 \
         WHERE lower(login_domain) = lower($3) AND lower(login_name) = lower($4) RETURNING id",
    )
    .bind(hash)
    .bind(now_ms())
    .bind(domain.trim())
    .bind(login.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let (id,) =
        row.ok_or_else(|| ServiceError::NotFound(format!("there is no account '{login}'")))?;
    super::audit::record(
        &mut tx,
        actor,
        ctx,
        super::audit::Entry {
            action: "technician.password",
            technician_id: Some(id),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site_admin(sites: &[i64]) -> Actor {
        Actor {
            id: Some(1),
            name: "s".into(),
            roles: vec![Role::SdSiteAdmin],
            site_ids: sites.to_vec(),
        }
    }

    #[test]
    fn a_site_admin_covers_only_technicians_wholly_inside_its_sites() {
        let actor = site_admin(&[1, 2]);
        assert!(actor.covers_sites(&[Some(1)]));
        assert!(actor.covers_sites(&[Some(1), Some(2)]));
        assert!(!actor.covers_sites(&[Some(1), Some(3)]));
        assert!(!actor.covers_sites(&[None]));
        assert!(!actor.covers_sites(&[]));
    }

    #[test]
    fn an_admin_covers_everything_and_a_plain_engineer_nothing() {
        assert!(Actor::operator().covers_sites(&[None]));
        let plain = Actor {
            roles: vec![],
            ..site_admin(&[1])
        };
        assert!(!plain.covers_sites(&[Some(1)]));
    }

    #[test]
    fn account_keys_ignore_case_and_space() {
        assert_eq!(account_key(" Ada ", "CORP"), account_key("ada", "corp"));
    }
}
