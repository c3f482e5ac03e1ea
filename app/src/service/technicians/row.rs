//! The one writer of a technician's own row. Add, update, the directory sync and the demo
//! seed hand it the row they want written; it refuses a row that breaks an invariant and
//! derives the columns kept for search and sorting (`search_text`, `login_key`, `name_key`,
//! `email_key`), so no writer can forget one.

use crate::domain::{fold, login_key, FieldErrors};
use crate::service::db::{placeholders, rows_per_statement};
use crate::service::error::ServiceError;
use sqlx::any::AnyRow;
use sqlx::{Any, Row as _, Transaction};

/// A technician's own columns: what its writers choose. Links (sites, groups, roles, UDFs)
/// live in their own tables, and so do contact points; credentials and the directory's marks are written beside a
/// row, see [`Credentials`] and [`Synced`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    pub alias: Option<String>,
    pub employee_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub sms_mail_id: Option<String>,
    pub cost_cents: Option<i64>,
    pub job_title: Option<String>,
    pub site_id: Option<i64>,
    pub department_id: Option<i64>,
    pub approve_purchase_order: bool,
    pub login_name: Option<String>,
    /// `""` outside any directory.
    pub login_domain: String,
    /// `en` or `zh-CN`; `None` takes the site's.
    pub language: Option<String>,
}

/// The columns of [`Row`], for a `SELECT` that reads one back with [`Row::from_any`].
pub const COLUMNS: &str = "name, alias, employee_id, email, phone, mobile, sms_mail_id, \
     cost_per_hr_cents, job_title, site_id, department_id, approve_purchase_order, login_name, \
     login_domain, language";

/// How many columns a row writes: [`COLUMNS`] and the four derived ones.
const WRITTEN: usize = 19;

impl Row {
    /// A row read with [`COLUMNS`] (among others).
    pub fn from_any(r: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            name: r.try_get("name")?,
            alias: r.try_get("alias")?,
            employee_id: r.try_get("employee_id")?,
            email: r.try_get("email")?,
            phone: r.try_get("phone")?,
            mobile: r.try_get("mobile")?,
            sms_mail_id: r.try_get("sms_mail_id")?,
            cost_cents: r.try_get("cost_per_hr_cents")?,
            job_title: r.try_get("job_title")?,
            site_id: r.try_get("site_id")?,
            department_id: r.try_get("department_id")?,
            approve_purchase_order: r.try_get::<i64, _>("approve_purchase_order")? != 0,
            login_name: r.try_get("login_name")?,
            login_domain: r.try_get("login_domain")?,
            language: r.try_get("language")?,
        })
    }

    /// The invariants of a row, each a field and what is wrong with it.
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.name.trim().is_empty() {
            errors.push("name", crate::domain::FieldProblem::NameNeeded);
        }
        if self.approve_purchase_order && self.email.is_none() {
            errors.push("email", crate::domain::FieldProblem::EmailNeededByApprover);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// What a roster search looks in.
    pub fn search_text(&self) -> String {
        super::list::search_text([
            Some(self.name.as_str()),
            self.alias.as_deref(),
            self.login_name.as_deref(),
            self.email.as_deref(),
            self.mobile.as_deref(),
        ])
    }

    /// The key that makes a login unique across domains and cases.
    pub fn login_key(&self) -> Option<String> {
        self.login_name
            .as_deref()
            .map(|l| login_key(l, &self.login_domain))
    }

    /// Binds the row's columns, then its derived ones, in the order of [`written`].
    fn bind<'q>(
        &self,
        query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
        query
            .bind(self.name.clone())
            .bind(self.alias.clone())
            .bind(self.employee_id.clone())
            .bind(self.email.clone())
            .bind(self.phone.clone())
            .bind(self.mobile.clone())
            .bind(self.sms_mail_id.clone())
            .bind(self.cost_cents)
            .bind(self.job_title.clone())
            .bind(self.site_id)
            .bind(self.department_id)
            .bind(i64::from(self.approve_purchase_order))
            .bind(self.login_name.clone())
            .bind(self.login_domain.clone())
            .bind(self.language.clone())
            .bind(self.search_text())
            .bind(self.login_key())
            .bind(fold(&self.name))
            .bind(self.email.as_deref().map(fold))
    }
}

/// The columns [`Row::bind`] binds, in its order.
fn written() -> String {
    format!("{COLUMNS}, search_text, login_key, name_key, email_key")
}

/// How a new technician signs in.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub enabled: bool,
    pub password_hash: Option<String>,
    /// The password is the legacy default, to be changed before use.
    pub must_change: bool,
}

/// What a directory said of an engineer, written by the sync beside the row: where the
/// engineer comes from, and the contacts it gave (to tell a later local edit).
#[derive(Debug, Clone)]
pub struct Synced<'a> {
    pub source: &'a str,
    pub id: &'a str,
    pub mobile: Option<&'a str>,
    pub email: Option<&'a str>,
    pub run: i64,
}

/// A technician to insert.
pub struct New<'a> {
    pub row: &'a Row,
    pub credentials: Credentials,
    pub synced: Option<Synced<'a>>,
}

/// Values of one new technician beyond the row's: credentials (3) and directory marks (5).
const EXTRA: usize = 8;

/// Inserts technicians, as few statements as the values allow, and answers each one's id in
/// the order given: `None` where its login was taken (by a technician already stored or
/// one earlier in `news`), with nothing of it written and no statement failed. A row that
/// breaks an invariant is refused before anything is written.
pub async fn insert(
    tx: &mut Transaction<'_, Any>,
    news: &[New<'_>],
    now: i64,
) -> Result<Vec<Option<i64>>, ServiceError> {
    for new in news {
        new.row.check().map_err(ServiceError::Invalid)?;
    }
    let mut ids = Vec::with_capacity(news.len());
    for part in news.chunks(rows_per_statement(WRITTEN + EXTRA)) {
        ids.extend(insert_part(tx, part, now).await?);
    }
    Ok(ids)
}

async fn insert_part(
    tx: &mut Transaction<'_, Any>,
    news: &[New<'_>],
    now: i64,
) -> Result<Vec<Option<i64>>, ServiceError> {
    let width = WRITTEN + EXTRA;
    let rows: Vec<String> = (0..news.len())
        .map(|i| format!("({}, $1, $1, 1)", placeholders(2 + i * width, width)))
        .collect();
    let sql = format!(
        "INSERT INTO technicians ({}, login_enabled, password_hash, must_change_password, \
         directory_source, directory_id, synced_mobile, synced_email, sync_run, created_at, \
         updated_at, version) VALUES {} ON CONFLICT (login_key) DO NOTHING RETURNING id, login_key",
        written(),
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(now);
    for new in news {
        let synced = new.synced.as_ref();
        query = new
            .row
            .bind(query)
            .bind(i64::from(new.credentials.enabled))
            .bind(new.credentials.password_hash.clone())
            .bind(i64::from(new.credentials.must_change))
            .bind(synced.map(|s| s.source.to_owned()))
            .bind(synced.map(|s| s.id.to_owned()))
            .bind(synced.and_then(|s| s.mobile.map(str::to_owned)))
            .bind(synced.and_then(|s| s.email.map(str::to_owned)))
            .bind(synced.map(|s| s.run));
    }
    let mut inserted: Vec<(i64, Option<String>)> = query
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("login_key")?)))
        .collect::<Result<_, sqlx::Error>>()?;
    // The rows of one statement get ascending ids in the order of its values, on both
    // backends; RETURNING promises no order, so the ids are sorted back into it. A row that
    // was not inserted is one whose login was taken: the next inserted row cannot hold the
    // same login, so walking both in order pairs them.
    inserted.sort_unstable_by_key(|(id, _)| *id);
    let mut inserted = inserted.into_iter().peekable();
    Ok(news
        .iter()
        .map(|new| {
            let key = new.row.login_key();
            match inserted.peek() {
                Some((_, returned)) if *returned == key => inserted.next().map(|(id, _)| id),
                _ => None,
            }
        })
        .collect())
}

/// Writes `row` over technician `id` if it is still at `version` (any version when `None`),
/// with the directory's marks when the sync writes it: false when the version moved on,
/// with nothing written. A row that breaks an invariant is refused; a login another
/// technician holds answers [`ServiceError::LoginNameExists`] (on PostgreSQL that spoils
/// the transaction: a caller that goes on takes a savepoint first).
pub async fn update(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    version: Option<i64>,
    row: &Row,
    synced: Option<&Synced<'_>>,
    now: i64,
) -> Result<bool, ServiceError> {
    row.check().map_err(ServiceError::Invalid)?;
    let mut sets: Vec<String> = written()
        .split(", ")
        .enumerate()
        .map(|(i, column)| format!("{column} = ${}", i + 1))
        .collect();
    let mut next = WRITTEN + 1;
    let mut placeholder = || {
        let p = format!("${next}");
        next += 1;
        p
    };
    sets.push(format!("updated_at = {}", placeholder()));
    if synced.is_some() {
        for column in [
            "directory_source",
            "directory_id",
            "synced_mobile",
            "synced_email",
            "sync_run",
        ] {
            sets.push(format!("{column} = {}", placeholder()));
        }
        sets.push("directory_missing = 0".into());
    }
    let mut sql = format!(
        "UPDATE technicians SET {}, version = version + 1 WHERE id = {}",
        sets.join(", "),
        placeholder()
    );
    if version.is_some() {
        sql.push_str(&format!(" AND version = {}", placeholder()));
    }
    let mut query = row.bind(sqlx::query(&sql)).bind(now);
    if let Some(s) = synced {
        query = query
            .bind(s.source.to_owned())
            .bind(s.id.to_owned())
            .bind(s.mobile.map(str::to_owned))
            .bind(s.email.map(str::to_owned))
            .bind(s.run);
    }
    query = query.bind(id);
    if let Some(version) = version {
        query = query.bind(version);
    }
    match query.execute(&mut **tx).await {
        Ok(done) => Ok(done.rows_affected() > 0),
        Err(e) if crate::service::db::is_unique_violation(&e, "technicians_login_unique") => Err(
            ServiceError::LoginNameExists(row.login_name.clone().unwrap_or_default()),
        ),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_has_a_name_and_an_approver_an_email() {
        let ok = Row {
            name: "Ada".into(),
            ..Row::default()
        };
        assert!(ok.check().is_ok());
        let approver = Row {
            approve_purchase_order: true,
            ..ok.clone()
        };
        let errors = approver.check().err();
        assert!(errors.is_some_and(|e| e.for_field("email").is_some()));
        let blank = Row {
            name: "  ".into(),
            ..ok
        };
        assert!(blank.check().is_err_and(|e| e.for_field("name").is_some()));
    }

    #[test]
    fn the_written_columns_are_as_many_as_the_row_binds() {
        assert_eq!(written().split(", ").count(), WRITTEN);
    }

    #[test]
    fn search_text_holds_every_searched_field() {
        let row = Row {
            name: "Ada Lovelace".into(),
            alias: Some("Countess".into()),
            login_name: Some("ada".into()),
            email: Some("Ada@Example.com".into()),
            mobile: Some("+8613800138000".into()),
            ..Row::default()
        };
        let text = row.search_text();
        for part in [
            "ada lovelace",
            "countess",
            "ada",
            "ada@example.com",
            "+8613800138000",
        ] {
            assert!(text.contains(part), "{part} in {text}");
        }
    }
}
