//! Reachability drills. An SDAdmin starts one for a site or group: every engineer there gets
//! a message on each channel that reaches them now (confirmed, switched on, not failing)
//! with an acknowledgement link of its own; one tap on it, without signing in, within 24
//! hours, once, records the acknowledgement. The drill page then shows who acknowledged on
//! which channel and how fast, and which channels delivered but were never acknowledged.
//!
//! Drill messages go through the same limiter as confirmations and tests (the hourly SMS and
//! voice budgets included), a place gets one drill an hour, and one drill sends at most
//! [`DRILL_MAX_MESSAGES`].

use super::actor::Actor;
use super::audit::{self, AuditContext, Entry};
use super::confirmations::{languages_of, PUBLIC_URL};
use super::db::{insert_rows, Backend, Db, Value};
use super::error::ServiceError;
use super::notifications::{confirmed, reach};
use super::outbox::{self, Kind, NewDelivery};
use super::technicians::stored;
use super::{contact_health, send_limits, settings};
use crate::domain::audit::utc_text;
use crate::domain::drill::{ACK_VALID_MS, DRILL_GAP_MS, DRILL_MAX_MESSAGES};
use crate::domain::{
    Ack, AdminTask, Channel, DrillSummary, DrillTarget, DrillView, Outbound, PlaceKind, Refusal,
};
use crate::i18n::Speak;
use serde_json::json;
use sha2::{Digest, Sha256};

fn kind_text(kind: PlaceKind) -> &'static str {
    match kind {
        PlaceKind::Site => "site",
        PlaceKind::Group => "group",
    }
}

fn kind_of(text: &str) -> PlaceKind {
    if text == "group" {
        PlaceKind::Group
    } else {
        PlaceKind::Site
    }
}

/// The place's name and the engineers in it.
async fn place(db: &Db, kind: PlaceKind, id: i64) -> Result<(String, Vec<i64>), ServiceError> {
    let (name_sql, members_sql) = match kind {
        PlaceKind::Site => (
            "SELECT name FROM sites WHERE id = $1",
            "SELECT id FROM technicians WHERE site_id = $1 ORDER BY id",
        ),
        PlaceKind::Group => (
            "SELECT g.name FROM tech_groups g WHERE g.id = $1",
            "SELECT technician_id FROM technician_groups WHERE group_id = $1 ORDER BY technician_id",
        ),
    };
    let name: Option<(String,)> = sqlx::query_as(name_sql)
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    let (name,) = name.ok_or(ServiceError::NotFound(Refusal::NoSuchPlace))?;
    let members: Vec<(i64,)> = sqlx::query_as(members_sql)
        .bind(id)
        .fetch_all(db.reader())
        .await?;
    Ok((name, members.into_iter().map(|(id,)| id).collect()))
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// One message a drill will send.
struct Target {
    id: i64,
    name: String,
    channel: Channel,
    recipient: String,
}

/// Every channel that reaches each of `members` now.
async fn targets(db: &Db, members: &[i64]) -> Result<Vec<Target>, ServiceError> {
    let beta = settings::beta_channels(db).await?;
    let failing = {
        let mut conn = db.reader().acquire().await?;
        contact_health::failing_of(&mut conn, members).await?
    };
    let mut out = Vec::new();
    for id in members {
        let technician = {
            let mut conn = db.reader().acquire().await?;
            stored::load(&mut conn, *id).await?
        };
        let Some(technician) = technician else {
            continue;
        };
        let confirmed = confirmed(db, *id).await?;
        let failing = failing.get(id).map(Vec::as_slice).unwrap_or_default();
        // A voice call cannot hand over a link to tap.
        for channel in Channel::ALL.into_iter().filter(|c| *c != Channel::Voice) {
            if failing.iter().any(|h| h.channel == channel) {
                continue;
            }
            if let Ok(recipient) = reach(&technician, &confirmed, &beta, channel) {
                out.push(Target {
                    id: *id,
                    name: technician.row.name.clone(),
                    channel,
                    recipient,
                });
            }
        }
    }
    Ok(out)
}

/// Starts a drill of site or group `place_id`; answers its id.
pub async fn start(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    kind: PlaceKind,
    place_id: i64,
    now: i64,
) -> Result<i64, ServiceError> {
    actor.require_admin(AdminTask::RunDrills)?;
    let (name, members) = place(db, kind, place_id).await?;
    let targets = targets(db, &members).await?;
    if targets.is_empty() {
        return Err(ServiceError::Conflict(Refusal::DrillReachesNobody {
            place: name,
        }));
    }
    if targets.len() > DRILL_MAX_MESSAGES {
        return Err(ServiceError::Conflict(Refusal::DrillTooLarge {
            place: name,
            messages: targets.len(),
            max: DRILL_MAX_MESSAGES,
        }));
    }
    let mut tx = db.begin_write().await?;
    // SQLite's write transaction is the only one; PostgreSQL's are many: two starts of the
    // same place (a form sent twice) wait for each other here, so the second sees the first.
    if db.backend() == Backend::Postgres {
        let key = i64::from_be_bytes(
            Sha256::digest(format!("drill:{}:{place_id}", kind_text(kind)).as_bytes())[..8]
                .try_into()
                .unwrap_or_default(),
        );
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(key)
            .execute(&mut *tx)
            .await?;
    }
    let last: Option<(i64,)> = sqlx::query_as(
        "SELECT started_at FROM drills WHERE place_kind = $1 AND place_id = $2 \
         ORDER BY started_at DESC LIMIT 1",
    )
    .bind(kind_text(kind))
    .bind(place_id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((last,)) = last.filter(|(last,)| now - last < DRILL_GAP_MS) {
        return Err(ServiceError::TooSoon(Refusal::DrillTooSoon {
            place: name,
            minutes: (DRILL_GAP_MS - (now - last)) / 60_000 + 1,
        }));
    }
    let (drill,): (i64,) = sqlx::query_as(
        "INSERT INTO drills (place_kind, place_id, place_name, started_by, started_at, ends_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(kind_text(kind))
    .bind(place_id)
    .bind(&name)
    .bind(&actor.name)
    .bind(now)
    .bind(now + ACK_VALID_MS)
    .fetch_one(&mut *tx)
    .await?;
    let ids: Vec<i64> = targets.iter().map(|t| t.id).collect();
    let languages = languages_of(&mut tx, &ids).await?;
    let by = send_limits::message_name(&actor.name);
    let mut messages = Vec::with_capacity(targets.len());
    let mut rows = Vec::with_capacity(targets.len());
    for target in &targets {
        let token = hex::encode(rand::random::<[u8; 32]>());
        let key = format!("drill:{drill}:{}:{}", target.id, target.channel.as_str());
        let lang = languages.get(&target.id).copied().unwrap_or_default();
        let text = Outbound::Drill {
            name: send_limits::message_name(&target.name),
            channel: target.channel,
            by: by.clone(),
            link: format!("{PUBLIC_URL}/ack/{token}"),
        }
        .say(lang);
        messages.push((
            text,
            lang,
            NewDelivery {
                technician_id: Some(target.id),
                channel: target.channel,
                recipient: target.recipient.clone(),
                idempotency_key: key.clone(),
            },
        ));
        rows.push(vec![
            Value::Int(drill),
            Value::Int(target.id),
            Value::Text(target.name.clone()),
            Value::Text(target.channel.as_str().to_owned()),
            Value::Text(hash(&token)),
            Value::Text(key),
        ]);
    }
    outbox::enqueue_each(&mut tx, Kind::Drill, &messages, now).await?;
    insert_rows(
        &mut tx,
        "drill_targets (drill_id, technician_id, engineer, channel, token_hash, delivery_key)",
        "",
        &rows,
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "drill.start",
            technician_id: None,
            before: None,
            after: Some(json!({
                "drill": drill,
                "kind": kind_text(kind),
                "place": name,
                "engineers": members.len(),
                "messages": targets.len(),
            })),
        },
    )
    .await?;
    outbox::commit(db, tx).await?;
    Ok(drill)
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    place_kind: String,
    place_name: String,
    started_by: String,
    started_at: i64,
    ends_at: i64,
    messages: i64,
    acknowledged: i64,
}

const SUMMARY: &str = "SELECT d.id, d.place_kind, d.place_name, d.started_by, d.started_at, \
    d.ends_at, (SELECT count(*) FROM drill_targets t WHERE t.drill_id = d.id) AS messages, \
    (SELECT count(*) FROM drill_targets t WHERE t.drill_id = d.id AND t.acked_at IS NOT NULL) \
    AS acknowledged FROM drills d";

fn summary(row: SummaryRow, now: i64) -> DrillSummary {
    DrillSummary {
        id: row.id,
        kind: kind_of(&row.place_kind),
        place: row.place_name,
        started_by: row.started_by,
        started_at: utc_text(row.started_at),
        messages: row.messages,
        acknowledged: row.acknowledged,
        open: now < row.ends_at,
    }
}

/// The latest drills, newest first.
pub async fn recent(db: &Db, actor: &Actor, now: i64) -> Result<Vec<DrillSummary>, ServiceError> {
    if !actor.is_admin() {
        return Ok(Vec::new());
    }
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "{SUMMARY} ORDER BY d.started_at DESC, d.id DESC LIMIT 10"
    ))
    .fetch_all(db.reader())
    .await?;
    Ok(rows.into_iter().map(|r| summary(r, now)).collect())
}

/// One drill with each of its messages.
pub async fn view(db: &Db, actor: &Actor, id: i64, now: i64) -> Result<DrillView, ServiceError> {
    actor.require_admin(AdminTask::RunDrills)?;
    let row: Option<SummaryRow> = sqlx::query_as(&format!("{SUMMARY} WHERE d.id = $1"))
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    let row = row.ok_or(ServiceError::NotFound(Refusal::NoDrill { id }))?;
    let started = row.started_at;
    // (engineer id, name, channel, delivery state, acknowledged at)
    type TargetRow = (Option<i64>, String, String, Option<String>, Option<i64>);
    let targets: Vec<TargetRow> = sqlx::query_as(
        "SELECT t.technician_id, t.engineer, t.channel, d.status, t.acked_at \
             FROM drill_targets t LEFT JOIN deliveries d ON d.idempotency_key = t.delivery_key \
             WHERE t.drill_id = $1 ORDER BY t.engineer, t.id",
    )
    .bind(id)
    .fetch_all(db.reader())
    .await?;
    Ok(DrillView {
        summary: summary(row, now),
        targets: targets
            .into_iter()
            .filter_map(|(technician_id, engineer, channel, status, acked)| {
                Some(DrillTarget {
                    technician_id,
                    engineer,
                    channel: Channel::parse(&channel)?,
                    delivery: status.unwrap_or_else(|| "cancelled".to_owned()),
                    acked_after_s: acked.map(|at| (at - started).max(0) / 1000),
                })
            })
            .collect(),
    })
}

/// A token is 64 lowercase hexadecimal characters; anything else is unknown.
fn token_hash(token: &str) -> Option<String> {
    (token.len() == 64
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then(|| hash(token))
}

async fn ack_of(db: &Db, hash: &str, now: i64) -> Result<Ack, ServiceError> {
    let row: Option<(String, String, Option<i64>, i64)> = sqlx::query_as(
        "SELECT t.engineer, t.channel, t.acked_at, d.ends_at FROM drill_targets t \
         JOIN drills d ON d.id = t.drill_id WHERE t.token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(db.reader())
    .await?;
    Ok(match row {
        None => Ack::Unknown,
        Some((name, channel, acked, ends)) => {
            let Some(channel) = Channel::parse(&channel) else {
                return Ok(Ack::Unknown);
            };
            match acked {
                Some(_) => Ack::Done { name, channel },
                None if ends <= now => Ack::Expired,
                None => Ack::Open { name, channel },
            }
        }
    })
}

/// What `GET /ack/{token}` shows: nothing changes.
pub async fn inspect(db: &Db, token: &str, now: i64) -> Result<Ack, ServiceError> {
    match token_hash(token) {
        Some(hash) => ack_of(db, &hash, now).await,
        None => Ok(Ack::Unknown),
    }
}

/// The Acknowledge button: records the first press within the link's time.
pub async fn acknowledge(
    db: &Db,
    token: &str,
    ctx: &AuditContext,
    now: i64,
) -> Result<Ack, ServiceError> {
    let Some(hash) = token_hash(token) else {
        return Ok(Ack::Unknown);
    };
    // An unknown, used or expired token is answered from a reader, never queued for the
    // one writer.
    if !matches!(ack_of(db, &hash, now).await?, Ack::Open { .. }) {
        return ack_of(db, &hash, now).await;
    }
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE drill_targets SET acked_at = $1, ack_addr = $2 WHERE token_hash = $3 \
         AND acked_at IS NULL AND drill_id IN (SELECT id FROM drills WHERE ends_at > $1)",
    )
    .bind(now)
    .bind(ctx.remote_addr.as_deref())
    .bind(&hash)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    ack_of(db, &hash, now).await
}
