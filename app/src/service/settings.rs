//! Settings an SDAdmin changes at run time: the beta channels (SPEC §4).

use super::actor::Actor;
use super::audit::{self, AuditContext, Entry};
use super::db::Db;
use super::error::ServiceError;
use crate::domain::BetaChannels;
use serde_json::json;

const KEYS: [&str; 4] = ["beta.voice", "beta.wecom", "beta.dingtalk", "beta.lark"];

fn as_array(beta: BetaChannels) -> [bool; 4] {
    [beta.voice, beta.wecom, beta.dingtalk, beta.lark]
}

/// Every beta channel is off until switched on.
pub async fn beta_channels(db: &Db) -> Result<BetaChannels, ServiceError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT key, value FROM settings WHERE key LIKE 'beta.%'")
            .fetch_all(db.reader())
            .await?;
    let on = |key: &str| rows.iter().any(|(k, v)| k == key && v == "on");
    Ok(BetaChannels {
        voice: on(KEYS[0]),
        wecom: on(KEYS[1]),
        dingtalk: on(KEYS[2]),
        lark: on(KEYS[3]),
    })
}

pub async fn set_beta_channels(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    beta: BetaChannels,
) -> Result<(), ServiceError> {
    if !actor.is_admin() {
        return Err(ServiceError::NotAuthorized(
            "only an SDAdmin may switch beta channels".into(),
        ));
    }
    let before = beta_channels(db).await?;
    let mut tx = db.begin_write().await?;
    for (key, on) in KEYS.iter().zip(as_array(beta)) {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = $2",
        )
        .bind(key)
        .bind(if on { "on" } else { "off" })
        .execute(&mut *tx)
        .await?;
    }
    let snapshot = |b: BetaChannels| json!({ "voice": b.voice, "wecom": b.wecom, "dingtalk": b.dingtalk, "lark": b.lark });
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "settings.beta",
            technician_id: None,
            before: Some(snapshot(before)),
            after: Some(snapshot(beta)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
