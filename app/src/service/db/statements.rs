//! Statements built for many rows at once within each backend's limit of bound values, and
//! the small helpers every store shares.

/// Values bound to one statement at most. SQLite finds each bound value's place by walking
/// the statement's list of parameter names (`sqlite3_bind_parameter_name`), so binding n
/// values costs n²: a 500-row insert of 8,500 values spent most of a sync there. A few
/// hundred keep that negligible while a batch stays a handful of statements.
pub const VALUES_PER_STATEMENT: usize = 256;

/// A value bound to a numbered parameter of a statement built at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Int(i64),
    Text(String),
}

/// `query` with `values` bound to its numbered parameters, in order.
pub fn bind_values<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    values: impl IntoIterator<Item = &'q Value>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    values.into_iter().fold(query, |query, value| match value {
        Value::Int(v) => query.bind(*v),
        Value::Text(v) => query.bind(v.as_str()),
    })
}

/// [`bind_values`] for a query that reads rows.
pub fn bind_values_as<'q, O>(
    query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    values: impl IntoIterator<Item = &'q Value>,
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    values.into_iter().fold(query, |query, value| match value {
        Value::Int(v) => query.bind(*v),
        Value::Text(v) => query.bind(v.as_str()),
    })
}

/// `INSERT INTO {into} VALUES (…), (…) {tail}` for `rows` (each as wide as the first), in as
/// few statements as [`VALUES_PER_STATEMENT`] allows. `into` and `tail` are constants of the
/// caller, never input. No rows, no statement.
pub async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    into: &str,
    tail: &str,
    rows: &[Vec<Value>],
) -> Result<(), sqlx::Error> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    for part in rows.chunks(rows_per_statement(width)) {
        let values: Vec<String> = (0..part.len())
            .map(|i| format!("({})", placeholders(i * width + 1, width)))
            .collect();
        let sql = format!("INSERT INTO {into} VALUES {} {tail}", values.join(", "));
        bind_values(sqlx::query(&sql), part.iter().flatten())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Rows per multi-row statement for rows of `values` bound values each.
pub const fn rows_per_statement(values: usize) -> usize {
    let rows = VALUES_PER_STATEMENT / if values == 0 { 1 } else { values };
    if rows == 0 {
        1
    } else {
        rows
    }
}

/// `$first, $first+1, …` for `count` values.
pub fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rows of `sql` with `{}` replaced by the ids (its only parameters): a batch of any
/// size in one statement. No ids, no statement.
pub async fn by_ids<'c, E, T>(executor: E, sql: &str, ids: &[i64]) -> Result<Vec<T>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
    T: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = sql.replace("{}", &placeholders(1, ids.len()));
    let mut query = sqlx::query_as::<_, T>(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    query.fetch_all(executor).await
}

/// [`by_ids`] for any number of ids, [`VALUES_PER_STATEMENT`] at a time, on a connection.
pub async fn by_many_ids<T>(
    conn: &mut sqlx::AnyConnection,
    sql: &str,
    ids: &[i64],
) -> Result<Vec<T>, sqlx::Error>
where
    T: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
{
    let mut rows = Vec::new();
    for part in ids.chunks(VALUES_PER_STATEMENT) {
        rows.extend(by_ids(&mut *conn, sql, part).await?);
    }
    Ok(rows)
}

/// A `LIKE … ESCAPE '\\'` pattern that finds `text`, lower-cased, anywhere: wildcards in
/// the text are taken literally, so a search for `50%` finds "50%", not everything.
pub fn like_contains(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in crate::domain::fold(text.trim()).chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// SQLite names an index on plain columns by its columns, not its name, in the error.
const SQLITE_COLUMN_INDEXES: [(&str, &str); 9] = [
    ("technicians_login_unique", "technicians.login_key"),
    ("sites_name_unique", "sites.name_key"),
    (
        "tech_groups_name_unique",
        "tech_groups.site_id, tech_groups.name_key",
    ),
    (
        "udf_definitions_column_unique",
        "udf_definitions.column_name",
    ),
    ("api_keys_live_name", "api_keys.name"),
    (
        "notifications_idempotency",
        "notifications.api_key_id, notifications.idempotency_key",
    ),
    (
        "technicians_directory_unique",
        "technicians.directory_source, technicians.directory_id",
    ),
    ("sync_runs_one_running", "sync_runs.running"),
    ("directories_name", "directories.name_key"),
];

/// Whether `err` is the violation of the unique index `name`.
pub fn is_unique_violation(err: &sqlx::Error, name: &str) -> bool {
    let sqlite_columns = SQLITE_COLUMN_INDEXES
        .iter()
        .find(|(index, _)| *index == name)
        .map(|(_, columns)| *columns);
    match err {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                && (db.constraint() == Some(name)
                    || db.message().contains(name)
                    || sqlite_columns.is_some_and(|c| db.message().ends_with(c)))
        }
        _ => false,
    }
}
