//! Subscriptions to the confirmable methods (SMS, voice, email): what the Subscribe dialog
//! offers and the requests it makes. A request leaves the method `pending` with a single-use
//! token, stored only as its SHA-256 hash, valid for 48 hours.

use super::actor::Actor;
use super::audit::{self, AuditContext, Entry};
use super::db::Db;
use super::error::ServiceError;
use super::technicians::stored::{self, Stored};
use super::{now_ms, settings};
use crate::domain::{method_options, Channels, Method, SubscribeView};
use serde_json::json;
use sha2::{Digest, Sha256};

/// How long a confirmation stays valid.
pub const CONFIRMATION_MS: i64 = 48 * 60 * 60 * 1000;

/// The technician, if the actor may manage their subscriptions: an admin within reach, or
/// the engineer themselves.
async fn reachable(db: &Db, actor: &Actor, id: i64) -> Result<Stored, ServiceError> {
    let mut conn = db.reader().acquire().await?;
    let current = stored::load(&mut conn, id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("There is no technician with id {id}.")))?;
    if actor.id != Some(id) {
        current.check_reach(actor, "subscribe")?;
    }
    Ok(current)
}

async fn channels(db: &Db, id: i64) -> Result<Channels, ServiceError> {
    let rows: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT method, state, expires_at FROM subscriptions WHERE technician_id = $1",
    )
    .bind(id)
    .fetch_all(db.reader())
    .await?;
    let now = now_ms();
    let mut channels = Channels::default();
    for (method, state, expires) in rows {
        channels.record(
            &method,
            super::technicians::effective_state(&state, expires, now),
        );
    }
    Ok(channels)
}

pub async fn subscribe_view(
    db: &Db,
    actor: &Actor,
    id: i64,
) -> Result<SubscribeView, ServiceError> {
    let current = reachable(db, actor, id).await?;
    view_of(db, &current).await
}

async fn view_of(db: &Db, current: &Stored) -> Result<SubscribeView, ServiceError> {
    let beta = settings::beta_channels(db).await?;
    Ok(SubscribeView {
        id: current.id,
        name: current.name.clone(),
        options: method_options(
            &channels(db, current.id).await?,
            current.mobile.is_some(),
            current.email.is_some(),
            &beta,
        ),
    })
}

/// Requests confirmation of each method in `methods`; every one must be available.
pub async fn request(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    id: i64,
    methods: &[Method],
) -> Result<Vec<Method>, ServiceError> {
    if methods.is_empty() {
        return Err(ServiceError::invalid("methods", "pick at least one method"));
    }
    let current = reachable(db, actor, id).await?;
    let view = view_of(db, &current).await?;
    for method in methods {
        let option = view.options.iter().find(|o| o.method == *method);
        if let Some(reason) = option.and_then(|o| o.unavailable) {
            return Err(ServiceError::invalid(
                "methods",
                format!(
                    "{} cannot be subscribed: {}",
                    method.as_str(),
                    reason.describe()
                ),
            ));
        }
    }
    let now = now_ms();
    let mut tx = db.writer().begin().await?;
    for method in methods {
        let contact = match method {
            Method::Sms | Method::Voice => current.mobile.clone(),
            Method::Email => current.email.clone(),
        }
        .unwrap_or_default();
        let token: [u8; 32] = rand::random();
        let token_hash = hex::encode(Sha256::digest(token));
        sqlx::query(
            "INSERT INTO subscriptions (technician_id, method, contact, state, token_hash, requested_at, expires_at) \
             VALUES ($1, $2, $3, 'pending', $4, $5, $6) \
             ON CONFLICT (technician_id, method) DO UPDATE SET contact = $3, state = 'pending', \
             token_hash = $4, requested_at = $5, expires_at = $6, confirmed_at = NULL",
        )
        .bind(id)
        .bind(method.as_str())
        .bind(contact)
        .bind(token_hash)
        .bind(now)
        .bind(now + CONFIRMATION_MS)
        .execute(&mut *tx)
        .await?;
    }
    let names: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "subscription.request",
            technician_id: Some(id),
            before: None,
            after: Some(json!({ "methods": names })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(methods.to_vec())
}
