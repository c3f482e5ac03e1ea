//! Synchronize Engineer Info (SPEC §6): directory entries become engineers.
//!
//! A run is a row of `sync_runs`. Only one runs at a time across instances: a partial
//! unique index admits one running row, and a run whose heartbeat stopped for
//! [`STALE_MS`] (its process died) is ended by the next one. Entries are applied in
//! batches, each one transaction that also advances the run's counters, so a run killed
//! midway leaves every engineer whole and the next run completes the rest. Engineers the
//! directory no longer lists are flagged only when a run has seen the whole directory.

use super::details;
use super::row::{Credentials, New, Row, Synced};
use crate::domain::directory::{Entry, SyncLists, SyncSummary};
use crate::domain::{
    fold, login_key, Email, FieldProblem, LoginName, PersonName, Phone, ShortText, SyncField,
    SyncNote,
};
use crate::service::audit::{self, AuditContext, Entry as AuditEntry};
use crate::service::confirmations::{contacts_saved_many, Contacts, Saved};
use crate::service::db::{is_unique_violation, placeholders, Db, VALUES_PER_STATEMENT};
use crate::service::directories::Directory;
use crate::service::error::ServiceError;
use crate::service::Actor;
use sqlx::any::AnyRow;
use sqlx::{Acquire, Any, Row as _, Transaction};
use std::collections::{HashMap, HashSet};

/// A run that has not said it is alive for this long is taken to be dead.
pub const STALE_MS: i64 = 60_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begun {
    Started(i64),
    /// Another sync is running; its id.
    AlreadyRunning(i64),
}

/// Who may synchronize: an SDAdmin.
pub fn authorize(actor: &Actor) -> Result<(), ServiceError> {
    actor.require_admin(crate::domain::AdminTask::Synchronize)
}

/// Starts a run, unless one is running; a run left by a dead process is ended first.
pub async fn begin(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    directory: Option<&str>,
    now: i64,
) -> Result<Begun, ServiceError> {
    authorize(actor)?;
    // A run may end between our failed insert and the look for it: then start again, a
    // bounded number of times.
    for _ in 0..5 {
        let mut tx = db.begin_write().await?;
        sqlx::query(
            "UPDATE sync_runs SET running = NULL, state = 'failed', finished_at = $1, \
             error = 'interrupted: the process running it stopped; this run was ended by the next' \
             WHERE running = 1 AND heartbeat_at < $2",
        )
        .bind(now)
        .bind(now - STALE_MS)
        .execute(&mut *tx)
        .await?;
        let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO sync_runs (running, state, directory, started_by, source, started_at, heartbeat_at) \
             VALUES (1, 'running', $1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(directory)
        .bind(&actor.name)
        .bind(ctx.source.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await;
        match inserted {
            Ok((id,)) => {
                tx.commit().await?;
                return Ok(Begun::Started(id));
            }
            Err(e) if is_unique_violation(&e, "sync_runs_one_running") => {
                drop(tx);
                let running: Option<(i64,)> =
                    sqlx::query_as("SELECT id FROM sync_runs WHERE running = 1")
                        .fetch_optional(db.writer())
                        .await?;
                if let Some((id,)) = running {
                    return Ok(Begun::AlreadyRunning(id));
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ServiceError::Conflict(crate::domain::Refusal::SyncRace))
}

/// Adds `more` to the number of entries the run will go through (one directory at a time).
pub async fn add_total(db: &Db, run: i64, more: i64, now: i64) -> Result<(), ServiceError> {
    sqlx::query("UPDATE sync_runs SET total = total + $1, heartbeat_at = $2 WHERE id = $3")
        .bind(more)
        .bind(now)
        .bind(run)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// What one batch did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Counts {
    created: i64,
    updated: i64,
    unchanged: i64,
    skipped: i64,
    lists: SyncLists,
}

impl Counts {
    /// An entry skipped because another engineer of the domain has its login.
    fn login_taken(&mut self, name: &str, login: Option<&str>, domain: &str) {
        self.skipped += 1;
        SyncLists::push(
            &mut self.lists.skipped,
            SyncNote::LoginTaken {
                who: name.to_owned(),
                login: login.unwrap_or("").to_owned(),
                domain: domain.to_owned(),
            },
        );
    }
}

/// The fields of an entry that passed their checks, with what had to be left out.
struct Checked {
    id: String,
    name: String,
    login: Option<String>,
    email: Option<String>,
    mobile: Option<String>,
    phone: Option<String>,
    title: Option<String>,
    employee_id: Option<String>,
    department: Option<String>,
    notes: Vec<SyncNote>,
}

/// Why an entry is skipped, once told who it is.
type Skip = Box<dyn FnOnce(String) -> SyncNote>;

fn check(entry: &Entry) -> Result<Checked, Skip> {
    let Some(id) = entry.id.clone().filter(|id| id.chars().count() <= 256) else {
        return Err(Box::new(|who| SyncNote::NoId { who }));
    };
    let raw_name = entry
        .name
        .as_deref()
        .or(entry.login.as_deref())
        .unwrap_or("");
    let name = match PersonName::parse(raw_name) {
        Ok(name) => name.as_ref().to_owned(),
        Err(e) => {
            let problem = FieldProblem::from(e);
            return Err(Box::new(move |who| SyncNote::BadName { who, problem }));
        }
    };
    let mut notes = Vec::new();
    let mut keep = |field: SyncField,
                    value: &Option<String>,
                    parse: &dyn Fn(&str) -> Result<String, FieldProblem>| {
        let value = value.as_deref()?;
        parse(value)
            .map_err(|problem| {
                notes.push(SyncNote::FieldLeftOut {
                    who: name.clone(),
                    field,
                    problem,
                })
            })
            .ok()
    };
    let text = |v: &str| {
        ShortText::parse(v)
            .map(|t| t.to_string())
            .map_err(FieldProblem::from)
    };
    let phone = |v: &str| {
        Phone::parse(v)
            .map(|p| p.display().to_owned())
            .map_err(FieldProblem::from)
    };
    let login = keep(SyncField::Login, &entry.login, &|v| {
        LoginName::parse(v)
            .map(|l| l.to_string())
            .map_err(FieldProblem::from)
    });
    let email = keep(SyncField::Email, &entry.email, &|v| {
        Email::parse(v)
            .map(|e| e.to_string())
            .map_err(FieldProblem::from)
    });
    let mobile = keep(SyncField::Mobile, &entry.mobile, &phone);
    let phone = keep(SyncField::Phone, &entry.phone, &phone);
    let title = keep(SyncField::Title, &entry.title, &text);
    let employee_id = keep(SyncField::EmployeeId, &entry.employee_id, &text);
    let department = keep(SyncField::Department, &entry.department, &text);
    Ok(Checked {
        id,
        name,
        login,
        email,
        mobile,
        phone,
        title,
        employee_id,
        department,
        notes,
    })
}

/// An engineer the sync found: its row and what the directory said of it last time.
struct Known {
    id: i64,
    row: Row,
    synced_mobile: Option<String>,
    synced_email: Option<String>,
    directory_missing: i64,
    directory_id: Option<String>,
}

impl<'r> sqlx::FromRow<'r, AnyRow> for Known {
    fn from_row(r: &'r AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: r.try_get("id")?,
            row: Row::from_any(r)?,
            synced_mobile: r.try_get("synced_mobile")?,
            synced_email: r.try_get("synced_email")?,
            directory_missing: r.try_get("directory_missing")?,
            directory_id: r.try_get("directory_id")?,
        })
    }
}

/// The columns of [`Known`].
fn known_columns() -> String {
    format!(
        "id, {}, synced_mobile, synced_email, directory_missing, directory_id",
        super::row::COLUMNS
    )
}

/// Entries looked up and written per statement.
const ROWS: usize = 500;

/// Applies one batch of `directory`'s entries in one transaction, with the run's counters.
///
/// The batch takes a fixed number of statements however many entries it holds (lookups,
/// inserts, confirmations, snapshots and audit rows are each written for the batch at
/// once); only engineers whose details changed are updated one by one. An entry repeating
/// the id or login of an earlier entry of the batch is applied after the others, on its
/// own, so it meets what they wrote.
pub async fn apply_batch(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    run: i64,
    directory: &Directory,
    entries: &[Entry],
    now: i64,
) -> Result<(), ServiceError> {
    let domain = directory.name.as_str();
    let mut tx = db.begin_write().await?;
    let mut counts = Counts::default();
    let mut first = Vec::with_capacity(entries.len());
    let mut again = Vec::new();
    let mut ids = HashSet::new();
    let mut logins = HashSet::new();
    for entry in entries {
        let checked = match check(entry) {
            Ok(checked) => checked,
            Err(why) => {
                counts.skipped += 1;
                let who = entry
                    .login
                    .as_deref()
                    .or(entry.name.as_deref())
                    .unwrap_or("");
                let who: String = who.chars().take(64).collect();
                SyncLists::push(&mut counts.lists.skipped, why(who));
                continue;
            }
        };
        for note in &checked.notes {
            SyncLists::push(&mut counts.lists.notes, note.clone());
        }
        let login = checked.login.as_deref().map(|l| login_key(l, domain));
        let repeated =
            !ids.insert(checked.id.clone()) | login.is_some_and(|login| !logins.insert(login));
        if repeated {
            again.push(checked);
        } else {
            first.push(checked);
        }
    }
    let context = Context {
        actor,
        ctx,
        run,
        domain,
        now,
    };
    for part in first.chunks(ROWS) {
        apply(&mut tx, &context, part, &mut counts).await?;
    }
    for checked in &again {
        apply(
            &mut tx,
            &context,
            std::slice::from_ref(checked),
            &mut counts,
        )
        .await?;
    }
    let lists: (String,) = sqlx::query_as("SELECT lists_json FROM sync_runs WHERE id = $1")
        .bind(run)
        .fetch_one(&mut *tx)
        .await?;
    let mut merged: SyncLists = serde_json::from_str(&lists.0).unwrap_or_default();
    for (into, from) in [
        (&mut merged.created, counts.lists.created),
        (&mut merged.updated, counts.lists.updated),
    ] {
        for item in from {
            SyncLists::push(into, item);
        }
    }
    for (into, from) in [
        (&mut merged.skipped, counts.lists.skipped),
        (&mut merged.notes, counts.lists.notes),
    ] {
        for item in from {
            SyncLists::push(into, item);
        }
    }
    sqlx::query(
        "UPDATE sync_runs SET processed = processed + $1, created = created + $2, \
         updated = updated + $3, unchanged = unchanged + $4, skipped = skipped + $5, \
         lists_json = $6, heartbeat_at = $7 WHERE id = $8",
    )
    .bind(i64::try_from(entries.len()).unwrap_or(i64::MAX))
    .bind(counts.created)
    .bind(counts.updated)
    .bind(counts.unchanged)
    .bind(counts.skipped)
    .bind(serde_json::to_string(&merged).map_err(anyhow::Error::new)?)
    .bind(now)
    .bind(run)
    .execute(&mut *tx)
    .await?;
    crate::service::outbox::commit(db, tx).await?;
    Ok(())
}

/// What every write of a batch is done for and by.
struct Context<'a> {
    actor: &'a Actor,
    ctx: &'a AuditContext,
    run: i64,
    domain: &'a str,
    now: i64,
}

/// What the sync does with one entry, decided before anything is written.
enum Plan<'a> {
    Create {
        entry: &'a Checked,
        department: Option<i64>,
    },
    /// Only the marks of the sync are written; the contacts the directory gives too when
    /// they differ from the ones it gave last time.
    Unchanged {
        id: i64,
        entry: &'a Checked,
        contacts_moved: bool,
    },
    Update(Box<Update<'a>>),
}

struct Update<'a> {
    entry: &'a Checked,
    known: Known,
    /// The engineer's row as the sync leaves it.
    row: Row,
}

/// The engineers `sql` finds by text keys (`{}`), after the value `first` if any.
async fn known_by<'a>(
    tx: &mut Transaction<'_, Any>,
    sql: &str,
    first: Option<&str>,
    keys: impl Iterator<Item = &'a str>,
) -> Result<Vec<Known>, sqlx::Error> {
    let keys: Vec<&str> = keys.collect();
    let offset = usize::from(first.is_some());
    let mut found = Vec::new();
    for part in keys.chunks(VALUES_PER_STATEMENT) {
        let sql = sql.replace("{}", &placeholders(1 + offset, part.len()));
        let mut query = sqlx::query_as::<_, Known>(&sql);
        if let Some(first) = first {
            query = query.bind(first);
        }
        for key in part {
            query = query.bind(*key);
        }
        found.extend(query.fetch_all(&mut **tx).await?);
    }
    Ok(found)
}

/// Applies entries with distinct ids and logins: planned from three lookups, then written.
async fn apply(
    tx: &mut Transaction<'_, Any>,
    context: &Context<'_>,
    entries: &[Checked],
    counts: &mut Counts,
) -> Result<(), ServiceError> {
    let domain = context.domain;
    // Known by its stable id; else an engineer of this domain with the same login is
    // adopted, so a roster typed in before the directory existed is not doubled.
    let mut by_id: HashMap<String, Known> = known_by(
        tx,
        &format!(
            "SELECT {} FROM technicians WHERE directory_source = $1 AND directory_id IN ({{}})",
            known_columns()
        ),
        Some(domain),
        entries.iter().map(|e| e.id.as_str()),
    )
    .await?
    .into_iter()
    .filter_map(|k| Some((k.directory_id.clone()?, k)))
    .collect();
    let login_keys: Vec<String> = entries
        .iter()
        .filter_map(|e| e.login.as_deref().map(|l| login_key(l, domain)))
        .collect();
    let mut by_login: HashMap<String, Known> = known_by(
        tx,
        &format!(
            "SELECT {} FROM technicians WHERE login_key IN ({{}})",
            known_columns()
        ),
        None,
        login_keys.iter().map(String::as_str),
    )
    .await?
    .into_iter()
    .filter_map(|k| Some((login_key(k.row.login_name.as_deref()?, domain), k)))
    .collect();
    // Who holds each login as the plan goes, so an entry meets what the ones before it do.
    let mut holders: HashMap<String, i64> = by_login
        .iter()
        .map(|(login, known)| (login.clone(), known.id))
        .collect();
    let departments = departments(tx, entries).await?;
    let mut plans = Vec::with_capacity(entries.len());
    for entry in entries {
        let login = entry.login.as_deref().map(|l| login_key(l, domain));
        let department = entry
            .department
            .as_deref()
            .and_then(|d| departments.get(&fold(d)).copied());
        if let (Some(name), None) = (&entry.department, department) {
            SyncLists::push(
                &mut counts.lists.notes,
                SyncNote::NoDepartment {
                    who: entry.name.clone(),
                    department: name.clone(),
                },
            );
        }
        let known = by_id.remove(&entry.id).or_else(|| {
            let login = login.as_deref()?;
            by_login.remove(login).filter(|k| k.directory_id.is_none())
        });
        match known {
            None => {
                if let Some(login) = &login {
                    if holders.contains_key(login) {
                        counts.login_taken(&entry.name, entry.login.as_deref(), domain);
                        continue;
                    }
                    // Not an engineer yet: no id can equal it.
                    holders.insert(login.clone(), 0);
                }
                plans.push(Plan::Create { entry, department });
            }
            Some(known) => {
                let plan = plan_update(entry, department, known, domain, &mut counts.lists.notes);
                if let Plan::Update(update) = &plan {
                    let new = update
                        .row
                        .login_name
                        .as_deref()
                        .map(|l| login_key(l, domain));
                    let old = update
                        .known
                        .row
                        .login_name
                        .as_deref()
                        .map(|l| login_key(l, domain));
                    if new != old {
                        if let Some(new) = new {
                            if holders.get(&new).is_some_and(|id| *id != update.known.id) {
                                counts.login_taken(
                                    &entry.name,
                                    update.row.login_name.as_deref(),
                                    domain,
                                );
                                continue;
                            }
                            holders.insert(new, update.known.id);
                        }
                        if let Some(old) = old {
                            holders.remove(&old);
                        }
                    }
                }
                plans.push(plan);
            }
        }
    }
    write(tx, context, plans, counts).await
}

/// The department of each entry that names one, by its folded name.
async fn departments(
    tx: &mut Transaction<'_, Any>,
    entries: &[Checked],
) -> Result<HashMap<String, i64>, sqlx::Error> {
    let names: HashSet<String> = entries
        .iter()
        .filter_map(|e| e.department.as_deref().map(fold))
        .collect();
    let names: Vec<String> = names.into_iter().collect();
    let mut found = HashMap::new();
    for part in names.chunks(VALUES_PER_STATEMENT) {
        let sql = format!(
            "SELECT name_key, id FROM departments WHERE name_key IN ({}) \
             ORDER BY site_id IS NOT NULL, id",
            placeholders(1, part.len())
        );
        let mut query = sqlx::query_as::<_, (String, i64)>(&sql);
        for name in part {
            query = query.bind(name);
        }
        for (name, id) in query.fetch_all(&mut **tx).await? {
            // The first of a name wins: one without a site, else the oldest.
            found.entry(name).or_insert(id);
        }
    }
    Ok(found)
}

/// A contact the directory gives, unless it was edited here since the last sync.
fn contact(
    name: &str,
    field: SyncField,
    local: &Option<String>,
    last_synced: &Option<String>,
    directory: &Option<String>,
    notes: &mut Vec<SyncNote>,
) -> Option<String> {
    if local != last_synced {
        if local != directory {
            SyncLists::push(
                notes,
                SyncNote::EditedHere {
                    who: name.to_owned(),
                    field,
                },
            );
        }
        return local.clone();
    }
    directory.clone()
}

fn plan_update<'a>(
    entry: &'a Checked,
    department: Option<i64>,
    known: Known,
    domain: &str,
    notes: &mut Vec<SyncNote>,
) -> Plan<'a> {
    let mut row = known.row.clone();
    row.name = entry.name.clone();
    row.mobile = contact(
        &entry.name,
        SyncField::Mobile,
        &known.row.mobile,
        &known.synced_mobile,
        &entry.mobile,
        notes,
    );
    row.email = contact(
        &entry.name,
        SyncField::Email,
        &known.row.email,
        &known.synced_email,
        &entry.email,
        notes,
    );
    if row.approve_purchase_order && row.email.is_none() {
        row.email = known.row.email.clone();
        SyncLists::push(
            notes,
            SyncNote::EmailKeptForApprover {
                who: entry.name.clone(),
            },
        );
    }
    row.phone = entry.phone.clone();
    row.job_title = entry.title.clone();
    row.employee_id = entry.employee_id.clone();
    if entry.department.is_some() {
        row.department_id = department;
    }
    // A directory without a login keeps the one the engineer has.
    if entry.login.is_some() {
        row.login_name = entry.login.clone();
    }
    if row.login_name.is_some() {
        row.login_domain = domain.to_owned();
    }
    let changed = row != known.row
        || known.directory_missing != 0
        || known.directory_id.as_deref() != Some(entry.id.as_str());
    if !changed {
        return Plan::Unchanged {
            id: known.id,
            entry,
            contacts_moved: known.synced_mobile != entry.mobile
                || known.synced_email != entry.email,
        };
    }
    Plan::Update(Box::new(Update { entry, known, row }))
}

/// Writes the plans of a batch: what changed one by one, the rest for the batch at once.
async fn write(
    tx: &mut Transaction<'_, Any>,
    context: &Context<'_>,
    plans: Vec<Plan<'_>>,
    counts: &mut Counts,
) -> Result<(), ServiceError> {
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    let mut marks = Vec::new();
    for plan in plans {
        match plan {
            Plan::Create { entry, department } => creates.push((entry, department)),
            Plan::Update(update) => updates.push(*update),
            Plan::Unchanged {
                id,
                entry,
                contacts_moved,
            } => marks.push((id, entry, contacts_moved)),
        }
    }
    mark_seen(tx, context.run, &marks).await?;
    counts.unchanged += i64::try_from(marks.len()).unwrap_or(i64::MAX);
    let ids: Vec<i64> = updates.iter().map(|u| u.known.id).collect();
    let mut before = details::snapshots(tx, &ids).await?;
    // Updates in plan order: a login one gives up is free for the next.
    let mut updated = Vec::new();
    for update in &updates {
        if update_one(tx, context, update).await? {
            updated.push(update);
        } else {
            counts.login_taken(
                &update.entry.name,
                update.row.login_name.as_deref(),
                context.domain,
            );
        }
    }
    let created = create_all(tx, context, &creates, counts).await?;
    let mut saves: Vec<Saved> = updated
        .iter()
        .map(|u| Saved {
            id: u.known.id,
            name: &u.entry.name,
            before: Contacts {
                mobile: u.known.row.mobile.as_deref(),
                email: u.known.row.email.as_deref(),
            },
            after: Contacts {
                mobile: u.row.mobile.as_deref(),
                email: u.row.email.as_deref(),
            },
        })
        .collect();
    saves.extend(created.iter().map(|(id, entry)| Saved {
        id: *id,
        name: &entry.name,
        before: Contacts::default(),
        after: Contacts {
            mobile: entry.mobile.as_deref(),
            email: entry.email.as_deref(),
        },
    }));
    contacts_saved_many(tx, &saves, context.now).await?;
    let written: Vec<i64> = saves.iter().map(|s| s.id).collect();
    let mut after = details::snapshots(tx, &written).await?;
    let mut audit = Vec::with_capacity(written.len());
    for update in &updated {
        let id = update.known.id;
        audit.push(AuditEntry {
            action: "technician.update",
            technician_id: Some(id),
            before: before.remove(&id),
            after: after.remove(&id),
        });
        counts.updated += 1;
        SyncLists::push(&mut counts.lists.updated, update.entry.name.clone());
    }
    for (id, entry) in &created {
        audit.push(AuditEntry {
            action: "technician.add",
            technician_id: Some(*id),
            before: None,
            after: after.remove(id),
        });
        counts.created += 1;
        SyncLists::push(&mut counts.lists.created, entry.name.clone());
    }
    audit::record_many(tx, context.actor, context.ctx, audit).await?;
    Ok(())
}

/// Marks engineers the directory lists unchanged as seen by this run.
async fn mark_seen(
    tx: &mut Transaction<'_, Any>,
    run: i64,
    marks: &[(i64, &Checked, bool)],
) -> Result<(), sqlx::Error> {
    let ids: Vec<i64> = marks.iter().map(|(id, _, _)| *id).collect();
    for part in ids.chunks(VALUES_PER_STATEMENT) {
        let sql = format!(
            "UPDATE technicians SET sync_run = $1 WHERE id IN ({})",
            placeholders(2, part.len())
        );
        let mut query = sqlx::query(&sql).bind(run);
        for id in part {
            query = query.bind(*id);
        }
        query.execute(&mut **tx).await?;
    }
    // What the directory says of the contacts is remembered, to tell a later local edit.
    for (id, entry, _) in marks.iter().filter(|(_, _, moved)| *moved) {
        sqlx::query("UPDATE technicians SET synced_mobile = $1, synced_email = $2 WHERE id = $3")
            .bind(&entry.mobile)
            .bind(&entry.email)
            .bind(*id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Updates one engineer as planned; false when its new login was taken meanwhile (by a
/// writer outside this sync), with nothing of it written.
async fn update_one(
    tx: &mut Transaction<'_, Any>,
    context: &Context<'_>,
    update: &Update<'_>,
) -> Result<bool, ServiceError> {
    let entry = update.entry;
    let mut savepoint = tx.begin().await?;
    let updated = super::row::update(
        &mut savepoint,
        update.known.id,
        None,
        &update.row,
        Some(&synced(context, entry)),
        context.now,
    )
    .await;
    match updated {
        Ok(_) => {
            savepoint.commit().await?;
            Ok(true)
        }
        Err(ServiceError::LoginNameExists(_)) => {
            savepoint.rollback().await?;
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// The marks a sync writes beside an engineer's row.
fn synced<'a>(context: &Context<'a>, entry: &'a Checked) -> Synced<'a> {
    Synced {
        source: context.domain,
        id: &entry.id,
        mobile: entry.mobile.as_deref(),
        email: entry.email.as_deref(),
        run: context.run,
    }
}

/// Inserts the new engineers of a batch, as few statements as the values allow: their ids.
/// One whose login a writer outside this sync took meanwhile is skipped.
async fn create_all<'a>(
    tx: &mut Transaction<'_, Any>,
    context: &Context<'_>,
    creates: &[(&'a Checked, Option<i64>)],
    counts: &mut Counts,
) -> Result<Vec<(i64, &'a Checked)>, ServiceError> {
    if creates.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Row> = creates
        .iter()
        .map(|(entry, department)| Row {
            name: entry.name.clone(),
            employee_id: entry.employee_id.clone(),
            email: entry.email.clone(),
            phone: entry.phone.clone(),
            mobile: entry.mobile.clone(),
            job_title: entry.title.clone(),
            department_id: *department,
            login_name: entry.login.clone(),
            login_domain: context.domain.to_owned(),
            ..Row::default()
        })
        .collect();
    let news: Vec<New> = rows
        .iter()
        .zip(creates)
        .map(|(row, (entry, _))| New {
            row,
            credentials: Credentials {
                enabled: entry.login.is_some(),
                ..Credentials::default()
            },
            synced: Some(synced(context, entry)),
        })
        .collect();
    let ids = super::row::insert(tx, &news, context.now).await?;
    let mut created = Vec::with_capacity(creates.len());
    for (id, (entry, _)) in ids.into_iter().zip(creates) {
        match id {
            Some(id) => created.push((id, *entry)),
            None => counts.login_taken(&entry.name, entry.login.as_deref(), context.domain),
        }
    }
    Ok(created)
}

/// Ends a run that went through every entry of `directories`: engineers of those
/// directories it did not see are flagged (never deleted).
pub async fn finish(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    run: i64,
    directories: &[String],
    now: i64,
) -> Result<SyncSummary, ServiceError> {
    let mut tx = db.begin_write().await?;
    let mut flagged_names = Vec::new();
    for directory in directories {
        let gone: Vec<(i64, String)> = sqlx::query_as(
            "UPDATE technicians SET directory_missing = 1, version = version + 1, updated_at = $1 \
             WHERE directory_source = $2 AND directory_missing = 0 \
             AND (sync_run IS NULL OR sync_run <> $3) RETURNING id, name",
        )
        .bind(now)
        .bind(directory)
        .bind(run)
        .fetch_all(&mut *tx)
        .await?;
        for (id, name) in gone {
            audit::record(
                &mut tx,
                actor,
                ctx,
                AuditEntry {
                    action: "technician.flag",
                    technician_id: Some(id),
                    before: None,
                    after: Some(serde_json::json!({ "directory": directory, "missing": true })),
                },
            )
            .await?;
            flagged_names.push(name);
        }
    }
    let lists: (String,) = sqlx::query_as("SELECT lists_json FROM sync_runs WHERE id = $1")
        .bind(run)
        .fetch_one(&mut *tx)
        .await?;
    let mut merged: SyncLists = serde_json::from_str(&lists.0).unwrap_or_default();
    for name in &flagged_names {
        SyncLists::push(&mut merged.flagged, name.clone());
    }
    sqlx::query(
        "UPDATE sync_runs SET running = NULL, state = 'done', finished_at = $1, heartbeat_at = $1, \
         flagged = $2, lists_json = $3 WHERE id = $4",
    )
    .bind(now)
    .bind(i64::try_from(flagged_names.len()).unwrap_or(i64::MAX))
    .bind(serde_json::to_string(&merged).map_err(anyhow::Error::new)?)
    .bind(run)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    summary(db, run)
        .await?
        .ok_or_else(|| ServiceError::NotFound(crate::domain::Refusal::NoSync { run }))
}

/// Ends a run that could not go on (a directory that does not answer, a file that cannot be
/// read). What it applied stays; nothing is flagged.
pub async fn fail(db: &Db, run: i64, error: &str, now: i64) -> Result<(), ServiceError> {
    let error: String = error.chars().take(1000).collect();
    sqlx::query(
        "UPDATE sync_runs SET running = NULL, state = 'failed', finished_at = $1, error = $2 \
         WHERE id = $3",
    )
    .bind(now)
    .bind(error)
    .bind(run)
    .execute(db.writer())
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct RunRow {
    id: i64,
    state: String,
    started_by: String,
    started_at: i64,
    finished_at: Option<i64>,
    total: i64,
    processed: i64,
    created: i64,
    updated: i64,
    unchanged: i64,
    flagged: i64,
    skipped: i64,
    lists_json: String,
    error: Option<String>,
}

const RUN: &str = "id, state, started_by, started_at, finished_at, total, processed, created, \
                   updated, unchanged, flagged, skipped, lists_json, error";

impl RunRow {
    fn into_summary(self) -> SyncSummary {
        use crate::domain::audit::utc_text;
        SyncSummary {
            id: self.id,
            state: self.state,
            started_by: self.started_by,
            started_at: utc_text(self.started_at),
            finished_at: self.finished_at.map(utc_text),
            total: self.total,
            processed: self.processed,
            created: self.created,
            updated: self.updated,
            unchanged: self.unchanged,
            flagged: self.flagged,
            skipped: self.skipped,
            lists: serde_json::from_str(&self.lists_json).unwrap_or_default(),
            error: self.error,
        }
    }
}

/// Run `run` as it stands.
pub async fn summary(db: &Db, run: i64) -> Result<Option<SyncSummary>, ServiceError> {
    let row: Option<RunRow> = sqlx::query_as(&format!("SELECT {RUN} FROM sync_runs WHERE id = $1"))
        .bind(run)
        .fetch_optional(db.reader())
        .await?;
    Ok(row.map(RunRow::into_summary))
}

/// The newest run, running or not.
pub async fn latest(db: &Db) -> Result<Option<SyncSummary>, ServiceError> {
    let row: Option<RunRow> = sqlx::query_as(&format!(
        "SELECT {RUN} FROM sync_runs ORDER BY id DESC LIMIT 1"
    ))
    .fetch_optional(db.reader())
    .await?;
    Ok(row.map(RunRow::into_summary))
}

/// Keeps a long step (reading a directory) from looking dead.
pub async fn heartbeat(db: &Db, run: i64, now: i64) -> Result<(), ServiceError> {
    sqlx::query("UPDATE sync_runs SET heartbeat_at = $1 WHERE id = $2 AND running = 1")
        .bind(now)
        .bind(run)
        .execute(db.writer())
        .await?;
    Ok(())
}
