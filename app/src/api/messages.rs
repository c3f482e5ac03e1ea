//! The Message log and test notifications.

use super::AppError;
use crate::domain::MessagePage;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "messages")]
pub async fn load_messages(page: u32) -> Result<MessagePage, AppError> {
    let (state, actor) = super::actor().await?;
    Ok(crate::service::outbox::messages(&state.db, &actor, page).await?)
}

/// Queues a test message to engineer `id` over `channel` (`sms`, `voice`, `email`, `wecom`,
/// `dingtalk`, `lark`).
#[server(prefix = "/api", endpoint = "send_test_notification")]
pub async fn send_test_notification(id: i64, channel: String) -> Result<(), AppError> {
    let (state, actor) = super::actor().await?;
    let channel = crate::domain::Channel::parse(&channel).ok_or_else(|| {
        let mut errors = crate::domain::FieldErrors::default();
        errors.push(
            "channel",
            "is not one of sms, voice, email, wecom, dingtalk, lark",
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
    state.outbox_ready.notify_waiters();
    Ok(())
}
