//! Synchronize Engineer Info (SPEC §6): directory entries become engineers.
//!
//! A run is a row of `sync_runs`. Only one runs at a time across instances: a partial
//! unique index admits one running row, and a run whose heartbeat stopped for
//! [`STALE_MS`] (its process died) is ended by the next one. Entries are applied in
//! batches, each one transaction that also advances the run's counters, so a run killed
//! midway leaves every engineer whole and the next run completes the rest. Engineers the
//! directory no longer lists are flagged only when a run has seen the whole directory.
//!
//! A pipeline in stages, each its own room: a [`DirectorySource`] is read (the server
//! implements it), [`map`] checks an entry's fields into domain values, [`plan`] decides
//! what to do with each entry without the database, [`apply`] makes the lookups a plan
//! needs and [`write`] writes the plans through the one technician row writer; [`runs`]
//! keeps the run's row and [`pipeline`] drives a run from start to end.

mod apply;
mod map;
mod pipeline;
mod plan;
mod runs;
mod write;

pub use crate::service::directories::DirectorySource;
pub use apply::apply_batch;
pub use pipeline::{begin_run, run, start, while_alive, Runner, SyncError, BATCH, HEARTBEAT};
pub use runs::{
    add_total, authorize, begin, fail, finish, heartbeat, latest, summary, Begun, STALE_MS,
};

use crate::domain::directory::SyncLists;
use crate::domain::SyncNote;

/// What one batch did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Counts {
    pub(super) created: i64,
    pub(super) updated: i64,
    pub(super) unchanged: i64,
    pub(super) skipped: i64,
    pub(super) lists: SyncLists,
}

impl Counts {
    /// An entry skipped because another engineer of the domain has its login.
    pub(super) fn login_taken(&mut self, name: &str, login: Option<&str>, domain: &str) {
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
