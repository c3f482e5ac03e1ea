//! Who can be reached right now, per site and group and per channel: an engineer is
//! reachable on a channel when its subscription is confirmed (SMS, voice, email) or its robot
//! delivered within [`ROBOT_PROVEN_MS`](crate::domain::reachability::ROBOT_PROVEN_MS), and
//! delivery has not found the contact failing.
//!
//! The counting is read once into a [`Snapshot`] (see `snapshot`); a view is a pass over it
//! for the viewer's sites and filters, plus the reasons of the few engineers it names.

mod snapshot;

pub use snapshot::{build, refresh_while_used, ReachCache, Snapshot, REFRESH_MS};

use super::actor::Actor;
use super::db::Db;
use super::error::ServiceError;
use crate::domain::audit::utc_text;
use crate::domain::reachability::{ROBOT_PROVEN_MS, UNREACHABLE_SHOWN};
use crate::domain::{
    Channel, Place, PlaceKind, ReachQuery, ReachRow, ReachView, Refusal, Unreachable, Verb,
};
use std::collections::{HashMap, HashSet};

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
    view_of(db, &snapshot, actor, query, now).await
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
    let snapshot = cache.get(db, now).await?;
    view_of(db, &snapshot, actor, query, now).await
}

/// Counts of one site or group.
#[derive(Default)]
struct Tally {
    n: i64,
    full: i64,
    partly: i64,
    none: i64,
    phone: i64,
    reached: Vec<i64>,
    set_up: Vec<i64>,
}

impl Tally {
    fn add(&mut self, reach: u16, set_up: u16, phone: u16, channels: usize) {
        if self.reached.is_empty() {
            self.reached = vec![0; channels];
            self.set_up = vec![0; channels];
        }
        self.n += 1;
        match (reach, set_up) {
            (0, _) => self.none += 1,
            (r, s) if r & s == s => self.full += 1,
            _ => self.partly += 1,
        }
        if reach & phone != 0 {
            self.phone += 1;
        }
        for i in 0..channels {
            self.reached[i] += i64::from((reach >> i) & 1);
            self.set_up[i] += i64::from((set_up >> i) & 1);
        }
    }

    fn row(
        self,
        kind: PlaceKind,
        id: i64,
        name: String,
        site: Option<String>,
        chosen: Option<usize>,
    ) -> ReachRow {
        // On one channel: reachable there, set up there but not reachable, not set up.
        let (reachable, partly, unreachable) = match chosen {
            Some(i) => (
                self.reached[i],
                self.set_up[i] - self.reached[i],
                self.n - self.set_up[i],
            ),
            None => (self.full, self.partly, self.none),
        };
        ReachRow {
            kind,
            id,
            name,
            site,
            engineers: self.n,
            reachable,
            partly,
            unreachable,
            by_channel: self.reached,
            no_phone: self.phone == 0,
        }
    }
}

/// Whose numbers the actor and the filters cover.
struct Scope<'a> {
    /// `None`: every site (an SDAdmin).
    mine: Option<&'a [i64]>,
    site: Option<i64>,
    /// The chosen group's members, when a group is chosen.
    group: Option<HashSet<u32>>,
}

impl Scope<'_> {
    fn covers_site(&self, site: Option<i64>) -> bool {
        self.mine
            .is_none_or(|mine| site.is_some_and(|s| mine.contains(&s)))
            && self.site.is_none_or(|chosen| site == Some(chosen))
    }

    fn covers_engineer(&self, index: u32, site: Option<i64>) -> bool {
        match &self.group {
            // A group may hold engineers of other sites: a site admin is named only their own.
            Some(members) => {
                members.contains(&index)
                    && self
                        .mine
                        .is_none_or(|mine| site.is_some_and(|s| mine.contains(&s)))
            }
            None => self.covers_site(site),
        }
    }
}

async fn view_of(
    db: &Db,
    snapshot: &Snapshot,
    actor: &Actor,
    query: ReachQuery,
    now: i64,
) -> Result<ReachView, ServiceError> {
    let channels = snapshot.channels.len();
    let chosen = query
        .channel
        .and_then(|c| snapshot.channels.iter().position(|x| *x == c));
    let phone = snapshot.phone_bits();
    let scope = Scope {
        mine: (!actor.is_admin()).then_some(actor.site_ids.as_slice()),
        site: query.site,
        group: query.group.map(|g| {
            snapshot
                .members
                .get(&g)
                .map(|m| m.iter().copied().collect())
                .unwrap_or_default()
        }),
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
        let mut by_site: HashMap<Option<i64>, Tally> = HashMap::new();
        for e in snapshot
            .engineers
            .iter()
            .filter(|e| scope.covers_site(e.site))
        {
            by_site
                .entry(e.site)
                .or_default()
                .add(e.reach, e.set_up, phone, channels);
        }
        for (id, name) in &sites {
            if let Some(tally) = by_site.remove(&Some(*id)) {
                rows.push(tally.row(PlaceKind::Site, *id, name.clone(), None, chosen));
            }
        }
        if let Some(tally) = by_site.remove(&None) {
            rows.push(tally.row(PlaceKind::Site, 0, String::new(), None, chosen));
        }
    }
    for (id, name, _, site) in &groups {
        if query.group.is_some_and(|g| g != *id) {
            continue;
        }
        let mut tally = Tally::default();
        for index in snapshot.members.get(id).into_iter().flatten() {
            if let Some(e) = snapshot.engineers.get(*index as usize) {
                tally.add(e.reach, e.set_up, phone, channels);
            }
        }
        if tally.n > 0 {
            rows.push(tally.row(
                PlaceKind::Group,
                *id,
                name.clone(),
                Some(site.clone()),
                chosen,
            ));
        }
    }
    // Everyone the list below is drawn from: reachable on nothing (or not on the chosen
    // channel, whether set up there or not), by name.
    let missed = |reach: u16| match chosen {
        Some(i) => (reach >> i) & 1 == 0,
        None => reach == 0,
    };
    let mut unreachable_total = 0_i64;
    let mut listed: Vec<(i64, String, Option<i64>)> = Vec::new();
    for (index, e) in snapshot.engineers.iter().enumerate() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        if scope.covers_engineer(index, e.site) && missed(e.reach) {
            unreachable_total += 1;
            if listed.len() < UNREACHABLE_SHOWN {
                listed.push((e.id, e.name.clone(), e.site));
            }
        }
    }
    let site_names: HashMap<i64, &str> = snapshot
        .sites
        .iter()
        .map(|(id, name)| (*id, name.as_str()))
        .collect();
    let unreachable = reasons(db, &snapshot.channels, listed, &site_names, now).await?;
    Ok(ReachView {
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
        as_of: utc_text(snapshot.at),
        can_drill: false,
        drills: Vec::new(),
    })
}

/// The engineers listed, each with what they set up and why it does not reach them, read
/// now (a few hundred rows at most).
async fn reasons(
    db: &Db,
    counted: &[Channel],
    listed: Vec<(i64, String, Option<i64>)>,
    site_names: &HashMap<i64, &str>,
    now: i64,
) -> Result<Vec<Unreachable>, ServiceError> {
    let ids: Vec<i64> = listed.iter().map(|(id, ..)| *id).collect();
    let proven_since = now - ROBOT_PROVEN_MS;
    let facts: Vec<(i64, String, String)> = super::db::by_many_ids(
        &mut *db.reader().acquire().await?,
        &format!(
            "SELECT technician_id, method, state FROM subscriptions \
             WHERE state IN ('confirmed', 'pending', 'expired') AND technician_id IN ({{}}) \
             UNION ALL SELECT technician_id, channel, 'unproven' FROM contact_points \
             WHERE address IS NOT NULL AND technician_id IN ({{}}) \
             AND NOT EXISTS (SELECT 1 FROM contact_health h WHERE h.technician_id = contact_points.technician_id \
               AND h.channel = contact_points.channel AND h.last_success_at >= {proven_since}) \
             UNION ALL SELECT technician_id, channel, 'failing' FROM contact_health \
             WHERE failing = 1 AND technician_id IN ({{}})"
        ),
        &ids,
    )
    .await?;
    let mut why: HashMap<i64, Vec<(Channel, String)>> = HashMap::new();
    for (id, channel, state) in facts {
        let Some(channel) = Channel::parse(&channel).filter(|c| counted.contains(c)) else {
            continue;
        };
        let list = why.entry(id).or_default();
        match list.iter_mut().find(|(c, _)| *c == channel) {
            // Failing says more than the state it fails in.
            Some(entry) if state == "failing" => entry.1 = state,
            Some(_) => {}
            None => list.push((channel, state)),
        }
    }
    Ok(listed
        .into_iter()
        .map(|(id, name, site)| {
            let mut why = why.remove(&id).unwrap_or_default();
            why.sort_by_key(|(c, _)| *c);
            Unreachable {
                id,
                name,
                site: site.and_then(|s| site_names.get(&s).map(|n| (*n).to_owned())),
                why,
            }
        })
        .collect())
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

/// [`without_phone`] over one snapshot.
fn silent_places(snapshot: &Snapshot, actor: &Actor) -> Vec<String> {
    let phone = snapshot.phone_bits();
    let mine =
        |site: Option<i64>| actor.is_admin() || site.is_some_and(|s| actor.site_ids.contains(&s));
    let mut reached: HashMap<i64, bool> = HashMap::new();
    for e in &snapshot.engineers {
        if let Some(site) = e.site {
            let any = reached.entry(site).or_insert(false);
            *any |= e.reach & phone != 0;
        }
    }
    let mut names: Vec<String> = snapshot
        .sites
        .iter()
        .filter(|(id, _)| mine(Some(*id)) && reached.get(id) == Some(&false))
        .map(|(_, name)| name.clone())
        .collect();
    for (id, name, site, _) in &snapshot.groups {
        let Some(members) = snapshot.members.get(id).filter(|m| !m.is_empty()) else {
            continue;
        };
        let any = members.iter().any(|i| {
            snapshot
                .engineers
                .get(*i as usize)
                .is_some_and(|e| e.reach & phone != 0)
        });
        if mine(Some(*site)) && !any {
            names.push(name.clone());
        }
    }
    names
}
