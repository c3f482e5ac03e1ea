//! Where a technician sits: site, department, associated sites, groups, roles and UDF values,
//! resolved from the names a request gives and written as the link rows. Add and update share
//! these, so both follow the same rules for unknown names.

use crate::domain::{FieldErrors, FieldProblem, Notice, Role, ShortText, SiteChoice, SiteName};
use crate::service::db::{Db, Value};
use crate::service::error::ServiceError;
use crate::service::reference;
use sqlx::AnyConnection;

/// The primary site; an unknown one leaves the technician "Not associated" with a note.
pub async fn site(
    db: &Db,
    choice: &SiteChoice,
    notes: &mut Vec<Notice>,
) -> Result<Option<i64>, ServiceError> {
    match choice {
        SiteChoice::NotAssociated => Ok(None),
        SiteChoice::Named(name) => match reference::find_site(db, name.as_ref()).await? {
            Some(site) => Ok(Some(site.id)),
            None => {
                notes.push(Notice::SiteNotFound {
                    site: name.to_string(),
                });
                Ok(None)
            }
        },
    }
}

/// The department under `site_id`; an unknown one means no department and no site.
/// Answers the (possibly changed) site and the department.
pub async fn department(
    db: &Db,
    site_id: Option<i64>,
    name: &ShortText,
    notes: &mut Vec<Notice>,
) -> Result<(Option<i64>, Option<i64>), ServiceError> {
    match reference::find_department(db, site_id, name.as_ref()).await? {
        Some(id) => Ok((site_id, Some(id))),
        None => {
            notes.push(Notice::DepartmentNotFound {
                department: name.to_string(),
            });
            Ok((None, None))
        }
    }
}

/// The most associated sites, groups or UDF values one request may name: each is looked up.
const MAX_ENTRIES: usize = 200;

/// Associated sites must exist: a typo here would silently widen or narrow who administers
/// the technician.
pub async fn associated_sites(
    db: &Db,
    names: &[SiteName],
    errors: &mut FieldErrors,
) -> Result<Vec<i64>, ServiceError> {
    let mut ids = Vec::new();
    if names.len() > MAX_ENTRIES {
        errors.push("associateSites", FieldProblem::TooMany { max: MAX_ENTRIES });
        return Ok(ids);
    }
    let mut seen = std::collections::HashSet::new();
    for name in names
        .iter()
        .filter(|n| seen.insert(crate::domain::fold(n.as_ref())))
    {
        match reference::find_site(db, name.as_ref()).await? {
            Some(site) if !ids.contains(&site.id) => ids.push(site.id),
            Some(_) => {}
            None => errors.push(
                "associateSites",
                FieldProblem::NoSuchSite {
                    site: name.to_string(),
                },
            ),
        }
    }
    Ok(ids)
}

/// Groups as (group id, site id).
pub async fn groups(
    db: &Db,
    entries: &[ShortText],
    errors: &mut FieldErrors,
) -> Result<Vec<(i64, i64)>, ServiceError> {
    let mut groups = Vec::new();
    if entries.len() > MAX_ENTRIES {
        errors.push(
            "associateGroups",
            FieldProblem::TooMany { max: MAX_ENTRIES },
        );
        return Ok(groups);
    }
    let mut seen = std::collections::HashSet::new();
    for entry in entries
        .iter()
        .filter(|e| seen.insert(crate::domain::fold(e.as_ref())))
    {
        match reference::find_group(db, entry.as_ref()).await? {
            Some(group) if !groups.contains(&group) => groups.push(group),
            Some(_) => {}
            None => errors.push(
                "associateGroups",
                FieldProblem::NoSuchGroup {
                    group: entry.to_string(),
                },
            ),
        }
    }
    Ok(groups)
}

/// UDF values by defined column name, as (udf id, value; empty = clear). A column that is not
/// defined is an unknown attribute and is ignored, as the API ignores every unknown attribute.
pub async fn udfs(
    db: &Db,
    values: &[(String, String)],
    errors: &mut FieldErrors,
) -> Result<Vec<(i64, String)>, ServiceError> {
    let mut resolved = Vec::new();
    if values.len() > MAX_ENTRIES {
        errors.push("udfs", FieldProblem::TooMany { max: MAX_ENTRIES });
        return Ok(resolved);
    }
    for (column, value) in values {
        // A name no column can have is looked up nowhere (a NUL is not even a PostgreSQL
        // string).
        if crate::domain::UdfColumn::parse(column).is_err() {
            continue;
        }
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM udf_definitions WHERE column_name = $1")
                .bind(column)
                .fetch_optional(db.reader())
                .await?;
        let Some((id,)) = row else { continue };
        if value.chars().count() > 1000 || value.chars().any(|c| c.is_control() && c != '\n') {
            errors.push(column, FieldProblem::PlainText { max: 1000 });
        } else {
            resolved.push((id, value.trim().to_owned()));
        }
    }
    Ok(resolved)
}

/// The UDF values a technician has, as (udf id, value).
pub async fn udfs_of(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Vec<(i64, String)>, ServiceError> {
    Ok(
        sqlx::query_as("SELECT udf_id, value FROM technician_udfs WHERE technician_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?,
    )
}

pub async fn write_roles(
    conn: &mut AnyConnection,
    id: i64,
    roles: &[Role],
) -> Result<(), ServiceError> {
    sqlx::query("DELETE FROM technician_roles WHERE technician_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (position, role) in roles.iter().enumerate() {
        sqlx::query(
            "INSERT INTO technician_roles (technician_id, role, position) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(role.as_str())
        .bind(position as i64)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Replaces the rows of a position-ordered link table. `table` and `column` are constants
/// of this module, never input.
async fn write_links(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
    id: i64,
    linked: impl Iterator<Item = i64>,
) -> Result<(), ServiceError> {
    sqlx::query(&format!("DELETE FROM {table} WHERE technician_id = $1"))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let insert =
        format!("INSERT INTO {table} (technician_id, {column}, position) VALUES ($1, $2, $3)");
    for (position, other) in linked.enumerate() {
        sqlx::query(&insert)
            .bind(id)
            .bind(other)
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn write_sites(
    conn: &mut AnyConnection,
    id: i64,
    site_ids: &[i64],
) -> Result<(), ServiceError> {
    write_links(
        conn,
        "technician_sites",
        "site_id",
        id,
        site_ids.iter().copied(),
    )
    .await
}

pub async fn write_groups(
    conn: &mut AnyConnection,
    id: i64,
    groups: &[(i64, i64)],
) -> Result<(), ServiceError> {
    let ids = groups.iter().map(|(group, _)| *group);
    write_links(conn, "technician_groups", "group_id", id, ids).await
}

/// Sets or clears (empty value) each UDF.
pub async fn write_udfs(
    conn: &mut AnyConnection,
    id: i64,
    udfs: &[(i64, String)],
) -> Result<(), ServiceError> {
    for (udf_id, value) in udfs {
        sqlx::query("DELETE FROM technician_udfs WHERE technician_id = $1 AND udf_id = $2")
            .bind(id)
            .bind(udf_id)
            .execute(&mut *conn)
            .await?;
        if !value.is_empty() {
            sqlx::query(
                "INSERT INTO technician_udfs (technician_id, udf_id, value) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(udf_id)
            .bind(value)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// The link rows of a technician just inserted: nothing to replace, one multi-row insert per
/// table that has rows, none for an empty list.
pub async fn insert_links(
    conn: &mut AnyConnection,
    id: i64,
    roles: &[Role],
    site_ids: &[i64],
    groups: &[(i64, i64)],
    udfs: &[(i64, String)],
) -> Result<(), ServiceError> {
    let positioned = |items: Vec<i64>| -> Vec<(Value, Value)> {
        items
            .into_iter()
            .zip(0..)
            .map(|(item, position)| (Value::Int(item), Value::Int(position)))
            .collect()
    };
    let roles = roles
        .iter()
        .zip(0..)
        .map(|(role, position)| (Value::Text(role.as_str().to_owned()), Value::Int(position)))
        .collect();
    insert_rows(
        conn,
        "technician_roles (technician_id, role, position)",
        id,
        roles,
    )
    .await?;
    let sites = positioned(site_ids.to_vec());
    insert_rows(
        conn,
        "technician_sites (technician_id, site_id, position)",
        id,
        sites,
    )
    .await?;
    let groups = positioned(groups.iter().map(|(group, _)| *group).collect());
    insert_rows(
        conn,
        "technician_groups (technician_id, group_id, position)",
        id,
        groups,
    )
    .await?;
    let udfs = udfs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(udf, value)| (Value::Int(*udf), Value::Text(value.clone())))
        .collect();
    insert_rows(
        conn,
        "technician_udfs (technician_id, udf_id, value)",
        id,
        udfs,
    )
    .await
}

/// The `(id, a, b)` rows of one link table `into` (a constant of this module, never input).
async fn insert_rows(
    conn: &mut AnyConnection,
    into: &str,
    id: i64,
    rows: Vec<(Value, Value)>,
) -> Result<(), ServiceError> {
    let rows: Vec<Vec<Value>> = rows
        .into_iter()
        .map(|(a, b)| vec![Value::Int(id), a, b])
        .collect();
    crate::service::db::insert_rows(conn, into, "", &rows).await?;
    Ok(())
}
