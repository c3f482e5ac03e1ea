//! AddTechnician: the rules of the legacy API, for every edge.

use crate::domain::FieldErrors;
use crate::domain::{NewTechnician, SiteChoice};
use crate::service::audit::{self, AuditContext, Entry};
use crate::service::auth::{hash_password, Actor};
use crate::service::db::{is_unique_violation, Db};
use crate::service::error::ServiceError;
use crate::service::{now_ms, reference};
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
    let mut involved: Vec<Option<i64>> = vec![placement.site_id];
    involved.extend(placement.site_ids.iter().map(|s| Some(*s)));
    involved.extend(placement.groups.iter().map(|(_, s)| Some(*s)));
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
    let after = super::details::read(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "technician.add",
            technician_id: Some(id),
            before: None,
            after: after.map(|d| d.to_json()),
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
    let mut site_id = match &new.site {
        SiteChoice::NotAssociated => None,
        SiteChoice::Named(name) => match reference::find_site(db, name.as_ref()).await? {
            Some(site) => Some(site.id),
            None => {
                notes.push(format!(
                    "Site '{name}' was not found, so the technician is not associated to any site."
                ));
                None
            }
        },
    };
    let department_id = match &new.department {
        None => None,
        Some(name) => match reference::find_department(db, site_id, name.as_ref()).await? {
            Some(id) => Some(id),
            None => {
                notes.push(format!(
                    "Department '{name}' was not found there, so the technician has no department and is not associated to any site."
                ));
                site_id = None;
                None
            }
        },
    };
    let mut errors = FieldErrors::default();
    let mut site_ids = Vec::new();
    for name in &new.associate_sites {
        match reference::find_site(db, name.as_ref()).await? {
            Some(site) if !site_ids.contains(&site.id) => site_ids.push(site.id),
            Some(_) => {}
            None => errors.push("associateSites", format!("there is no site named '{name}'")),
        }
    }
    let mut groups: Vec<(i64, i64)> = Vec::new();
    for entry in &new.associate_groups {
        match reference::find_group(db, entry.as_ref()).await? {
            Some(group) if !groups.contains(&group) => groups.push(group),
            Some(_) => {}
            None => errors.push(
                "associateGroups",
                format!("there is no group '{entry}' (write groups as site-group)"),
            ),
        }
    }
    let udfs = resolve_udfs(db, &new.udfs, &mut errors).await?;
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

/// UDF values by defined column name; a column that is not defined is an unknown attribute
/// and is ignored, as the API ignores every unknown attribute.
async fn resolve_udfs(
    db: &Db,
    values: &[(String, String)],
    errors: &mut FieldErrors,
) -> Result<Vec<(i64, String)>, ServiceError> {
    let mut resolved = Vec::new();
    for (column, value) in values {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM udf_definitions WHERE column_name = $1")
                .bind(column)
                .fetch_optional(db.reader())
                .await?;
        let Some((id,)) = row else { continue };
        if value.chars().count() > 1000 || value.chars().any(|c| c.is_control() && c != '\n') {
            errors.push(
                column,
                "must be at most 1000 characters without control characters",
            );
        } else if !value.trim().is_empty() {
            resolved.push((id, value.trim().to_owned()));
        }
    }
    Ok(resolved)
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
         login_domain, login_enabled, password_hash, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, 1) \
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
    for (position, role) in new.roles.iter().enumerate() {
        sqlx::query(
            "INSERT INTO technician_roles (technician_id, role, position) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(role.as_str())
        .bind(position as i64)
        .execute(&mut **tx)
        .await?;
    }
    for (position, site_id) in placement.site_ids.iter().enumerate() {
        sqlx::query(
            "INSERT INTO technician_sites (technician_id, site_id, position) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(site_id)
        .bind(position as i64)
        .execute(&mut **tx)
        .await?;
    }
    for (position, (group_id, _)) in placement.groups.iter().enumerate() {
        sqlx::query(
            "INSERT INTO technician_groups (technician_id, group_id, position) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(group_id)
        .bind(position as i64)
        .execute(&mut **tx)
        .await?;
    }
    for (udf_id, value) in &placement.udfs {
        sqlx::query(
            "INSERT INTO technician_udfs (technician_id, udf_id, value) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(udf_id)
        .bind(value)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}
