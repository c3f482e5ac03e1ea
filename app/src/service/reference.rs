//! Reference data: sites, departments and groups.

use super::actor::Actor;
use super::audit::{self, AuditContext, Entry};
use super::db::{is_unique_violation, Db};
use super::error::ServiceError;
use super::now_ms;
use crate::domain::{fold, FieldProblem, RefItem, ReferenceData, ShortText, SiteName, UdfColumn};
use crate::i18n::Lang;
use serde_json::json;

pub use crate::domain::Site;

type InsertReturningId<'q> =
    sqlx::query::QueryAs<'q, sqlx::Any, (i64,), <sqlx::Any as sqlx::Database>::Arguments<'q>>;

/// Runs `insert` and its audit entry in one transaction; a violation of the unique index
/// `unique` becomes a field error with `taken`'s message.
async fn insert_audited(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    insert: InsertReturningId<'_>,
    (unique, taken): (&str, FieldProblem),
    action: &str,
    after: serde_json::Value,
) -> Result<i64, ServiceError> {
    let mut tx = db.begin_write().await?;
    let (id,) = insert.fetch_one(&mut *tx).await.map_err(|e| {
        if is_unique_violation(&e, unique) {
            ServiceError::invalid("name", taken)
        } else {
            e.into()
        }
    })?;
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action,
            technician_id: None,
            before: None,
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn list_sites(db: &Db) -> Result<Vec<Site>, ServiceError> {
    let rows: Vec<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT id, name, language FROM sites ORDER BY lower(name)")
            .fetch_all(db.reader())
            .await?;
    Ok(rows.into_iter().map(site).collect())
}

fn site((id, name, language): (i64, String, Option<String>)) -> Site {
    Site {
        id,
        name,
        language: language.and_then(|code| Lang::parse_setting(&code).ok()),
    }
}

pub async fn find_site(db: &Db, name: &str) -> Result<Option<Site>, ServiceError> {
    let row: Option<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT id, name, language FROM sites WHERE name_key = $1")
            .bind(fold(name.trim()))
            .fetch_optional(db.reader())
            .await?;
    Ok(row.map(site))
}

/// Sets the language messages to a site's engineers are written in (`None`: English);
/// an engineer's own choice still wins.
pub async fn set_site_language(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    name: &SiteName,
    language: Option<Lang>,
) -> Result<(), ServiceError> {
    actor.require_admin(crate::domain::AdminTask::ChangeReferenceData)?;
    let site = require_site(db, name).await?;
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE sites SET language = $1 WHERE id = $2")
        .bind(language.map(Lang::code))
        .bind(site.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        ctx,
        Entry {
            action: "site.language",
            technician_id: None,
            before: Some(json!({ "site": site.name, "language": site.language.map(Lang::code) })),
            after: Some(json!({ "site": site.name, "language": language.map(Lang::code) })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn require_site(db: &Db, name: &SiteName) -> Result<Site, ServiceError> {
    find_site(db, name.as_ref()).await?.ok_or_else(|| {
        ServiceError::NotFound(crate::domain::Refusal::NoSite {
            site: name.to_string(),
        })
    })
}

pub async fn add_site(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    name: &SiteName,
) -> Result<Site, ServiceError> {
    actor.require_admin(crate::domain::AdminTask::ChangeReferenceData)?;
    let insert = sqlx::query_as(
        "INSERT INTO sites (name, name_key, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name.as_ref())
    .bind(fold(name.as_ref()))
    .bind(now_ms());
    let taken = FieldProblem::SiteExists {
        name: name.to_string(),
    };
    let after = json!({ "site": name.as_ref() });
    let id = insert_audited(
        db,
        actor,
        ctx,
        insert,
        ("sites_name_unique", taken),
        "site.add",
        after,
    )
    .await?;
    Ok(Site {
        id,
        name: name.to_string(),
        language: None,
    })
}

/// Adds a department under `site`, or under "Not associated to any site" when `None`.
pub async fn add_department(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    name: &SiteName,
    site: Option<&SiteName>,
) -> Result<i64, ServiceError> {
    actor.require_admin(crate::domain::AdminTask::ChangeReferenceData)?;
    let site = match site {
        Some(name) => Some(require_site(db, name).await?),
        None => None,
    };
    let insert = sqlx::query_as(
        "INSERT INTO departments (site_id, name, name_key, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(site.as_ref().map(|s| s.id))
    .bind(name.as_ref())
    .bind(fold(name.as_ref()))
    .bind(now_ms());
    let taken = FieldProblem::DepartmentExists {
        name: name.to_string(),
    };
    let after = json!({ "department": name.as_ref(), "site": site.as_ref().map(|s| &s.name) });
    insert_audited(
        db,
        actor,
        ctx,
        insert,
        ("departments_name_unique", taken),
        "department.add",
        after,
    )
    .await
}

pub async fn add_group(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    site: &SiteName,
    name: &SiteName,
) -> Result<i64, ServiceError> {
    actor.require_admin(crate::domain::AdminTask::ChangeReferenceData)?;
    let site = require_site(db, site).await?;
    let insert = sqlx::query_as(
        "INSERT INTO tech_groups (site_id, name, name_key, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(site.id)
    .bind(name.as_ref())
    .bind(fold(name.as_ref()))
    .bind(now_ms());
    let taken = FieldProblem::GroupExists {
        name: name.to_string(),
        site: site.name.clone(),
    };
    let after = json!({ "group": name.as_ref(), "site": site.name });
    insert_audited(
        db,
        actor,
        ctx,
        insert,
        ("tech_groups_name_unique", taken),
        "group.add",
        after,
    )
    .await
}

/// Finds the department `name` under `site_id` (`None`: "Not associated to any site").
pub async fn find_department(
    db: &Db,
    site_id: Option<i64>,
    name: &str,
) -> Result<Option<i64>, ServiceError> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM departments WHERE coalesce(site_id, 0) = $1 AND name_key = $2",
    )
    .bind(site_id.unwrap_or(0))
    .bind(fold(name.trim()))
    .fetch_optional(db.reader())
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Resolves `site-group`: site names may contain `-` themselves, so the longest known site
/// name that prefixes the entry wins.
pub async fn find_group(db: &Db, entry: &str) -> Result<Option<(i64, i64)>, ServiceError> {
    let sites = list_sites(db).await?;
    let mut candidates: Vec<&Site> = sites
        .iter()
        .filter(|s| {
            entry.len() > s.name.len() + 1
                && entry.is_char_boundary(s.name.len())
                && fold(&entry[..s.name.len()]) == fold(&s.name)
                && entry.as_bytes()[s.name.len()] == b'-'
        })
        .collect();
    candidates.sort_by_key(|s| std::cmp::Reverse(s.name.len()));
    for site in candidates {
        let group = &entry[site.name.len() + 1..];
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM tech_groups WHERE site_id = $1 AND name_key = $2")
                .bind(site.id)
                .bind(fold(group.trim()))
                .fetch_optional(db.reader())
                .await?;
        if let Some((id,)) = row {
            return Ok(Some((id, site.id)));
        }
    }
    Ok(None)
}

pub use crate::domain::Udf;

pub async fn list_udfs(db: &Db) -> Result<Vec<Udf>, ServiceError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT column_name, alias FROM udf_definitions ORDER BY column_name")
            .fetch_all(db.reader())
            .await?;
    Ok(rows
        .into_iter()
        .map(|(column, alias)| Udf { column, alias })
        .collect())
}

/// Defines a user-defined field; the XML API then accepts `column` as an attribute.
pub async fn add_udf(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    column: &UdfColumn,
    alias: &ShortText,
) -> Result<i64, ServiceError> {
    actor.require_admin(crate::domain::AdminTask::ChangeReferenceData)?;
    let insert = sqlx::query_as(
        "INSERT INTO udf_definitions (column_name, alias, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(column.as_ref())
    .bind(alias.as_ref())
    .bind(now_ms());
    let taken = FieldProblem::UdfExists {
        column: column.to_string(),
    };
    let after = json!({ "udf": column.as_ref(), "alias": alias.as_ref() });
    insert_audited(
        db,
        actor,
        ctx,
        insert,
        ("udf_definitions_column_unique", taken),
        "udf.add",
        after,
    )
    .await
}

async fn items(db: &Db, sql: &str) -> Result<Vec<RefItem>, ServiceError> {
    let rows: Vec<(i64, String, Option<String>)> =
        sqlx::query_as(sql).fetch_all(db.reader()).await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, site)| RefItem { id, name, site })
        .collect())
}

/// Everything the reference-data page lists; every signed-in technician may read it.
pub async fn reference_data(db: &Db, actor: &Actor) -> Result<ReferenceData, ServiceError> {
    Ok(ReferenceData {
        sites: list_sites(db).await?,
        departments: items(
            db,
            "SELECT d.id, d.name, s.name FROM departments d LEFT JOIN sites s ON s.id = d.site_id \
             ORDER BY lower(coalesce(s.name, '')), lower(d.name)",
        )
        .await?,
        groups: items(
            db,
            "SELECT g.id, g.name, s.name FROM tech_groups g JOIN sites s ON s.id = g.site_id \
             ORDER BY lower(s.name), lower(g.name)",
        )
        .await?,
        udfs: list_udfs(db).await?,
        editable: actor.is_admin(),
    })
}
