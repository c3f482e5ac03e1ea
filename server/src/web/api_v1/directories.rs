//! `POST /api/v1/directories/{name}/sync` and `GET /api/v1/sync-runs/{id}`: Synchronize
//! Engineer Info for keys with the `directories:sync` scope, as the console's button runs it.

use super::{problem, service_error_with, Api};
use app::domain::{Refusal, Scope};
use app::service::{sync, AuditContext, ServiceError, Source};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Starts a sync of directory `name` in the background (or names the one running).
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
                (StatusCode::ACCEPTED, axum::Json(json!({ "id": id }))).into_response();
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
fn note(note: &app::domain::SyncNote) -> Value {
    json!({ "code": note.code(), "detail": note.to_string() })
}

/// How sync `id` stands.
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
        Ok(Some(s)) => axum::Json(json!({
            "id": s.id,
            "state": s.state,
            "startedBy": s.started_by,
            "startedAt": s.started_at,
            "finishedAt": s.finished_at,
            "total": s.total,
            "processed": s.processed,
            "created": s.created,
            "updated": s.updated,
            "unchanged": s.unchanged,
            "flagged": s.flagged,
            "skipped": s.skipped,
            "error": s.error,
            "lists": {
                "created": s.lists.created,
                "updated": s.lists.updated,
                "flagged": s.lists.flagged,
                "skipped": s.lists.skipped.iter().map(note).collect::<Vec<_>>(),
                "notes": s.lists.notes.iter().map(note).collect::<Vec<_>>(),
            },
        }))
        .into_response(),
        Ok(None) => missing(),
        Err(e) => service_error_with(e, StatusCode::UNPROCESSABLE_ENTITY),
    }
}
