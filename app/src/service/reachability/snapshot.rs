//! What the reachability view counts, read once for the whole roster: per engineer, a bit per
//! channel that reaches them and one per channel they set up, in name order; who is in which
//! group; the sites' and groups' names. The database does the per-engineer work in one
//! statement; every view and filter after that is a pass over the snapshot in memory.
//!
//! A [`ReachCache`] keeps one snapshot per instance: the first view builds it, then the
//! instance's refresher (see [`refresh_while_used`]) builds a new one every
//! [`REFRESH_MS`] while anyone looks, so a view never waits for the counting.

use crate::domain::reachability::ROBOT_PROVEN_MS;
use crate::domain::Channel;
use crate::service::db::Db;
use crate::service::error::ServiceError;
use crate::service::settings;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

/// How old a snapshot may be before the refresher replaces it.
pub const REFRESH_MS: i64 = 10_000;
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
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    /// When it was read, ms.
    pub at: i64,
    /// The channels switched on when it was read; bit `i` of the masks is `channels[i]`.
    pub channels: Vec<Channel>,
    /// By name, then id.
    pub engineers: Vec<Engineer>,
    /// Each group's members, as indexes into `engineers`.
    pub members: HashMap<i64, Vec<u32>>,
    /// (id, name), by name.
    pub sites: Vec<(i64, String)>,
    /// (id, name, site id, site name), by site then name.
    pub groups: Vec<(i64, String, i64, String)>,
}

impl Snapshot {
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

/// The per-engineer statement: facts per engineer and channel (`f`), whether each is
/// reachable (`c`), then one row per engineer with both masks, in name order. `$1` is the
/// oldest success that proves a robot.
fn engineers_sql(channels: &[Channel]) -> String {
    let names: Vec<String> = channels
        .iter()
        .map(|c| format!("'{}'", c.as_str()))
        .collect();
    let names = names.join(", ");
    let bits: Vec<String> = channels
        .iter()
        .enumerate()
        .map(|(i, c)| format!("WHEN '{}' THEN {}", c.as_str(), 1 << i))
        .collect();
    let bit = format!("CASE ch {} ELSE 0 END", bits.join(" "));
    format!(
        "WITH f AS (\
           SELECT technician_id AS id, method AS ch, \
             CASE WHEN state = 'confirmed' THEN 1 ELSE 0 END AS ok, 1 AS su, 0 AS bad \
           FROM subscriptions WHERE state IN ('confirmed', 'pending', 'expired') AND method IN ({names}) \
           UNION ALL SELECT technician_id, channel, 0, 1, 0 FROM contact_points \
           WHERE address IS NOT NULL AND channel IN ({names}) \
           UNION ALL SELECT technician_id, channel, \
             CASE WHEN channel NOT IN ('sms', 'voice', 'email') AND last_success_at >= $1 \
             THEN 1 ELSE 0 END, 0, failing \
           FROM contact_health WHERE channel IN ({names})), \
         c AS (SELECT id, ch, MAX(su) AS su, \
           CASE WHEN MAX(ok) = 1 AND MAX(su) = 1 AND MAX(bad) = 0 THEN 1 ELSE 0 END AS r \
           FROM f GROUP BY id, ch), \
         e AS (SELECT id, SUM(CASE WHEN r = 1 THEN {bit} ELSE 0 END) AS rm, \
           SUM(CASE WHEN su = 1 THEN {bit} ELSE 0 END) AS sm FROM c GROUP BY id) \
         SELECT t.id, t.site_id, t.name, COALESCE(e.rm, 0), COALESCE(e.sm, 0) \
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
    type Row = (i64, Option<i64>, String, i64, i64);
    let rows: Vec<Row> = sqlx::query_as(&engineers_sql(&channels))
        .bind(now - ROBOT_PROVEN_MS)
        .fetch_all(db.reader())
        .await?;
    let engineers: Vec<Engineer> = rows
        .into_iter()
        .map(|(id, site, name, reach, set_up)| Engineer {
            id,
            site,
            name,
            reach: u16::try_from(reach).unwrap_or(0),
            set_up: u16::try_from(set_up).unwrap_or(0),
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
    Ok(Snapshot {
        at: now,
        channels,
        engineers,
        members,
        sites,
        groups,
    })
}

/// One instance's latest snapshot.
#[derive(Debug, Default)]
pub struct ReachCache {
    current: RwLock<Option<Arc<Snapshot>>>,
    /// One build at a time.
    building: tokio::sync::Mutex<()>,
    /// When a view last asked, ms.
    used_at: AtomicI64,
}

impl ReachCache {
    fn latest(&self) -> Option<Arc<Snapshot>> {
        self.current.read().ok().and_then(|s| s.clone())
    }

    fn store(&self, snapshot: Snapshot) -> Arc<Snapshot> {
        let snapshot = Arc::new(snapshot);
        if let Ok(mut current) = self.current.write() {
            *current = Some(snapshot.clone());
        }
        snapshot
    }

    /// The latest snapshot, built now if there is none yet.
    pub async fn get(&self, db: &Db, now: i64) -> Result<Arc<Snapshot>, ServiceError> {
        self.used_at.store(now, Ordering::Relaxed);
        if let Some(snapshot) = self.latest() {
            return Ok(snapshot);
        }
        let _building = self.building.lock().await;
        if let Some(snapshot) = self.latest() {
            return Ok(snapshot);
        }
        Ok(self.store(build(db, now).await?))
    }

    /// Builds a new snapshot now (what the refresher does; tests call it after a change).
    pub async fn refresh(&self, db: &Db, now: i64) -> Result<Arc<Snapshot>, ServiceError> {
        let _building = self.building.lock().await;
        Ok(self.store(build(db, now).await?))
    }

    /// Whether the refresher should build a new one: a snapshot exists, is old, and was
    /// looked at lately.
    fn due(&self, now: i64) -> bool {
        self.latest().is_some_and(|s| now - s.at >= REFRESH_MS)
            && now - self.used_at.load(Ordering::Relaxed) < IDLE_MS
    }
}

/// The instance's refresher: every second, a new snapshot if the last is [`REFRESH_MS`] old
/// and someone looked within [`IDLE_MS`].
pub async fn refresh_while_used(cache: Arc<ReachCache>, db: Db, clock: crate::service::Clock) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tick.tick().await;
        let now = clock.now();
        if cache.due(now) {
            if let Err(e) = cache.refresh(&db, now).await {
                tracing::warn!(error = ?e, "refreshing the reachability counts failed");
            }
        }
    }
}
