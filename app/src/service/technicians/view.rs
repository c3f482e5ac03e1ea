//! The Edit dialog's contents for one technician, as far as the viewer may edit them.

use super::{details, stored};
use crate::domain::{EditView, MaskedContacts};
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
        .ok_or_else(|| ServiceError::NotFound(crate::domain::Refusal::NoTechnicianWithId { id }))?;
    let reach = current.check_reach(actor, crate::domain::Verb::Edit);
    let full = reach.is_ok();
    if !full && actor.id != Some(id) {
        reach?;
    }
    let failing = crate::service::contact_health::failing_of(&mut conn, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let values = details::read(&mut conn, id)
        .await?
        .map(|d| d.0)
        .unwrap_or_default();
    Ok(EditView {
        id,
        version: current.version,
        name: current.row.name.clone(),
        full,
        can_grant_roles: actor.is_admin(),
        values,
        contacts: MaskedContacts(details::masked_contacts(&current.contacts)),
        beta,
        webhook_hosts: Default::default(),
        failing,
    })
}
