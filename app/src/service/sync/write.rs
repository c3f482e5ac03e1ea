//! The write stage: a batch's plans written through the one technician row writer, with
//! their snapshots, confirmations and audit rows for the batch at once.

use super::map::Checked;
use super::plan::{Plan, Update};
use super::*;
use crate::domain::directory::SyncLists;
use crate::service::audit::{self, AuditContext, Entry as AuditEntry};
use crate::service::confirmations::{contacts_saved_many, Contacts, Saved};
use crate::service::db::{placeholders, VALUES_PER_STATEMENT};
use crate::service::error::ServiceError;
use crate::service::technicians::details;
use crate::service::technicians::row::{Credentials, New, Row, Synced};
use crate::service::Actor;
use sqlx::{Acquire, Any, Transaction};

/// What every write of a batch is done for and by.
pub(super) struct Context<'a> {
    pub(super) actor: &'a Actor,
    pub(super) ctx: &'a AuditContext,
    pub(super) run: i64,
    pub(super) domain: &'a str,
    pub(super) now: i64,
}

/// Writes the plans of a batch: what changed one by one, the rest for the batch at once.
pub(super) async fn write(
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
    let updated = crate::service::technicians::row::update(
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
    let ids = crate::service::technicians::row::insert(tx, &news, context.now).await?;
    let mut created = Vec::with_capacity(creates.len());
    for (id, (entry, _)) in ids.into_iter().zip(creates) {
        match id {
            Some(id) => created.push((id, *entry)),
            None => counts.login_taken(&entry.name, entry.login.as_deref(), context.domain),
        }
    }
    Ok(created)
}
