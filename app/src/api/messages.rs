//! The Message log, the delivery log and test notifications.

use super::AppError;
use crate::domain::{DeliveryPage, MessagePage};
use leptos::prelude::*;
use server_fn::codec::Postcard;

#[server(prefix = "/api", endpoint = "messages", output = Postcard)]
pub async fn load_messages(page: u32) -> Result<MessagePage, AppError> {
    let (state, actor) = super::actor().await?;
    Ok(crate::service::outbox::messages(&state.db, &actor, page).await?)
}

/// Queues a test message to engineer `id` over `channel` (one of [`crate::domain::Channel`]'s
/// names).
/// Then goes back to `back` with `tested=CHANNEL`, so a form posted without JavaScript
/// shows that it was queued.
#[server(prefix = "/api", endpoint = "send_test_notification", output = Postcard)]
pub async fn send_test_notification(
    id: i64,
    channel: String,
    #[server(default)] back: String,
) -> Result<(), AppError> {
    let (state, actor) = super::actor().await?;
    let channel = crate::domain::Channel::parse(&channel).ok_or_else(|| {
        let mut errors = crate::domain::FieldErrors::default();
        errors.push(
            "channel",
            crate::domain::FieldProblem::NotAChannel { given: None },
        );
        AppError::Invalid(errors)
    })?;
    let ctx = super::audit_context().await;
    crate::service::notifications::send_test(
        &state.db,
        &actor,
        &ctx,
        id,
        channel,
        state.clock.now(),
    )
    .await?;
    if !back.is_empty() {
        leptos_axum::redirect(&super::technicians::with_param(
            &back,
            "tested",
            channel.as_str(),
        ));
    }
    Ok(())
}

/// Page `page` of the delivery log; `status` is a [`crate::domain::DeliveryFilter`] name.
#[server(prefix = "/api", endpoint = "deliveries", output = Postcard)]
pub async fn load_deliveries(status: String, page: u32) -> Result<DeliveryPage, AppError> {
    let (state, actor) = super::actor().await?;
    let filter = crate::domain::DeliveryFilter::parse(&status);
    Ok(crate::service::delivery_log::page(&state.db, &actor, filter, page).await?)
}

/// Queues dead letter `id` again, then goes back to `back` (the log as it was filtered).
#[server(prefix = "/api", endpoint = "retry_delivery", output = Postcard)]
pub async fn retry_delivery(id: i64, back: String) -> Result<(), AppError> {
    let (state, actor) = super::actor().await?;
    let ctx = super::audit_context().await;
    crate::service::delivery_log::retry(&state.db, &actor, &ctx, id, state.clock.now()).await?;
    let back = if back.starts_with("/deliveries") {
        back
    } else {
        "/deliveries".to_owned()
    };
    leptos_axum::redirect(&super::technicians::with_param(
        &back,
        "retried",
        &id.to_string(),
    ));
    Ok(())
}
