//! What a page's engineers are linked to (roles, sites, subscriptions, contact points,
//! failing channels), read for the whole page in one statement.

use super::*;

/// What a link row of a page's engineers is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Link {
    Role,
    Site,
    GroupSite,
    Subscription,
    ContactPoint,
    Failing,
}

/// One row of the page's links: `kind` says which of the other columns are filled.
#[derive(sqlx::FromRow)]
pub(super) struct LinkRow {
    kind: i64,
    technician_id: i64,
    text: Option<String>,
    number: Option<i64>,
    extra: Option<String>,
}

/// The roles, associated sites, group sites and subscriptions of a page's engineers, read
/// in one statement.
pub(super) struct Links(Vec<(Link, LinkRow)>);

impl Links {
    pub(super) async fn read(db: &Db, ids: &[i64]) -> Result<Self, ServiceError> {
        let rows: Vec<LinkRow> = crate::service::db::by_ids(
            db.reader(),
            "SELECT CAST(0 AS BIGINT) AS kind, technician_id, role AS text, position AS number, \
             NULL AS extra FROM technician_roles WHERE technician_id IN ({}) \
             UNION ALL SELECT 1, technician_id, NULL, site_id, NULL \
             FROM technician_sites WHERE technician_id IN ({}) \
             UNION ALL SELECT 2, tg.technician_id, NULL, g.site_id, NULL FROM technician_groups tg \
             JOIN tech_groups g ON g.id = tg.group_id WHERE tg.technician_id IN ({}) \
             UNION ALL SELECT 3, technician_id, method, expires_at, state \
             FROM subscriptions WHERE technician_id IN ({}) \
             UNION ALL SELECT 4, technician_id, channel, NULL, NULL FROM contact_points \
             WHERE address IS NOT NULL AND technician_id IN ({}) \
             UNION ALL SELECT 5, technician_id, channel, NULL, NULL FROM contact_health \
             WHERE failing = 1 AND technician_id IN ({}) \
             ORDER BY 1, 4",
            ids,
        )
        .await?;
        Ok(Self(
            rows.into_iter()
                .filter_map(|row| {
                    let link = match row.kind {
                        0 => Link::Role,
                        1 => Link::Site,
                        2 => Link::GroupSite,
                        3 => Link::Subscription,
                        4 => Link::ContactPoint,
                        5 => Link::Failing,
                        _ => return None,
                    };
                    Some((link, row))
                })
                .collect(),
        ))
    }

    pub(super) fn of(&self, id: i64, link: Link) -> impl Iterator<Item = &LinkRow> {
        self.0
            .iter()
            .filter(move |(l, row)| *l == link && row.technician_id == id)
            .map(|(_, row)| row)
    }

    /// Roles in their granted order.
    pub(super) fn roles(&self, id: i64) -> Vec<String> {
        self.of(id, Link::Role)
            .filter_map(|row| row.text.clone())
            .collect()
    }

    pub(super) fn sites(&self, id: i64, link: Link) -> Vec<i64> {
        self.of(id, link).filter_map(|row| row.number).collect()
    }

    /// The channels of `link` (contact points, failing ones), in the order of [`Channel::ALL`].
    pub(super) fn channels(&self, id: i64, link: Link) -> Vec<Channel> {
        let mut points: Vec<Channel> = self
            .of(id, link)
            .filter_map(|row| Channel::parse(row.text.as_deref()?))
            .collect();
        points.sort_unstable();
        // A channel with several dead messages is listed once.
        points.dedup();
        points
    }

    /// (method, state, expires at)
    pub(super) fn subscriptions(&self, id: i64) -> impl Iterator<Item = (&str, &str, Option<i64>)> {
        self.of(id, Link::Subscription)
            .filter_map(|row| Some((row.text.as_deref()?, row.extra.as_deref()?, row.number)))
    }
}
