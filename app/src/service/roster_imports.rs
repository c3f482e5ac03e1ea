//! Roster CSVs uploaded in the console, kept between their preview and their import (a day
//! at most): the rows as read, each row's outcome, and where the import stands. Only the
//! administrator who uploaded a file (or an SDAdmin) sees or applies it; applying runs on
//! the server, so a large file is not cut short by the page's deadline.

use super::actor::Actor;
use super::audit::AuditContext;
use super::db::Db;
use super::error::ServiceError;
use super::now_ms;
use super::secret_box::SecretKey;
use super::technicians::import::{self, Sheet};
use crate::domain::import::{Counts, ImportState, ImportView, RowReport, Verdict};
use crate::domain::{FieldProblem, Refusal, Verb};
use std::sync::Arc;

/// How long an upload is kept.
const KEPT_MS: i64 = 24 * 60 * 60 * 1000;

fn json<T: serde::Serialize>(value: &T) -> Result<String, ServiceError> {
    serde_json::to_string(value).map_err(|e| ServiceError::Internal(e.into()))
}

fn parsed<T: serde::de::DeserializeOwned>(text: Option<String>) -> Result<Option<T>, ServiceError> {
    text.map(|t| serde_json::from_str(&t).map_err(|e| ServiceError::Internal(e.into())))
        .transpose()
}

fn may_import(actor: &Actor) -> Result<i64, ServiceError> {
    match actor.id {
        Some(id) if actor.is_admin() || actor.is_site_admin() => Ok(id),
        _ => Err(ServiceError::NotAuthorized(Refusal::AdminsOnly {
            verb: Verb::Import,
        })),
    }
}

/// Keeps an uploaded file with its preview (or why it was refused) and answers its id.
pub async fn upload(
    db: &Db,
    actor: &Actor,
    file_name: &str,
    sheet: Result<Sheet, FieldProblem>,
) -> Result<i64, ServiceError> {
    let owner = may_import(actor)?;
    // The rows wait in the database until applied: a password is never among them.
    let sheet = sheet.and_then(|sheet| {
        if sheet.columns.iter().any(|c| c.trim() == "pwd") {
            Err(FieldProblem::PasswordColumn)
        } else {
            Ok(sheet)
        }
    });
    let (state, sheet, problems, report) = match sheet {
        Err(problem) => (ImportState::Refused, None, vec![problem], None),
        Ok(sheet) => match import::preview(db, actor, &sheet).await {
            Ok(report) => (
                ImportState::Previewed,
                Some(sheet),
                Vec::new(),
                Some(report),
            ),
            Err(ServiceError::Invalid(errors)) => (
                ImportState::Refused,
                None,
                errors.0.into_iter().map(|e| e.problem).collect(),
                None,
            ),
            Err(e) => return Err(e),
        },
    };
    let name: String = file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM roster_imports WHERE created_at < $1")
        .bind(now - KEPT_MS)
        .execute(&mut *tx)
        .await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO roster_imports (actor_id, file_name, state, sheet, problem, report, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(owner)
    .bind(name)
    .bind(state.as_str())
    .bind(sheet.as_ref().map(json).transpose()?)
    .bind(json(&problems)?)
    .bind(report.as_ref().map(json).transpose()?)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

struct Stored {
    owner: i64,
    state: ImportState,
    file_name: String,
    problems: Vec<FieldProblem>,
    report: Vec<RowReport>,
}

/// Import `id` as `actor` may see it: its own, or any for an SDAdmin; another's is not found.
async fn load(db: &Db, actor: &Actor, id: i64) -> Result<Stored, ServiceError> {
    let owner = may_import(actor)?;
    /// The uploader, the file's name, the state, why it was refused, the report.
    type Row = (i64, String, String, Option<String>, Option<String>);
    let row: Option<Row> = sqlx::query_as(
        "SELECT actor_id, file_name, state, problem, report FROM roster_imports WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.reader())
    .await?;
    let Some((owner, file_name, state, problems, report)) =
        row.filter(|(by, ..)| *by == owner || actor.is_admin())
    else {
        return Err(ServiceError::NotFound(Refusal::NoSuchImport));
    };
    Ok(Stored {
        owner,
        state: ImportState::parse(&state).unwrap_or(ImportState::Failed),
        file_name,
        problems: parsed(problems)?.unwrap_or_default(),
        report: parsed(report)?.unwrap_or_default(),
    })
}

/// The import as the console shows it.
pub async fn view(db: &Db, actor: &Actor, id: i64) -> Result<ImportView, ServiceError> {
    let stored = load(db, actor, id).await?;
    let noted: Vec<&RowReport> = stored
        .report
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Error { .. }) || !r.notes.is_empty())
        .collect();
    Ok(ImportView {
        id,
        file_name: stored.file_name,
        state: stored.state,
        problems: stored.problems,
        counts: Counts::of(&stored.report),
        noted: noted.len(),
        rows: noted.into_iter().take(ImportView::SHOWN).cloned().collect(),
    })
}

/// Every row's outcome, for the downloadable report.
pub async fn report(db: &Db, actor: &Actor, id: i64) -> Result<Vec<RowReport>, ServiceError> {
    Ok(load(db, actor, id).await?.report)
}

/// Starts applying a previewed import on the server; the console follows it with [`view`].
/// An import is applied once: a second click finds it applying or applied.
pub async fn start_apply(
    db: &Db,
    key: Arc<SecretKey>,
    actor: &Actor,
    ctx: &AuditContext,
    id: i64,
) -> Result<(), ServiceError> {
    let stored = load(db, actor, id).await?;
    // Applied with the rights it was previewed with: only by who uploaded it (an SDAdmin
    // may look at another's upload, never apply it with an SDAdmin's reach).
    if stored.owner != actor.id.unwrap_or_default() {
        return Err(ServiceError::NotAuthorized(Refusal::ImportNotYours));
    }
    if stored.state != ImportState::Previewed {
        return Err(ServiceError::Conflict(Refusal::ImportNotWaiting));
    }
    let mut tx = db.begin_write().await?;
    let taken = sqlx::query(
        "UPDATE roster_imports SET state = 'applying' WHERE id = $1 AND state = 'previewed'",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let (sheet,): (Option<String>,) =
        sqlx::query_as("SELECT sheet FROM roster_imports WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    if taken == 0 {
        return Err(ServiceError::Conflict(Refusal::ImportNotWaiting));
    }
    let sheet: Sheet = parsed(sheet)?.unwrap_or_default();
    let (db, actor, ctx) = (db.clone(), actor.clone(), ctx.clone());
    tokio::spawn(async move {
        let outcome = import::apply(&db, &key, &actor, &ctx, &sheet).await;
        let (state, report) = match outcome {
            Ok(report) => (ImportState::Applied, json(&report).ok()),
            Err(e) => {
                tracing::error!(error = ?e, import = id, "a roster import stopped");
                (ImportState::Failed, None)
            }
        };
        let stored = async {
            let mut tx = db.begin_write().await?;
            sqlx::query(
                "UPDATE roster_imports SET state = $1, report = COALESCE($2, report), \
                 sheet = NULL, applied_at = $3 WHERE id = $4",
            )
            .bind(state.as_str())
            .bind(report)
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        };
        if let Err(e) = stored.await {
            tracing::error!(error = ?e, import = id, "a roster import's outcome was not kept");
        }
    });
    Ok(())
}
