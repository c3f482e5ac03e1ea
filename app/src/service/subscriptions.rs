//! Subscriptions to the confirmable methods (SMS, voice, email): what the Subscribe dialog
//! offers and the requests it makes; `confirmations` sends the links and confirms them.

use super::actor::Actor;
use super::audit::{self, AuditContext, Entry};
use super::confirmations::{check_resend, start};
use super::db::Db;
use super::error::ServiceError;
use super::settings;
use super::technicians::stored::{self, Stored};
use crate::domain::{
    method_options, Channel, Channels, FieldProblem, Method, Phone, Refusal, SubscribeView,
    Unavailable, Verb,
};
use serde_json::json;

/// The technician, if the actor may manage their subscriptions: an admin within reach, or
/// the engineer themselves.
async fn reachable(db: &Db, actor: &Actor, id: i64) -> Result<Stored, ServiceError> {
    let mut conn = db.reader().acquire().await?;
    let current = stored::load(&mut conn, id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(Refusal::NoTechnicianWithId { id }))?;
    if actor.id != Some(id) {
        current.check_reach(actor, Verb::Subscribe)?;
    }
    Ok(current)
}

async fn channels(db: &Db, id: i64, now: i64) -> Result<Channels, ServiceError> {
    let rows: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT method, state, expires_at FROM subscriptions WHERE technician_id = $1",
    )
    .bind(id)
    .fetch_all(db.reader())
    .await?;
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
    now: i64,
) -> Result<SubscribeView, ServiceError> {
    let current = reachable(db, actor, id).await?;
    view_of(db, &current, now).await
}

async fn view_of(db: &Db, current: &Stored, now: i64) -> Result<SubscribeView, ServiceError> {
    let beta = settings::beta_channels(db).await?;
    Ok(SubscribeView {
        history: crate::service::ledger::of_engineer(db, current.id).await?,
        id: current.id,
        name: current.row.name.clone(),
        options: method_options(
            &channels(db, current.id, now).await?,
            current.row.mobile.is_some(),
            current.row.email.is_some(),
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
    now: i64,
) -> Result<Vec<Method>, ServiceError> {
    if methods.is_empty() {
        return Err(ServiceError::invalid("methods", FieldProblem::NoMethod));
    }
    let current = reachable(db, actor, id).await?;
    let view = view_of(db, &current, now).await?;
    for method in methods {
        let option = view.options.iter().find(|o| o.method == *method);
        if let Some(reason) = option.and_then(|o| o.unavailable) {
            return Err(ServiceError::invalid(
                "methods",
                FieldProblem::CannotSubscribe {
                    channel: method.channel(),
                    why: reason,
                },
            ));
        }
    }
    let by = crate::service::confirmations::Requested {
        actor: &actor.name,
        how: crate::service::ledger::How::Asked(ctx.source),
        source_addr: ctx.remote_addr.as_deref(),
    };
    let mut tx = db.begin_write().await?;
    // The contact is read again inside the transaction: an edit that landed since the dialog
    // opened must not have its new number confirmed with the old one's link.
    let contacts: Option<(Option<String>, Option<String>, String)> =
        sqlx::query_as("SELECT mobile, email, name FROM technicians WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let (mobile, email, name) =
        contacts.ok_or_else(|| ServiceError::NotFound(Refusal::NoTechnicianWithId { id }))?;
    if mobile != current.row.mobile || email != current.row.email {
        return Err(ServiceError::Conflict(Refusal::ContactsChanged));
    }
    let by_sms: Vec<Method> = methods
        .iter()
        .copied()
        .filter(|m| matches!(m, Method::Sms | Method::Voice))
        .collect();
    if !by_sms.is_empty() {
        let mobile = mobile
            .as_deref()
            .and_then(|m| Phone::parse(m).ok())
            .ok_or_else(|| {
                ServiceError::invalid(
                    "methods",
                    FieldProblem::CannotSubscribe {
                        channel: by_sms[0].channel(),
                        why: Unavailable::NeedsMobile,
                    },
                )
            })?;
        if crate::service::ledger::opted_out(&mut tx, mobile.e164()).await? {
            return Err(ServiceError::invalid(
                "methods",
                FieldProblem::CannotSubscribe {
                    channel: by_sms[0].channel(),
                    why: Unavailable::RepliedStop,
                },
            ));
        }
        check_resend(&mut tx, id, Channel::Sms, now).await?;
        start(&mut tx, id, &name, &by_sms, mobile.e164(), now, &by).await?;
    }
    if methods.contains(&Method::Email) {
        let email = email.ok_or_else(|| {
            ServiceError::invalid(
                "methods",
                FieldProblem::CannotSubscribe {
                    channel: Channel::Email,
                    why: Unavailable::NeedsEmail,
                },
            )
        })?;
        check_resend(&mut tx, id, Channel::Email, now).await?;
        start(&mut tx, id, &name, &[Method::Email], &email, now, &by).await?;
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
    crate::service::outbox::commit(db, tx).await?;
    Ok(methods.to_vec())
}
