//! Who can be reached right now, per site and group and per channel: an engineer is
//! reachable on a channel when its subscription is confirmed (SMS, voice, email) or its robot
//! delivered within [`ROBOT_PROVEN_MS`](crate::domain::reachability::ROBOT_PROVEN_MS), and
//! delivery has not found the contact failing.
//!
//! The counting is read once into a [`Snapshot`] (see `snapshot`), which also counts each
//! site and group; a view picks the viewer's rows from those counts and lists the first
//! engineers nobody can reach, with where they stand on each channel, from the same snapshot.

mod snapshot;

pub use snapshot::{build, refresh_while_used, ReachCache, Snapshot, MAX_AGE_MS, REFRESH_MS};

use snapshot::{Engineer, Tally};

use super::actor::Actor;
use super::db::Db;
use super::error::ServiceError;
use crate::domain::audit::utc_text;
use crate::domain::reachability::UNREACHABLE_SHOWN;
use crate::domain::{
    Place, PlaceKind, ReachQuery, ReachRow, ReachView, Refusal, Unreachable, Verb,
};

fn may_look(actor: &Actor) -> Result<(), ServiceError> {
    if actor.is_admin() || actor.is_site_admin() {
        Ok(())
    } else {
        Err(ServiceError::NotAuthorized(Refusal::AdminsOnly {
            verb: Verb::CheckReachabilityOf,
        }))
    }
}

/// The view from a snapshot read now (what tests and the CLI want: no cache).
pub async fn view(
    db: &Db,
    actor: &Actor,
    query: ReachQuery,
    now: i64,
) -> Result<ReachView, ServiceError> {
    may_look(actor)?;
    let snapshot = build(db, now).await?;
    Ok(view_of(&snapshot, actor, query, now))
}

/// The view from the instance's latest snapshot (what the console shows).
pub async fn view_cached(
    cache: &ReachCache,
    db: &Db,
    actor: &Actor,
    query: ReachQuery,
    now: i64,
) -> Result<ReachView, ServiceError> {
    may_look(actor)?;
    let kept = cache.get(db, now).await?;
    Ok(view_of(&kept, actor, query, kept.checked_at()))
}

/// One site's or group's row: on one channel, reachable there, set up there but not
/// reachable, not set up; otherwise reachable on everything, on some, on nothing.
fn row_of(
    tally: &Tally,
    kind: PlaceKind,
    id: i64,
    name: String,
    site: Option<String>,
    chosen: Option<usize>,
) -> ReachRow {
    let (reachable, partly, unreachable) = match chosen {
        Some(i) => {
            let reached = tally.reached.get(i).copied().unwrap_or(0);
            let set_up = tally.set_up.get(i).copied().unwrap_or(0);
            (reached, set_up - reached, tally.n - set_up)
        }
        None => (tally.full, tally.partly, tally.none),
    };
    ReachRow {
        kind,
        id,
        name,
        site,
        engineers: tally.n,
        reachable,
        partly,
        unreachable,
        by_channel: tally.reached.clone(),
        no_phone: tally.phone == 0,
    }
}

/// Whose numbers the actor and the filters cover.
struct Scope<'a> {
    /// `None`: every site (an SDAdmin).
    mine: Option<&'a [i64]>,
    site: Option<i64>,
}

impl Scope<'_> {
    fn is_mine(&self, site: Option<i64>) -> bool {
        self.mine
            .is_none_or(|mine| site.is_some_and(|s| mine.contains(&s)))
    }

    fn covers_site(&self, site: Option<i64>) -> bool {
        self.is_mine(site) && self.site.is_none_or(|chosen| site == Some(chosen))
    }
}

/// The view over one snapshot, known current at `as_of`: rows from the counts made when it was read, then the
/// engineers nobody can reach, listed from the top of the name order.
fn view_of(snapshot: &Snapshot, actor: &Actor, query: ReachQuery, as_of: i64) -> ReachView {
    let chosen = query
        .channel
        .and_then(|c| snapshot.channels.iter().position(|x| *x == c));
    let scope = Scope {
        mine: (!actor.is_admin()).then_some(actor.site_ids.as_slice()),
        site: query.site,
    };
    let sites: Vec<&(i64, String)> = snapshot
        .sites
        .iter()
        .filter(|(id, _)| scope.covers_site(Some(*id)))
        .collect();
    let groups: Vec<&(i64, String, i64, String)> = snapshot
        .groups
        .iter()
        .filter(|(_, _, site, _)| scope.covers_site(Some(*site)))
        .collect();
    let mut rows = Vec::new();
    if query.group.is_none() {
        for (id, name) in &sites {
            if let Some(tally) = snapshot.by_site.get(&Some(*id)) {
                rows.push(row_of(
                    tally,
                    PlaceKind::Site,
                    *id,
                    name.clone(),
                    None,
                    chosen,
                ));
            }
        }
        if scope.covers_site(None) {
            if let Some(tally) = snapshot.by_site.get(&None) {
                rows.push(row_of(
                    tally,
                    PlaceKind::Site,
                    0,
                    String::new(),
                    None,
                    chosen,
                ));
            }
        }
    }
    for (id, name, _, site) in &groups {
        if query.group.is_some_and(|g| g != *id) {
            continue;
        }
        if let Some(tally) = snapshot.by_group.get(id) {
            rows.push(row_of(
                tally,
                PlaceKind::Group,
                *id,
                name.clone(),
                Some(site.clone()),
                chosen,
            ));
        }
    }
    // Everyone the list is drawn from: reachable on nothing (or not on the chosen channel,
    // whether set up there or not), by name. A group may hold engineers of other sites: a
    // site admin is named only their own.
    let missed = |reach: u16| match chosen {
        Some(i) => (reach >> i) & 1 == 0,
        None => reach == 0,
    };
    let mut listed: Vec<&Engineer> = Vec::new();
    let unreachable_total = match query.group {
        Some(group) => {
            let mut total = 0;
            for e in snapshot
                .members
                .get(&group)
                .into_iter()
                .flatten()
                .filter_map(|i| snapshot.engineers.get(*i as usize))
                .filter(|e| scope.is_mine(e.site) && missed(e.reach))
            {
                total += 1;
                if listed.len() < UNREACHABLE_SHOWN {
                    listed.push(e);
                }
            }
            total
        }
        None => {
            listed.extend(
                snapshot
                    .engineers
                    .iter()
                    .filter(|e| scope.covers_site(e.site) && missed(e.reach))
                    .take(UNREACHABLE_SHOWN),
            );
            snapshot
                .by_site
                .iter()
                .filter(|(site, _)| scope.covers_site(**site))
                .map(|(_, tally)| tally.missed(chosen))
                .sum()
        }
    };
    let site_name = |site: Option<i64>| {
        let site = site?;
        snapshot
            .sites
            .iter()
            .find(|(id, _)| *id == site)
            .map(|(_, name)| name.clone())
    };
    let unreachable = listed
        .into_iter()
        .map(|e| Unreachable {
            id: e.id,
            name: e.name.clone(),
            site: site_name(e.site),
            why: e.standings(&snapshot.channels),
        })
        .collect();
    ReachView {
        channels: snapshot.channels.clone(),
        query,
        rows,
        unreachable,
        unreachable_total,
        sites: sites
            .into_iter()
            .map(|(id, name)| Place {
                id: *id,
                name: name.clone(),
            })
            .collect(),
        groups: groups
            .into_iter()
            .map(|(id, name, ..)| Place {
                id: *id,
                name: name.clone(),
            })
            .collect(),
        as_of: utc_text(as_of),
        can_drill: false,
        drills: Vec::new(),
    }
}

/// The sites and groups within the actor's reach that have engineers but none reachable by
/// SMS or voice, for the roster's warning: names, sites first. Nothing for a plain engineer.
pub async fn without_phone(
    cache: &ReachCache,
    db: &Db,
    actor: &Actor,
    now: i64,
) -> Result<Vec<String>, ServiceError> {
    if may_look(actor).is_err() {
        return Ok(Vec::new());
    }
    let snapshot = cache.get(db, now).await?;
    Ok(silent_places(&snapshot, actor))
}

/// [`without_phone`] over one snapshot: the counts made when it was read.
fn silent_places(snapshot: &Snapshot, actor: &Actor) -> Vec<String> {
    let mine = |site: i64| actor.is_admin() || actor.site_ids.contains(&site);
    let silent = |tally: Option<&Tally>| tally.is_some_and(|t| t.n > 0 && t.phone == 0);
    let mut names: Vec<String> = snapshot
        .sites
        .iter()
        .filter(|(id, _)| mine(*id) && silent(snapshot.by_site.get(&Some(*id))))
        .map(|(_, name)| name.clone())
        .collect();
    names.extend(
        snapshot
            .groups
            .iter()
            .filter(|(id, _, site, _)| mine(*site) && silent(snapshot.by_group.get(id)))
            .map(|(_, name, ..)| name.clone()),
    );
    names
}
