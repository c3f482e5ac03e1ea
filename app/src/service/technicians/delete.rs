//! DeleteTechnician: an SDAdmin is deleted only by an SDAdmin, the last SDAdmin never, and an
//! SDSiteAdmin deletes only within its sites.

use super::{details, identify, stored};
use crate::domain::TechnicianRef;
use crate::service::actor::Actor;
use crate::service::audit::{self, AuditContext, Entry};
use crate::service::db::Db;
use crate::service::error::ServiceError;

/// Answers the id of the technician that was deleted.
#[tracing::instrument(skip_all, fields(actor = actor.id, source = ctx.source.as_str()))]
pub async fn delete_technician(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    target: &TechnicianRef,
    expected_version: Option<i64>,
) -> Result<i64, ServiceError> {
    if !(actor.is_admin() || actor.is_site_admin()) {
        return Err(ServiceError::NotAuthorized(
            "only an SDAdmin or SDSiteAdmin may delete technicians".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    // Locked first, so the last-admin check below holds until this transaction ends.
    let admins = stored::lock_admins(&mut tx, db.backend()).await?;
    let id = identify::resolve(&mut tx, target).await?;
    let current = stored::load(&mut tx, id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("No technician matches {target}.")))?;
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(ServiceError::Conflict(format!(
            "'{}' was changed by someone else after you opened it. Reload and try again; nothing was deleted.",
            current.row.name
        )));
    }
    current.check_reach(actor, "delete")?;
    if stored::is_last_admin(&admins, id) {
        return Err(ServiceError::ProtectedAdmin(format!(
            "'{}' is the last SDAdmin and cannot be deleted; grant SDAdmin to someone else first",
            current.row.name
        )));
    }
    let before = details::snapshot(&mut tx, id).await?;
    crate::service::outbox::cancel_for_technician(&mut tx, id, crate::service::now_ms()).await?;
    sqlx::query("DELETE FROM technicians WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "technician.delete",
            technician_id: Some(id),
            before,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(technician = id, "technician deleted");
    Ok(id)
}
