//! Many engineers at once, for a demonstration or a load test (`crewdesk demo --engineers`):
//! checked like any other input, written a batch to a transaction through the one row writer, and
//! each audited. They cannot sign in (no password is set) and no confirmation is sent to their
//! made-up contacts: their channels start unsubscribed.

use super::row::{Credentials, New, Row};
use crate::domain::{Email, LoginName, PersonName, Phone, ShortText};
use crate::service::actor::Actor;
use crate::service::audit::AuditContext;
use crate::service::db::Db;
use crate::service::error::ServiceError;
use crate::service::now_ms;

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

/// Adds every engineer, `BATCH` to a transaction, and answers how many were added. An
/// SDAdmin's act. A login already taken stops the batch that holds it, with nothing of that
/// batch written.
pub async fn add_generated(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    engineers: &[Generated],
) -> Result<usize, ServiceError> {
    actor.require_admin(crate::domain::AdminTask::AddInBulk)?;
    let mut added = 0;
    for batch in engineers.chunks(BATCH) {
        let rows: Vec<Row> = batch.iter().map(row_of).collect();
        let news: Vec<New> = rows
            .iter()
            .map(|row| New {
                row,
                credentials: Credentials::default(),
                synced: None,
            })
            .collect();
        let mut tx = db.begin_write().await?;
        let ids: Option<Vec<i64>> = super::row::insert(&mut tx, &news, now_ms())
            .await?
            .into_iter()
            .collect();
        // Dropped, the transaction takes back the rest of the batch.
        let ids =
            ids.ok_or_else(|| ServiceError::LoginNameExists("one of the generated logins".into()))?;
        super::add::audit_added(&mut tx, actor, ctx, &ids).await?;
        tx.commit().await?;
        added += ids.len();
    }
    Ok(added)
}

fn row_of(engineer: &Generated) -> Row {
    Row {
        name: engineer.name.as_ref().to_owned(),
        login_name: engineer.login.as_ref().map(|l| l.to_string()),
        email: engineer.email.as_ref().map(|e| e.to_string()),
        mobile: engineer.mobile.as_ref().map(|m| m.display().to_owned()),
        job_title: engineer.job_title.as_ref().map(|t| t.to_string()),
        site_id: engineer.site_id,
        department_id: engineer.department_id,
        ..Row::default()
    }
}
