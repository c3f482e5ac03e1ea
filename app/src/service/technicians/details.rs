//! A technician read back as the API's attributes: GetTechnician's `Details` and the audit
//! log's before/after. Never the password.

use crate::domain::webhook::{mask_address, mask_secret};
use crate::domain::Role;
use crate::domain::{CostPerHour, TechnicianRef};
use crate::service::actor::Actor;
use crate::service::contact_points::ContactPoint;
use crate::service::db::{by_many_ids as by_ids, Db};
use crate::service::error::ServiceError;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// Attribute/value pairs in the order AddTechnician lists them, then UDFs by column name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Details(pub Vec<(String, String)>);

impl Details {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect(),
        )
    }
}

/// The columns of `technicians` (and its site and department) one picture is made of.
#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    alias: Option<String>,
    employee_id: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    mobile: Option<String>,
    sms_mail_id: Option<String>,
    cost_per_hr_cents: Option<i64>,
    job_title: Option<String>,
    site_name: Option<String>,
    department_name: Option<String>,
    approve_purchase_order: i64,
    login_enabled: i64,
    login_name: Option<String>,
    login_domain: String,
    language: Option<String>,
}

/// The audit log's picture of a technician: the API attributes, plus its contact points
/// masked (the log must show that they changed, never what they are).
pub(crate) async fn snapshot(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<serde_json::Value>, ServiceError> {
    Ok(snapshots(conn, &[id]).await?.remove(&id))
}

/// [`snapshot`] of many technicians in a fixed number of statements (a sync's batch).
pub(crate) async fn snapshots(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, serde_json::Value>, ServiceError> {
    let pictures = read_many(conn, ids).await?;
    Ok(pictures
        .into_iter()
        .map(|(id, (details, contacts))| {
            let mut json = details.to_json();
            if let Some(map) = json.as_object_mut() {
                for (field, value) in masked_contacts(&contacts) {
                    map.insert(camel(&field), serde_json::Value::String(value));
                }
            }
            (id, json)
        })
        .collect())
}

/// Contact points as the console and the audit log may show them, by form field name.
pub(crate) fn masked_contacts(points: &[ContactPoint]) -> Vec<(String, String)> {
    let mut shown = Vec::new();
    for point in points {
        let Some(spec) = point.channel.contact() else {
            continue;
        };
        if let Some(address) = &point.address {
            shown.push((
                spec.address_field.to_owned(),
                mask_address(point.channel, address),
            ));
        }
        if let (Some(field), Some(hint)) = (spec.secret_field, &point.secret_hint) {
            shown.push((field.to_owned(), mask_secret(hint)));
        }
    }
    shown
}

/// `wecom_webhook` as the audit log's attributes are named: `wecomWebhook`.
fn camel(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut upper = false;
    for c in field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// GetTechnician: any signed-in technician may read any technician (the roster is shared).
pub async fn get_technician(
    db: &Db,
    _actor: &Actor,
    target: &TechnicianRef,
) -> Result<(i64, Details), ServiceError> {
    let mut conn = db.reader().acquire().await?;
    let id = super::identify::resolve(&mut conn, target).await?;
    let details = read(&mut conn, id).await?.ok_or_else(|| {
        ServiceError::NotFound(crate::domain::Refusal::NoTechnicianMatches {
            target: target.clone(),
        })
    })?;
    Ok((id, details))
}

/// Whether technician `id` came from a directory that no longer lists it.
pub async fn is_gone_from_directory(db: &Db, id: i64) -> Result<bool, ServiceError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT directory_missing FROM technicians WHERE id = $1")
            .bind(id)
            .fetch_optional(db.reader())
            .await?;
    Ok(row.is_some_and(|(missing,)| missing != 0))
}

/// The version of technician `id` (its `ETag` in the API), if it exists.
pub async fn version_of(db: &Db, id: i64) -> Result<Option<i64>, ServiceError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT version FROM technicians WHERE id = $1")
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    Ok(row.map(|(v,)| v))
}

pub async fn details(db: &Db, id: i64) -> Result<Option<Details>, ServiceError> {
    let mut conn = db.reader().acquire().await?;
    read(&mut conn, id).await
}

pub(crate) async fn read(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Details>, ServiceError> {
    Ok(read_many(conn, &[id])
        .await?
        .remove(&id)
        .map(|(details, _)| details))
}

/// The API attributes and contact points of each of `ids` that exists.
pub(crate) async fn read_many(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, (Details, Vec<ContactPoint>)>, ServiceError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<Row> = by_ids(
        &mut *conn,
        "SELECT t.id, t.name, t.alias, t.employee_id, t.email, t.phone, t.mobile, t.sms_mail_id, \
         t.cost_per_hr_cents, t.job_title, s.name AS site_name, d.name AS department_name, \
         t.approve_purchase_order, t.login_enabled, t.login_name, t.login_domain, t.language \
         FROM technicians t LEFT JOIN sites s ON s.id = t.site_id \
         LEFT JOIN departments d ON d.id = t.department_id WHERE t.id IN ({})",
        ids,
    )
    .await?;
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    // Associated sites, groups, roles, UDF values and the UDFs defined, in one statement:
    // `kind` says which, `a`/`b`/`number` hold its values.
    #[derive(sqlx::FromRow)]
    struct Link {
        kind: i64,
        technician_id: i64,
        a: String,
        b: Option<String>,
        number: Option<i64>,
    }
    let links: Vec<Link> = by_ids(
        &mut *conn,
        "SELECT CAST(0 AS BIGINT) AS kind, ts.technician_id, ts.position AS ord, s.name AS a, \
         NULL AS b, CAST(NULL AS BIGINT) AS number FROM technician_sites ts \
         JOIN sites s ON s.id = ts.site_id WHERE ts.technician_id IN ({}) \
         UNION ALL SELECT 1, tg.technician_id, tg.position, s.name, g.name, NULL \
         FROM technician_groups tg JOIN tech_groups g ON g.id = tg.group_id \
         JOIN sites s ON s.id = g.site_id WHERE tg.technician_id IN ({}) \
         UNION ALL SELECT 2, technician_id, position, role, NULL, NULL \
         FROM technician_roles WHERE technician_id IN ({}) \
         UNION ALL SELECT 3, technician_id, 0, value, NULL, udf_id \
         FROM technician_udfs WHERE technician_id IN ({}) \
         UNION ALL SELECT 4, 0, 0, column_name, NULL, id FROM udf_definitions \
         ORDER BY 1, 2, 3, 4",
        ids,
    )
    .await?;
    let mut sites: HashMap<i64, Vec<String>> = HashMap::new();
    let mut groups: HashMap<i64, Vec<String>> = HashMap::new();
    let mut roles: HashMap<i64, Vec<String>> = HashMap::new();
    let mut udf_values: HashMap<(i64, i64), String> = HashMap::new();
    // Every defined UDF, empty where the technician has no value, so a reader sees the
    // whole form.
    let mut defined: Vec<(i64, String)> = Vec::new();
    for link in links {
        let (id, a) = (link.technician_id, link.a);
        match (link.kind, link.b, link.number) {
            (0, _, _) => sites.entry(id).or_default().push(a),
            (1, Some(group), _) => groups.entry(id).or_default().push(format!("{a}-{group}")),
            (2, _, _) => {
                if let Ok(role) = Role::parse(&a) {
                    roles.entry(id).or_default().push(role.as_str().to_owned());
                }
            }
            (3, _, Some(udf)) => {
                udf_values.insert((id, udf), a);
            }
            // Read again with every batch of ids: kept once.
            (4, _, Some(udf)) if !defined.iter().any(|(known, _)| *known == udf) => {
                defined.push((udf, a));
            }
            _ => {}
        }
    }
    let mut contacts = crate::service::contact_points::of_many(&mut *conn, ids).await?;
    let opt = |v: Option<String>| v.unwrap_or_default();
    let flag = |v: i64| if v != 0 { "true" } else { "false" }.to_owned();
    Ok(rows
        .into_iter()
        .map(|r| {
            let id = r.id;
            let mut pairs = vec![
                ("name".to_owned(), r.name),
                ("alias".to_owned(), opt(r.alias)),
                ("employeeId".to_owned(), opt(r.employee_id)),
                ("email".to_owned(), opt(r.email)),
                ("phone".to_owned(), opt(r.phone)),
                ("mobile".to_owned(), opt(r.mobile)),
                ("smsMailId".to_owned(), opt(r.sms_mail_id)),
                (
                    "costPerHr".to_owned(),
                    r.cost_per_hr_cents
                        .and_then(CostPerHour::from_cents)
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                ),
                ("jobTitle".to_owned(), opt(r.job_title)),
                (
                    "techSiteName".to_owned(),
                    r.site_name.unwrap_or_else(|| "default".to_owned()),
                ),
                ("departmentName".to_owned(), opt(r.department_name)),
                (
                    "associateSites".to_owned(),
                    sites.remove(&id).unwrap_or_default().join(","),
                ),
                (
                    "associateGroups".to_owned(),
                    groups.remove(&id).unwrap_or_default().join(","),
                ),
                (
                    "associateRols".to_owned(),
                    roles.remove(&id).unwrap_or_default().join(","),
                ),
                (
                    "approvePurchaseOrder".to_owned(),
                    flag(r.approve_purchase_order),
                ),
                ("enableLogin".to_owned(), flag(r.login_enabled)),
                ("loginName".to_owned(), opt(r.login_name)),
                ("userDomainName".to_owned(), r.login_domain),
                ("language".to_owned(), opt(r.language)),
            ];
            pairs.extend(defined.iter().map(|(udf, column)| {
                (
                    column.clone(),
                    udf_values.remove(&(id, *udf)).unwrap_or_default(),
                )
            }));
            let points = contacts.remove(&id).unwrap_or_default();
            (id, (Details(pairs), points))
        })
        .collect())
}
