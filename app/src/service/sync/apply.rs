//! The apply stage: a batch's entries looked up in a few statements, planned, and written,
//! in one transaction with the run's counters.

use super::map::check;
use super::map::Checked;
use super::plan::{plan, Found, Known};
use super::write::{write, Context};
use super::*;
use crate::domain::directory::{Entry, SyncLists};
use crate::domain::{fold, login_key};
use crate::service::audit::AuditContext;
use crate::service::db::{placeholders, Db, VALUES_PER_STATEMENT};
use crate::service::directories::Directory;
use crate::service::error::ServiceError;
use crate::service::technicians::row::Row;
use crate::service::Actor;
use sqlx::any::AnyRow;
use sqlx::{Any, Row as _, Transaction};
use std::collections::{HashMap, HashSet};

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
        crate::service::technicians::row::COLUMNS
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
    let mut merged = SyncLists::from_saved(&lists.0);
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

/// Applies entries with distinct ids and logins: looked up in three statements, planned,
/// then written.
async fn apply(
    tx: &mut Transaction<'_, Any>,
    context: &Context<'_>,
    entries: &[Checked],
    counts: &mut Counts,
) -> Result<(), ServiceError> {
    let domain = context.domain;
    // Known by its stable id; else an engineer of this domain with the same login is
    // adopted, so a roster typed in before the directory existed is not doubled.
    let by_id: HashMap<String, Known> = known_by(
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
    let by_login: HashMap<String, Known> = known_by(
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
    let departments = departments(tx, entries).await?;
    let found = Found {
        by_id,
        by_login,
        departments,
    };
    let plans = plan(entries, found, domain, counts);
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
