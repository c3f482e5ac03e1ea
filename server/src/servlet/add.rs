//! AddTechnician: the form parameters become a `TechnicianForm`; the rules are the service's.

use super::envelope::Envelope;
use super::params::Params;
use app::domain::{NewTechnician, TechnicianForm};
use app::service::{technicians, Actor, AppState, AuditContext, ServiceError};

pub const OPERATION: &str = "AddTechnician";

/// The AddTechnician attributes, in the API's spelling; UDFs are every `UDF_*` parameter.
pub fn form(params: &Params) -> TechnicianForm {
    TechnicianForm {
        name: params.owned("name"),
        alias: params.owned("alias"),
        employee_id: params.owned("employeeId"),
        email: params.owned("email"),
        phone: params.owned("phone"),
        mobile: params.owned("mobile"),
        sms_mail_id: params.owned("smsMailId"),
        cost_per_hr: params.owned("costPerHr"),
        job_title: params.owned("jobTitle"),
        tech_site_name: params.owned("techSiteName"),
        department_name: params.owned("departmentName"),
        associate_sites: params.owned("associateSites"),
        associate_groups: params.owned("associateGroups"),
        associate_rols: params
            .owned("associateRols")
            .or_else(|| params.owned("associateRoles")),
        approve_purchase_order: params.owned("approvePurchaseOrder"),
        enable_login: params.owned("enableLogin"),
        login_name: params.owned("loginName"),
        pwd: params.owned("pwd"),
        user_domain_name: params.owned("userDomainName"),
        language: params.owned("language"),
        udfs: params
            .iter()
            .filter(|(k, _)| k.starts_with("UDF_"))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    }
}

pub async fn run(state: &AppState, actor: &Actor, ctx: &AuditContext, params: &Params) -> Envelope {
    let new = match NewTechnician::try_from(form(params)) {
        Ok(new) => new,
        Err(errors) => {
            return Envelope::from_service_error(OPERATION, ServiceError::Invalid(errors))
        }
    };
    match technicians::add_technician(&state.db, actor, ctx, new).await {
        Ok(added) => {
            let mut message = String::from("Technician added successfully");
            for note in &added.notes {
                message.push(' ');
                message.push_str(&note.to_string());
            }
            Envelope::success(OPERATION, message, added.id)
        }
        Err(err) => Envelope::from_service_error(OPERATION, err),
    }
}
