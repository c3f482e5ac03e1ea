//! Synchronize Engineer Info (SPEC §6): directory entries become engineers.
//!
//! A run is a row of `sync_runs`. Only one runs at a time across instances: a partial
//! unique index admits one running row, and a run whose heartbeat stopped for
//! [`STALE_MS`] (its process died) is ended by the next one. Entries are applied in
//! batches, each one transaction that also advances the run's counters, so a run killed
//! midway leaves every engineer whole and the next run completes the rest. Engineers the
//! directory no longer lists are flagged only when a run has seen the whole directory.

use super::details;
use crate::domain::directory::{Entry, SyncLists, SyncSummary};
use crate::domain::{fold, login_key, Email, LoginName, PersonName, Phone, ShortText};
use crate::service::audit::{self, AuditContext, Entry as AuditEntry};
use crate::service::confirmations::{contacts_saved, Contacts};
use crate::service::db::{is_unique_violation, Db};
use crate::service::directories::Directory;
use crate::service::error::ServiceError;
use crate::service::Actor;
use sqlx::{Any, Transaction};

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
    actor.require_admin("synchronize engineer info")
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
        let mut tx = db.writer().begin().await?;
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
    Err(ServiceError::Conflict(
        "syncs are starting and ending faster than this one could begin; try again".into(),
    ))
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
            format!(
                "{name}: the login '{}' belongs to another engineer of {domain}",
                login.unwrap_or("")
            ),
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
    notes: Vec<String>,
}

fn check(entry: &Entry) -> Result<Checked, String> {
    let Some(id) = entry.id.clone().filter(|id| id.chars().count() <= 256) else {
        return Err("it has no id (and no login to stand in for one)".into());
    };
    let raw_name = entry
        .name
        .as_deref()
        .or(entry.login.as_deref())
        .unwrap_or("");
    let name = PersonName::parse(raw_name)
        .map_err(|e| format!("its name {e}"))?
        .as_ref()
        .to_owned();
    let mut notes = Vec::new();
    let mut keep =
        |field: &str, value: &Option<String>, parse: &dyn Fn(&str) -> Result<String, String>| {
            let value = value.as_deref()?;
            parse(value)
                .map_err(|e| notes.push(format!("{name}: {field} left out, it {e}")))
                .ok()
        };
    let text = |v: &str| {
        ShortText::parse(v)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    };
    let phone = |v: &str| {
        Phone::parse(v)
            .map(|p| p.display().to_owned())
            .map_err(|e| e.to_string())
    };
    let login = keep("login", &entry.login, &|v| {
        LoginName::parse(v)
            .map(|l| l.to_string())
            .map_err(|e| e.to_string())
    });
    let email = keep("email", &entry.email, &|v| {
        Email::parse(v)
            .map(|e| e.to_string())
            .map_err(|e| e.to_string())
    });
    let mobile = keep("mobile", &entry.mobile, &phone);
    let phone = keep("phone", &entry.phone, &phone);
    let title = keep("title", &entry.title, &text);
    let employee_id = keep("employee id", &entry.employee_id, &text);
    let department = keep("department", &entry.department, &text);
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

#[derive(sqlx::FromRow)]
struct Known {
    id: i64,
    name: String,
    email: Option<String>,
    mobile: Option<String>,
    phone: Option<String>,
    job_title: Option<String>,
    employee_id: Option<String>,
    department_id: Option<i64>,
    login_name: Option<String>,
    synced_mobile: Option<String>,
    synced_email: Option<String>,
    directory_missing: i64,
    directory_id: Option<String>,
}

const KNOWN: &str = "id, name, email, mobile, phone, job_title, employee_id, department_id, \
                     login_name, synced_mobile, synced_email, directory_missing, directory_id";

/// Applies one batch of `directory`'s entries in one transaction, with the run's counters.
pub async fn apply_batch(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    run: i64,
    directory: &Directory,
    entries: &[Entry],
    now: i64,
) -> Result<(), ServiceError> {
    let mut tx = db.writer().begin().await?;
    let mut counts = Counts::default();
    for entry in entries {
        let checked = match check(entry) {
            Ok(checked) => checked,
            Err(why) => {
                counts.skipped += 1;
                let who = entry
                    .login
                    .as_deref()
                    .or(entry.name.as_deref())
                    .unwrap_or("an entry");
                let who: String = who.chars().take(64).collect();
                SyncLists::push(&mut counts.lists.skipped, format!("{who}: {why}"));
                continue;
            }
        };
        for note in &checked.notes {
            SyncLists::push(&mut counts.lists.notes, note.clone());
        }
        apply_one(
            &mut tx,
            actor,
            ctx,
            run,
            directory,
            &checked,
            now,
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
    tx.commit().await?;
    Ok(())
}

async fn department_id(
    tx: &mut Transaction<'_, Any>,
    name: Option<&str>,
) -> Result<Option<i64>, ServiceError> {
    let Some(name) = name else { return Ok(None) };
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM departments WHERE name_key = $1 ORDER BY site_id IS NOT NULL, id LIMIT 1",
    )
    .bind(fold(name))
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.map(|(id,)| id))
}

#[allow(clippy::too_many_arguments)]
async fn apply_one(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    ctx: &AuditContext,
    run: i64,
    directory: &Directory,
    entry: &Checked,
    now: i64,
    counts: &mut Counts,
) -> Result<(), ServiceError> {
    let domain = directory.name.as_str();
    // Known by its stable id; else an engineer of this domain with the same login is
    // adopted, so a roster typed in before the directory existed is not doubled.
    let mut known: Option<Known> = sqlx::query_as(&format!(
        "SELECT {KNOWN} FROM technicians WHERE directory_source = $1 AND directory_id = $2"
    ))
    .bind(domain)
    .bind(&entry.id)
    .fetch_optional(&mut **tx)
    .await?;
    if known.is_none() {
        if let Some(login) = &entry.login {
            known = sqlx::query_as(&format!(
                "SELECT {KNOWN} FROM technicians WHERE login_key = $1"
            ))
            .bind(login_key(login, domain))
            .fetch_optional(&mut **tx)
            .await?
            .filter(|k: &Known| k.directory_id.is_none());
        }
    }
    let department = department_id(tx, entry.department.as_deref()).await?;
    if entry.department.is_some() && department.is_none() {
        SyncLists::push(
            &mut counts.lists.notes,
            format!(
                "{}: no department named '{}'; left without one",
                entry.name,
                entry.department.as_deref().unwrap_or("")
            ),
        );
    }
    match known {
        None => create(tx, actor, ctx, run, domain, entry, department, now, counts).await,
        Some(known) => {
            update(
                tx, actor, ctx, run, domain, entry, department, known, now, counts,
            )
            .await
        }
    }
}

fn search(name: &str, login: Option<&str>, email: Option<&str>, mobile: Option<&str>) -> String {
    super::list::search_text([Some(name), None, login, email, mobile])
}

#[allow(clippy::too_many_arguments)]
async fn create(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    ctx: &AuditContext,
    run: i64,
    domain: &str,
    entry: &Checked,
    department: Option<i64>,
    now: i64,
    counts: &mut Counts,
) -> Result<(), ServiceError> {
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO technicians (name, employee_id, email, phone, mobile, job_title, department_id, \
         login_name, login_domain, login_enabled, directory_source, directory_id, synced_mobile, \
         synced_email, sync_run, created_at, updated_at, version, search_text, login_key, name_key, \
         email_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, $11, $5, $3, $12, $13, $13, 1, $14, $15, \
         $16, $17) RETURNING id",
    )
    .bind(&entry.name)
    .bind(&entry.employee_id)
    .bind(&entry.email)
    .bind(&entry.phone)
    .bind(&entry.mobile)
    .bind(&entry.title)
    .bind(department)
    .bind(&entry.login)
    .bind(domain)
    .bind(i64::from(entry.login.is_some()))
    .bind(&entry.id)
    .bind(run)
    .bind(now)
    .bind(search(&entry.name, entry.login.as_deref(), entry.email.as_deref(), entry.mobile.as_deref()))
    .bind(entry.login.as_deref().map(|l| login_key(l, domain)))
    .bind(fold(&entry.name))
    .bind(entry.email.as_deref().map(fold))
    .fetch_one(&mut **tx)
    .await;
    let id = match inserted {
        Ok((id,)) => id,
        Err(e) if is_unique_violation(&e, "technicians_login_unique") => {
            counts.login_taken(&entry.name, entry.login.as_deref(), domain);
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    contacts_saved(
        tx,
        id,
        &entry.name,
        Contacts::default(),
        Contacts {
            mobile: entry.mobile.as_deref(),
            email: entry.email.as_deref(),
        },
        now,
    )
    .await?;
    let after = details::snapshot(tx, id).await?;
    audit::record(
        tx,
        actor,
        ctx,
        AuditEntry {
            action: "technician.add",
            technician_id: Some(id),
            before: None,
            after,
        },
    )
    .await?;
    counts.created += 1;
    SyncLists::push(&mut counts.lists.created, entry.name.clone());
    Ok(())
}

/// A contact the directory gives, unless it was edited here since the last sync.
fn contact(
    name: &str,
    field: &str,
    local: &Option<String>,
    last_synced: &Option<String>,
    directory: &Option<String>,
    notes: &mut Vec<String>,
) -> Option<String> {
    if local != last_synced {
        if local != directory {
            SyncLists::push(
                notes,
                format!("{name}: {field} was edited here, so the directory's is not taken"),
            );
        }
        return local.clone();
    }
    directory.clone()
}

#[allow(clippy::too_many_arguments)]
async fn update(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    ctx: &AuditContext,
    run: i64,
    domain: &str,
    entry: &Checked,
    department: Option<i64>,
    known: Known,
    now: i64,
    counts: &mut Counts,
) -> Result<(), ServiceError> {
    let mobile = contact(
        &entry.name,
        "mobile",
        &known.mobile,
        &known.synced_mobile,
        &entry.mobile,
        &mut counts.lists.notes,
    );
    let email = contact(
        &entry.name,
        "email",
        &known.email,
        &known.synced_email,
        &entry.email,
        &mut counts.lists.notes,
    );
    // A directory without a login keeps the one the engineer has.
    let login = entry.login.clone().or(known.login_name.clone());
    let changed = known.name != entry.name
        || known.email != email
        || known.mobile != mobile
        || known.phone != entry.phone
        || known.job_title != entry.title
        || known.employee_id != entry.employee_id
        || (entry.department.is_some() && known.department_id != department)
        || known.login_name != login
        || known.directory_missing != 0
        || known.directory_id.as_deref() != Some(entry.id.as_str());
    if !changed {
        sqlx::query(
            "UPDATE technicians SET sync_run = $1, synced_mobile = $2, synced_email = $3 WHERE id = $4",
        )
        .bind(run)
        .bind(&entry.mobile)
        .bind(&entry.email)
        .bind(known.id)
        .execute(&mut **tx)
        .await?;
        counts.unchanged += 1;
        return Ok(());
    }
    let before = details::snapshot(tx, known.id).await?;
    let department = if entry.department.is_some() {
        department
    } else {
        known.department_id
    };
    let updated = sqlx::query(
        "UPDATE technicians SET name = $1, email = $2, mobile = $3, phone = $4, job_title = $5, \
         employee_id = $6, department_id = $7, login_name = $8, login_key = $9, \
         directory_source = $10, directory_id = $11, directory_missing = 0, synced_mobile = $12, \
         synced_email = $13, sync_run = $14, updated_at = $15, search_text = $16, name_key = $17, \
         email_key = $18, version = version + 1 WHERE id = $19",
    )
    .bind(&entry.name)
    .bind(&email)
    .bind(&mobile)
    .bind(&entry.phone)
    .bind(&entry.title)
    .bind(&entry.employee_id)
    .bind(department)
    .bind(&login)
    .bind(login.as_deref().map(|l| login_key(l, domain)))
    .bind(domain)
    .bind(&entry.id)
    .bind(&entry.mobile)
    .bind(&entry.email)
    .bind(run)
    .bind(now)
    .bind(search(
        &entry.name,
        login.as_deref(),
        email.as_deref(),
        mobile.as_deref(),
    ))
    .bind(fold(&entry.name))
    .bind(email.as_deref().map(fold))
    .bind(known.id)
    .execute(&mut **tx)
    .await;
    match updated {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e, "technicians_login_unique") => {
            counts.login_taken(&entry.name, login.as_deref(), domain);
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    }
    contacts_saved(
        tx,
        known.id,
        &entry.name,
        Contacts {
            mobile: known.mobile.as_deref(),
            email: known.email.as_deref(),
        },
        Contacts {
            mobile: mobile.as_deref(),
            email: email.as_deref(),
        },
        now,
    )
    .await?;
    let after = details::snapshot(tx, known.id).await?;
    audit::record(
        tx,
        actor,
        ctx,
        AuditEntry {
            action: "technician.update",
            technician_id: Some(known.id),
            before,
            after,
        },
    )
    .await?;
    counts.updated += 1;
    SyncLists::push(&mut counts.lists.updated, entry.name.clone());
    Ok(())
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
    let mut tx = db.writer().begin().await?;
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
        .ok_or_else(|| ServiceError::NotFound(format!("no sync {run}")))
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
