//! AddTechnician: the rules of the legacy API, for every edge.

use super::placement;
use crate::domain::FieldErrors;
use crate::domain::NewTechnician;
use crate::domain::{fold, login_key};
use crate::service::actor::Actor;
use crate::service::audit::{self, AuditContext, Entry};
use crate::service::auth::hash_password;
use crate::service::db::{is_unique_violation, Db};
use crate::service::error::ServiceError;
use crate::service::now_ms;
use sqlx::{Any, Transaction};

/// A technician that was added, and what the caller should be told about names that were
/// not found (the API adds the technician anyway, without them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub id: i64,
    pub notes: Vec<String>,
}

/// Names resolved to ids.
struct Placement {
    site_id: Option<i64>,
    department_id: Option<i64>,
    site_ids: Vec<i64>,
    groups: Vec<(i64, i64)>,
    udfs: Vec<(i64, String)>,
    notes: Vec<String>,
}

#[tracing::instrument(skip_all, fields(actor = actor.id, source = ctx.source.as_str()))]
pub async fn add_technician(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    new: NewTechnician,
) -> Result<Added, ServiceError> {
    if !(actor.is_admin() || actor.is_site_admin()) {
        return Err(ServiceError::NotAuthorized(
            "only an SDAdmin or SDSiteAdmin may add technicians".into(),
        ));
    }
    if !new.roles.is_empty() && !actor.is_admin() {
        return Err(ServiceError::NotAuthorized(
            "only an SDAdmin may grant roles".into(),
        ));
    }
    let placement = place(db, &new).await?;
    let involved = super::stored::sites_of(
        placement.site_id,
        placement.site_ids.iter().copied(),
        placement.groups.iter().map(|(_, site)| *site),
    );
    if !actor.covers_sites(&involved) {
        return Err(ServiceError::SiteRestricted(
            "an SDSiteAdmin may add technicians only to its own sites (site, associated sites and groups)".into(),
        ));
    }
    let password_hash = match &new.login {
        Some(login) => Some(hash_password(login.password.expose()).await?),
        None => None,
    };
    let mut tx = db.writer().begin().await?;
    let id = insert(&mut tx, &new, &placement, password_hash).await?;
    let email = new.email.as_ref().map(|e| e.to_string());
    crate::service::confirmations::contacts_saved(
        &mut tx,
        id,
        new.name.as_ref(),
        Default::default(),
        crate::service::confirmations::Contacts {
            mobile: new.mobile.as_ref().map(|m| m.display()),
            email: email.as_deref(),
        },
        now_ms(),
    )
    .await?;
    let after = super::details::snapshot(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "technician.add",
            technician_id: Some(id),
            before: None,
            after,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(technician = id, "technician added");
    Ok(Added {
        id,
        notes: placement.notes,
    })
}

async fn place(db: &Db, new: &NewTechnician) -> Result<Placement, ServiceError> {
    let mut notes = Vec::new();
    let mut site_id = placement::site(db, &new.site, &mut notes).await?;
    let mut department_id = None;
    if let Some(name) = &new.department {
        (site_id, department_id) = placement::department(db, site_id, name, &mut notes).await?;
    }
    let mut errors = FieldErrors::default();
    let site_ids = placement::associated_sites(db, &new.associate_sites, &mut errors).await?;
    let groups = placement::groups(db, &new.associate_groups, &mut errors).await?;
    let udfs = placement::udfs(db, &new.udfs, &mut errors).await?;
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    Ok(Placement {
        site_id,
        department_id,
        site_ids,
        groups,
        udfs,
        notes,
    })
}

async fn insert(
    tx: &mut Transaction<'_, Any>,
    new: &NewTechnician,
    placement: &Placement,
    password_hash: Option<String>,
) -> Result<i64, ServiceError> {
    let now = now_ms();
    let text = |v: &Option<crate::domain::ShortText>| v.as_ref().map(|t| t.to_string());
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO technicians (name, alias, employee_id, email, phone, mobile, sms_mail_id, \
         cost_per_hr_cents, job_title, site_id, department_id, approve_purchase_order, login_name, \
         login_domain, login_enabled, password_hash, created_at, updated_at, version, search_text, \
         login_key, name_key, email_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, 1, $18, \
         $19, $20, $21) \
         RETURNING id",
    )
    .bind(new.name.as_ref())
    .bind(text(&new.alias))
    .bind(text(&new.employee_id))
    .bind(new.email.as_ref().map(|e| e.to_string()))
    .bind(new.phone.as_ref().map(|p| p.display().to_owned()))
    .bind(new.mobile.as_ref().map(|p| p.display().to_owned()))
    .bind(new.sms_mail_id.as_ref().map(|e| e.to_string()))
    .bind(new.cost_per_hr.map(|c| c.cents()))
    .bind(text(&new.job_title))
    .bind(placement.site_id)
    .bind(placement.department_id)
    .bind(i64::from(new.approve_purchase_order))
    .bind(new.login.as_ref().map(|l| l.name.to_string()))
    .bind(new.login.as_ref().map_or(String::new(), |l| l.domain.clone()))
    .bind(i64::from(new.login.as_ref().is_some_and(|l| l.enabled)))
    .bind(password_hash)
    .bind(now)
    .bind(super::list::search_text([
        Some(new.name.as_ref()),
        new.alias.as_ref().map(AsRef::as_ref),
        new.login.as_ref().map(|l| l.name.as_ref()),
        new.email.as_ref().map(AsRef::as_ref),
        new.mobile.as_ref().map(|m| m.display()),
    ]))
    .bind(
        new.login
            .as_ref()
            .map(|l| login_key(l.name.as_ref(), &l.domain)),
    )
    .bind(fold(new.name.as_ref()))
    .bind(new.email.as_ref().map(|e| fold(e.as_ref())))
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| {
        if is_unique_violation(&e, "technicians_login_unique") {
            let login = new.login.as_ref().map(|l| l.name.to_string()).unwrap_or_default();
            ServiceError::LoginNameExists(login)
        } else {
            e.into()
        }
    })?;
    placement::insert_links(
        tx,
        id,
        &new.roles,
        &placement.site_ids,
        &placement.groups,
        &placement.udfs,
    )
    .await?;
    Ok(id)
}
