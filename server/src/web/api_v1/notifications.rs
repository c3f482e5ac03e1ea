//! The notification API of SPEC §8: `POST /api/v1/notifications` and
//! `GET /api/v1/notifications/{id}`, for keys with the `notify` scope. Nothing is queued
//! unless the whole request is good.

use super::schema::{Notification, NotificationInput};
use super::{problem, service_error, Api, BODY_LIMIT};
use app::domain::Scope;
use app::service::notifications::{self, ApiRequest};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

#[utoipa::path(post, path = "/api/v1/notifications", tag = "notifications",
    request_body(content = NotificationInput, content_type = "application/json"),
    responses((status = 202, description = "Queued, once per idempotency key", body = Notification)))]
pub(super) async fn send(State(api): State<Api>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    let key = match api.key(&parts.headers, Scope::Notify).await {
        Ok(key) => key,
        Err(response) => return response,
    };
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("the body is larger than {} KiB", BODY_LIMIT / 1024),
            )
        }
    };
    let request: ApiRequest = match serde_json::from_slice(&bytes) {
        Ok(request) => request,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                "invalid",
                format!("the body is not a notification request: {e}"),
            )
        }
    };
    let now = api.state.clock.now();
    match notifications::api_send(&api.state.db, (key.id, &key.name), &request, now).await {
        Ok((answer, _)) => (StatusCode::ACCEPTED, Json(answer)).into_response(),
        Err(e) => service_error(e),
    }
}

#[utoipa::path(get, path = "/api/v1/notifications/{id}", tag = "notifications",
    params(("id" = i64, Path)),
    responses((status = 200, description = "Each delivery and where it stands", body = Notification)))]
pub(super) async fn status(
    State(api): State<Api>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let key = match api.key(&headers, Scope::Notify).await {
        Ok(key) => key,
        Err(response) => return response,
    };
    let Ok(id) = id.parse::<i64>() else {
        return problem(
            StatusCode::NOT_FOUND,
            "not_found",
            "there is no such notification",
        );
    };
    match notifications::api_status(&api.state.db, key.id, id).await {
        Ok(answer) => Json(answer).into_response(),
        Err(e) => service_error(e),
    }
}
