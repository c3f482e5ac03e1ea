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

mod actors;
mod hashing;
mod passwords;

pub use actors::load_actor;
use actors::{load, load_with_lockout};
pub use hashing::hash_password;
use hashing::verify_password;
pub use passwords::{change_own_password, set_password};

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
    directories: &dyn super::directories::DirectorySource,
    credentials: Credentials<'_>,
    ad_auth: bool,
) -> Result<Actor, AuthError> {
    if ad_auth || directory_of(db, credentials.domain).await?.is_some() {
        return authenticate_directory(db, limits, directories, credentials).await;
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
    directories: &dyn super::directories::DirectorySource,
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
        directories.verify(&directory, login.trim(), password).await
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
