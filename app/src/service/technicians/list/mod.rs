//! The roster as the engineer table shows it: searched, filtered, sorted and paginated, with
//! each engineer's channels and what the viewer may do to them.
//!
//! Built for 100,000 engineers: a page is found on the index of its sort (at the row a Next
//! or Previous link carries, or by skipping rows in the index for a page number alone, then
//! only the page is read), a search uses the trigram index on `search_text` (FTS5 on SQLite,
//! `pg_trgm` on PostgreSQL), only the filters asked for reach the SQL, and the total is
//! counted up to [`COUNT_CAP`]. A page takes four statements (five when Previous reaches the
//! first page).

use crate::domain::{Channel, Channels, ListQuery, Page, Role, SortKey, SubState, TechnicianRow};
use crate::service::actor::Actor;
use crate::service::db::{bind_values_as, like_contains, Backend, Db, Value};
use crate::service::error::ServiceError;
use crate::service::{now_ms, settings};

mod filters;
mod links;

use filters::{sort_key, sort_key_columns, Filters};
use links::{Link, Links};

/// The most rows counted for a total; past it the roster says "more than".
pub const COUNT_CAP: i64 = 10_000;

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
    directory_source: Option<String>,
    directory_missing: i64,
    sort_text: Option<String>,
    sort_number: Option<i64>,
}

/// A row's place in a sort (its key, then its id), as a page link carries it: `id:key`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cursor {
    id: i64,
    key: Value,
}

impl Cursor {
    /// A cursor that does not parse for this sort is no cursor: the page number alone says
    /// where the page is.
    fn parse(raw: &str, sort: SortKey) -> Option<Self> {
        let (id, key) = raw.split_once(':')?;
        let id = id.parse().ok()?;
        // No stored key holds a NUL, and PostgreSQL refuses one in a text value.
        if key.contains('\0') {
            return None;
        }
        let key = match sort {
            SortKey::Updated => Value::Int(key.parse().ok()?),
            _ => Value::Text(key.to_owned()),
        };
        Some(Self { id, key })
    }

    fn of(row: &Row) -> Option<String> {
        let key = match (&row.sort_text, row.sort_number) {
            (Some(text), _) => text.clone(),
            (None, Some(number)) => number.to_string(),
            (None, None) => return None,
        };
        Some(format!("{}:{key}", row.id))
    }
}

/// Where a page starts: so many rows into the sort, or next to a row of it.
enum Start {
    Offset(i64),
    After(Cursor),
    Before(Cursor),
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

const COLUMNS: &str = "t.id, t.version, t.name, t.alias, t.login_name, s.name AS site_name, \
    d.name AS department_name, t.mobile, t.email, t.site_id, \
    t.directory_source, t.directory_missing";

/// Every signed-in technician may see the roster.
pub async fn list_technicians(
    db: &Db,
    actor: &Actor,
    query: &ListQuery,
) -> Result<Page, ServiceError> {
    let per_page = query.per_page.clamp(1, 200);
    let page = query.page.max(1);
    let now = now_ms();
    let filters = Filters::new(query, db.backend(), now);
    let where_sql = filters.sql();
    // Counted up to the cap, never the whole table for every page view.
    let (counted,): (i64,) = filters
        .bind(sqlx::query_as(&format!(
            "SELECT count(*) FROM (SELECT 1 FROM technicians t{where_sql} LIMIT {}) c",
            COUNT_CAP + 1
        )))
        .fetch_one(db.reader())
        .await?;
    let per = i64::from(per_page);
    let start = if let Some(cursor) = Cursor::parse(&query.after, query.sort) {
        Start::After(cursor)
    } else if let Some(cursor) = Cursor::parse(&query.before, query.sort) {
        Start::Before(cursor)
    } else {
        Start::Offset(i64::from(page - 1) * per)
    };
    let mut rows = read_rows(db, query, &filters, per, &start).await?;
    let mut page = page;
    match start {
        // Stepping back reached the first row: that is page 1, whatever the link said.
        Start::Before(_) if rows.len() <= limit(per) => {
            rows = read_rows(db, query, &filters, per, &Start::Offset(0)).await?;
            page = 1;
        }
        Start::Offset(_) => {}
        // A cursor is a row of the sort, so a page read from one is never the first.
        Start::After(_) | Start::Before(_) => page = page.max(2),
    }
    let has_next = if matches!(start, Start::Before(_)) && page > 1 {
        // Read backwards from the cursor: the extra row is the one before the page, and
        // the cursor's own row follows it.
        rows.truncate(limit(per));
        rows.reverse();
        true
    } else {
        let more = rows.len() > limit(per);
        rows.truncate(limit(per));
        more
    };
    let offset = i64::from(page - 1) * per;
    // How many come up to the end of this page; a page past the end says nothing of that.
    let seen = if rows.is_empty() {
        0
    } else {
        offset + i64::try_from(rows.len()).unwrap_or(i64::MAX)
    };
    let (total, total_is_floor) = if counted <= COUNT_CAP {
        (counted, false)
    } else if !has_next && !rows.is_empty() {
        // The last page: everyone before it and on it is the whole count.
        (seen, false)
    } else {
        (COUNT_CAP.max(seen), true)
    };
    let next_cursor = if has_next {
        rows.last().and_then(Cursor::of)
    } else {
        None
    };
    let prev_cursor = if page > 1 {
        rows.first().and_then(Cursor::of)
    } else {
        None
    };
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let links = Links::read(db, &ids).await?;
    let out = rows
        .into_iter()
        .map(|r| {
            let row_roles = links.roles(r.id);
            let row_sites = super::stored::sites_of(
                r.site_id,
                links.sites(r.id, Link::Site),
                links.sites(r.id, Link::GroupSite),
            );
            let is_admin = row_roles.iter().any(|x| x == Role::SdAdmin.as_str());
            let mut channels = Channels {
                points: links.channels(r.id, Link::ContactPoint),
                failing: links.channels(r.id, Link::Failing),
                ..Channels::default()
            };
            for (method, state, expires) in links.subscriptions(r.id) {
                channels.record(method, effective_state(state, expires, now));
            }
            TechnicianRow {
                manageable: super::stored::reach(
                    actor,
                    &r.name,
                    is_admin,
                    &row_sites,
                    crate::domain::Verb::Edit,
                )
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
        total_is_floor,
        has_next,
        next_cursor,
        prev_cursor,
        page,
        per_page,
        beta: settings::beta_channels(db).await?,
    })
}

/// The row count of a page, as a length.
fn limit(per_page: i64) -> usize {
    usize::try_from(per_page).unwrap_or(usize::MAX)
}

/// Up to `per_page + 1` rows from `start` (the extra one says whether the sort goes on past
/// the page). The page's ids come from the sort's index alone, skipped to or looked up at
/// the start; only they are then read whole. Read from a `Before` cursor, the rows come
/// backwards.
async fn read_rows(
    db: &Db,
    query: &ListQuery,
    filters: &Filters,
    per_page: i64,
    start: &Start,
) -> Result<Vec<Row>, ServiceError> {
    let key = sort_key(query.sort);
    let forwards = !matches!(start, Start::Before(_));
    let direction = if query.descending == forwards {
        "DESC"
    } else {
        "ASC"
    };
    let order = format!("{key} {direction}, t.id {direction}");
    let mut filters = filters.clone();
    let offset = match start {
        Start::Offset(offset) => *offset,
        Start::After(cursor) | Start::Before(cursor) => {
            let key_value = filters.value(cursor.key.clone());
            let id_value = filters.value(Value::Int(cursor.id));
            let beyond = if direction == "ASC" { ">" } else { "<" };
            // Spelled out rather than as a row value `(key, id) > (…)`: SQLite starts a range
            // of any index from a plain comparison (a row value was seen to read the login
            // index from its first entry).
            filters.clauses.push(format!(
                "{key} {beyond}= {key_value} AND ({key} {beyond} {key_value} OR t.id {beyond} {id_value})"
            ));
            0
        }
    };
    let where_sql = filters.sql();
    let sort_columns = sort_key_columns(query.sort);
    Ok(filters
        .bind(sqlx::query_as(&format!(
            "SELECT {COLUMNS}, {sort_columns} FROM technicians t \
             LEFT JOIN sites s ON s.id = t.site_id \
             LEFT JOIN departments d ON d.id = t.department_id \
             WHERE t.id IN (SELECT t.id FROM technicians t{where_sql} \
             ORDER BY {order} LIMIT {} OFFSET {offset}) \
             ORDER BY {order}",
            per_page + 1
        )))
        .fetch_all(db.reader())
        .await?)
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
