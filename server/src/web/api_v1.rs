//! The notification API of SPEC §8: `POST /api/v1/notifications` and
//! `GET /api/v1/notifications/{id}`, with `Authorization: Bearer KEY`. Every error is JSON
//! `{"error": "…", "code": "…"}`; nothing is queued unless the whole request is good.

use app::service::api_keys;
use app::service::notifications::{self, ApiRequest};
use app::service::{AppState, ServiceError};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Largest request body.
pub const BODY_LIMIT: usize = 64 * 1024;
/// Requests one key may make per second; more are answered 429.
pub const REQUESTS_PER_SECOND: u32 = 50;

#[derive(Clone)]
struct Api {
    state: AppState,
    /// Per key: the second being counted and the requests in it.
    windows: Arc<Mutex<HashMap<i64, (i64, u32)>>>,
}

pub fn router(state: AppState) -> Router {
    let api = Api {
        state,
        windows: Arc::default(),
    };
    Router::new()
        .route("/api/v1/notifications", post(send))
        .route("/api/v1/notifications/{id}", get(status))
        .with_state(api)
}

fn error(status: StatusCode, code: &str, message: impl std::fmt::Display) -> Response {
    (
        status,
        Json(json!({ "error": message.to_string(), "code": code })),
    )
        .into_response()
}

fn service_error(err: ServiceError) -> Response {
    match err {
        ServiceError::Invalid(errors) => {
            // Each field's problem as a code for programs and its English text.
            let problems: Vec<_> = errors
                .0
                .iter()
                .map(|e| {
                    json!({
                        "field": e.field,
                        "code": e.problem.code(),
                        "message": e.problem.to_string(),
                    })
                })
                .collect();
            let answer =
                json!({ "error": errors.to_string(), "code": "invalid", "problems": problems });
            (StatusCode::BAD_REQUEST, Json(answer)).into_response()
        }
        ServiceError::NotFound(m) => error(StatusCode::NOT_FOUND, "not_found", m),
        ServiceError::TooSoon(m) => error(StatusCode::TOO_MANY_REQUESTS, "rate_limited", m),
        ServiceError::Conflict(m) | ServiceError::Ambiguous(m) => {
            error(StatusCode::BAD_REQUEST, "invalid", m)
        }
        ServiceError::Internal(e) => {
            tracing::error!(error = ?e, "notification API failed");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the server could not complete the request; it has been logged",
            )
        }
        other => error(StatusCode::FORBIDDEN, "forbidden", other),
    }
}

impl Api {
    /// The key the request carries, counted against its rate; a response when refused.
    async fn key(&self, headers: &HeaderMap) -> Result<(i64, String), Response> {
        let unauthorized = || {
            error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send a live API key as Authorization: Bearer KEY (crewdesk apikey create NAME)",
            )
        };
        let key = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(unauthorized)?;
        let (id, name) = api_keys::authenticate(&self.state.db, key)
            .await
            .map_err(service_error)?
            .ok_or_else(unauthorized)?;
        let now = self.state.clock.now();
        let second = now / 1000;
        let over = {
            let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
            let window = windows.entry(id).or_insert((second, 0));
            if window.0 != second {
                *window = (second, 0);
            }
            window.1 += 1;
            window.1 > REQUESTS_PER_SECOND
        };
        if over {
            return Err(error(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("at most {REQUESTS_PER_SECOND} requests a second per key"),
            ));
        }
        if let Err(e) = api_keys::touch(&self.state.db, id, now).await {
            tracing::warn!(error = ?e, "recording an API key's use failed");
        }
        Ok((id, name))
    }
}

async fn send(State(api): State<Api>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    let (key_id, key_name) = match api.key(&parts.headers).await {
        Ok(key) => key,
        Err(response) => return response,
    };
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("the body is larger than {} KiB", BODY_LIMIT / 1024),
            )
        }
    };
    let request: ApiRequest = match serde_json::from_slice(&bytes) {
        Ok(request) => request,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid",
                format!("the body is not a notification request: {e}"),
            )
        }
    };
    let now = api.state.clock.now();
    match notifications::api_send(&api.state.db, (key_id, &key_name), &request, now).await {
        Ok((answer, _)) => (StatusCode::ACCEPTED, Json(answer)).into_response(),
        Err(e) => service_error(e),
    }
}

async fn status(State(api): State<Api>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let (key_id, _) = match api.key(&headers).await {
        Ok(key) => key,
        Err(response) => return response,
    };
    let Ok(id) = id.parse::<i64>() else {
        return error(
            StatusCode::NOT_FOUND,
            "not_found",
            "there is no such notification",
        );
    };
    match notifications::api_status(&api.state.db, key_id, id).await {
        Ok(answer) => Json(answer).into_response(),
        Err(e) => service_error(e),
    }
}
