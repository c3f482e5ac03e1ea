//! What a confirmation link shows and what its Confirm button does: once, within its time,
//! for the contact it was sent to.

use super::*;

/// What a confirmation link leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Waiting for the Confirm button (or just confirmed by it).
    Pending {
        name: String,
        methods: Vec<Method>,
        /// The contact with most of it hidden: the page needs no sign-in.
        contact: String,
    },
    Expired,
    /// Used already, replaced by a newer request, cancelled, or never issued.
    Unknown,
}

/// A token is 64 lowercase hexadecimal characters; anything else is unknown.
pub(super) fn token_hash_of(token: &str) -> Option<String> {
    (token.len() == 64
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then(|| hash_token(token))
}

async fn link_rows(
    conn: &mut sqlx::AnyConnection,
    token_hash: &str,
) -> Result<Vec<(String, String, i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.method, s.contact, s.expires_at, t.name FROM subscriptions s \
         JOIN technicians t ON t.id = s.technician_id \
         WHERE s.token_hash = $1 AND s.state IN ('pending', 'expired') ORDER BY s.method",
    )
    .bind(token_hash)
    .fetch_all(conn)
    .await
}

fn link_of(rows: Vec<(String, String, i64, String)>, now: i64) -> Link {
    let methods: Vec<Method> = rows
        .iter()
        .filter_map(|(m, ..)| Method::ALL.into_iter().find(|x| x.as_str() == m))
        .collect();
    match rows.into_iter().next() {
        None => Link::Unknown,
        Some((_, _, expires, _)) if expires <= now => Link::Expired,
        Some((_, contact, _, name)) => Link::Pending {
            name,
            methods,
            contact: mask_contact(&contact),
        },
    }
}

/// What `GET /confirm/{token}` shows: nothing changes.
pub async fn inspect(db: &Db, token: &str, now: i64) -> Result<Link, ServiceError> {
    let Some(hash) = token_hash_of(token) else {
        return Ok(Link::Unknown);
    };
    let mut conn = db.reader().acquire().await?;
    Ok(link_of(link_rows(&mut conn, &hash).await?, now))
}

/// The Confirm button: confirms every method the link was sent for, once.
pub async fn confirm(
    db: &Db,
    token: &str,
    ctx: &AuditContext,
    now: i64,
) -> Result<Link, ServiceError> {
    // Looked up on a reader first: an unknown, used or expired token (a guess, a flood of
    // them) is answered without queueing for the one writer.
    let seen = inspect(db, token, now).await?;
    if !matches!(seen, Link::Pending { .. }) {
        return Ok(seen);
    }
    let Some(hash) = token_hash_of(token) else {
        return Ok(Link::Unknown);
    };
    let mut tx = db.begin_write().await?;
    let link = link_of(link_rows(&mut tx, &hash).await?, now);
    if let Link::Pending { name, methods, .. } = &link {
        let confirmed: Vec<(i64, String, String)> = sqlx::query_as(
            "UPDATE subscriptions SET state = 'confirmed', confirmed_at = $2, token_hash = NULL \
             WHERE token_hash = $1 AND state = 'pending' RETURNING technician_id, method, contact",
        )
        .bind(&hash)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        let Some(id) = confirmed.first().map(|(id, ..)| (*id,)) else {
            return Ok(link);
        };
        let steps: Vec<crate::service::ledger::Step> = confirmed
            .iter()
            .filter_map(|(technician, method, contact)| {
                Some(crate::service::ledger::Step {
                    technician_id: *technician,
                    engineer: name,
                    method: Method::ALL.into_iter().find(|m| m.as_str() == method)?,
                    address: contact,
                    event: "confirmed",
                    how: crate::service::ledger::How::Link,
                    actor: name,
                    source_addr: ctx.remote_addr.as_deref(),
                })
            })
            .collect();
        crate::service::ledger::record(&mut tx, &steps, now).await?;
        let names: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
        let actor = Actor {
            id: Some(id.0),
            name: name.clone(),
            roles: Vec::new(),
            site_ids: Vec::new(),
            must_change_password: false,
        };
        audit::record(
            &mut tx,
            &actor,
            ctx,
            Entry {
                action: "subscription.confirm",
                technician_id: Some(id.0),
                before: None,
                after: Some(json!({ "methods": names })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(link)
}
