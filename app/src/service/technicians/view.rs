//! The Edit dialog's contents for one technician, as far as the viewer may edit them.

use super::{details, stored};
use crate::domain::webhook::{mask_secret, mask_url};
use crate::domain::{Channel, EditView, MaskedRobots};
use crate::service::actor::Actor;
use crate::service::db::Db;
use crate::service::error::ServiceError;
use crate::service::settings;

pub async fn edit_view(db: &Db, actor: &Actor, id: i64) -> Result<EditView, ServiceError> {
    // Read before the connection below is taken: holding one while waiting for a second
    // starves the pool when many dialogs open at once.
    let beta = settings::beta_channels(db).await?;
    let mut conn = db.reader().acquire().await?;
    let current = stored::load(&mut conn, id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("There is no technician with id {id}.")))?;
    let reach = current.check_reach(actor, "edit");
    let full = reach.is_ok();
    if !full && actor.id != Some(id) {
        reach?;
    }
    let values = details::read(&mut conn, id)
        .await?
        .map(|d| d.0)
        .unwrap_or_default();
    let url = |channel| {
        current
            .contact(channel)
            .and_then(|c| c.address.as_deref())
            .map(mask_url)
    };
    let secret = |channel| {
        current
            .contact(channel)
            .and_then(|c| c.secret_hint.as_deref())
            .map(mask_secret)
    };
    Ok(EditView {
        id,
        version: current.version,
        name: current.row.name.clone(),
        full,
        can_grant_roles: actor.is_admin(),
        values,
        robots: MaskedRobots {
            wecom_webhook: url(Channel::WeCom),
            dingtalk_webhook: url(Channel::DingTalk),
            dingtalk_secret: secret(Channel::DingTalk),
            lark_webhook: url(Channel::Lark),
            lark_secret: secret(Channel::Lark),
        },
        beta,
        webhook_hosts: Default::default(),
    })
}
