//! DeleteTechnician: the target is named by `loginName` + `domainName`, `emailId`, `name` or
//! `userid`, tried in that order.

use super::envelope::Envelope;
use super::params::Params;
use app::domain::{RefFields, TechnicianRef};
use app::service::{technicians, Actor, AppState, AuditContext, ServiceError};

pub const OPERATION: &str = "DeleteTechnician";

pub async fn run(state: &AppState, actor: &Actor, ctx: &AuditContext, params: &Params) -> Envelope {
    let target = match TechnicianRef::parse(RefFields {
        login: params.get("loginName"),
        domain: params.get("domainName"),
        email: params.get("emailId"),
        name: params.get("name"),
        id: params.get("userid"),
        names: ("loginName", "emailId", "name", "userid"),
    }) {
        Ok(target) => target,
        Err(errors) => {
            return Envelope::from_service_error(OPERATION, ServiceError::Invalid(errors))
        }
    };
    match technicians::delete_technician(&state.db, actor, ctx, &target, None).await {
        Ok(id) => Envelope::success(OPERATION, "Technician deleted successfully", id),
        Err(err) => Envelope::from_service_error(OPERATION, err),
    }
}
