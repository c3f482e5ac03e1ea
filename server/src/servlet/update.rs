//! UpdateTechnician and GetTechnician: the target is named by `techLoginName` +
//! `techDomainName`, `techEmailId`, `techUserName` or `userid`, tried in that order.

use super::add::form;
use super::envelope::Envelope;
use super::params::Params;
use app::domain::{Edit, RefFields, TechnicianPatch, TechnicianRef};
use app::service::{technicians, Actor, AppState, AuditContext, ServiceError};

pub const UPDATE: &str = "UpdateTechnician";
pub const GET: &str = "GetTechnician";

/// The technician an Update or Get request names.
pub fn target(params: &Params) -> Result<TechnicianRef, ServiceError> {
    TechnicianRef::parse(RefFields {
        login: params.get("techLoginName"),
        domain: params.get("techDomainName"),
        email: params.get("techEmailId"),
        name: params.get("techUserName"),
        id: params.get("userid"),
        names: ("techLoginName", "techEmailId", "techUserName", "userid"),
    })
    .map_err(ServiceError::Invalid)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    ctx: &AuditContext,
    params: &Params,
) -> Envelope {
    let parsed = target(params).and_then(|target| {
        TechnicianPatch::try_from(form(params))
            .map(|patch| (target, patch))
            .map_err(ServiceError::Invalid)
    });
    let (target, patch) = match parsed {
        Ok(parsed) => parsed,
        Err(err) => return Envelope::from_service_error(UPDATE, err),
    };
    match technicians::update_technician(
        &state.db,
        &state.secret_key,
        actor,
        ctx,
        &target,
        Edit {
            patch,
            contacts: Default::default(),
        },
        None,
    )
    .await
    {
        Ok(updated) => {
            let mut message = if updated.changed {
                String::from("Technician updated successfully")
            } else {
                String::new()
            };
            for note in &updated.notes {
                if !message.is_empty() {
                    message.push(' ');
                }
                message.push_str(&note.to_string());
            }
            Envelope::success(UPDATE, message, updated.id)
        }
        Err(err) => Envelope::from_service_error(UPDATE, err),
    }
}

pub async fn get(state: &AppState, actor: &Actor, params: &Params) -> Envelope {
    let target = match target(params) {
        Ok(target) => target,
        Err(err) => return Envelope::from_service_error(GET, err),
    };
    match technicians::get_technician(&state.db, actor, &target).await {
        Ok((id, details)) => Envelope::with_details(
            GET,
            "Technician details fetched successfully",
            id,
            details.0,
        ),
        Err(err) => Envelope::from_service_error(GET, err),
    }
}
