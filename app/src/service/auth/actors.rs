//! Who a session or a request is: the actor read back with its roles and sites (and, for a
//! sign-in, the lockout state), in one round trip.

use super::*;

/// The actor for a technician id, if that technician still exists and may sign in.
pub async fn load_actor(db: &Db, id: i64) -> anyhow::Result<Option<Actor>> {
    Ok(load(db, id).await?.map(|(actor, _)| actor))
}

/// One row of an actor's read: the technician's row (kind 0), its roles (1), its associated
/// sites (2) and, when asked for, its sign-in lockout (3: `position` is `locked_until`,
/// `number` the failures).
#[derive(sqlx::FromRow)]
struct ActorRow {
    kind: i64,
    position: i64,
    text: Option<String>,
    number: Option<i64>,
    hash: Option<String>,
}

/// The read of an actor's rows, each kind in its order; `lockout` is spliced in by
/// `load_with_lockout`.
macro_rules! actor_rows {
    ($lockout:literal) => {
        concat!(
            "SELECT kind, position, text, number, hash FROM ( \
             SELECT CAST(0 AS BIGINT) AS kind, CAST(must_change_password AS BIGINT) AS position, \
             name AS text, \
             site_id AS number, password_hash AS hash FROM technicians \
             WHERE id = $1 AND login_enabled = 1 \
             UNION ALL SELECT 1, position, role, NULL, NULL FROM technician_roles \
             WHERE technician_id = $1 \
             UNION ALL SELECT 2, position, NULL, site_id, NULL FROM technician_sites \
             WHERE technician_id = $1",
            $lockout,
            ") links ORDER BY kind, position"
        )
    };
}

/// The actor and its current password hash, in one statement.
pub(super) async fn load(db: &Db, id: i64) -> anyhow::Result<Option<(Actor, Option<String>)>> {
    let rows: Vec<ActorRow> = sqlx::query_as(actor_rows!(""))
        .bind(id)
        .fetch_all(db.reader())
        .await
        .context("loading the signed-in technician")?;
    Ok(actor_of(id, rows))
}

/// What [`load_with_lockout`] read beside the actor: the account's two counts of failed
/// sign-ins (`failures`, `locked_until`) and when this address last signed in to it.
#[derive(Debug, Default)]
pub(super) struct LockoutRead {
    pub(super) unfamiliar: Option<(i64, i64)>,
    pub(super) familiar: Option<(i64, i64)>,
    pub(super) familiar_since: Option<i64>,
}

/// The actor and its password hash, the account's lockouts and the address's familiarity,
/// in one statement.
pub(super) async fn load_with_lockout(
    db: &Db,
    id: i64,
    account_key: &str,
    from: Option<std::net::IpAddr>,
) -> anyhow::Result<(Option<(Actor, Option<String>)>, LockoutRead)> {
    let familiar_key = lockout::bucket(account_key, true);
    let rows: Vec<ActorRow> = sqlx::query_as(actor_rows!(
        " UNION ALL SELECT 3, locked_until, account_key, failures, NULL FROM auth_failures \
         WHERE account_key IN ($2, $3) \
         UNION ALL SELECT 4, last_seen, NULL, NULL, NULL FROM familiar_addresses \
         WHERE account_key = $2 AND address = $4"
    ))
    .bind(id)
    .bind(account_key)
    .bind(&familiar_key)
    .bind(from.map(lockout::address_key).unwrap_or_default())
    .fetch_all(db.reader())
    .await
    .context("loading the signed-in technician")?;
    let mut read = LockoutRead::default();
    let mut actor = Vec::with_capacity(rows.len());
    for row in rows {
        match row.kind {
            3 => {
                let counted = Some((row.number.unwrap_or(0), row.position));
                if row.text.as_deref() == Some(familiar_key.as_str()) {
                    read.familiar = counted;
                } else {
                    read.unfamiliar = counted;
                }
            }
            4 => read.familiar_since = Some(row.position),
            _ => actor.push(row),
        }
    }
    Ok((actor_of(id, actor), read))
}

/// The actor an actor's rows describe, with its password hash; `None` without its
/// technician's row (deleted, or no longer allowed to sign in).
fn actor_of(id: i64, rows: Vec<ActorRow>) -> Option<(Actor, Option<String>)> {
    let mut rows = rows.into_iter();
    let Some(ActorRow {
        kind: 0,
        position: must_change,
        text: Some(name),
        number: site_id,
        hash,
    }) = rows.next()
    else {
        return None;
    };
    let rows: Vec<ActorRow> = rows.collect();
    let roles = rows
        .iter()
        .filter(|row| row.kind == 1)
        .filter_map(|row| Role::parse(row.text.as_deref()?).ok())
        .collect();
    let site_ids = site_id
        .into_iter()
        .chain(
            rows.iter()
                .filter(|row| row.kind == 2)
                .filter_map(|row| row.number),
        )
        .collect();
    let actor = Actor {
        id: Some(id),
        name,
        roles,
        site_ids,
        must_change_password: must_change != 0,
    };
    Some((actor, hash))
}
