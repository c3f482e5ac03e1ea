//! Notifications to engineers: which channels an engineer can be reached on now, and the
//! "Send test notification" action (SPEC §4).

use super::actor::Actor;
use super::audit::{self, AuditContext, Entry};
use super::db::Db;
use super::error::ServiceError;
use super::outbox::{self, Kind, NewDelivery};
use super::settings;
use super::technicians::stored::{self, Stored};
use crate::domain::webhook::mask_address;
use crate::domain::{BetaChannels, Channel, FieldProblem, Outbound, Refusal, Verb};
use crate::i18n::Speak;
use serde_json::json;

mod api;

pub use api::{
    api_send, api_status, ApiAnswer, ApiDelivery, ApiRecipients, ApiRequest, API_MAX_RECIPIENTS,
    API_MAX_TEXT,
};

/// A test to the same engineer and channel waits this long after the last one.
pub const TEST_COOL_DOWN_MS: i64 = 60_000;

pub use crate::domain::Unusable;

/// Where `channel` reaches `technician` now (the number, address or masked robot), or why
/// it does not. `confirmed` lists (method, contact) of confirmed, unexpired subscriptions.
pub fn reach(
    technician: &Stored,
    confirmed: &[(String, String)],
    beta: &BetaChannels,
    channel: Channel,
) -> Result<String, Unusable> {
    if !beta.is_on(channel) {
        return Err(Unusable::BetaOff);
    }
    if let Some(method) = channel.method() {
        return confirmed
            .iter()
            .find(|(m, _)| m == method.as_str())
            .map(|(_, contact)| contact.clone())
            .ok_or(Unusable::NotConfirmed);
    }
    technician
        .contact(channel)
        .and_then(|c| c.address.as_deref())
        .map(|address| mask_address(channel, address))
        .ok_or(Unusable::NoWebhook)
}

/// Confirmed subscriptions of an engineer: (method, contact).
pub async fn confirmed(db: &Db, technician_id: i64) -> Result<Vec<(String, String)>, ServiceError> {
    Ok(sqlx::query_as(
        "SELECT method, contact FROM subscriptions WHERE technician_id = $1 AND state = 'confirmed'",
    )
    .bind(technician_id)
    .fetch_all(db.reader())
    .await?)
}

/// Queues a test message to one engineer over one channel.
pub async fn send_test(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    id: i64,
    channel: Channel,
    now: i64,
) -> Result<(), ServiceError> {
    let technician = {
        let mut conn = db.reader().acquire().await?;
        stored::load(&mut conn, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Refusal::NoTechnicianWithId { id }))?
    };
    if actor.id != Some(id) {
        technician.check_reach(actor, Verb::SendTestTo)?;
    }
    let beta = settings::beta_channels(db).await?;
    let recipient =
        reach(&technician, &confirmed(db, id).await?, &beta, channel).map_err(|why| {
            ServiceError::invalid("channel", FieldProblem::CannotTest { channel, why })
        })?;
    let mut tx = db.begin_write().await?;
    let (_, last) =
        outbox::recent(&mut tx, id, channel, Kind::Test, now - TEST_COOL_DOWN_MS).await?;
    if let Some(last) = last.filter(|last| now - last < TEST_COOL_DOWN_MS) {
        let seconds = (TEST_COOL_DOWN_MS - (now - last)) / 1000 + 1;
        return Err(ServiceError::TooSoon(Refusal::TestTooSoon {
            channel,
            seconds,
        }));
    }
    let lang = super::confirmations::languages_of(&mut tx, &[id])
        .await?
        .get(&id)
        .copied()
        .unwrap_or_default();
    let text = Outbound::Test {
        name: super::send_limits::message_name(&technician.row.name),
        channel,
        by: super::send_limits::message_name(&actor.name),
    }
    .say(lang);
    let key: u64 = rand::random();
    outbox::enqueue(
        &mut tx,
        Kind::Test,
        (&text, lang),
        None,
        &[NewDelivery {
            technician_id: Some(id),
            channel,
            recipient,
            idempotency_key: format!("test:{key:016x}:{id}:{}", channel.as_str()),
        }],
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "notification.test",
            technician_id: Some(id),
            before: None,
            after: Some(json!({ "channel": channel.as_str() })),
        },
    )
    .await?;
    crate::service::outbox::commit(db, tx).await?;
    Ok(())
}
