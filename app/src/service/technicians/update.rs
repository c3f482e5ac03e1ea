//! UpdateTechnician: only what the request names changes, within the caller's reach, and a
//! change that raced another one is retried or refused, never merged blindly.

use super::stored::{self, Stored};
use super::{details, identify, placement};
use crate::domain::{
    AdminTask, Change, Channel, Edit, FieldErrors, FieldProblem, Notice, Refusal, TechnicianRef,
    Verb,
};
use crate::service::actor::Actor;
use crate::service::audit::{self, AuditContext, Entry, Source};
use crate::service::confirmations::Contacts;
use crate::service::contact_points;
use crate::service::db::Db;
use crate::service::error::ServiceError;
use crate::service::now_ms;
use crate::service::secret_box::SecretKey;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Updated {
    pub id: i64,
    /// The version after the update (unchanged when nothing changed).
    pub version: i64,
    pub changed: bool,
    pub notes: Vec<Notice>,
}

/// The technician after the patch, as ids.
struct Merged {
    after: Stored,
    udfs: Vec<(i64, String)>,
    /// Each contact point's address and secret: kept, set or cleared.
    contacts: Vec<(Channel, Change<String>, Change<String>)>,
    sites_changed: bool,
    groups_changed: bool,
    roles_changed: bool,
    notes: Vec<Notice>,
}

/// The shortest secret a signed webhook takes: its last four characters are shown.
const SIGNED_SECRET_MIN: usize = 16;

/// How often an update without an expected version is retried when another change lands
/// between reading and writing.
const ATTEMPTS: usize = 3;

#[tracing::instrument(skip_all, fields(actor = actor.id, source = ctx.source.as_str()))]
pub async fn update_technician(
    db: &Db,
    key: &SecretKey,
    actor: &Actor,
    ctx: &AuditContext,
    target: &TechnicianRef,
    edit: Edit,
    expected_version: Option<i64>,
) -> Result<Updated, ServiceError> {
    let is_admin = actor.is_admin() || actor.is_site_admin();
    // Self-service is a console feature: the API adds, updates and deletes for administrators
    // only, as the legacy API it stands in for did.
    if !is_admin && ctx.source == Source::Xml {
        return Err(ServiceError::NotAuthorized(Refusal::ApiUpdateAdminsOnly));
    }
    if !is_admin && !edit.is_contact_only() {
        return Err(ServiceError::NotAuthorized(Refusal::ContactsOnly));
    }
    if edit.patch.roles.is_some() && !actor.is_admin() {
        return Err(ServiceError::NotAuthorized(Refusal::AdminOnly {
            task: AdminTask::GrantOrRemoveRoles,
        }));
    }
    let attempts = if expected_version.is_some() {
        1
    } else {
        ATTEMPTS
    };
    for _ in 0..attempts {
        let mut conn = db.reader().acquire().await?;
        let id = identify::resolve(&mut conn, target).await?;
        let current = stored::load(&mut conn, id).await?.ok_or_else(|| {
            ServiceError::NotFound(Refusal::NoTechnicianMatches {
                target: target.clone(),
            })
        })?;
        let before = details::snapshot(&mut conn, id).await?;
        drop(conn);
        // Reach first: who may not change a technician learns nothing of its version.
        reach(actor, &current, &edit)?;
        if let Some(expected) = expected_version {
            if expected != current.version {
                return Err(stale(&current.row.name));
            }
        }
        if edit.patch.is_empty() && edit.contacts.is_empty() {
            return Ok(Updated {
                id,
                version: current.version,
                changed: false,
                notes: vec![Notice::NothingAsked],
            });
        }
        let merged = merge_within_reach(db, actor, &current, &edit).await?;
        let mut tx = db.begin_write().await?;
        if current.is_admin() && !merged.after.is_admin() {
            let admins = stored::lock_admins(&mut tx, db.backend()).await?;
            if stored::is_last_admin(&admins, id) {
                return Err(ServiceError::ProtectedAdmin(Refusal::LastAdmin {
                    name: current.row.name.clone(),
                }));
            }
        }
        if !write(&mut tx, key, &current, &merged).await? {
            // Another change landed since `current` was read: start again from the new state.
            drop(tx);
            if expected_version.is_some() {
                return Err(stale(&current.row.name));
            }
            continue;
        }
        let after = details::snapshot(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            ctx,
            Entry {
                action: "technician.update",
                technician_id: Some(id),
                before,
                after,
            },
        )
        .await?;
        crate::service::outbox::commit(db, tx).await?;
        tracing::info!(technician = id, "technician updated");
        return Ok(Updated {
            id,
            version: current.version + 1,
            changed: true,
            notes: merged.notes,
        });
    }
    Err(ServiceError::Conflict(Refusal::KeptChanging))
}

/// Whether `edit` would change technician `id`: every rule of an update is checked (who
/// may change it, every field, the sites it would be placed in), and nothing is written.
pub(crate) async fn would_change(
    db: &Db,
    actor: &Actor,
    id: i64,
    edit: &Edit,
) -> Result<bool, ServiceError> {
    let mut conn = db.reader().acquire().await?;
    let current = stored::load(&mut conn, id).await?.ok_or_else(|| {
        ServiceError::NotFound(Refusal::NoTechnicianMatches {
            target: TechnicianRef::by_id(id),
        })
    })?;
    let udfs_now = placement::udfs_of(&mut conn, id).await?;
    drop(conn);
    if edit.patch.roles.is_some() && !actor.is_admin() {
        return Err(ServiceError::NotAuthorized(Refusal::AdminOnly {
            task: AdminTask::GrantOrRemoveRoles,
        }));
    }
    reach(actor, &current, edit)?;
    let merged = merge_within_reach(db, actor, &current, edit).await?;
    let roles = |r: &[crate::domain::Role]| {
        let mut r = r.to_vec();
        r.sort();
        r
    };
    let same_udfs = merged.udfs.iter().all(|(udf, value)| {
        udfs_now
            .iter()
            .find(|(u, _)| u == udf)
            .map_or("", |(_, v)| v.as_str())
            == value
    });
    let same_contacts = merged
        .contacts
        .iter()
        .all(|(_, address, secret)| address.is_keep() && secret.is_keep());
    Ok(!(merged.after.row == current.row
        && merged.after.site_ids == current.site_ids
        && merged.after.groups == current.groups
        && roles(&merged.after.roles) == roles(&current.roles)
        && same_udfs
        && same_contacts))
}

/// Who may make `edit` at all: an engineer changes their own contact methods (and language)
/// from the console or with their own API key, as the console lets them; everything else
/// needs `actor` to reach the technician.
fn reach(actor: &Actor, current: &Stored, edit: &Edit) -> Result<(), ServiceError> {
    let own_contacts = actor.id == Some(current.id) && edit.is_contact_only();
    if own_contacts {
        Ok(())
    } else {
        current.check_reach(actor, Verb::Update)
    }
}

/// The technician after `edit`, refused when it would leave the sites `actor` manages.
async fn merge_within_reach(
    db: &Db,
    actor: &Actor,
    current: &Stored,
    edit: &Edit,
) -> Result<Merged, ServiceError> {
    let own_contacts = actor.id == Some(current.id) && edit.is_contact_only();
    let merged = merge(db, current, edit).await?;
    if !own_contacts && !actor.covers_sites(&merged.after.sites()) {
        return Err(ServiceError::SiteRestricted(Refusal::PlaceOutsideSites));
    }
    Ok(merged)
}

fn stale(name: &str) -> ServiceError {
    ServiceError::Conflict(Refusal::StaleEdit {
        name: name.to_owned(),
    })
}

async fn merge(db: &Db, current: &Stored, edit: &Edit) -> Result<Merged, ServiceError> {
    let patch = &edit.patch;
    let mut notes = Vec::new();
    let mut errors = FieldErrors::default();
    let mut next = current.clone();
    let was = &current.row;
    if let Some(name) = &patch.name {
        next.row.name = name.to_string();
    }
    next.row.alias = patch.alias.over(&was.alias, ToString::to_string);
    next.row.employee_id = patch
        .employee_id
        .over(&was.employee_id, ToString::to_string);
    next.row.job_title = patch.job_title.over(&was.job_title, ToString::to_string);
    next.row.language = patch.language.over(&was.language, |l| l.code().to_owned());
    next.row.email = patch.email.over(&was.email, |e| e.to_string());
    next.row.sms_mail_id = patch.sms_mail_id.over(&was.sms_mail_id, |e| e.to_string());
    next.row.phone = patch.phone.over(&was.phone, |p| p.display().to_owned());
    next.row.mobile = patch.mobile.over(&was.mobile, |p| p.display().to_owned());
    next.row.cost_cents = patch.cost_per_hr.over(&was.cost_cents, |c| c.cents());
    // A beta channel that is off takes no new credentials (removing one is always allowed).
    let beta = crate::service::settings::beta_channels(db).await?;
    for change in &edit.contacts.0 {
        let Some(spec) = change.channel.contact() else {
            continue;
        };
        let fields = [
            (Some(spec.address_field), change.address.is_set()),
            (spec.secret_field, change.secret.is_set()),
        ];
        for (field, set) in fields {
            if let (Some(field), true, false) = (field, set, beta.is_on(change.channel)) {
                errors.push(field, FieldProblem::BetaChannelOff);
            }
        }
    }
    // A channel whose address is useless without its secret gets both or neither.
    for change in &edit.contacts.0 {
        let Some(spec) = change.channel.contact().filter(|s| s.secret_required) else {
            continue;
        };
        let stored = current.contact(change.channel);
        let address = change
            .address
            .over(&stored.and_then(|c| c.address.clone()), Clone::clone);
        let Some(field) = spec.secret_field else {
            continue;
        };
        // The secret stays with the receiver it was made for: moving the address to another
        // one needs the secret typed again, or the old receiver's secret would sign for it.
        let moved = matches!(&change.address, Change::Set(a)
            if stored.and_then(|c| c.address.as_deref()).is_some_and(|was| was != a));
        let secret = match &change.secret {
            Change::Keep => stored.is_some_and(|c| c.has_secret()) && !moved,
            Change::Clear => false,
            Change::Set(typed) => {
                if typed.expose().chars().count() < SIGNED_SECRET_MIN {
                    errors.push(
                        field,
                        FieldProblem::SignedSecretShort {
                            min: SIGNED_SECRET_MIN,
                        },
                    );
                }
                true
            }
        };
        if address.is_some() && !secret {
            let why = if moved {
                FieldProblem::SecretRetype
            } else {
                FieldProblem::SecretNeeded
            };
            errors.push(field, why);
        }
    }
    let contacts: Vec<(Channel, Change<String>, Change<String>)> = edit
        .contacts
        .0
        .iter()
        .map(|c| {
            (
                c.channel,
                c.address.clone(),
                c.secret.map_ref(|s| s.expose().to_owned()),
            )
        })
        .collect();
    if next.row.approve_purchase_order && next.row.email.is_none() {
        errors.push("email", FieldProblem::EmailNeededByApprover);
    }
    if let Some(choice) = &patch.site {
        next.row.site_id = placement::site(db, choice, &mut notes).await?;
    }
    let site_changed = next.row.site_id != was.site_id;
    match &patch.department {
        Change::Set(name) => {
            (next.row.site_id, next.row.department_id) =
                placement::department(db, next.row.site_id, name, &mut notes).await?;
        }
        Change::Clear => next.row.department_id = None,
        Change::Keep if site_changed => {
            if let Some(dept) = was.department_id {
                if !department_is_under(db, dept, next.row.site_id).await? {
                    next.row.department_id = None;
                    notes.push(Notice::DepartmentLeftBehind);
                }
            }
        }
        Change::Keep => {}
    }
    if let Some(names) = &patch.associate_sites {
        next.site_ids = placement::associated_sites(db, names, &mut errors).await?;
    }
    if let Some(entries) = &patch.associate_groups {
        next.groups = placement::groups(db, entries, &mut errors).await?;
    }
    if let Some(roles) = &patch.roles {
        next.roles = roles.clone();
    }
    let udfs = placement::udfs(db, &patch.udfs, &mut errors).await?;
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    Ok(Merged {
        contacts,
        sites_changed: next.site_ids != current.site_ids,
        groups_changed: next.groups != current.groups,
        roles_changed: next.roles != current.roles,
        after: next,
        udfs,
        notes,
    })
}

async fn department_is_under(
    db: &Db,
    department: i64,
    site: Option<i64>,
) -> Result<bool, ServiceError> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT site_id FROM departments WHERE id = $1")
            .bind(department)
            .fetch_optional(db.reader())
            .await?;
    Ok(matches!(row, Some((s,)) if s == site))
}

/// Writes the merged technician if nobody changed it since it was read; false otherwise.
async fn write(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: &SecretKey,
    current: &Stored,
    merged: &Merged,
) -> Result<bool, ServiceError> {
    let row = &merged.after.row;
    let now = now_ms();
    if !super::row::update(tx, current.id, Some(current.version), row, None, now).await? {
        return Ok(false);
    }
    crate::service::confirmations::contacts_saved(
        tx,
        current.id,
        &row.name,
        Contacts {
            mobile: current.row.mobile.as_deref(),
            email: current.row.email.as_deref(),
        },
        Contacts {
            mobile: row.mobile.as_deref(),
            email: row.email.as_deref(),
        },
        now,
    )
    .await?;
    if merged.roles_changed {
        placement::write_roles(tx, current.id, &merged.after.roles).await?;
    }
    if merged.sites_changed {
        placement::write_sites(tx, current.id, &merged.after.site_ids).await?;
    }
    if merged.groups_changed {
        placement::write_groups(tx, current.id, &merged.after.groups).await?;
    }
    placement::write_udfs(tx, current.id, &merged.udfs).await?;
    for (channel, address, secret) in &merged.contacts {
        contact_points::apply(tx, key, current.id, *channel, address, secret, now).await?;
    }
    Ok(true)
}
