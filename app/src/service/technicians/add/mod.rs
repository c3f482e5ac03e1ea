//! AddTechnician: the rules of the legacy API, for every edge.

use super::placement;
use super::row::{Credentials, Row};
use crate::domain::NewTechnician;
use crate::domain::{FieldErrors, Refusal};
use crate::service::actor::Actor;
use crate::service::audit::{self, AuditContext, Entry};
use crate::service::auth::hash_password;
use crate::service::confirmations::{contacts_saved_many, Contacts, Saved};
use crate::service::db::{Backend, Db};
use crate::service::error::ServiceError;
use crate::service::now_ms;
use sqlx::{Acquire, Any, Transaction};

/// A technician that was added, and what the caller should be told about names that were
/// not found (the API adds the technician anyway, without them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub id: i64,
    pub notes: Vec<crate::domain::Notice>,
}

/// Names resolved to ids.
struct Placement {
    site_id: Option<i64>,
    department_id: Option<i64>,
    site_ids: Vec<i64>,
    groups: Vec<(i64, i64)>,
    udfs: Vec<(i64, String)>,
    notes: Vec<crate::domain::Notice>,
}

#[tracing::instrument(skip_all, fields(actor = actor.id, source = ctx.source.as_str()))]
pub async fn add_technician(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    new: NewTechnician,
) -> Result<Added, ServiceError> {
    let checked = check(db, actor, &new).await?;
    add_checked(db, actor, ctx, new, checked).await
}

/// Adds `new` that passed [`check`] (a bulk import checks every row first): its password
/// hashed, then written with the adds waiting for the writer.
pub(crate) async fn add_checked(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    new: NewTechnician,
    checked: Checked,
) -> Result<Added, ServiceError> {
    let Checked {
        placement,
        row,
        must_change,
    } = checked;
    let password_hash = match &new.login {
        Some(login) => Some(hash_password(login.password.expose()).await?),
        None => None,
    };
    let notes = placement.notes.clone();
    let pending = Pending {
        new,
        row,
        placement,
        password_hash,
        must_change,
    };
    // Adds waiting for the writer are committed together.
    let id = group::add(db, actor, ctx, pending).await?;
    tracing::info!(technician = id, "technician added");
    Ok(Added { id, notes })
}

/// An add that passed every check but the database's own (a login taken meanwhile).
pub(crate) struct Checked {
    placement: Placement,
    row: Row,
    /// The password is the legacy default, to be changed before use.
    must_change: bool,
}

impl Checked {
    /// What the caller will be told of names that were not found.
    pub(crate) fn notes(&self) -> &[crate::domain::Notice] {
        &self.placement.notes
    }
}

/// Every rule of an add, without writing: who may add, the names it refers to, the sites it
/// would place the technician in, and the password's strength.
pub(crate) async fn check(
    db: &Db,
    actor: &Actor,
    new: &NewTechnician,
) -> Result<Checked, ServiceError> {
    if !(actor.is_admin() || actor.is_site_admin()) {
        return Err(ServiceError::NotAuthorized(Refusal::AdminsOnly {
            verb: crate::domain::Verb::Add,
        }));
    }
    if !new.roles.is_empty() && !actor.is_admin() {
        return Err(ServiceError::NotAuthorized(Refusal::AdminOnly {
            task: crate::domain::AdminTask::GrantRoles,
        }));
    }
    let placement = place(db, new).await?;
    let involved = super::stored::sites_of(
        placement.site_id,
        placement.site_ids.iter().copied(),
        placement.groups.iter().map(|(_, site)| *site),
    );
    if !actor.covers_sites(&involved) {
        return Err(ServiceError::SiteRestricted(Refusal::AddOutsideSites));
    }
    // A directory's domain signs in at the directory: a local default password there is
    // never used, so it is not marked.
    let in_directory = match &new.login {
        Some(login) if !login.domain.trim().is_empty() => {
            crate::service::directories::find(db, &login.domain)
                .await?
                .is_some()
        }
        _ => false,
    };
    let must_change = new.login.as_ref().is_some_and(is_default) && !in_directory;
    if let Some(login) = &new.login {
        // The legacy default (the login name) is kept and marked to be changed; any
        // other password must be strong.
        if !is_default(login) {
            let email = new
                .email
                .as_ref()
                .map(|e| e.to_string())
                .unwrap_or_default();
            crate::service::password_strength::check(
                login.password.expose(),
                &[login.name.as_ref(), new.name.as_ref(), &email],
            )
            .map_err(|e| ServiceError::invalid("pwd", e))?;
        }
    }
    let row = row_of(new, &placement);
    row.check().map_err(ServiceError::Invalid)?;
    Ok(Checked {
        placement,
        row,
        must_change,
    })
}

/// Whether `login`'s password is its own name (SPEC's rule for an add without `pwd`).
fn is_default(login: &crate::domain::NewLogin) -> bool {
    crate::service::password_strength::is_login_name(login.password.expose(), login.name.as_ref())
}

/// An add that passed its checks: what is written.
struct Pending {
    new: NewTechnician,
    row: Row,
    placement: Placement,
    password_hash: Option<String>,
    /// The password is the legacy default, to be changed before use.
    must_change: bool,
}

/// What every add writes after its own rows, for the adds of one transaction at once: the
/// confirmations of the contacts, the audit snapshots and the audit rows.
async fn write_after_inserts(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    ctx: &AuditContext,
    added: &[(i64, &Pending)],
) -> Result<(), ServiceError> {
    let emails: Vec<Option<String>> = added
        .iter()
        .map(|(_, p)| p.new.email.as_ref().map(|e| e.to_string()))
        .collect();
    let saves: Vec<Saved> = added
        .iter()
        .zip(&emails)
        .map(|((id, p), email)| Saved {
            id: *id,
            name: p.new.name.as_ref(),
            before: Contacts::default(),
            after: Contacts {
                mobile: p.new.mobile.as_ref().map(|m| m.display()),
                email: email.as_deref(),
            },
        })
        .collect();
    contacts_saved_many(tx, &saves, now_ms()).await?;
    let ids: Vec<i64> = added.iter().map(|(id, _)| *id).collect();
    audit_added(tx, actor, ctx, &ids).await
}

/// The `technician.add` audit rows of technicians just inserted, each with its snapshot, in a
/// few statements for them all.
pub(super) async fn audit_added(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    ctx: &AuditContext,
    ids: &[i64],
) -> Result<(), ServiceError> {
    let mut after = super::details::snapshots(tx, ids).await?;
    let entries = ids
        .iter()
        .map(|id| Entry {
            action: "technician.add",
            technician_id: Some(*id),
            before: None,
            after: after.remove(id),
        })
        .collect();
    audit::record_many(tx, actor, ctx, entries).await?;
    Ok(())
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

/// How one add went inside a batch's transaction.
enum Inserted {
    /// The add's own outcome: the transaction goes on either way.
    Done(Result<i64, ServiceError>),
    /// A statement failed outside a savepoint on PostgreSQL, which spoils the transaction:
    /// the batch must be taken back and its adds written one by one.
    Spoiled(ServiceError),
}

/// Inserts one technician and its links, so that a failure takes back only this add. A
/// login already taken is no failed statement (the insert does nothing). An add with links
/// takes a savepoint, so links that fail take their technician back with them. An add
/// without links takes none: on SQLite a failed statement takes back only itself, and on
/// PostgreSQL such a failure (rare: a site deleted meanwhile) spoils the batch instead.
async fn insert(tx: &mut Transaction<'_, Any>, backend: Backend, pending: &Pending) -> Inserted {
    let (new, placement) = (&pending.new, &pending.placement);
    let has_links = !(new.roles.is_empty()
        && placement.site_ids.is_empty()
        && placement.groups.is_empty()
        && placement.udfs.is_empty());
    if !has_links {
        return match insert_row(tx, pending).await {
            Err(e)
                if backend == Backend::Postgres
                    && !matches!(e, ServiceError::LoginNameExists(_)) =>
            {
                Inserted::Spoiled(e)
            }
            outcome => Inserted::Done(outcome),
        };
    }
    let mut savepoint = match tx.begin().await {
        Ok(savepoint) => savepoint,
        Err(e) => return Inserted::Spoiled(e.into()),
    };
    let written = async {
        let id = insert_row(&mut savepoint, pending).await?;
        placement::insert_links(
            &mut savepoint,
            id,
            &new.roles,
            &placement.site_ids,
            &placement.groups,
            &placement.udfs,
        )
        .await?;
        Ok::<_, ServiceError>(id)
    }
    .await;
    let ended = match &written {
        Ok(_) => savepoint.commit().await,
        Err(_) => savepoint.rollback().await,
    };
    match ended {
        Ok(()) => Inserted::Done(written),
        Err(e) => Inserted::Spoiled(e.into()),
    }
}

async fn insert_row(tx: &mut Transaction<'_, Any>, pending: &Pending) -> Result<i64, ServiceError> {
    let new = &pending.new;
    let credentials = Credentials {
        enabled: new.login.as_ref().is_some_and(|l| l.enabled),
        password_hash: pending.password_hash.clone(),
        must_change: pending.must_change,
    };
    let ids = super::row::insert(
        tx,
        &[super::row::New {
            row: &pending.row,
            credentials,
            synced: None,
        }],
        now_ms(),
    )
    .await?;
    // The login is taken: nothing was inserted, and no statement failed.
    ids.first().copied().flatten().ok_or_else(|| {
        let login = new.login.as_ref().map(|l| l.name.to_string());
        ServiceError::LoginNameExists(login.unwrap_or_default())
    })
}

/// The row an add writes.
fn row_of(new: &NewTechnician, placement: &Placement) -> Row {
    let text = |v: &Option<crate::domain::ShortText>| v.as_ref().map(|t| t.to_string());
    Row {
        name: new.name.as_ref().to_owned(),
        alias: text(&new.alias),
        employee_id: text(&new.employee_id),
        email: new.email.as_ref().map(|e| e.to_string()),
        phone: new.phone.as_ref().map(|p| p.display().to_owned()),
        mobile: new.mobile.as_ref().map(|p| p.display().to_owned()),
        sms_mail_id: new.sms_mail_id.as_ref().map(|e| e.to_string()),
        cost_cents: new.cost_per_hr.map(|c| c.cents()),
        job_title: text(&new.job_title),
        site_id: placement.site_id,
        department_id: placement.department_id,
        approve_purchase_order: new.approve_purchase_order,
        login_name: new.login.as_ref().map(|l| l.name.to_string()),
        login_domain: new
            .login
            .as_ref()
            .map_or(String::new(), |l| l.domain.clone()),
        language: new.language.map(|l| l.code().to_owned()),
    }
}

mod group;
