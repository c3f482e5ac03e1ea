//! `POST /api/v1/directories/{name}/sync` and `GET /api/v1/sync-runs/{id}`: Synchronize
//! Engineer Info for keys with the `directories:sync` scope, as the console's button runs it.

use super::schema::{SyncLists, SyncNote, SyncRun, SyncStarted};
use super::{problem, service_error_with, Api};
use app::domain::{Refusal, Scope};
use app::service::{sync, AuditContext, ServiceError, Source};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Starts a sync of directory `name` in the background (or names the one running).
#[utoipa::path(post, path = "/api/v1/directories/{name}/sync", tag = "directories",
    params(("name" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 202, description = "Started; follow it at /api/v1/sync-runs/{id}", body = SyncStarted)))]
pub(super) async fn start(
    State(api): State<Api>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let actor = match api.acting(&headers, Scope::DirectoriesSync).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let ctx = AuditContext::new(Source::Api, None);
    let started = sync::start(
        api.state.db.clone(),
        api.state.clock.clone(),
        api.state.directories.clone(),
        actor,
        ctx,
        Some(&name),
    )
    .await;
    match started {
        Ok(id) => {
            let mut response =
                (StatusCode::ACCEPTED, axum::Json(SyncStarted { id })).into_response();
            if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/sync-runs/{id}")) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Err(ServiceError::Conflict(refusal @ Refusal::NoDirectory { .. })) => {
            problem(StatusCode::NOT_FOUND, &refusal.code(), refusal)
        }
        Err(e) => service_error_with(e, StatusCode::UNPROCESSABLE_ENTITY),
    }
}

/// A sync note for programs: its code and its English text.
fn note(note: &app::domain::SyncNote) -> SyncNote {
    SyncNote {
        code: note.code(),
        detail: note.to_string(),
    }
}

/// How sync `id` stands.
#[utoipa::path(get, path = "/api/v1/sync-runs/{id}", tag = "directories",
    params(("id" = i64, Path)),
    responses((status = 200, description = "How the sync stands", body = SyncRun)))]
pub(super) async fn run(
    State(api): State<Api>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(response) = api.acting(&headers, Scope::DirectoriesSync).await {
        return response;
    }
    let missing = || problem(StatusCode::NOT_FOUND, "no_sync", "there is no such sync");
    let Ok(id) = id.parse::<i64>() else {
        return missing();
    };
    match sync::summary(&api.state.db, id).await {
        Ok(Some(s)) => axum::Json(SyncRun {
            id: s.id,
            state: s.state,
            started_by: s.started_by,
            started_at: s.started_at,
            finished_at: s.finished_at,
            total: s.total,
            processed: s.processed,
            created: s.created,
            updated: s.updated,
            unchanged: s.unchanged,
            flagged: s.flagged,
            skipped: s.skipped,
            error: s.error,
            lists: SyncLists {
                skipped: s.lists.skipped.iter().map(note).collect(),
                notes: s.lists.notes.iter().map(note).collect(),
                created: s.lists.created,
                updated: s.lists.updated,
                flagged: s.lists.flagged,
            },
        })
        .into_response(),
        Ok(None) => missing(),
        Err(e) => service_error_with(e, StatusCode::UNPROCESSABLE_ENTITY),
    }
}
