//! `/api/v1`: JSON over the same service calls as the console and the XML API, with
//! `Authorization: Bearer KEY`. A key acts within its scopes and with its owner's reach.
//! Every error is an RFC 9457 problem (`application/problem+json`) with a `code` a program
//! can branch on, the English `detail`, and per-field `errors`; `error` repeats the detail
//! for clients of the first notification API.

mod notifications;
mod technicians;

use app::domain::{Refusal, Scope};
use app::service::api_keys::{self, ApiKey};
use app::service::{Actor, AppState, ServiceError};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
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
        .route("/api/v1/notifications", post(notifications::send))
        .route("/api/v1/notifications/{id}", get(notifications::status))
        .route(
            "/api/v1/technicians",
            get(technicians::list).post(technicians::create),
        )
        .route(
            "/api/v1/technicians/{id}",
            get(technicians::read)
                .patch(technicians::patch)
                .delete(technicians::delete),
        )
        .with_state(api)
}

/// A problem answer: `code` for programs, `detail` for people.
fn problem(status: StatusCode, code: &str, detail: impl std::fmt::Display) -> Response {
    problem_with(status, code, detail, Vec::new())
}

fn problem_with(
    status: StatusCode,
    code: &str,
    detail: impl std::fmt::Display,
    errors: Vec<serde_json::Value>,
) -> Response {
    let detail = detail.to_string();
    let mut body = json!({
        "type": format!("/api/v1/problems/{code}"),
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
        "code": code,
        "error": detail,
    });
    if !errors.is_empty() {
        body["errors"] = serde_json::Value::Array(errors);
    }
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

/// A field's problem as a problem answer lists it.
fn field_error(field: &str, problem: &app::domain::FieldProblem) -> serde_json::Value {
    json!({ "field": field, "code": problem.code(), "detail": problem.to_string() })
}

fn service_error(err: ServiceError) -> Response {
    service_error_with(err, StatusCode::BAD_REQUEST)
}

/// A service's refusal as a problem; field problems with `invalid` (the notification API
/// answers 400 as it always has, the rest of the API 422).
fn service_error_with(err: ServiceError, invalid: StatusCode) -> Response {
    let refused = |status: StatusCode, refusal: Refusal| {
        let code = refusal.code();
        problem(status, &code, refusal)
    };
    match err {
        ServiceError::Invalid(errors) => {
            let fields = errors
                .0
                .iter()
                .map(|e| field_error(&e.field, &e.problem))
                .collect();
            problem_with(invalid, "invalid", errors, fields)
        }
        ServiceError::NotFound(r) => refused(StatusCode::NOT_FOUND, r),
        ServiceError::TooSoon(r) => refused(StatusCode::TOO_MANY_REQUESTS, r),
        ServiceError::Conflict(r @ (Refusal::StaleEdit { .. } | Refusal::StaleDelete { .. })) => {
            refused(StatusCode::PRECONDITION_FAILED, r)
        }
        ServiceError::Conflict(r) | ServiceError::Ambiguous(r) => refused(StatusCode::CONFLICT, r),
        ServiceError::NotAuthorized(r)
        | ServiceError::SiteRestricted(r)
        | ServiceError::ProtectedAdmin(r) => refused(StatusCode::FORBIDDEN, r),
        ServiceError::LoginNameExists(login) => {
            let taken = app::domain::FieldProblem::LoginTaken { login };
            let fields = vec![field_error("loginName", &taken)];
            problem_with(StatusCode::CONFLICT, "login_taken", taken, fields)
        }
        ServiceError::Internal(e) => {
            tracing::error!(error = ?e, "API request failed");
            problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the server could not complete the request; it has been logged",
            )
        }
    }
}

impl Api {
    /// The key the request carries, counted against its rate and holding `scope`; a
    /// response when refused.
    async fn key(&self, headers: &HeaderMap, scope: Scope) -> Result<ApiKey, Response> {
        let unauthorized = || {
            problem(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send a live API key as Authorization: Bearer KEY (crewdesk apikey create NAME)",
            )
        };
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(unauthorized)?;
        let key = api_keys::authenticate(&self.state.db, presented)
            .await
            .map_err(service_error)?
            .ok_or_else(unauthorized)?;
        let now = self.state.clock.now();
        let second = now / 1000;
        let over = {
            let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
            let window = windows.entry(key.id).or_insert((second, 0));
            if window.0 != second {
                *window = (second, 0);
            }
            window.1 += 1;
            window.1 > REQUESTS_PER_SECOND
        };
        if over {
            return Err(problem(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("at most {REQUESTS_PER_SECOND} requests a second per key"),
            ));
        }
        if let Err(e) = api_keys::touch(&self.state.db, key.id, now).await {
            tracing::warn!(error = ?e, "recording an API key's use failed");
        }
        if !key.allows(scope) {
            return Err(problem(
                StatusCode::FORBIDDEN,
                "scope",
                format!("this key lacks the scope {}", scope.as_str()),
            ));
        }
        Ok(key)
    }

    /// Who a request acts as: the owner of its key, when the key holds `scope`.
    async fn acting(&self, headers: &HeaderMap, scope: Scope) -> Result<Actor, Response> {
        let key = self.key(headers, scope).await?;
        self.owner(&key).await
    }

    /// The key's owner as an actor, as they are now: a key whose owner was deleted or may
    /// no longer sign in stops working.
    async fn owner(&self, key: &ApiKey) -> Result<Actor, Response> {
        let gone = || {
            problem(
                StatusCode::UNAUTHORIZED,
                "owner_gone",
                "this key's owner can no longer sign in, so the key no longer works",
            )
        };
        let id = key.owner_id.ok_or_else(gone)?;
        match app::service::auth::load_actor(&self.state.db, id).await {
            Ok(Some(mut actor)) => {
                // The audit log names the key beside its owner.
                actor.name = format!("{} (API key {})", actor.name, key.name);
                Ok(actor)
            }
            Ok(None) => Err(gone()),
            Err(e) => Err(service_error(ServiceError::Internal(e))),
        }
    }
}
