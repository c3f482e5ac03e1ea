//! Contact points: what a channel needs to reach an engineer beyond their own fields (a
//! robot's webhook and signing secret), one row per engineer and channel.
//!
//! A secret is sealed under the server key as it is saved and opened only to send; what the
//! console shows of it is its last four characters, kept beside it (`secret_hint`).

use super::db::{by_many_ids, Db};
use super::error::ServiceError;
use super::secret_box::SecretKey;
use crate::domain::{Change, Channel};
use secrecy::ExposeSecret;
use sqlx::{Any, AnyConnection, Transaction};
use std::collections::HashMap;

/// An engineer's contact point as stored, its secret never opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPoint {
    pub channel: Channel,
    pub address: Option<String>,
    /// The last four characters of the secret, when there is one.
    pub secret_hint: Option<String>,
}

impl ContactPoint {
    pub fn has_secret(&self) -> bool {
        self.secret_hint.is_some()
    }
}

/// What a sealed secret is bound to: a value copied to another engineer or channel does
/// not open there.
fn purpose(technician_id: i64, channel: Channel) -> String {
    format!("contact:{technician_id}:{}", channel.as_str())
}

fn hint(secret: &str) -> String {
    let count = secret.chars().count();
    secret.chars().skip(count.saturating_sub(4)).collect()
}

/// The contact points of each of `ids` that has any.
pub async fn of_many(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<ContactPoint>>, ServiceError> {
    let rows: Vec<(i64, String, Option<String>, Option<String>)> = by_many_ids(
        &mut *conn,
        "SELECT technician_id, channel, address, secret_hint FROM contact_points \
         WHERE technician_id IN ({}) ORDER BY technician_id, channel",
        ids,
    )
    .await?;
    let mut all: HashMap<i64, Vec<ContactPoint>> = HashMap::new();
    for (id, channel, address, secret_hint) in rows {
        // A channel this build does not know (written by a newer one) is left alone.
        let Some(channel) = Channel::parse(&channel) else {
            continue;
        };
        all.entry(id).or_default().push(ContactPoint {
            channel,
            address,
            secret_hint,
        });
    }
    Ok(all)
}

/// The contact points of one engineer.
pub async fn of(conn: &mut AnyConnection, id: i64) -> Result<Vec<ContactPoint>, ServiceError> {
    Ok(of_many(conn, &[id]).await?.remove(&id).unwrap_or_default())
}

/// Applies an edit of one contact point inside the engineer's update: the address and the
/// secret each kept, set or cleared. A point left with neither is removed.
pub async fn apply(
    tx: &mut Transaction<'_, Any>,
    key: &SecretKey,
    technician_id: i64,
    channel: Channel,
    address: &Change<String>,
    secret: &Change<String>,
    now: i64,
) -> Result<(), ServiceError> {
    if address.is_keep() && secret.is_keep() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO contact_points (technician_id, channel, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (technician_id, channel) DO NOTHING",
    )
    .bind(technician_id)
    .bind(channel.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let (set_address, address) = match address {
        Change::Keep => (false, None),
        Change::Set(a) => (true, Some(a.as_str())),
        Change::Clear => (true, None),
    };
    let (set_secret, sealed, hint) = match secret {
        Change::Keep => (false, None, None),
        Change::Set(s) => (
            true,
            Some(key.seal(&purpose(technician_id, channel), s)),
            Some(hint(s)),
        ),
        Change::Clear => (true, None, None),
    };
    sqlx::query(
        "UPDATE contact_points SET \
         address = CASE WHEN $1 = 1 THEN $2 ELSE address END, \
         secret = CASE WHEN $3 = 1 THEN $4 ELSE secret END, \
         secret_hint = CASE WHEN $3 = 1 THEN $5 ELSE secret_hint END, \
         unsealed_secret = CASE WHEN $3 = 1 THEN NULL ELSE unsealed_secret END, \
         updated_at = $6 WHERE technician_id = $7 AND channel = $8",
    )
    .bind(i64::from(set_address))
    .bind(address)
    .bind(i64::from(set_secret))
    .bind(sealed)
    .bind(hint)
    .bind(now)
    .bind(technician_id)
    .bind(channel.as_str())
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "DELETE FROM contact_points WHERE technician_id = $1 AND channel = $2 \
         AND address IS NULL AND secret IS NULL AND unsealed_secret IS NULL",
    )
    .bind(technician_id)
    .bind(channel.as_str())
    .execute(&mut **tx)
    .await?;
    // What delivery learnt was about the contact as it was.
    super::contact_health::forget(tx, &[technician_id], &[channel]).await?;
    Ok(())
}

/// Where a message on `channel` goes now, with the secret opened: `None` when the engineer
/// has no address for it (any more).
pub async fn for_sending(
    db: &Db,
    key: &SecretKey,
    technician_id: i64,
    channel: Channel,
) -> Result<Option<(String, Option<String>)>, ServiceError> {
    let row: Option<(Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT address, secret, unsealed_secret FROM contact_points \
         WHERE technician_id = $1 AND channel = $2",
    )
    .bind(technician_id)
    .bind(channel.as_str())
    .fetch_optional(db.reader())
    .await?;
    let Some((Some(address), sealed, unsealed)) = row else {
        return Ok(None);
    };
    let secret = match (sealed, unsealed) {
        (Some(sealed), _) => Some(
            key.open(&purpose(technician_id, channel), &sealed)
                .map_err(|e| ServiceError::Internal(e.into()))?
                .expose_secret()
                .to_owned(),
        ),
        (None, unsealed) => unsealed,
    };
    Ok(Some((address, secret)))
}

/// Seals the secrets that were stored before sealing existed (copied by the migration
/// from the old robot columns). Run at every start; answers how many it sealed.
pub async fn seal_unsealed(db: &Db, key: &SecretKey, now: i64) -> Result<u64, ServiceError> {
    let mut tx = db.begin_write().await?;
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT technician_id, channel, unsealed_secret FROM contact_points \
         WHERE unsealed_secret IS NOT NULL",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut sealed = 0;
    for (id, channel, secret) in rows {
        let Some(known) = Channel::parse(&channel) else {
            continue;
        };
        sqlx::query(
            "UPDATE contact_points SET secret = $1, secret_hint = $2, unsealed_secret = NULL, \
             updated_at = $3 WHERE technician_id = $4 AND channel = $5 AND unsealed_secret = $6",
        )
        .bind(key.seal(&purpose(id, known), &secret))
        .bind(hint(&secret))
        .bind(now)
        .bind(id)
        .bind(&channel)
        // A secret saved since it was read (another instance's edit) is left as saved.
        .bind(&secret)
        .execute(&mut *tx)
        .await?;
        sealed += 1;
    }
    tx.commit().await?;
    Ok(sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_is_the_last_four_characters() {
        assert_eq!(hint("SECabcdef"), "cdef");
        assert_eq!(hint("秘密钥匙好"), "密钥匙好");
        assert_eq!(hint("ab"), "ab");
    }
}
