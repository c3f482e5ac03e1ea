//! The roster as the engineer table shows it: searched and paginated.

use crate::domain::{ListQuery, Page, TechnicianRow};
use crate::service::auth::Actor;
use crate::service::db::Db;
use crate::service::error::ServiceError;

type Row = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Escapes LIKE wildcards so a search for `50%` finds "50%", not everything.
fn like_pattern(search: &str) -> String {
    let mut pattern = String::from("%");
    for c in search.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

const FILTER: &str = "($1 = '' OR lower(t.name) LIKE $2 ESCAPE '\\' \
    OR lower(coalesce(t.alias, '')) LIKE $2 ESCAPE '\\' \
    OR lower(coalesce(t.login_name, '')) LIKE $2 ESCAPE '\\' \
    OR lower(coalesce(t.email, '')) LIKE $2 ESCAPE '\\' \
    OR coalesce(t.mobile, '') LIKE $2 ESCAPE '\\')";

/// Every signed-in technician may see the roster.
pub async fn list_technicians(
    db: &Db,
    _actor: &Actor,
    query: &ListQuery,
) -> Result<Page, ServiceError> {
    let per_page = query.per_page.clamp(1, 200);
    let page = query.page.max(1);
    let search = query.search.trim();
    let pattern = like_pattern(search);
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT count(*) FROM technicians t WHERE {FILTER}"
    ))
    .bind(search)
    .bind(&pattern)
    .fetch_one(db.reader())
    .await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT t.id, t.name, t.alias, t.login_name, s.name, d.name, t.mobile, t.email \
         FROM technicians t LEFT JOIN sites s ON s.id = t.site_id \
         LEFT JOIN departments d ON d.id = t.department_id \
         WHERE {FILTER} ORDER BY lower(t.name), t.id LIMIT $3 OFFSET $4"
    ))
    .bind(search)
    .bind(&pattern)
    .bind(i64::from(per_page))
    .bind(i64::from(page - 1) * i64::from(per_page))
    .fetch_all(db.reader())
    .await?;
    let mut out: Vec<TechnicianRow> = rows
        .into_iter()
        .map(|r| TechnicianRow {
            id: r.0,
            name: r.1,
            alias: r.2,
            login_name: r.3,
            site: r.4,
            department: r.5,
            mobile: r.6,
            email: r.7,
            roles: Vec::new(),
        })
        .collect();
    if !out.is_empty() {
        let placeholders: Vec<String> = (1..=out.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT technician_id, role FROM technician_roles WHERE technician_id IN ({}) ORDER BY position",
            placeholders.join(", ")
        );
        let mut roles = sqlx::query_as::<_, (i64, String)>(&sql);
        for row in &out {
            roles = roles.bind(row.id);
        }
        for (id, role) in roles.fetch_all(db.reader()).await? {
            if let Some(row) = out.iter_mut().find(|r| r.id == id) {
                row.roles.push(role);
            }
        }
    }
    Ok(Page {
        rows: out,
        total,
        page,
        per_page,
    })
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn search_wildcards_are_taken_literally() {
        assert_eq!(like_pattern(" 50%_Off "), "%50\\%\\_off%");
    }
}
