//! Many engineers at once, for a demonstration or a load test (`crewdesk demo --engineers`):
//! checked like any other input, written a batch to a transaction with multi-row inserts, and
//! each audited. They cannot sign in (no password is set) and no confirmation is sent to their
//! made-up contacts: their channels start unsubscribed.

use crate::domain::{fold, login_key, Email, LoginName, PersonName, Phone, ShortText};
use crate::service::actor::Actor;
use crate::service::audit::AuditContext;
use crate::service::db::{placeholders, rows_per_statement, Db};
use crate::service::error::ServiceError;
use crate::service::now_ms;
use sqlx::{Any, Transaction};

/// One engineer to add, its fields already checked.
#[derive(Debug, Clone)]
pub struct Generated {
    pub name: PersonName,
    pub login: Option<LoginName>,
    pub email: Option<Email>,
    pub mobile: Option<Phone>,
    pub job_title: Option<ShortText>,
    pub site_id: Option<i64>,
    pub department_id: Option<i64>,
}

/// Engineers per transaction.
const BATCH: usize = 500;

/// Values per engineer in the insert, after the one all share (the time).
const VALUES: usize = 12;

/// Adds every engineer, `BATCH` to a transaction, and answers how many were added. An
/// SDAdmin's act. A login already taken stops the batch that holds it, with nothing of that
/// batch written.
pub async fn add_generated(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    engineers: &[Generated],
) -> Result<usize, ServiceError> {
    actor.require_admin("add engineers in bulk")?;
    let mut added = 0;
    for batch in engineers.chunks(BATCH) {
        let mut tx = db.begin_write().await?;
        let now = now_ms();
        let mut ids = Vec::with_capacity(batch.len());
        for part in batch.chunks(rows_per_statement(VALUES)) {
            ids.extend(insert(&mut tx, part, now).await?);
        }
        super::add::audit_added(&mut tx, actor, ctx, &ids).await?;
        tx.commit().await?;
        added += ids.len();
    }
    Ok(added)
}

async fn insert(
    tx: &mut Transaction<'_, Any>,
    part: &[Generated],
    now: i64,
) -> Result<Vec<i64>, ServiceError> {
    let rows: Vec<String> = (0..part.len())
        .map(|i| format!("({}, $1, $1, 1)", placeholders(2 + i * VALUES, VALUES)))
        .collect();
    let sql = format!(
        "INSERT INTO technicians (name, login_name, login_key, email, mobile, job_title, \
         site_id, department_id, search_text, name_key, email_key, login_domain, \
         created_at, updated_at, version) VALUES {} RETURNING id",
        rows.join(", ")
    );
    let mut query = sqlx::query_as::<_, (i64,)>(&sql).bind(now);
    for engineer in part {
        let login = engineer.login.as_ref().map(|l| l.to_string());
        let email = engineer.email.as_ref().map(|e| e.to_string());
        let mobile = engineer.mobile.as_ref().map(|m| m.display().to_owned());
        query = query
            .bind(engineer.name.as_ref().to_owned())
            .bind(login.clone())
            .bind(login.as_deref().map(|l| login_key(l, "")))
            .bind(email.clone())
            .bind(mobile.clone())
            .bind(engineer.job_title.as_ref().map(|t| t.to_string()))
            .bind(engineer.site_id)
            .bind(engineer.department_id)
            .bind(super::list::search_text([
                Some(engineer.name.as_ref()),
                None,
                login.as_deref(),
                email.as_deref(),
                mobile.as_deref(),
            ]))
            .bind(fold(engineer.name.as_ref()))
            .bind(email.as_deref().map(fold))
            .bind(String::new());
    }
    let ids = query.fetch_all(&mut **tx).await.map_err(|e| {
        if crate::service::db::is_unique_violation(&e, "technicians_login_unique") {
            ServiceError::LoginNameExists("one of the generated logins".into())
        } else {
            e.into()
        }
    })?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}
