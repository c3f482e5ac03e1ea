//! What the operator does outside the web: shared by the command line and the demo seeder.

use app::domain::{LoginName, NewLogin, NewTechnician, Password, PersonName, Role, SiteChoice};
use app::service::{technicians, Actor, AuditContext, Db, ServiceError, Source};

/// The audit context of everything the operator does at the command line.
pub fn cli_context() -> AuditContext {
    AuditContext::new(Source::Cli, None)
}

/// Creates an SDAdmin with login enabled, through the same service as every other edge.
pub async fn create_admin(
    db: &Db,
    login: &str,
    password: &str,
    domain: &str,
    name: Option<&str>,
) -> Result<i64, String> {
    let login = LoginName::parse(login).map_err(|e| format!("--login {e}"))?;
    let password = Password::parse(password).map_err(|e| format!("--password {e}"))?;
    let name =
        PersonName::parse(name.unwrap_or(login.as_ref())).map_err(|e| format!("--name {e}"))?;
    let new = NewTechnician {
        name,
        alias: None,
        employee_id: None,
        email: None,
        phone: None,
        mobile: None,
        sms_mail_id: None,
        cost_per_hr: None,
        job_title: None,
        site: SiteChoice::NotAssociated,
        department: None,
        associate_sites: Vec::new(),
        associate_groups: Vec::new(),
        roles: vec![Role::SdAdmin],
        approve_purchase_order: false,
        login: Some(NewLogin {
            name: login,
            domain: domain.trim().to_owned(),
            enabled: true,
            password,
        }),
        language: None,
        udfs: Vec::new(),
    };
    technicians::add_technician(db, &Actor::operator(), &cli_context(), new)
        .await
        .map(|added| added.id)
        .map_err(|e| match e {
            app::service::ServiceError::Invalid(errors) => match errors.for_field("pwd") {
                Some(problem) => format!("--password {problem}"),
                None => errors.to_string(),
            },
            other => service_message(other),
        })
}

pub fn service_message(err: ServiceError) -> String {
    match err {
        ServiceError::Internal(e) => one_line(e),
        other => other.to_string(),
    }
}

pub fn one_line(err: anyhow::Error) -> String {
    let chain: Vec<String> = err.chain().map(|e| e.to_string()).collect();
    chain.join(": ").replace('\n', " ")
}
