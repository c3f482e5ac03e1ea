//! A technician's ways of being reached: its contact points (masked, as the console shows
//! them), its subscriptions, a subscription requested, and a test message sent.

use super::schema::{
    ContactPoint, ContactPoints, FieldIssue, Pending, Queued, SubscribeInput, Subscription,
    Subscriptions, TestInput,
};
use super::{object, problem_with, service_error_with, Api};
use app::domain::{Channel, Method, Scope};
use app::service::{notifications, subscriptions, AuditContext, ServiceError, Source};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

fn refused(err: ServiceError) -> Response {
    service_error_with(err, StatusCode::UNPROCESSABLE_ENTITY)
}

/// `GET /api/v1/technicians/{id}/contact-points`: whoever may edit the technician (or the
/// technician itself) sees them, masked.
#[utoipa::path(get, path = "/api/v1/technicians/{id}/contact-points", tag = "contacts",
    params(("id" = i64, Path)),
    responses((status = 200, description = "Its contact points, masked", body = ContactPoints)))]
pub(super) async fn contact_points(
    State(api): State<Api>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (actor, id) = match api.acting_on(&headers, Scope::TechniciansRead, &id).await {
        Ok(acting) => acting,
        Err(response) => return response,
    };
    match app::service::technicians::edit_view(&api.state.db, &actor, id).await {
        Ok(view) => {
            let items = view
                .contacts
                .0
                .iter()
                .map(|(field, masked)| ContactPoint {
                    field: field.clone(),
                    masked: masked.clone(),
                })
                .collect();
            axum::Json(ContactPoints { items }).into_response()
        }
        Err(e) => refused(e),
    }
}

/// `GET /api/v1/technicians/{id}/subscriptions`
#[utoipa::path(get, path = "/api/v1/technicians/{id}/subscriptions", tag = "contacts",
    params(("id" = i64, Path)),
    responses((status = 200, description = "Each method and where it stands", body = Subscriptions)))]
pub(super) async fn subscriptions(
    State(api): State<Api>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (actor, id) = match api.acting_on(&headers, Scope::TechniciansRead, &id).await {
        Ok(acting) => acting,
        Err(response) => return response,
    };
    let now = api.state.clock.now();
    match subscriptions::subscribe_view(&api.state.db, &actor, id, now).await {
        Ok(view) => {
            let items = view
                .options
                .iter()
                .map(|o| Subscription {
                    method: o.method.as_str().to_owned(),
                    state: o.state.as_str().to_owned(),
                    unavailable: o.unavailable.map(|u| u.describe().to_string()),
                })
                .collect();
            axum::Json(Subscriptions { items }).into_response()
        }
        Err(e) => refused(e),
    }
}

/// The body's one list or string attribute `field`, as names.
fn names(map: &serde_json::Map<String, Value>, field: &str) -> Option<Vec<String>> {
    match map.get(field)? {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

fn bad_field(field: &str, detail: &str) -> Response {
    problem_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        format!("{field}: {detail}"),
        vec![FieldIssue::new(field, "invalid", detail)],
    )
}

/// `POST /api/v1/technicians/{id}/subscriptions` with `{"methods": ["sms", "email"]}`: the
/// confirmation messages go out as from the console's Subscribe dialog.
#[utoipa::path(post, path = "/api/v1/technicians/{id}/subscriptions", tag = "contacts",
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body(content = SubscribeInput, content_type = "application/json"),
    responses((status = 202, description = "Confirmations sent", body = Pending)))]
pub(super) async fn subscribe(
    State(api): State<Api>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let (actor, id) = match api
        .acting_on(request.headers(), Scope::TechniciansWrite, &id)
        .await
    {
        Ok(acting) => acting,
        Err(response) => return response,
    };
    let map = match object(request, false).await {
        Ok(map) => map,
        Err(response) => return response,
    };
    let Some(raw) = names(&map, "methods") else {
        return bad_field("methods", "must be a list of sms, voice and email");
    };
    let mut methods = Vec::new();
    for name in &raw {
        match Method::ALL
            .into_iter()
            .find(|m| m.as_str() == name.as_str())
        {
            Some(method) if !methods.contains(&method) => methods.push(method),
            Some(_) => {}
            None => return bad_field("methods", "must be a list of sms, voice and email"),
        }
    }
    let ctx = AuditContext::new(Source::Api, None);
    let now = api.state.clock.now();
    match subscriptions::request(&api.state.db, &actor, &ctx, id, &methods, now).await {
        Ok(pending) => {
            let pending = pending.iter().map(|m| m.as_str().to_owned()).collect();
            (StatusCode::ACCEPTED, axum::Json(Pending { pending })).into_response()
        }
        Err(e) => refused(e),
    }
}

/// `POST /api/v1/technicians/{id}/test` with `{"channel": "sms"}`.
#[utoipa::path(post, path = "/api/v1/technicians/{id}/test", tag = "contacts",
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body(content = TestInput, content_type = "application/json"),
    responses((status = 202, description = "A test message queued", body = Queued)))]
pub(super) async fn test(
    State(api): State<Api>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let (actor, id) = match api
        .acting_on(request.headers(), Scope::TechniciansWrite, &id)
        .await
    {
        Ok(acting) => acting,
        Err(response) => return response,
    };
    let map = match object(request, false).await {
        Ok(map) => map,
        Err(response) => return response,
    };
    let channel = map
        .get("channel")
        .and_then(Value::as_str)
        .and_then(Channel::parse);
    let Some(channel) = channel else {
        return bad_field("channel", &format!("must be one of {}", Channel::names()));
    };
    let ctx = AuditContext::new(Source::Api, None);
    let now = api.state.clock.now();
    match notifications::send_test(&api.state.db, &actor, &ctx, id, channel, now).await {
        Ok(()) => (
            StatusCode::ACCEPTED,
            axum::Json(Queued {
                queued: channel.as_str().to_owned(),
            }),
        )
            .into_response(),
        Err(e) => refused(e),
    }
}
