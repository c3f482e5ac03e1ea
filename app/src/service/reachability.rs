//! Who can be reached right now, per site and group and per channel: an engineer is
//! reachable on a channel when its subscription is confirmed (SMS, voice, email) or its robot
//! delivered within [`ROBOT_PROVEN_MS`], and delivery has not found the contact failing.
//!
//! The counting is one statement the database does whole (per engineer and channel, then per
//! engineer, then per site and group), so nothing is read row by row into the server.

use super::actor::Actor;
use super::db::Db;
use super::error::ServiceError;
use super::settings;
use crate::domain::reachability::{ROBOT_PROVEN_MS, UNREACHABLE_SHOWN};
use crate::domain::{
    Channel, Place, PlaceKind, ReachQuery, ReachRow, ReachView, Refusal, Unreachable, Verb,
};
use std::collections::HashMap;

/// The counted channels: every channel switched on.
async fn counted(db: &Db) -> Result<Vec<Channel>, ServiceError> {
    let beta = settings::beta_channels(db).await?;
    Ok(Channel::ALL
        .into_iter()
        .filter(|c| beta.is_on(*c))
        .collect())
}

/// `WITH f, c, e`: facts per engineer and channel, whether each is reachable, and per
/// engineer: `rn` channels reachable, `sn` set up, `r{i}`/`s{i}` for channel `i` of
/// `channels`, `ph` reachable by SMS or voice. `$1` is the oldest success that proves a robot.
fn engineers_sql(channels: &[Channel]) -> String {
    let names: Vec<String> = channels
        .iter()
        .map(|c| format!("'{}'", c.as_str()))
        .collect();
    let names = names.join(", ");
    let per_channel: Vec<String> = channels
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "MAX(CASE WHEN ch = '{c}' THEN r ELSE 0 END) AS r{i}, \
                 MAX(CASE WHEN ch = '{c}' THEN su ELSE 0 END) AS s{i}",
                c = c.as_str()
            )
        })
        .collect();
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
         e AS (SELECT id, SUM(r) AS rn, SUM(su) AS sn, \
           MAX(CASE WHEN ch IN ('sms', 'voice') THEN r ELSE 0 END) AS ph, {} \
           FROM c GROUP BY id) ",
        per_channel.join(", ")
    )
}

/// The counting columns of a place: engineers, reachable on all they set up, partly, on
/// none, reachable by phone, then `c{i}` reachable and `t{i}` set up on channel `i`.
fn count_columns(channels: &[Channel]) -> String {
    let per_channel: Vec<String> = (0..channels.len())
        .map(|i| format!("SUM(COALESCE(e.r{i}, 0)) AS c{i}, SUM(COALESCE(e.s{i}, 0)) AS t{i}"))
        .collect();
    format!(
        "COUNT(*) AS n, \
         SUM(CASE WHEN e.rn > 0 AND e.rn = e.sn THEN 1 ELSE 0 END) AS full_n, \
         SUM(CASE WHEN e.rn > 0 AND e.rn < e.sn THEN 1 ELSE 0 END) AS part_n, \
         SUM(CASE WHEN e.rn > 0 THEN 0 ELSE 1 END) AS none_n, \
         SUM(COALESCE(e.ph, 0)) AS ph_n, {}",
        per_channel.join(", ")
    )
}

/// Which engineers and places the actor and the filters cover, as SQL over `t` (the
/// engineer) and, for group rows, `tg`. Every value is a number, written as one.
struct Scope {
    sites: String,
    groups: String,
    engineers: String,
}

fn scope(actor: &Actor, query: &ReachQuery) -> Scope {
    let mine = (!actor.is_admin()).then(|| {
        let ids: Vec<String> = actor.site_ids.iter().map(i64::to_string).collect();
        if ids.is_empty() {
            "-1".to_owned()
        } else {
            ids.join(", ")
        }
    });
    let mut sites = vec!["1 = 1".to_owned()];
    let mut groups = vec!["1 = 1".to_owned()];
    if let Some(mine) = &mine {
        sites.push(format!("t.site_id IN ({mine})"));
        groups.push(format!(
            "tg.group_id IN (SELECT id FROM tech_groups WHERE site_id IN ({mine}))"
        ));
    }
    if let Some(site) = query.site {
        sites.push(format!("t.site_id = {site}"));
        groups.push(format!(
            "tg.group_id IN (SELECT id FROM tech_groups WHERE site_id = {site})"
        ));
    }
    let engineers = if let Some(group) = query.group {
        sites.push("1 = 0".to_owned());
        groups.push(format!("tg.group_id = {group}"));
        // A group may hold engineers of other sites: a site admin is named only their own.
        let own = mine
            .as_ref()
            .map(|mine| format!(" AND t.site_id IN ({mine})"))
            .unwrap_or_default();
        format!(
            "t.id IN (SELECT tg.technician_id FROM technician_groups tg WHERE {}){own}",
            groups.join(" AND ")
        )
    } else {
        sites.join(" AND ")
    };
    Scope {
        sites: sites.join(" AND "),
        groups: groups.join(" AND "),
        engineers,
    }
}

#[derive(sqlx::FromRow)]
struct Counts {
    kind: i64,
    place: Option<i64>,
    n: i64,
    full_n: i64,
    part_n: i64,
    none_n: i64,
    ph_n: i64,
}

pub async fn view(
    db: &Db,
    actor: &Actor,
    query: ReachQuery,
    now: i64,
) -> Result<ReachView, ServiceError> {
    if !(actor.is_admin() || actor.is_site_admin()) {
        return Err(ServiceError::NotAuthorized(Refusal::AdminsOnly {
            verb: Verb::CheckReachabilityOf,
        }));
    }
    let channels = counted(db).await?;
    let chosen = query
        .channel
        .and_then(|c| channels.iter().position(|x| *x == c));
    let scope = scope(actor, &query);
    let with = engineers_sql(&channels);
    let columns = count_columns(&channels);
    let sql = format!(
        "{with}SELECT CAST(0 AS BIGINT) AS kind, t.site_id AS place, {columns} FROM technicians t \
         LEFT JOIN e ON e.id = t.id WHERE {} GROUP BY t.site_id \
         UNION ALL SELECT CAST(1 AS BIGINT), tg.group_id, {columns} FROM technician_groups tg \
         JOIN technicians t ON t.id = tg.technician_id LEFT JOIN e ON e.id = t.id \
         WHERE {} GROUP BY tg.group_id",
        scope.sites, scope.groups
    );
    let proven_since = now - ROBOT_PROVEN_MS;
    let rows = sqlx::query(&sql)
        .bind(proven_since)
        .fetch_all(db.reader())
        .await?;
    let (sites, groups) = places(db, actor).await?;
    let site_names: HashMap<i64, &str> = sites.iter().map(|p| (p.id, p.name.as_str())).collect();
    let group_names: HashMap<i64, (&str, Option<&str>)> = groups
        .iter()
        .map(|(p, site)| (p.id, (p.name.as_str(), site.as_deref())))
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        use sqlx::{FromRow, Row};
        let counts = Counts::from_row(row)?;
        let mut reached = Vec::with_capacity(channels.len());
        let mut set_up = Vec::with_capacity(channels.len());
        for i in 0..channels.len() {
            reached.push(row.try_get::<i64, _>(format!("c{i}").as_str())?);
            set_up.push(row.try_get::<i64, _>(format!("t{i}").as_str())?);
        }
        let (kind, name, site) = if counts.kind == 0 {
            let name = counts
                .place
                .and_then(|id| site_names.get(&id).map(|n| (*n).to_owned()))
                .unwrap_or_default();
            (PlaceKind::Site, name, None)
        } else {
            let (name, site) = counts
                .place
                .and_then(|id| group_names.get(&id).copied())
                .unwrap_or(("", None));
            (PlaceKind::Group, name.to_owned(), site.map(str::to_owned))
        };
        // On one channel: reachable there, set up there but not reachable, not set up.
        let (reachable, partly, unreachable) = match chosen {
            Some(i) => (reached[i], set_up[i] - reached[i], counts.n - set_up[i]),
            None => (counts.full_n, counts.part_n, counts.none_n),
        };
        out.push(ReachRow {
            kind,
            id: counts.place.unwrap_or(0),
            name,
            site,
            engineers: counts.n,
            reachable,
            partly,
            unreachable,
            by_channel: reached,
            no_phone: counts.ph_n == 0,
        });
    }
    out.sort_by(|a, b| {
        (a.kind == PlaceKind::Group, a.name.to_lowercase(), a.id).cmp(&(
            b.kind == PlaceKind::Group,
            b.name.to_lowercase(),
            b.id,
        ))
    });
    // Everyone the list below is drawn from: engineers reachable on nothing (or not on the
    // chosen channel, whether set up there or not).
    let unreachable_total = out
        .iter()
        .filter(|r| {
            r.kind
                == if query.group.is_some() {
                    PlaceKind::Group
                } else {
                    PlaceKind::Site
                }
        })
        .map(|r| match chosen {
            Some(_) => r.partly + r.unreachable,
            None => r.unreachable,
        })
        .sum();
    let unreachable = unreachable_list(db, &with, &scope, chosen, proven_since).await?;
    Ok(ReachView {
        channels,
        query,
        rows: out,
        unreachable,
        unreachable_total,
        sites,
        groups: groups.into_iter().map(|(p, _)| p).collect(),
        can_drill: false,
        drills: Vec::new(),
    })
}

/// The sites and groups the actor may look at (with each group's site).
async fn places(
    db: &Db,
    actor: &Actor,
) -> Result<(Vec<Place>, Vec<(Place, Option<String>)>), ServiceError> {
    let sites: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM sites ORDER BY name, id")
        .fetch_all(db.reader())
        .await?;
    let groups: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT g.id, g.name, s.id, s.name FROM tech_groups g JOIN sites s ON s.id = g.site_id \
         ORDER BY s.name, g.name, g.id",
    )
    .fetch_all(db.reader())
    .await?;
    let mine = |site: i64| actor.is_admin() || actor.site_ids.contains(&site);
    Ok((
        sites
            .into_iter()
            .filter(|(id, _)| mine(*id))
            .map(|(id, name)| Place { id, name })
            .collect(),
        groups
            .into_iter()
            .filter(|(_, _, site, _)| mine(*site))
            .map(|(id, name, _, site)| (Place { id, name }, Some(site)))
            .collect(),
    ))
}

/// The first [`UNREACHABLE_SHOWN`] engineers of the scope reachable on nothing (or not on
/// the chosen channel), by name, each with what they set up and why it does not reach them.
async fn unreachable_list(
    db: &Db,
    with: &str,
    scope: &Scope,
    chosen: Option<usize>,
    proven_since: i64,
) -> Result<Vec<Unreachable>, ServiceError> {
    let column = chosen.map_or_else(|| "e.rn".to_owned(), |i| format!("e.r{i}"));
    let sql = format!(
        "{with}SELECT t.id, t.name, s.name FROM technicians t LEFT JOIN e ON e.id = t.id \
         LEFT JOIN sites s ON s.id = t.site_id WHERE {} AND COALESCE({column}, 0) = 0 \
         ORDER BY t.name_key, t.id LIMIT {UNREACHABLE_SHOWN}",
        scope.engineers
    );
    let found: Vec<(i64, String, Option<String>)> = sqlx::query_as(&sql)
        .bind(proven_since)
        .fetch_all(db.reader())
        .await?;
    let ids: Vec<i64> = found.iter().map(|(id, ..)| *id).collect();
    let mut why: HashMap<i64, Vec<(Channel, String)>> = HashMap::new();
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
    for (id, channel, state) in facts {
        let Some(channel) = Channel::parse(&channel) else {
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
    Ok(found
        .into_iter()
        .map(|(id, name, site)| {
            let mut why = why.remove(&id).unwrap_or_default();
            why.sort_by_key(|(c, _)| *c);
            Unreachable {
                id,
                name,
                site,
                why,
            }
        })
        .collect())
}

/// The sites and groups within the actor's reach that have engineers but none reachable by
/// SMS or voice, for the roster's warning. Names, sites first.
pub async fn without_phone(db: &Db, actor: &Actor) -> Result<Vec<String>, ServiceError> {
    if !(actor.is_admin() || actor.is_site_admin()) {
        return Ok(Vec::new());
    }
    let beta = settings::beta_channels(db).await?;
    let phones: Vec<&str> = [Channel::Sms, Channel::Voice]
        .into_iter()
        .filter(|c| beta.is_on(*c))
        .map(Channel::as_str)
        .collect();
    let phones = format!("'{}'", phones.join("', '"));
    let reachable = format!(
        "SELECT 1 FROM subscriptions sub WHERE sub.technician_id = t.id \
         AND sub.method IN ({phones}) AND sub.state = 'confirmed' AND NOT EXISTS (\
           SELECT 1 FROM contact_health h WHERE h.technician_id = t.id \
           AND h.channel = sub.method AND h.failing = 1)"
    );
    let sql = format!(
        "SELECT CAST(0 AS BIGINT), s.id, s.name FROM sites s \
         WHERE EXISTS (SELECT 1 FROM technicians t WHERE t.site_id = s.id) \
         AND NOT EXISTS (SELECT 1 FROM technicians t WHERE t.site_id = s.id AND EXISTS ({reachable})) \
         UNION ALL SELECT CAST(1 AS BIGINT), s.id, g.name FROM tech_groups g JOIN sites s ON s.id = g.site_id \
         WHERE EXISTS (SELECT 1 FROM technician_groups tg WHERE tg.group_id = g.id) \
         AND NOT EXISTS (SELECT 1 FROM technician_groups tg JOIN technicians t ON t.id = tg.technician_id \
           WHERE tg.group_id = g.id AND EXISTS ({reachable})) \
         ORDER BY 1, 3"
    );
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(&sql).fetch_all(db.reader()).await?;
    Ok(rows
        .into_iter()
        .filter(|(_, site, _)| actor.is_admin() || actor.site_ids.contains(site))
        .map(|(_, _, name)| name)
        .collect())
}
