//! Settings an SDAdmin changes at run time: the beta channels (SPEC §4).

use super::actor::Actor;
use super::audit::{self, AuditContext, Entry};
use super::db::Db;
use super::error::ServiceError;
use crate::domain::{BetaChannels, Channel};
use serde_json::json;

/// The setting that switches `channel` on.
fn key(channel: Channel) -> String {
    format!("beta.{}", channel.as_str())
}

/// Every beta channel is off until switched on.
pub async fn beta_channels(db: &Db) -> Result<BetaChannels, ServiceError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT key, value FROM settings WHERE key LIKE 'beta.%'")
            .fetch_all(db.reader())
            .await?;
    let on = |channel: &Channel| rows.iter().any(|(k, v)| *k == key(*channel) && v == "on");
    Ok(BetaChannels(
        Channel::ALL
            .into_iter()
            .filter(|c| c.is_beta() && on(c))
            .collect(),
    ))
}

pub async fn set_beta_channels(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    beta: BetaChannels,
) -> Result<(), ServiceError> {
    if !actor.is_admin() {
        return Err(ServiceError::NotAuthorized(
            crate::domain::Refusal::AdminOnly {
                task: crate::domain::AdminTask::SwitchBetaChannels,
            },
        ));
    }
    let before = beta_channels(db).await?;
    let mut tx = db.begin_write().await?;
    for channel in Channel::ALL.into_iter().filter(|c| c.is_beta()) {
        let on = beta.0.contains(&channel);
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = $2",
        )
        .bind(key(channel))
        .bind(if on { "on" } else { "off" })
        .execute(&mut *tx)
        .await?;
    }
    let snapshot = |b: &BetaChannels| {
        let on: serde_json::Map<String, serde_json::Value> = Channel::ALL
            .into_iter()
            .filter(|c| c.is_beta())
            .map(|c| (c.as_str().to_owned(), json!(b.0.contains(&c))))
            .collect();
        serde_json::Value::Object(on)
    };
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "settings.beta",
            technician_id: None,
            before: Some(snapshot(&before)),
            after: Some(snapshot(&beta)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
