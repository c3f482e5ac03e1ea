//! The roster's filters and sorts as SQL: what a search, a site, a role or a subscription
//! state keeps, and the key each sort orders by.

use super::*;

/// The WHERE clause of the filters a query asks for, and their values: a filter left empty
/// adds nothing, so the planner sees only what is asked.
#[derive(Default, Clone)]
pub(super) struct Filters {
    pub(super) clauses: Vec<String>,
    values: Vec<Value>,
}

impl Filters {
    /// The placeholder of a new value.
    pub(super) fn value(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    pub(super) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    pub(super) fn bind<'q, O>(
        &'q self,
        query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
        bind_values_as(query, &self.values)
    }

    pub(super) fn new(query: &ListQuery, backend: Backend, now: i64) -> Self {
        let mut f = Filters::default();
        let search = crate::domain::roster::search_terms(&query.search);
        let search = search.as_str();
        if !search.is_empty() {
            let folded = crate::domain::fold(search);
            // A trigram index finds substrings of three characters or more; the LIKE keeps
            // the meaning exact (and does the work alone for shorter ones).
            if backend == Backend::Sqlite && folded.chars().count() >= 3 {
                let phrase = format!("\"{}\"", folded.replace('"', "\"\""));
                let p = f.value(Value::Text(phrase));
                f.clauses.push(format!(
                    "t.id IN (SELECT rowid FROM technicians_search WHERE technicians_search MATCH {p})"
                ));
            }
            let p = f.value(Value::Text(like_contains(search)));
            f.clauses
                .push(format!("t.search_text LIKE {p} ESCAPE '\\'"));
        }
        match query.site.as_str() {
            "" => {}
            "none" => f.clauses.push("t.site_id IS NULL".into()),
            other => {
                // An id that is not a number matches no site rather than every site.
                let id = other.parse::<i64>().unwrap_or(-1);
                let p = f.value(Value::Int(id));
                f.clauses.push(format!("t.site_id = {p}"));
            }
        }
        match query.role.as_str() {
            "" => {}
            "none" => f.clauses.push(
                "NOT EXISTS (SELECT 1 FROM technician_roles r WHERE r.technician_id = t.id)".into(),
            ),
            other => {
                if let Ok(role) = Role::parse(other) {
                    let p = f.value(Value::Text(role.as_str().to_owned()));
                    f.clauses.push(format!(
                        "EXISTS (SELECT 1 FROM technician_roles r WHERE r.technician_id = t.id AND r.role = {p})"
                    ));
                }
            }
        }
        let subscription = |condition: &str| {
            format!(
                "EXISTS (SELECT 1 FROM subscriptions s WHERE s.technician_id = t.id AND {condition})"
            )
        };
        match SubState::parse(&query.state) {
            Some(SubState::Confirmed) => f.clauses.push(subscription("s.state = 'confirmed'")),
            Some(SubState::Pending) => {
                let p = f.value(Value::Int(now));
                f.clauses.push(subscription(&format!(
                    "s.state = 'pending' AND s.expires_at > {p}"
                )));
            }
            Some(SubState::Expired) => {
                let p = f.value(Value::Int(now));
                f.clauses.push(subscription(&format!(
                    "(s.state = 'expired' OR (s.state = 'pending' AND s.expires_at <= {p}))"
                )));
            }
            Some(SubState::Unsubscribed) => f.clauses.push(format!(
                "NOT {}",
                subscription("s.state IN ('pending', 'confirmed', 'expired')")
            )),
            None => {}
        }
        match query.directory.as_str() {
            "missing" => f.clauses.push("t.directory_missing = 1".into()),
            "synced" => f
                .clauses
                .push("t.directory_source IS NOT NULL AND t.directory_missing = 0".into()),
            _ => {}
        }
        f
    }
}

/// The sort's column: each has an index that a page is read from (migrations 0009, 0010).
pub(super) fn sort_key(sort: SortKey) -> &'static str {
    match sort {
        SortKey::Name => "t.name_key",
        SortKey::Login => "t.login_sort",
        SortKey::Site => "t.site_key",
        SortKey::Updated => "t.updated_at",
    }
}

/// The sort key as a page's row reports it, for the cursors of the links next to it.
pub(super) fn sort_key_columns(sort: SortKey) -> String {
    let key = sort_key(sort);
    if sort == SortKey::Updated {
        format!("CAST(NULL AS TEXT) AS sort_text, {key} AS sort_number")
    } else {
        format!("{key} AS sort_text, CAST(NULL AS BIGINT) AS sort_number")
    }
}
