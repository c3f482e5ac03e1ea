//! Failed sign-ins per account, shared by every edge and every instance through the database.
//!
//! A guess is counted *before* its password is checked and the count is read back from the
//! same statement, so guesses that arrive in parallel (on one instance or on several) cannot
//! all see "fewer than ten so far": the eleventh is refused however the guesses arrive. A
//! success clears the count.

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
    let key = crate::domain::login_key(login, domain);
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
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

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
