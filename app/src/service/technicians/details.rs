//! A technician read back as the API's attributes: GetTechnician's `Details` and the audit
//! log's before/after. Never the password.

use crate::domain::webhook::{mask_secret, mask_url};
use crate::domain::{CostPerHour, TechnicianRef};
use crate::service::actor::Actor;
use crate::service::db::Db;
use crate::service::error::ServiceError;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

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

type Row = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
    Option<String>,
    String,
);

/// The audit log's picture of a technician: the API attributes, plus the robot credentials
/// masked (the log must show that they changed, never what they are).
pub(crate) async fn snapshot(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<serde_json::Value>, ServiceError> {
    let Some(details) = read(conn, id).await? else {
        return Ok(None);
    };
    let robots: Option<RobotColumns> = sqlx::query_as(
        "SELECT wecom_webhook, dingtalk_webhook, dingtalk_secret, lark_webhook, lark_secret \
         FROM technicians WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let mut json = details.to_json();
    if let (Some((wecom, dingtalk, dingtalk_secret, lark, lark_secret)), Some(map)) =
        (robots, json.as_object_mut())
    {
        let masked = [
            ("wecomWebhook", wecom.as_deref().map(mask_url)),
            ("dingtalkWebhook", dingtalk.as_deref().map(mask_url)),
            (
                "dingtalkSecret",
                dingtalk_secret.as_deref().map(mask_secret),
            ),
            ("larkWebhook", lark.as_deref().map(mask_url)),
            ("larkSecret", lark_secret.as_deref().map(mask_secret)),
        ];
        for (key, value) in masked {
            if let Some(value) = value {
                map.insert(key.to_owned(), serde_json::Value::String(value));
            }
        }
    }
    Ok(Some(json))
}

type RobotColumns = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// GetTechnician: any signed-in technician may read any technician (the roster is shared).
pub async fn get_technician(
    db: &Db,
    _actor: &Actor,
    target: &TechnicianRef,
) -> Result<(i64, Details), ServiceError> {
    let mut conn = db.reader().acquire().await?;
    let id = super::identify::resolve(&mut conn, target).await?;
    let details = read(&mut conn, id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("No technician matches {target}.")))?;
    Ok((id, details))
}

pub async fn details(db: &Db, id: i64) -> Result<Option<Details>, ServiceError> {
    let mut conn = db.reader().acquire().await?;
    read(&mut conn, id).await
}

pub(crate) async fn read(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Details>, ServiceError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT t.name, t.alias, t.employee_id, t.email, t.phone, t.mobile, t.sms_mail_id, \
         t.cost_per_hr_cents, t.job_title, s.name, d.name, t.approve_purchase_order, \
         t.login_enabled, t.login_name, t.login_domain \
         FROM technicians t LEFT JOIN sites s ON s.id = t.site_id \
         LEFT JOIN departments d ON d.id = t.department_id WHERE t.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let sites: Vec<(String,)> = sqlx::query_as(
        "SELECT s.name FROM technician_sites ts JOIN sites s ON s.id = ts.site_id \
         WHERE ts.technician_id = $1 ORDER BY ts.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let groups: Vec<(String, String)> = sqlx::query_as(
        "SELECT s.name, g.name FROM technician_groups tg JOIN tech_groups g ON g.id = tg.group_id \
         JOIN sites s ON s.id = g.site_id WHERE tg.technician_id = $1 ORDER BY tg.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let roles = super::stored::roles_of(conn, id).await?;
    // Every defined UDF, empty where the technician has no value, so a reader sees the
    // whole form.
    let udfs: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.column_name, coalesce(tu.value, '') FROM udf_definitions u \
         LEFT JOIN technician_udfs tu ON tu.udf_id = u.id AND tu.technician_id = $1 \
         ORDER BY u.column_name",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let opt = |v: Option<String>| v.unwrap_or_default();
    let flag = |v: i64| if v != 0 { "true" } else { "false" }.to_owned();
    let join = |v: Vec<String>| v.join(",");
    let mut pairs = vec![
        ("name".to_owned(), r.0),
        ("alias".to_owned(), opt(r.1)),
        ("employeeId".to_owned(), opt(r.2)),
        ("email".to_owned(), opt(r.3)),
        ("phone".to_owned(), opt(r.4)),
        ("mobile".to_owned(), opt(r.5)),
        ("smsMailId".to_owned(), opt(r.6)),
        (
            "costPerHr".to_owned(),
            r.7.and_then(CostPerHour::from_cents)
                .map(|c| c.to_string())
                .unwrap_or_default(),
        ),
        ("jobTitle".to_owned(), opt(r.8)),
        (
            "techSiteName".to_owned(),
            r.9.unwrap_or_else(|| "default".to_owned()),
        ),
        ("departmentName".to_owned(), opt(r.10)),
        (
            "associateSites".to_owned(),
            join(sites.into_iter().map(|(s,)| s).collect()),
        ),
        (
            "associateGroups".to_owned(),
            join(
                groups
                    .into_iter()
                    .map(|(s, g)| format!("{s}-{g}"))
                    .collect(),
            ),
        ),
        (
            "associateRols".to_owned(),
            join(roles.iter().map(|r| r.as_str().to_owned()).collect()),
        ),
        ("approvePurchaseOrder".to_owned(), flag(r.11)),
        ("enableLogin".to_owned(), flag(r.12)),
        ("loginName".to_owned(), opt(r.13)),
        ("userDomainName".to_owned(), r.14),
    ];
    pairs.extend(udfs);
    Ok(Some(Details(pairs)))
}
