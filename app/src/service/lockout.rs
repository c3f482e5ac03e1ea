//! Failed sign-ins per account, shared by every edge and every instance through the database.
//!
//! A guess is counted *before* its password is checked and the count is read back from the
//! same statement, so guesses that arrive in parallel (on one instance or on several) cannot
//! all see "fewer than ten so far": the eleventh is refused however the guesses arrive. A
//! success clears the count.
//!
//! Guesses are counted apart for familiar addresses (where the account signed in
//! successfully in the last 30 days) and for everywhere else, as Microsoft Entra's smart
//! lockout does: a stranger who knows `admin` or an integration's login can lock it out
//! only for strangers, never for the addresses it is really used from.

use super::db::Db;
use super::error::AuthError;
use anyhow::Context;
use sha2::{Digest, Sha256};

/// Consecutive failures after which an account is held back.
pub const MAX_FAILURES: i64 = 10;
/// How long an account is held back.
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;
/// A count nobody has added to for this long is forgotten, so guesses at names that do not
/// exist leave no rows behind.
pub const FORGET_AFTER_MS: i64 = 60 * 60 * 1000;

/// Longest key stored as it is; longer ones are shortened with a digest of the whole.
const KEY_LIMIT: usize = 200;

/// The key failed sign-ins are counted under, the same for every edge: the account's
/// `login_key`, bounded. Any input gives a key of at most `KEY_LIMIT` bytes; two long names
/// that share a prefix still get different keys.
pub fn account_key(login: &str, domain: &str) -> String {
    // No control character survives, so no account's key is ever another's familiar
    // count (see [`bucket`]), whatever a stranger types as a login.
    let key: String = crate::domain::login_key(login, domain)
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if key.len() <= KEY_LIMIT {
        return key;
    }
    let digest = hex::encode(Sha256::digest(key.as_bytes()));
    let mut cut = KEY_LIMIT - digest.len() - 1;
    while !key.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}#{digest}", &key[..cut])
}

/// How long an address stays familiar to an account after a sign-in from it succeeded.
pub const FAMILIAR_FOR_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// A familiar address's last success is written again at most this often (a tool that
/// signs in with every request does not write with every request).
const FAMILIAR_REFRESH_MS: i64 = 24 * 60 * 60 * 1000;

/// The count guesses go to: the account's own for unfamiliar addresses, a second one for
/// familiar ones, marked with a control character that no [`account_key`] contains.
pub fn bucket(account: &str, familiar: bool) -> String {
    if familiar {
        format!("{account}\u{1f}familiar")
    } else {
        account.to_owned()
    }
}

/// An address as familiarity knows it: IPv6 by its /64, as the address throttle counts it.
pub fn address_key(from: std::net::IpAddr) -> String {
    super::sign_in_limits::client_key(from).to_string()
}

/// When `account` last signed in successfully from `from`, if it did within
/// [`FAMILIAR_FOR_MS`] of `now`.
pub async fn familiar_since(
    db: &Db,
    account: &str,
    from: Option<std::net::IpAddr>,
    now: i64,
) -> anyhow::Result<Option<i64>> {
    let Some(from) = from else { return Ok(None) };
    let seen: Option<(i64,)> = sqlx::query_as(
        "SELECT last_seen FROM familiar_addresses WHERE account_key = $1 AND address = $2",
    )
    .bind(account)
    .bind(address_key(from))
    .fetch_optional(db.reader())
    .await
    .context("reading familiar addresses")?;
    Ok(seen.map(|(t,)| t).filter(|t| *t > now - FAMILIAR_FOR_MS))
}

/// A sign-in of `account` from `from` succeeded: the address is familiar from now on.
/// `seen` is what [`familiar_since`] answered; a recent one is not written again.
pub async fn remember_address(
    db: &Db,
    account: &str,
    from: Option<std::net::IpAddr>,
    seen: Option<i64>,
    now: i64,
) -> anyhow::Result<()> {
    let Some(from) = from else { return Ok(()) };
    if seen.is_some_and(|t| t > now - FAMILIAR_REFRESH_MS) {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO familiar_addresses (account_key, address, last_seen) VALUES ($1, $2, $3) \
         ON CONFLICT (account_key, address) DO UPDATE SET last_seen = $3",
    )
    .bind(account)
    .bind(address_key(from))
    .bind(now)
    .execute(db.writer())
    .await
    .context("remembering a familiar address")?;
    Ok(())
}

fn held_back(until: i64, now: i64) -> AuthError {
    AuthError::RateLimited {
        minutes: ((until - now).max(0) / 60_000) + 1,
    }
}

/// `RateLimited` while the account is held back, else the failures counted so far, from
/// its row (`failures`, `locked_until`) as read with the account (for credentials already
/// known to be right, which are not guesses).
pub fn held(row: Option<(i64, i64)>, now: i64) -> Result<i64, AuthError> {
    match row {
        Some((_, until)) if until > now => Err(held_back(until, now)),
        Some((failures, _)) => Ok(failures),
        None => Ok(0),
    }
}

/// Counts one guess before it is checked; `RateLimited` when the account is held back or
/// its guesses are used up (some may still be in flight).
pub async fn reserve(db: &Db, key: &str, now: i64) -> Result<(), AuthError> {
    // A lockout that has run out starts the count afresh.
    let (failures, until): (i64, i64) = sqlx::query_as(
        "INSERT INTO auth_failures (account_key, failures, locked_until, updated_at) \
         VALUES ($1, 1, 0, $2) \
         ON CONFLICT (account_key) DO UPDATE SET \
           failures = CASE WHEN auth_failures.locked_until <> 0 AND auth_failures.locked_until <= $2 \
                      THEN 1 ELSE auth_failures.failures + 1 END, \
           locked_until = CASE WHEN auth_failures.locked_until <> 0 AND auth_failures.locked_until <= $2 \
                      THEN 0 ELSE auth_failures.locked_until END, \
           updated_at = $2 \
         RETURNING failures, locked_until",
    )
    .bind(key)
    .bind(now)
    .fetch_one(db.writer())
    .await
    .context("counting a sign-in attempt")?;
    if until > now {
        return Err(held_back(until, now));
    }
    if failures > MAX_FAILURES {
        // The guesses that used the count up are still being checked; the lockout starts
        // when the last of them fails.
        return Err(held_back(now + LOCKOUT_MS, now));
    }
    Ok(())
}

/// A counted guess turned out wrong: once the count is used up the account is held back.
pub async fn failed(db: &Db, key: &str, now: i64) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE auth_failures SET locked_until = $2 \
         WHERE account_key = $1 AND failures >= $3 AND locked_until = 0",
    )
    .bind(key)
    .bind(now + LOCKOUT_MS)
    .bind(MAX_FAILURES)
    .execute(db.writer())
    .await
    .context("holding an account back")?;
    Ok(())
}

/// A counted guess that was never checked (the directory did not answer) is given back.
pub async fn release(db: &Db, key: &str) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE auth_failures SET failures = failures - 1 WHERE account_key = $1 AND failures > 0",
    )
    .bind(key)
    .execute(db.writer())
    .await
    .context("giving back a sign-in attempt")?;
    Ok(())
}

/// A success clears the count.
pub async fn clear(db: &Db, key: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM auth_failures WHERE account_key = $1")
        .bind(key)
        .execute(db.writer())
        .await
        .context("clearing failed sign-ins")?;
    Ok(())
}

/// Forgets counts nobody added to for `FORGET_AFTER_MS` whose lockout (if any) is over.
/// Answers how many were removed.
pub async fn purge(db: &Db, now: i64) -> anyhow::Result<u64> {
    let done =
        sqlx::query("DELETE FROM auth_failures WHERE updated_at < $1 AND locked_until <= $2")
            .bind(now - FORGET_AFTER_MS)
            .bind(now)
            .execute(db.writer())
            .await
            .context("purging old failed sign-ins")?;
    let stale = sqlx::query("DELETE FROM familiar_addresses WHERE last_seen < $1")
        .bind(now - FAMILIAR_FOR_MS)
        .execute(db.writer())
        .await
        .context("purging addresses no longer familiar")?;
    Ok(done.rows_affected() + stale.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_login_reaches_another_accounts_familiar_count() {
        let admin = account_key("admin", "");
        let forged = account_key("admin\u{1f}familiar", "");
        assert_ne!(forged, bucket(&admin, true));
        assert!(!forged.contains('\u{1f}'));
    }

    #[test]
    fn account_keys_ignore_case_and_space() {
        assert_eq!(account_key(" Ada ", "CORP"), account_key("ada", "corp"));
        assert_eq!(account_key("ÉVA", "Été"), account_key("éva", "été"));
    }

    #[test]
    fn long_keys_are_cut_on_a_character_boundary_and_stay_distinct() {
        for unit in ["张", "é", "a", "🦀", "\u{301}"] {
            let a = account_key(&unit.repeat(300), "");
            let b = account_key(&format!("{}x", unit.repeat(300)), "");
            assert!(a.len() <= KEY_LIMIT, "{unit}: {}", a.len());
            assert_ne!(a, b, "{unit}");
        }
        let short = account_key(&"张".repeat(10), "域");
        assert!(!short.contains('#'));
    }
}
