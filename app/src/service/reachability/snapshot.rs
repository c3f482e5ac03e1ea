//! What the reachability view counts, read once for the whole roster: per engineer, a bit per
//! channel that reaches them and one per channel they set up, in name order; who is in which
//! group; the sites' and groups' names. The database does the per-engineer work in one
//! statement; every view and filter after that is a pass over the snapshot in memory.
//!
//! A [`ReachCache`] keeps one snapshot per instance: the first view builds it, then the
//! instance's refresher (see [`refresh_while_used`]) looks every [`REFRESH_MS`] while anyone
//! looks, and builds a new one when the database's change mark says something it counts
//! changed, so a view never waits for the counting and an unchanged roster costs one read of
//! a number.

use crate::domain::reachability::ROBOT_PROVEN_MS;
use crate::domain::{Channel, Standing};
use crate::service::db::{Backend, Db};
use crate::service::error::ServiceError;
use crate::service::settings;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

/// How often the refresher looks for changes while someone looks at the counts.
pub const REFRESH_MS: i64 = 10_000;
/// How old a snapshot may grow when nothing it counts has changed.
pub const MAX_AGE_MS: i64 = 5 * 60 * 1000;
/// The refresher stops when nobody has looked for this long.
pub const IDLE_MS: i64 = 5 * 60 * 1000;

/// One engineer as the view counts them.
#[derive(Debug, Clone)]
pub struct Engineer {
    pub id: i64,
    pub site: Option<i64>,
    pub name: String,
    /// Bit `i`: reachable on `Snapshot::channels[i]`.
    pub reach: u16,
    /// Bit `i`: set up on `Snapshot::channels[i]` (subscribed, confirmed or not; a contact point).
    pub set_up: u16,
    /// Four bits per channel, `i` at `4 * i`: the [`Standing`] code there (0: nothing to say).
    pub why: u64,
}

impl Engineer {
    /// Where they stand on each channel of `channels` that has something to say.
    pub fn standings(&self, channels: &[Channel]) -> Vec<(Channel, Standing)> {
        channels
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let code = u8::try_from((self.why >> (4 * i)) & 0xf).ok()?;
                Some((*c, Standing::from_code(code)?))
            })
            .collect()
    }
}

/// Counts of one site or group.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub n: i64,
    /// Reachable on everything they set up.
    pub full: i64,
    /// Reachable on some of it.
    pub partly: i64,
    /// Reachable on nothing.
    pub none: i64,
    /// Reachable by SMS or voice.
    pub phone: i64,
    /// Per channel: reachable there.
    pub reached: Vec<i64>,
    /// Per channel: set up there.
    pub set_up: Vec<i64>,
}

impl Tally {
    fn add(&mut self, e: &Engineer, phone: u16, channels: usize) {
        if self.reached.is_empty() {
            self.reached = vec![0; channels];
            self.set_up = vec![0; channels];
        }
        self.n += 1;
        match (e.reach, e.set_up) {
            (0, _) => self.none += 1,
            (r, s) if r & s == s => self.full += 1,
            _ => self.partly += 1,
        }
        if e.reach & phone != 0 {
            self.phone += 1;
        }
        for i in 0..channels {
            self.reached[i] += i64::from((e.reach >> i) & 1);
            self.set_up[i] += i64::from((e.set_up >> i) & 1);
        }
    }

    /// Engineers not reachable on `chosen` (on anything, for `None`).
    pub fn missed(&self, chosen: Option<usize>) -> i64 {
        match chosen {
            Some(i) => self.n - self.reached.get(i).copied().unwrap_or(0),
            None => self.none,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    /// When it was read, ms.
    pub at: i64,
    /// The channels switched on when it was read; bit `i` of the masks is `channels[i]`.
    pub channels: Vec<Channel>,
    /// By name, then id.
    pub engineers: Vec<Engineer>,
    /// Each group's members, as indexes into `engineers`, in name order.
    pub members: HashMap<i64, Vec<u32>>,
    /// (id, name), by name.
    pub sites: Vec<(i64, String)>,
    /// (id, name, site id, site name), by site then name.
    pub groups: Vec<(i64, String, i64, String)>,
    /// Per site (`None`: engineers of no site), counted when read.
    pub by_site: HashMap<Option<i64>, Tally>,
    /// Per group with members, counted when read.
    pub by_group: HashMap<i64, Tally>,
}

impl Snapshot {
    /// Counts what was read: every view after this is a lookup plus the list it names.
    pub fn new(
        at: i64,
        channels: Vec<Channel>,
        engineers: Vec<Engineer>,
        members: HashMap<i64, Vec<u32>>,
        sites: Vec<(i64, String)>,
        groups: Vec<(i64, String, i64, String)>,
    ) -> Self {
        let mut snapshot = Self {
            at,
            channels,
            engineers,
            members,
            sites,
            groups,
            by_site: HashMap::new(),
            by_group: HashMap::new(),
        };
        let phone = snapshot.phone_bits();
        let channels = snapshot.channels.len();
        for e in &snapshot.engineers {
            snapshot
                .by_site
                .entry(e.site)
                .or_default()
                .add(e, phone, channels);
        }
        for (group, list) in &snapshot.members {
            let mut tally = Tally::default();
            for e in list
                .iter()
                .filter_map(|i| snapshot.engineers.get(*i as usize))
            {
                tally.add(e, phone, channels);
            }
            if tally.n > 0 {
                snapshot.by_group.insert(*group, tally);
            }
        }
        snapshot
    }

    /// The bits of SMS and voice, whichever are counted.
    pub fn phone_bits(&self) -> u16 {
        self.bits(|c| matches!(c, Channel::Sms | Channel::Voice))
    }

    pub fn bits(&self, which: impl Fn(Channel) -> bool) -> u16 {
        self.channels
            .iter()
            .enumerate()
            .filter(|(_, c)| which(**c))
            .fold(0, |bits, (i, _)| bits | (1 << i))
    }
}

/// `CASE ch WHEN 'sms' THEN step(0) WHEN … END` over the channels counted.
fn per_channel(channels: &[Channel], step: impl Fn(usize) -> u64) -> String {
    let arms: Vec<String> = channels
        .iter()
        .enumerate()
        .map(|(i, c)| format!("WHEN '{}' THEN {}", c.as_str(), step(i)))
        .collect();
    format!("CASE ch {} ELSE 0 END", arms.join(" "))
}

/// The per-engineer statement: facts per engineer and channel (`f`), whether each is
/// reachable and where the engineer stands there (`c`), then one row per engineer with both
/// masks and the standings, in name order. `$1` is the oldest success that proves a robot.
///
/// Where they stand: failing says more than a subscription's state, which says more than a
/// robot that has not delivered lately.
fn engineers_sql(channels: &[Channel]) -> String {
    let names: Vec<String> = channels
        .iter()
        .map(|c| format!("'{}'", c.as_str()))
        .collect();
    let names = names.join(", ");
    let bit = per_channel(channels, |i| 1 << i);
    let nibble = per_channel(channels, |i| 1 << (4 * i));
    let (unproven, expired, pending, confirmed, failing) = (
        Standing::Unproven.code(),
        Standing::Expired.code(),
        Standing::Pending.code(),
        Standing::Confirmed.code(),
        Standing::Failing.code(),
    );
    format!(
        "WITH f AS (\
           SELECT technician_id AS id, method AS ch, \
             CASE WHEN state = 'confirmed' THEN 1 ELSE 0 END AS ok, 1 AS su, 0 AS bad, \
             CASE state WHEN 'confirmed' THEN {confirmed} WHEN 'pending' THEN {pending} \
               ELSE {expired} END AS st, 0 AS cp, 0 AS pr \
           FROM subscriptions WHERE state IN ('confirmed', 'pending', 'expired') AND method IN ({names}) \
           UNION ALL SELECT technician_id, channel, 0, 1, 0, 0, 1, 0 FROM contact_points \
           WHERE address IS NOT NULL AND channel IN ({names}) \
           UNION ALL SELECT technician_id, channel, \
             CASE WHEN channel NOT IN ('sms', 'voice', 'email') AND last_success_at >= $1 \
             THEN 1 ELSE 0 END, 0, failing, 0, 0, \
             CASE WHEN last_success_at >= $1 THEN 1 ELSE 0 END \
           FROM contact_health WHERE channel IN ({names})), \
         c AS (SELECT id, ch, MAX(su) AS su, \
           CASE WHEN MAX(ok) = 1 AND MAX(su) = 1 AND MAX(bad) = 0 THEN 1 ELSE 0 END AS r, \
           CASE WHEN MAX(bad) = 1 THEN {failing} WHEN MAX(st) > 0 THEN MAX(st) \
             WHEN MAX(cp) = 1 AND MAX(pr) = 0 THEN {unproven} ELSE 0 END AS w \
           FROM f GROUP BY id, ch), \
         e AS (SELECT id, SUM(CASE WHEN r = 1 THEN {bit} ELSE 0 END) AS rm, \
           SUM(CASE WHEN su = 1 THEN {bit} ELSE 0 END) AS sm, \
           CAST(SUM(CAST(w AS BIGINT) * ({nibble})) AS BIGINT) AS wm FROM c GROUP BY id) \
         SELECT t.id, t.site_id, t.name, COALESCE(e.rm, 0), COALESCE(e.sm, 0), COALESCE(e.wm, 0) \
         FROM technicians t LEFT JOIN e ON e.id = t.id ORDER BY t.name_key, t.id"
    )
}

/// Reads a snapshot of the whole roster now.
pub async fn build(db: &Db, now: i64) -> Result<Snapshot, ServiceError> {
    let beta = settings::beta_channels(db).await?;
    let channels: Vec<Channel> = Channel::ALL
        .into_iter()
        .filter(|c| beta.is_on(*c))
        .collect();
    type Row = (i64, Option<i64>, String, i64, i64, i64);
    let rows: Vec<Row> = sqlx::query_as(&engineers_sql(&channels))
        .bind(now - ROBOT_PROVEN_MS)
        .fetch_all(db.reader())
        .await?;
    let engineers: Vec<Engineer> = rows
        .into_iter()
        .map(|(id, site, name, reach, set_up, why)| Engineer {
            id,
            site,
            name,
            reach: u16::try_from(reach).unwrap_or(0),
            set_up: u16::try_from(set_up).unwrap_or(0),
            why: u64::try_from(why).unwrap_or(0),
        })
        .collect();
    let index: HashMap<i64, u32> = engineers
        .iter()
        .enumerate()
        .filter_map(|(i, e)| Some((e.id, u32::try_from(i).ok()?)))
        .collect();
    let memberships: Vec<(i64, i64)> =
        sqlx::query_as("SELECT group_id, technician_id FROM technician_groups")
            .fetch_all(db.reader())
            .await?;
    let mut members: HashMap<i64, Vec<u32>> = HashMap::new();
    for (group, technician) in memberships {
        if let Some(i) = index.get(&technician) {
            members.entry(group).or_default().push(*i);
        }
    }
    for list in members.values_mut() {
        list.sort_unstable();
    }
    let sites: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM sites ORDER BY name, id")
        .fetch_all(db.reader())
        .await?;
    let groups: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT g.id, g.name, s.id, s.name FROM tech_groups g JOIN sites s ON s.id = g.site_id \
         ORDER BY s.name, g.name, g.id",
    )
    .fetch_all(db.reader())
    .await?;
    Ok(Snapshot::new(
        now, channels, engineers, members, sites, groups,
    ))
}

/// Where the database's change mark stands: it moves with every write that changes what a
/// snapshot counts (migration 0023 lists them).
async fn change_mark(db: &Db) -> Result<i64, ServiceError> {
    let sql = match db.backend() {
        Backend::Sqlite => "SELECT n FROM change_marks WHERE name = 'reach'",
        // A new sequence's first nextval leaves last_value where it was and sets is_called.
        Backend::Postgres => {
            "SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM reach_changes"
        }
    };
    Ok(sqlx::query_scalar(sql).fetch_one(db.reader()).await?)
}

/// A snapshot with the change mark read just before it, and whether that mark had not moved
/// since the snapshot before it.
#[derive(Debug)]
pub struct Kept {
    pub snapshot: Snapshot,
    mark: i64,
    settled: bool,
    /// When the refresher last found nothing changed (or when it was read), ms: the time the
    /// counts are true at.
    checked_at: AtomicI64,
}

impl std::ops::Deref for Kept {
    type Target = Snapshot;
    fn deref(&self) -> &Snapshot {
        &self.snapshot
    }
}

impl Kept {
    /// When the counts were last known to be current, ms.
    pub fn checked_at(&self) -> i64 {
        self.checked_at.load(Ordering::Relaxed)
    }
}

/// One instance's latest snapshot.
#[derive(Debug, Default)]
pub struct ReachCache {
    current: RwLock<Option<Arc<Kept>>>,
    /// One build at a time.
    building: tokio::sync::Mutex<()>,
    /// When a view last asked, ms.
    used_at: AtomicI64,
}

impl ReachCache {
    fn latest(&self) -> Option<Arc<Kept>> {
        self.current.read().ok().and_then(|s| s.clone())
    }

    /// Reads the mark, then a snapshot, and keeps both.
    async fn read(&self, db: &Db, now: i64) -> Result<Arc<Kept>, ServiceError> {
        let mark = change_mark(db).await?;
        // SQLite moves the mark inside the writer's transaction: what the mark says was
        // committed before this read. PostgreSQL's sequence moves before the writer commits.
        let settled =
            db.backend() == Backend::Sqlite || self.latest().is_some_and(|kept| kept.mark == mark);
        let kept = Arc::new(Kept {
            snapshot: build(db, now).await?,
            mark,
            settled,
            checked_at: AtomicI64::new(now),
        });
        if let Ok(mut current) = self.current.write() {
            *current = Some(kept.clone());
        }
        Ok(kept)
    }

    /// The latest snapshot, read now if there is none yet.
    pub async fn get(&self, db: &Db, now: i64) -> Result<Arc<Kept>, ServiceError> {
        self.used_at.store(now, Ordering::Relaxed);
        if let Some(kept) = self.latest() {
            return Ok(kept);
        }
        let _building = self.building.lock().await;
        if let Some(kept) = self.latest() {
            return Ok(kept);
        }
        self.read(db, now).await
    }

    /// Reads a new snapshot now, whatever changed (tests call it after a change).
    pub async fn refresh(&self, db: &Db, now: i64) -> Result<Arc<Kept>, ServiceError> {
        let _building = self.building.lock().await;
        self.read(db, now).await
    }

    /// What the refresher does each tick: when the snapshot is [`REFRESH_MS`] old and was
    /// looked at within [`IDLE_MS`], reads a new one if the change mark moved, if the last
    /// read on PostgreSQL followed a move (a writer there moves the mark before it commits:
    /// one more read sees what it committed since), or if it is [`MAX_AGE_MS`] old (a robot's last delivery ages out of the window); otherwise
    /// notes that the counts are still true. Whether it read one.
    pub async fn refresh_if_due(&self, db: &Db, now: i64) -> Result<bool, ServiceError> {
        let Some(kept) = self.latest() else {
            return Ok(false);
        };
        let looked_at = self.used_at.load(Ordering::Relaxed);
        if now - kept.checked_at() < REFRESH_MS || now - looked_at >= IDLE_MS {
            return Ok(false);
        }
        let moved = change_mark(db).await? != kept.mark;
        if moved || !kept.settled || now - kept.at >= MAX_AGE_MS {
            self.refresh(db, now).await?;
            return Ok(true);
        }
        kept.checked_at.store(now, Ordering::Relaxed);
        Ok(false)
    }
}

/// The instance's refresher: every second, [`ReachCache::refresh_if_due`].
pub async fn refresh_while_used(cache: Arc<ReachCache>, db: Db, clock: crate::service::Clock) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tick.tick().await;
        if let Err(e) = cache.refresh_if_due(&db, clock.now()).await {
            tracing::warn!(error = ?e, "refreshing the reachability counts failed");
        }
    }
}
