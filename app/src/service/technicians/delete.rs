//! DeleteTechnician: an SDAdmin is deleted only by an SDAdmin, the last SDAdmin never, and an
//! SDSiteAdmin deletes only within its sites.

use super::{details, identify, stored};
use crate::domain::{Refusal, TechnicianRef, Verb};
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
        return Err(ServiceError::NotAuthorized(Refusal::AdminsOnly {
            verb: Verb::Delete,
        }));
    }
    let mut tx = db.begin_write().await?;
    // Locked first, so the last-admin check below holds until this transaction ends.
    let admins = stored::lock_admins(&mut tx, db.backend()).await?;
    let id = identify::resolve(&mut tx, target).await?;
    let current = stored::load(&mut tx, id).await?.ok_or_else(|| {
        ServiceError::NotFound(Refusal::NoTechnicianMatches {
            target: target.clone(),
        })
    })?;
    // Reach first: who may not delete a technician learns nothing of its version.
    current.check_reach(actor, Verb::Delete)?;
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(ServiceError::Conflict(Refusal::StaleDelete {
            name: current.row.name.clone(),
        }));
    }
    if stored::is_last_admin(&admins, id) {
        return Err(ServiceError::ProtectedAdmin(Refusal::LastAdminDelete {
            name: current.row.name.clone(),
        }));
    }
    let before = details::snapshot(&mut tx, id).await?;
    crate::service::outbox::cancel_for_technician(&mut tx, id, crate::service::now_ms()).await?;
    // Only the version checked above: an update committed since then is not deleted unseen.
    let deleted = sqlx::query("DELETE FROM technicians WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(current.version)
        .execute(&mut *tx)
        .await?;
    if deleted.rows_affected() == 0 {
        return Err(ServiceError::Conflict(Refusal::StaleDelete {
            name: current.row.name.clone(),
        }));
    }
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
