//! `/api/v1`: JSON over the same service calls as the console and the XML API, with
//! `Authorization: Bearer KEY`. A key acts within its scopes and with its owner's reach.
//! Every error is an RFC 9457 problem (`application/problem+json`) with a `code` a program
//! can branch on, the English `detail`, and per-field `errors`; `error` repeats the detail
//! for clients of the first notification API.

mod contacts;
mod directories;
mod idempotency;
pub mod inbound;
mod notifications;
mod reference;
pub mod schema;
mod technicians;

use app::domain::{Refusal, Scope};
use app::service::api_keys::{self, ApiKey};
use app::service::{Actor, AppState, ServiceError};
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Largest request body.
pub const BODY_LIMIT: usize = 64 * 1024;
/// Requests one key may make per second; more are answered 429.
pub const REQUESTS_PER_SECOND: u32 = 50;

/// One key's count of requests: (the second being counted, the requests in it, when its
/// use was last written).
type Window = (i64, u32, i64);

#[derive(Clone)]
struct Api {
    state: AppState,
    /// Per key: its requests in the current second, and when its use was last written.
    windows: Arc<Mutex<HashMap<i64, Window>>>,
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
        .route(
            "/api/v1/technicians/{id}/contact-points",
            get(contacts::contact_points),
        )
        .route(
            "/api/v1/technicians/{id}/subscriptions",
            get(contacts::subscriptions).post(contacts::subscribe),
        )
        .route("/api/v1/technicians/{id}/test", post(contacts::test))
        .route(
            "/api/v1/sites",
            get(reference::sites).post(reference::add_site),
        )
        .route(
            "/api/v1/departments",
            get(reference::departments).post(reference::add_department),
        )
        .route(
            "/api/v1/groups",
            get(reference::groups).post(reference::add_group),
        )
        .route(
            "/api/v1/udfs",
            get(reference::udfs).post(reference::add_udf),
        )
        .route("/api/v1/directories/{name}/sync", post(directories::start))
        .route("/api/v1/sync-runs/{id}", get(directories::run))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/{*rest}", any(unknown))
        .method_not_allowed_fallback(not_allowed)
        .route_layer(axum::middleware::from_fn_with_state(
            api.clone(),
            idempotency::layer,
        ))
        .with_state(api)
}

/// The OpenAPI 3.1 document of this API, generated from the types the handlers answer with.
async fn openapi() -> Response {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = DOCUMENT.get_or_init(schema::document).clone();
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Any other address under `/api/v1`: a problem too, never the console's page.
async fn unknown() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "no_endpoint",
        "there is no such endpoint; see the README's API section",
    )
}

/// A method an endpoint does not answer (`PUT /api/v1/technicians/7`).
async fn not_allowed() -> Response {
    problem(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not answer that method",
    )
}

/// A problem answer: `code` for programs, `detail` for people.
fn problem(status: StatusCode, code: &str, detail: impl std::fmt::Display) -> Response {
    problem_with(status, code, detail, Vec::new())
}

fn problem_with(
    status: StatusCode,
    code: &str,
    detail: impl std::fmt::Display,
    errors: Vec<schema::FieldIssue>,
) -> Response {
    let detail = detail.to_string();
    let body = schema::Problem {
        kind: format!("/api/v1/problems/{code}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: detail.clone(),
        code: code.to_owned(),
        error: detail,
        errors,
    };
    let mut response = (status, serde_json::to_string(&body).unwrap_or_default()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

/// A field's problem as a problem answer lists it.
fn field_error(field: &str, problem: &app::domain::FieldProblem) -> schema::FieldIssue {
    schema::FieldIssue::new(field, &problem.code(), problem)
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

/// The body as a JSON object: 415 for another media type, 413 when too large, 400 when
/// it is not JSON or not an object.
pub(super) async fn object(
    request: Request<Body>,
    patch: bool,
) -> Result<Map<String, Value>, Response> {
    let (parts, body) = request.into_parts();
    let media = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let accepted =
        media == "application/json" || (patch && media == "application/merge-patch+json");
    if !accepted {
        let wanted = if patch {
            "application/merge-patch+json or application/json"
        } else {
            "application/json"
        };
        return Err(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "media_type",
            format!("send the body as {wanted}"),
        ));
    }
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is larger than {} KiB", BODY_LIMIT / 1024),
        )
    })?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(problem(
            StatusCode::BAD_REQUEST,
            "not_an_object",
            "the body must be a JSON object of attributes",
        )),
        Err(e) => Err(problem(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("the body is not JSON: {e}"),
        )),
    }
}

impl Api {
    /// The key the request carries, counted against its rate and holding `scope`; a
    /// response when refused.
    async fn key(&self, headers: &HeaderMap, scope: Scope) -> Result<ApiKey, Response> {
        let unauthorized = || {
            let mut response = problem(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send a live API key as Authorization: Bearer KEY (crewdesk apikey create NAME)",
            );
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"crewdesk\""),
            );
            response
        };
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, key)| key.trim())
            .ok_or_else(unauthorized)?;
        let key = api_keys::authenticate(&self.state.db, presented)
            .await
            .map_err(service_error)?
            .ok_or_else(unauthorized)?;
        let now = self.state.clock.now();
        let second = now / 1000;
        let (over, touch) = {
            let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
            let window = windows.entry(key.id).or_insert((second, 0, i64::MIN));
            if window.0 != second {
                (window.0, window.1) = (second, 0);
            }
            window.1 += 1;
            // The last use is written at most once a minute per key, sparing the writer.
            let touch = now.saturating_sub(window.2) >= 60_000;
            if touch {
                window.2 = now;
            }
            (window.1 > REQUESTS_PER_SECOND, touch)
        };
        if over {
            let mut response = problem(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("at most {REQUESTS_PER_SECOND} requests a second per key"),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return Err(response);
        }
        if !key.allows(scope) {
            return Err(problem(
                StatusCode::FORBIDDEN,
                "scope",
                format!("this key lacks the scope {}", scope.as_str()),
            ));
        }
        if touch {
            if let Err(e) = api_keys::touch(&self.state.db, key.id, now).await {
                tracing::warn!(error = ?e, "recording an API key's use failed");
            }
        }
        if key.owner_id.is_some() {
            // An owned key of any scope works only while its owner may act.
            self.owner(&key).await?;
        }
        Ok(key)
    }

    /// Who a request acts as: the owner of its key, when the key holds `scope`.
    async fn acting(&self, headers: &HeaderMap, scope: Scope) -> Result<Actor, Response> {
        let key = self.key(headers, scope).await?;
        self.owner(&key).await
    }

    /// Who a request acts as, and the technician id its path names (404 for one that is no
    /// id).
    async fn acting_on(
        &self,
        headers: &HeaderMap,
        scope: Scope,
        id: &str,
    ) -> Result<(Actor, i64), Response> {
        let actor = self.acting(headers, scope).await?;
        let id = id.parse::<i64>().map_err(|_| {
            problem(
                StatusCode::NOT_FOUND,
                "no_technician",
                "there is no such technician",
            )
        })?;
        Ok((actor, id))
    }

    /// The key's owner as an actor, as they are now: a key whose owner was deleted, may no
    /// longer sign in, is gone from their directory or must first change their password,
    /// stops working.
    async fn owner(&self, key: &ApiKey) -> Result<Actor, Response> {
        let gone = || {
            problem(
                StatusCode::UNAUTHORIZED,
                "owner_gone",
                "this key's owner can no longer sign in, so the key no longer works",
            )
        };
        let id = key.owner_id.ok_or_else(gone)?;
        let actor = match app::service::auth::load_actor(&self.state.db, id).await {
            Ok(Some(actor)) if !actor.must_change_password => actor,
            Ok(_) => return Err(gone()),
            Err(e) => return Err(service_error(ServiceError::Internal(e))),
        };
        match app::service::technicians::is_gone_from_directory(&self.state.db, id).await {
            Ok(false) => {}
            Ok(true) => return Err(gone()),
            Err(e) => return Err(service_error(e)),
        }
        let mut actor = actor;
        // The audit log names the key beside its owner.
        actor.name = format!("{} (API key #{} {})", actor.name, key.id, key.name);
        Ok(actor)
    }
}
