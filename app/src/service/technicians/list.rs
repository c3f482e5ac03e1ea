//! The roster as the engineer table shows it: searched, filtered, sorted and paginated, with
//! each engineer's channels and what the viewer may do to them.

use crate::domain::{Channels, ListQuery, Page, Role, SortKey, SubState, TechnicianRow};
use crate::service::actor::Actor;
use crate::service::db::{like_contains, Db};
use crate::service::error::ServiceError;
use crate::service::{now_ms, settings};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    version: i64,
    name: String,
    alias: Option<String>,
    login_name: Option<String>,
    site_name: Option<String>,
    department_name: Option<String>,
    mobile: Option<String>,
    email: Option<String>,
    site_id: Option<i64>,
    wecom: i64,
    dingtalk: i64,
    lark: i64,
    directory_source: Option<String>,
    directory_missing: i64,
}

/// What a search looks in: name, alias, login, email and mobile, lower-cased, kept in the
/// `search_text` column by every write so a search reads one column per row.
pub(crate) fn search_text(parts: [Option<&str>; 5]) -> String {
    parts
        .into_iter()
        .flatten()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `$1` search, `$2` pattern, `$3` site id (0 any, -1 none), `$4` role ('' any, 'none'),
/// `$5` state ('' any), `$6` now, `$7` directory ('' any, 'synced', 'missing').
const FILTER: &str = "($1 = '' OR t.search_text LIKE $2 ESCAPE '\\') \
    AND ($3 = 0 OR ($3 = -1 AND t.site_id IS NULL) OR t.site_id = $3) \
    AND ($4 = '' \
      OR ($4 = 'none' AND NOT EXISTS (SELECT 1 FROM technician_roles r WHERE r.technician_id = t.id)) \
      OR EXISTS (SELECT 1 FROM technician_roles r WHERE r.technician_id = t.id AND r.role = $4)) \
    AND ($5 = '' \
      OR ($5 = 'confirmed' AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.technician_id = t.id AND s.state = 'confirmed')) \
      OR ($5 = 'pending' AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.technician_id = t.id AND s.state = 'pending' AND s.expires_at > $6)) \
      OR ($5 = 'expired' AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.technician_id = t.id \
            AND (s.state = 'expired' OR (s.state = 'pending' AND s.expires_at <= $6)))) \
      OR ($5 = 'unsubscribed' AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.technician_id = t.id \
            AND s.state IN ('pending', 'confirmed', 'expired')))) \
    AND ($7 = '' OR ($7 = 'missing' AND t.directory_missing = 1) \
      OR ($7 = 'synced' AND t.directory_source IS NOT NULL AND t.directory_missing = 0))";

fn order_by(sort: SortKey, descending: bool) -> String {
    let column = match sort {
        SortKey::Name => "lower(t.name)",
        SortKey::Login => "lower(coalesce(t.login_name, ''))",
        SortKey::Site => "lower(coalesce(s.name, ''))",
        SortKey::Updated => "t.updated_at",
    };
    let direction = if descending { "DESC" } else { "ASC" };
    format!("{column} {direction}, t.id {direction}")
}

/// Every signed-in technician may see the roster.
pub async fn list_technicians(
    db: &Db,
    actor: &Actor,
    query: &ListQuery,
) -> Result<Page, ServiceError> {
    let per_page = query.per_page.clamp(1, 200);
    let page = query.page.max(1);
    let search = query.search.trim();
    let pattern = like_contains(search);
    let site: i64 = match query.site.as_str() {
        "none" => -1,
        other => other.parse().unwrap_or(0),
    };
    let role = match query.role.as_str() {
        "none" => "none",
        other => Role::parse(other).map_or("", Role::as_str),
    };
    let state = SubState::parse(&query.state).map_or("", SubState::as_str);
    let directory = match query.directory.as_str() {
        "synced" => "synced",
        "missing" => "missing",
        _ => "",
    };
    let now = now_ms();
    // A separate count: a window count over the page query would stop SQLite from walking
    // the name index and reading only the first rows of page 1.
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT count(*) FROM technicians t WHERE {FILTER}"
    ))
    .bind(search)
    .bind(&pattern)
    .bind(site)
    .bind(role)
    .bind(state)
    .bind(now)
    .bind(directory)
    .fetch_one(db.reader())
    .await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT t.id, t.version, t.name, t.alias, t.login_name, s.name AS site_name, \
         d.name AS department_name, t.mobile, t.email, t.site_id, \
         CASE WHEN t.wecom_webhook IS NULL THEN 0 ELSE 1 END AS wecom, \
         CASE WHEN t.dingtalk_webhook IS NULL THEN 0 ELSE 1 END AS dingtalk, \
         CASE WHEN t.lark_webhook IS NULL THEN 0 ELSE 1 END AS lark, \
         t.directory_source, t.directory_missing \
         FROM technicians t LEFT JOIN sites s ON s.id = t.site_id \
         LEFT JOIN departments d ON d.id = t.department_id \
         WHERE {FILTER} ORDER BY {} LIMIT $8 OFFSET $9",
        order_by(query.sort, query.descending)
    ))
    .bind(search)
    .bind(&pattern)
    .bind(site)
    .bind(role)
    .bind(state)
    .bind(now)
    .bind(directory)
    .bind(i64::from(per_page))
    .bind(i64::from(page - 1) * i64::from(per_page))
    .fetch_all(db.reader())
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let roles: Vec<(i64, String)> = related(
        db,
        "SELECT technician_id, role FROM technician_roles WHERE technician_id IN ({}) ORDER BY position",
        &ids,
    )
    .await?;
    let sites: Vec<(i64, i64)> = related(
        db,
        "SELECT technician_id, site_id FROM technician_sites WHERE technician_id IN ({})",
        &ids,
    )
    .await?;
    let group_sites: Vec<(i64, i64)> = related(
        db,
        "SELECT tg.technician_id, g.site_id FROM technician_groups tg \
         JOIN tech_groups g ON g.id = tg.group_id WHERE tg.technician_id IN ({})",
        &ids,
    )
    .await?;
    let subscriptions: Vec<(i64, String, String, Option<i64>)> = related(
        db,
        "SELECT technician_id, method, state, expires_at FROM subscriptions WHERE technician_id IN ({})",
        &ids,
    )
    .await?;
    let out = rows
        .into_iter()
        .map(|r| {
            let row_roles: Vec<String> = roles
                .iter()
                .filter(|(t, _)| *t == r.id)
                .map(|(_, v)| v.clone())
                .collect();
            let of_row = |pairs: &[(i64, i64)]| -> Vec<i64> {
                pairs
                    .iter()
                    .filter(|(t, _)| *t == r.id)
                    .map(|(_, s)| *s)
                    .collect()
            };
            let row_sites =
                super::stored::sites_of(r.site_id, of_row(&sites), of_row(&group_sites));
            let is_admin = row_roles.iter().any(|x| x == Role::SdAdmin.as_str());
            let mut channels = Channels {
                wecom: r.wecom != 0,
                dingtalk: r.dingtalk != 0,
                lark: r.lark != 0,
                ..Channels::default()
            };
            for (_, method, state, expires) in subscriptions.iter().filter(|s| s.0 == r.id) {
                channels.record(method, effective_state(state, *expires, now));
            }
            TechnicianRow {
                manageable: super::stored::reach(actor, &r.name, is_admin, &row_sites, "edit")
                    .is_ok(),
                is_self: actor.id == Some(r.id),
                id: r.id,
                version: r.version,
                name: r.name,
                alias: r.alias,
                login_name: r.login_name,
                site: r.site_name,
                department: r.department_name,
                mobile: r.mobile,
                email: r.email,
                roles: row_roles,
                channels,
                directory: r.directory_source,
                missing: r.directory_missing != 0,
            }
        })
        .collect();
    Ok(Page {
        rows: out,
        total,
        page,
        per_page,
        beta: settings::beta_channels(db).await?,
    })
}

/// A pending confirmation past its deadline is expired, whether or not a sweep marked it.
pub fn effective_state(state: &str, expires_at: Option<i64>, now: i64) -> SubState {
    match state {
        "confirmed" => SubState::Confirmed,
        "expired" => SubState::Expired,
        "pending" if expires_at.is_some_and(|e| e <= now) => SubState::Expired,
        "pending" => SubState::Pending,
        _ => SubState::Unsubscribed,
    }
}

/// Rows of a related table for a page of technicians; `{}` in `sql` becomes the ids.
async fn related<R>(db: &Db, sql: &str, ids: &[i64]) -> Result<Vec<R>, ServiceError>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    Ok(crate::service::db::by_ids(db.reader(), sql, ids).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overdue_confirmation_counts_as_expired() {
        assert_eq!(effective_state("pending", Some(10), 11), SubState::Expired);
        assert_eq!(effective_state("pending", Some(12), 11), SubState::Pending);
        assert_eq!(
            effective_state("cancelled", None, 11),
            SubState::Unsubscribed
        );
        assert_eq!(
            effective_state("confirmed", Some(1), 11),
            SubState::Confirmed
        );
    }
}
