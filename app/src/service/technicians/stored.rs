//! A technician as stored (ids, not names): what update merges into and what the permission
//! checks of update and delete look at.

use super::row::{self, Row};
use crate::domain::{Channel, Refusal, Role, Verb};
use crate::service::actor::Actor;
use crate::service::contact_points::ContactPoint;
use crate::service::db::Backend;
use crate::service::error::ServiceError;
use sqlx::{AnyConnection, Row as _};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    pub version: i64,
    /// The technician's own columns, as [`super::row`] writes them.
    pub row: Row,
    pub site_ids: Vec<i64>,
    /// (group id, the group's site id)
    pub groups: Vec<(i64, i64)>,
    pub roles: Vec<Role>,
    /// Its contact points (robot webhooks and the like), secrets unopened.
    pub contacts: Vec<ContactPoint>,
}

impl Stored {
    /// The contact point of `channel`, if the technician has one.
    pub fn contact(&self, channel: Channel) -> Option<&ContactPoint> {
        self.contacts.iter().find(|c| c.channel == channel)
    }

    pub fn is_admin(&self) -> bool {
        self.roles.contains(&Role::SdAdmin)
    }

    /// The sites the technician belongs to (see `sites_of`).
    pub fn sites(&self) -> Vec<Option<i64>> {
        sites_of(
            self.row.site_id,
            self.site_ids.iter().copied(),
            self.groups.iter().map(|(_, site)| *site),
        )
    }

    /// May `actor` act on this technician at all? (See `reach`.)
    pub fn check_reach(&self, actor: &Actor, verb: Verb) -> Result<(), ServiceError> {
        reach(actor, &self.row.name, self.is_admin(), &self.sites(), verb)
    }
}

/// The one definition of the sites a technician belongs to, which every reach decision
/// (add, edit, delete, subscribe, the table's buttons) is made over: its own site (`None`
/// when not associated), its associated sites, and the sites of its groups.
pub fn sites_of(
    site: Option<i64>,
    associated: impl IntoIterator<Item = i64>,
    group_sites: impl IntoIterator<Item = i64>,
) -> Vec<Option<i64>> {
    let mut sites = vec![site];
    sites.extend(associated.into_iter().map(Some));
    sites.extend(group_sites.into_iter().map(Some));
    sites
}

/// The one rule behind every edit, delete and subscription of someone else, and behind the
/// buttons the table offers: an SDAdmin reaches everyone; an SDSiteAdmin only technicians
/// wholly inside its sites, and never an SDAdmin; a plain engineer nobody.
pub fn reach(
    actor: &Actor,
    name: &str,
    target_is_admin: bool,
    target_sites: &[Option<i64>],
    verb: Verb,
) -> Result<(), ServiceError> {
    if !(actor.is_admin() || actor.is_site_admin()) {
        return Err(ServiceError::NotAuthorized(Refusal::AdminsOnly { verb }));
    }
    let name = name.to_owned();
    if target_is_admin && !actor.is_admin() {
        return Err(ServiceError::ProtectedAdmin(Refusal::ProtectedAdmin {
            name,
            verb,
        }));
    }
    if !actor.covers_sites(target_sites) {
        return Err(ServiceError::SiteRestricted(Refusal::OutsideSites {
            name,
            verb,
        }));
    }
    Ok(())
}

pub async fn load(conn: &mut AnyConnection, id: i64) -> Result<Option<Stored>, ServiceError> {
    let found = sqlx::query(&format!(
        "SELECT version, {} FROM technicians WHERE id = $1",
        row::COLUMNS
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(found) = found else { return Ok(None) };
    let version: i64 = found.try_get("version")?;
    let row = Row::from_any(&found)?;
    let site_ids: Vec<(i64,)> = sqlx::query_as(
        "SELECT site_id FROM technician_sites WHERE technician_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let groups: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT g.id, g.site_id FROM technician_groups tg JOIN tech_groups g ON g.id = tg.group_id \
         WHERE tg.technician_id = $1 ORDER BY tg.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let roles = roles_of(conn, id).await?;
    let contacts = crate::service::contact_points::of(conn, id).await?;
    Ok(Some(Stored {
        id,
        version,
        row,
        site_ids: site_ids.into_iter().map(|(s,)| s).collect(),
        groups,
        roles,
        contacts,
    }))
}

/// A technician's roles in the order they were granted.
pub async fn roles_of(conn: &mut AnyConnection, id: i64) -> Result<Vec<Role>, ServiceError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT role FROM technician_roles WHERE technician_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().filter_map(|(r,)| Role::parse(r).ok()).collect())
}

/// The ids of every SDAdmin who can sign in (an admin nobody can sign in as administers
/// nothing), locked until the transaction ends on PostgreSQL, so two concurrent removals
/// cannot both see "another admin remains". SQLite serialises every write transaction
/// through the single writer connection already.
pub async fn lock_admins(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<Vec<i64>, ServiceError> {
    let sql = match backend {
        Backend::Postgres => {
            "SELECT r.technician_id FROM technician_roles r JOIN technicians t ON t.id = r.technician_id \
             WHERE r.role = 'SDAdmin' AND t.login_enabled = 1 AND t.login_name IS NOT NULL \
             ORDER BY r.technician_id FOR UPDATE"
        }
        Backend::Sqlite => {
            "SELECT r.technician_id FROM technician_roles r JOIN technicians t ON t.id = r.technician_id \
             WHERE r.role = 'SDAdmin' AND t.login_enabled = 1 AND t.login_name IS NOT NULL \
             ORDER BY r.technician_id"
        }
    };
    let rows: Vec<(i64,)> = sqlx::query_as(sql).fetch_all(&mut *conn).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Whether taking SDAdmin away from `id` (or deleting it) would leave nobody who can sign in
/// as an SDAdmin. `admins` comes from `lock_admins`.
pub fn is_last_admin(admins: &[i64], id: i64) -> bool {
    admins.contains(&id) && admins.iter().all(|a| *a == id)
}
