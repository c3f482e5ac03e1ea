//! Sign-in: password hashing (argon2id) and checking, within the instance's limits
//! (`sign_in_limits`) and the lockout shared by every edge and every instance (`lockout`).

use super::actor::Actor;
use super::credentials::CredentialCache;
use super::db::Db;
use super::error::AuthError;
use super::lockout;
use super::now_ms;
use super::password_threads;
use super::sign_in_limits::SignInLimits;
use crate::domain::Role;
use anyhow::Context;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::net::IpAddr;
use std::sync::OnceLock;

/// Hashes a password with argon2id off the async runtime (it costs tens of milliseconds).
pub async fn hash_password(password: &str) -> anyhow::Result<String> {
    let password = password.to_owned();
    password_threads::run(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await?
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
    password_threads::run(move || {
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
}

/// What a sign-in offers: the account and its password, and the address it came from.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    pub login: &'a str,
    pub domain: &'a str,
    pub password: &'a str,
    pub from: Option<IpAddr>,
}

impl std::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("login", &self.login)
            .field("domain", &self.domain)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// Checks a local password. Ten consecutive failures hold the account back for 15 minutes,
/// even from the right password; a success clears the count.
pub async fn authenticate(
    db: &Db,
    limits: &SignInLimits,
    credentials: Credentials<'_>,
) -> Result<Actor, AuthError> {
    verify(db, limits, credentials)
        .await
        .map(|(actor, _)| actor)
}

/// `authenticate` for edges that send the password with every request (the XML API): a
/// credential that verified recently is recognised from `cache` without argon2id.
pub async fn authenticate_remembered(
    db: &Db,
    limits: &SignInLimits,
    cache: &CredentialCache,
    credentials: Credentials<'_>,
) -> Result<Actor, AuthError> {
    let key = lockout::account_key(credentials.login, credentials.domain);
    let digest = cache.digest(credentials.login, credentials.domain, credentials.password);
    let from = credentials.from;
    if let Some(actor) = recall(db, cache, &key, from, &digest).await? {
        return Ok(actor);
    }
    // One check per credential at a time: a tool that opens many connections at once pays
    // argon2id once, and the others find its result in the memory.
    let _flight = cache.one_at_a_time(&digest).await;
    if let Some(actor) = recall(db, cache, &key, from, &digest).await? {
        return Ok(actor);
    }
    let (actor, hash) = verify(db, limits, credentials).await?;
    if let Some(id) = actor.id {
        cache.remember(digest, id, hash);
    }
    Ok(actor)
}

/// The actor for a credential the memory holds, if it still stands.
async fn recall(
    db: &Db,
    cache: &CredentialCache,
    account_key: &str,
    from: Option<std::net::IpAddr>,
    digest: &[u8; 32],
) -> Result<Option<Actor>, AuthError> {
    let Some(hit) = cache.get(digest) else {
        return Ok(None);
    };
    // The account, its lockouts and this address's familiarity in one read: this runs on
    // every call of an edge that sends its password each time.
    let now = now_ms();
    let (account, read) = load_with_lockout(db, hit.technician_id, account_key, from).await?;
    let familiar = read
        .familiar_since
        .filter(|t| *t > now - lockout::FAMILIAR_FOR_MS);
    let counted = if familiar.is_some() {
        read.familiar
    } else {
        read.unfamiliar
    };
    let failures = lockout::held(counted, now)?;
    match account {
        Some((actor, Some(hash))) if hash == hit.password_hash => {
            // The right password clears earlier failures, as a checked one would.
            if failures > 0 {
                lockout::clear(db, &lockout::bucket(account_key, familiar.is_some())).await?;
            }
            lockout::remember_address(db, account_key, from, familiar, now).await?;
            Ok(Some(actor))
        }
        // Deleted, no longer allowed to sign in, or the password changed since.
        _ => {
            cache.forget(digest);
            Ok(None)
        }
    }
}

/// The argon2id check itself, within the limits; answers the actor and the hash it
/// verified against.
async fn verify(
    db: &Db,
    limits: &SignInLimits,
    credentials: Credentials<'_>,
) -> Result<(Actor, String), AuthError> {
    let Credentials {
        login,
        domain,
        password,
        from,
    } = credentials;
    limits.check_address(from)?;
    // A turn first, so a busy answer costs the account none of its guesses.
    let turn = limits.turn().await?;
    let account_key = lockout::account_key(login, domain);
    let familiar = lockout::familiar_since(db, &account_key, from, now_ms()).await?;
    let key = lockout::bucket(&account_key, familiar.is_some());
    lockout::reserve(db, &key, now_ms()).await?;
    let account: Option<(i64, Option<String>)> = sqlx::query_as(
        "SELECT id, password_hash FROM technicians \
         WHERE login_key = $1 AND login_enabled = 1",
    )
    .bind(crate::domain::login_key(login, domain))
    .fetch_optional(db.reader())
    .await
    .context("looking up the account")?;
    let (id, hash) = match account {
        Some((id, hash)) => (Some(id), hash),
        None => (None, None),
    };
    let right = verify_password(password, hash.clone()).await?;
    drop(turn);
    if right {
        if let (Some(id), Some(hash)) = (id, hash) {
            lockout::clear(db, &key).await?;
            lockout::remember_address(db, &account_key, from, familiar, now_ms()).await?;
            if super::password_strength::is_login_name(password, login) {
                // An account made before the mark existed, still on the legacy default.
                mark_must_change(db, id).await?;
            }
            if let Some((actor, _)) = load(db, id).await? {
                return Ok((actor, hash));
            }
        }
    }
    lockout::failed(db, &key, now_ms()).await?;
    limits.record_failure(from);
    Err(AuthError::Failed)
}

/// Marks an account whose password is still its login name.
async fn mark_must_change(db: &Db, id: i64) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE technicians SET must_change_password = 1 WHERE id = $1 AND must_change_password = 0",
    )
    .bind(id)
    .execute(db.writer())
    .await
    .context("marking a password to change")?;
    Ok(())
}

/// Whether `domain` is an LDAP directory: its sign-ins are checked there, never locally.
pub async fn directory_of(
    db: &Db,
    domain: &str,
) -> Result<Option<super::directories::Directory>, AuthError> {
    if domain.trim().is_empty() {
        return Ok(None);
    }
    let found = super::directories::find(db, domain)
        .await
        .map_err(|e| AuthError::Internal(anyhow::anyhow!(e.to_string())))?;
    Ok(found.filter(|d| matches!(d.source, super::directories::Source::Ldap(_))))
}

/// Every edge's sign-in. A domain that is an LDAP directory is checked there and only
/// there, whether or not the request said AD_AUTH (`ad_auth`); any other by its local
/// password, through `remembered` when the edge sends the password with every request.
pub async fn sign_in(
    db: &Db,
    limits: &SignInLimits,
    remembered: Option<&CredentialCache>,
    directory_auth: &super::DirectoryAuth,
    credentials: Credentials<'_>,
    ad_auth: bool,
) -> Result<Actor, AuthError> {
    if ad_auth || directory_of(db, credentials.domain).await?.is_some() {
        return authenticate_directory(db, limits, directory_auth, credentials).await;
    }
    match remembered {
        Some(cache) => authenticate_remembered(db, limits, cache, credentials).await,
        None => authenticate(db, limits, credentials).await,
    }
}

/// A sign-in checked by a bind to the directory the domain names (AD_AUTH): the same
/// limits, lockout and answers as a local one; a directory that does not answer is said so,
/// and no local password is ever tried instead.
pub async fn authenticate_directory(
    db: &Db,
    limits: &SignInLimits,
    directory_auth: &super::DirectoryAuth,
    credentials: Credentials<'_>,
) -> Result<Actor, AuthError> {
    let Credentials {
        login,
        domain,
        password,
        from,
    } = credentials;
    let Some(directory) = directory_of(db, domain).await? else {
        return Err(AuthError::DirectoryUnavailable);
    };
    if let super::directories::Source::Ldap(ldap) = &directory.source {
        if ldap.check_plain(&directory.name).is_err() {
            return Err(AuthError::PlainLdap(directory.name));
        }
    }
    limits.check_address(from)?;
    let turn = limits.turn().await?;
    let account_key = lockout::account_key(login, domain);
    let familiar = lockout::familiar_since(db, &account_key, from, now_ms()).await?;
    let key = lockout::bucket(&account_key, familiar.is_some());
    lockout::reserve(db, &key, now_ms()).await?;
    let name = directory.name.clone();
    // An empty password would be an anonymous bind, which LDAP servers accept: refused here.
    let verdict = if password.is_empty() || login.trim().is_empty() {
        Ok(false)
    } else {
        (directory_auth.0)(directory, login.trim().to_owned(), password.to_owned()).await
    };
    drop(turn);
    match verdict {
        Ok(true) => {
            let account: Option<(i64,)> = sqlx::query_as(
                "SELECT id FROM technicians WHERE login_key = $1 AND login_enabled = 1",
            )
            .bind(crate::domain::login_key(login, domain))
            .fetch_optional(db.reader())
            .await
            .context("looking up the account")?;
            if let Some((id,)) = account {
                if let Some((actor, _)) = load(db, id).await? {
                    lockout::clear(db, &key).await?;
                    lockout::remember_address(db, &account_key, from, familiar, now_ms()).await?;
                    return Ok(actor);
                }
            }
        }
        Ok(false) => {}
        Err(why) => {
            tracing::warn!(directory = %name, error = %why, "directory sign-in could not be checked");
            lockout::release(db, &key).await?;
            return Err(AuthError::DirectoryDown(name));
        }
    }
    lockout::failed(db, &key, now_ms()).await?;
    limits.record_failure(from);
    Err(AuthError::Failed)
}

/// The actor for a technician id, if that technician still exists and may sign in.
pub async fn load_actor(db: &Db, id: i64) -> anyhow::Result<Option<Actor>> {
    Ok(load(db, id).await?.map(|(actor, _)| actor))
}

/// One row of an actor's read: the technician's row (kind 0), its roles (1), its associated
/// sites (2) and, when asked for, its sign-in lockout (3: `position` is `locked_until`,
/// `number` the failures).
#[derive(sqlx::FromRow)]
struct ActorRow {
    kind: i64,
    position: i64,
    text: Option<String>,
    number: Option<i64>,
    hash: Option<String>,
}

/// The read of an actor's rows, each kind in its order; `lockout` is spliced in by
/// `load_with_lockout`.
macro_rules! actor_rows {
    ($lockout:literal) => {
        concat!(
            "SELECT kind, position, text, number, hash FROM ( \
             SELECT CAST(0 AS BIGINT) AS kind, CAST(must_change_password AS BIGINT) AS position, \
             name AS text, \
             site_id AS number, password_hash AS hash FROM technicians \
             WHERE id = $1 AND login_enabled = 1 \
             UNION ALL SELECT 1, position, role, NULL, NULL FROM technician_roles \
             WHERE technician_id = $1 \
             UNION ALL SELECT 2, position, NULL, site_id, NULL FROM technician_sites \
             WHERE technician_id = $1",
            $lockout,
            ") links ORDER BY kind, position"
        )
    };
}

/// The actor and its current password hash, in one statement.
async fn load(db: &Db, id: i64) -> anyhow::Result<Option<(Actor, Option<String>)>> {
    let rows: Vec<ActorRow> = sqlx::query_as(actor_rows!(""))
        .bind(id)
        .fetch_all(db.reader())
        .await
        .context("loading the signed-in technician")?;
    Ok(actor_of(id, rows))
}

/// What [`load_with_lockout`] read beside the actor: the account's two counts of failed
/// sign-ins (`failures`, `locked_until`) and when this address last signed in to it.
#[derive(Debug, Default)]
struct LockoutRead {
    unfamiliar: Option<(i64, i64)>,
    familiar: Option<(i64, i64)>,
    familiar_since: Option<i64>,
}

/// The actor and its password hash, the account's lockouts and the address's familiarity,
/// in one statement.
async fn load_with_lockout(
    db: &Db,
    id: i64,
    account_key: &str,
    from: Option<std::net::IpAddr>,
) -> anyhow::Result<(Option<(Actor, Option<String>)>, LockoutRead)> {
    let familiar_key = lockout::bucket(account_key, true);
    let rows: Vec<ActorRow> = sqlx::query_as(actor_rows!(
        " UNION ALL SELECT 3, locked_until, account_key, failures, NULL FROM auth_failures \
         WHERE account_key IN ($2, $3) \
         UNION ALL SELECT 4, last_seen, NULL, NULL, NULL FROM familiar_addresses \
         WHERE account_key = $2 AND address = $4"
    ))
    .bind(id)
    .bind(account_key)
    .bind(&familiar_key)
    .bind(from.map(lockout::address_key).unwrap_or_default())
    .fetch_all(db.reader())
    .await
    .context("loading the signed-in technician")?;
    let mut read = LockoutRead::default();
    let mut actor = Vec::with_capacity(rows.len());
    for row in rows {
        match row.kind {
            3 => {
                let counted = Some((row.number.unwrap_or(0), row.position));
                if row.text.as_deref() == Some(familiar_key.as_str()) {
                    read.familiar = counted;
                } else {
                    read.unfamiliar = counted;
                }
            }
            4 => read.familiar_since = Some(row.position),
            _ => actor.push(row),
        }
    }
    Ok((actor_of(id, actor), read))
}

/// The actor an actor's rows describe, with its password hash; `None` without its
/// technician's row (deleted, or no longer allowed to sign in).
fn actor_of(id: i64, rows: Vec<ActorRow>) -> Option<(Actor, Option<String>)> {
    let mut rows = rows.into_iter();
    let Some(ActorRow {
        kind: 0,
        position: must_change,
        text: Some(name),
        number: site_id,
        hash,
    }) = rows.next()
    else {
        return None;
    };
    let rows: Vec<ActorRow> = rows.collect();
    let roles = rows
        .iter()
        .filter(|row| row.kind == 1)
        .filter_map(|row| Role::parse(row.text.as_deref()?).ok())
        .collect();
    let site_ids = site_id
        .into_iter()
        .chain(
            rows.iter()
                .filter(|row| row.kind == 2)
                .filter_map(|row| row.number),
        )
        .collect();
    let actor = Actor {
        id: Some(id),
        name,
        roles,
        site_ids,
        must_change_password: must_change != 0,
    };
    Some((actor, hash))
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
    super::password_strength::check(password.expose(), &[login])
        .map_err(|e| ServiceError::invalid("pwd", e))?;
    let hash = hash_password(password.expose()).await?;
    let mut tx = db.begin_write().await?;
    let row: Option<(i64,)> = sqlx::query_as(
        "UPDATE technicians SET password_hash = $1, updated_at = $2, version = version + 1, \
         must_change_password = 0 WHERE login_key = $3 RETURNING id",
    )
    .bind(hash)
    .bind(now_ms())
    .bind(crate::domain::login_key(login, domain))
    .fetch_optional(&mut *tx)
    .await?;
    let (id,) =
        row.ok_or_else(|| ServiceError::NotFound(format!("there is no account '{login}'")))?;
    password_changed(tx, actor, ctx, id).await?;
    Ok(id)
}

/// After a new password is written: whoever knew the old one is signed out everywhere, the
/// change is audited, and the transaction commits.
async fn password_changed(
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    actor: &Actor,
    ctx: &super::AuditContext,
    id: i64,
) -> Result<(), super::ServiceError> {
    super::sessions::end_for(&mut tx, id).await?;
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
    Ok(())
}

/// A signed-in engineer changes their own password: the current one is checked as a
/// sign-in is (counted toward the lockout), the new one must be strong and not the login
/// name. Clears the must-change mark and ends the engineer's other sessions.
pub async fn change_own_password(
    db: &Db,
    limits: &SignInLimits,
    ctx: &super::AuditContext,
    id: i64,
    current: &str,
    new: &str,
    from: Option<std::net::IpAddr>,
) -> Result<(), super::ServiceError> {
    use super::ServiceError;
    let account: Option<(Option<String>, String, String)> = sqlx::query_as(
        "SELECT login_name, login_domain, name FROM technicians WHERE id = $1 AND login_enabled = 1",
    )
    .bind(id)
    .fetch_optional(db.reader())
    .await?;
    let Some((Some(login), domain, name)) = account else {
        return Err(ServiceError::NotFound(
            "this account can no longer sign in".into(),
        ));
    };
    let credentials = Credentials {
        login: &login,
        domain: &domain,
        password: current,
        from,
    };
    let actor = match authenticate(db, limits, credentials).await {
        Ok(actor) if actor.id == Some(id) => actor,
        Ok(_) | Err(AuthError::Failed) => {
            return Err(ServiceError::invalid(
                "current",
                "is not your current password",
            ))
        }
        Err(AuthError::Internal(e)) => return Err(ServiceError::Internal(e)),
        Err(other) => return Err(ServiceError::TooSoon(other.to_string())),
    };
    let password =
        crate::domain::Password::parse(new).map_err(|e| ServiceError::invalid("new", e))?;
    if super::password_strength::is_login_name(new, &login) || new == current {
        return Err(ServiceError::invalid(
            "new",
            "must differ from your login name and your current password",
        ));
    }
    super::password_strength::check(password.expose(), &[&login, &name])
        .map_err(|e| ServiceError::invalid("new", e))?;
    let hash = hash_password(password.expose()).await?;
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE technicians SET password_hash = $1, must_change_password = 0, updated_at = $2, \
         version = version + 1 WHERE id = $3",
    )
    .bind(hash)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    // This browser gets a new session from the caller.
    password_changed(tx, &actor, ctx, id).await
}
