//! The plan stage: what the sync does with each entry of a batch (create, update, leave as
//! it is, skip), decided from what the lookups found, without the database.

use super::map::Checked;
use super::*;
use crate::domain::directory::SyncLists;
use crate::domain::{fold, login_key, SyncField, SyncNote};
use crate::service::technicians::row::Row;
use std::collections::HashMap;

/// An engineer the sync found: its row and what the directory said of it last time.
pub(super) struct Known {
    pub(super) id: i64,
    pub(super) row: Row,
    pub(super) synced_mobile: Option<String>,
    pub(super) synced_email: Option<String>,
    pub(super) directory_missing: i64,
    pub(super) directory_id: Option<String>,
}

/// What the sync does with one entry, decided before anything is written.
pub(super) enum Plan<'a> {
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

pub(super) struct Update<'a> {
    pub(super) entry: &'a Checked,
    pub(super) known: Known,
    /// The engineer's row as the sync leaves it.
    pub(super) row: Row,
}

/// What the batch's lookups found: engineers by directory id and by login key, and
/// departments by folded name.
pub(super) struct Found {
    pub(super) by_id: HashMap<String, Known>,
    pub(super) by_login: HashMap<String, Known>,
    pub(super) departments: HashMap<String, i64>,
}

/// Decides what to do with each of `entries` (distinct ids and logins) from what the
/// lookups `found`; skips and notes go to `counts`. Nothing is read or written here.
pub(super) fn plan<'a>(
    entries: &'a [Checked],
    found: Found,
    domain: &str,
    counts: &mut Counts,
) -> Vec<Plan<'a>> {
    let Found {
        mut by_id,
        mut by_login,
        departments,
    } = found;
    // Who holds each login as the plan goes, so an entry meets what the ones before it do.
    let mut holders: HashMap<String, i64> = by_login
        .iter()
        .map(|(login, known)| (login.clone(), known.id))
        .collect();
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
    plans
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

#[cfg(test)]
mod tests;
