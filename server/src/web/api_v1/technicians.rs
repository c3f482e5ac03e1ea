//! `/api/v1/technicians`: the roster as JSON. A list with the console's search, filters,
//! sort and keyset pages; one technician with its attributes as the XML API names them and
//! an `ETag` from its version; create; JSON Merge Patch (RFC 7396) and delete, both only
//! with an `If-Match` naming the version the client saw.

use super::schema::{FieldIssue, Technician, TechnicianInput, TechnicianLine, TechnicianPage};
use super::{field_error, object, problem, problem_with, service_error_with, Api};
use app::domain::edit::EditForm;
use app::domain::{Edit, ListQuery, NewTechnician, Scope, TechnicianForm, TechnicianRef};
use app::service::{technicians, AuditContext, ServiceError, Source};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

/// Field problems here are the client's to fix: 422.
fn refused(err: ServiceError) -> Response {
    service_error_with(err, StatusCode::UNPROCESSABLE_ENTITY)
}

/// Every change through the API is audited as source `api`; the actor's name carries the
/// key's (see [`Api::owner`]).
fn context() -> AuditContext {
    AuditContext::new(Source::Api, None)
}

/// `GET /api/v1/technicians?q=&site=&role=&state=&dir=&sort=&desc=1&per_page=&after=`, the
/// roster page's own parameters.
#[utoipa::path(get, path = "/api/v1/technicians", tag = "technicians",
    params(
        ("q" = Option<String>, Query, description = "Matched against name, alias, login, email and mobile"),
        ("site" = Option<String>, Query, description = "A site id, or `none`"),
        ("role" = Option<String>, Query, description = "`SDAdmin`, `SDSiteAdmin` or `none`"),
        ("state" = Option<String>, Query, description = "A subscription state"),
        ("dir" = Option<String>, Query, description = "A directory's name"),
        ("sort" = Option<String>, Query, description = "`name`, `login`, `site` or `updated`"),
        ("desc" = Option<String>, Query, description = "`1` for descending"),
        ("per_page" = Option<u32>, Query, description = "1 to 200; 50 when left out"),
        ("after" = Option<String>, Query, description = "The `next` of the previous page"),
    ),
    responses((status = 200, description = "A page of the roster, within the key owner's reach", body = TechnicianPage)))]
pub(super) async fn list(
    State(api): State<Api>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let actor = match api.acting(&headers, Scope::TechniciansRead).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let text = |name: &str| params.get(name).cloned().unwrap_or_default();
    let per_page = match params.get("per_page").map(|v| v.parse::<u32>()) {
        None => 50,
        Some(Ok(n)) if (1..=200).contains(&n) => n,
        Some(_) => {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "per_page must be a whole number from 1 to 200",
            )
        }
    };
    let query = ListQuery {
        page: 1,
        per_page,
        after: text("after"),
        ..ListQuery::from_params(text)
    };
    match technicians::list_technicians(&api.state.db, &actor, &query).await {
        Ok(page) => {
            let items = page
                .rows
                .into_iter()
                .map(|r| TechnicianLine {
                    id: r.id,
                    version: r.version,
                    name: r.name,
                    alias: r.alias,
                    login_name: r.login_name,
                    site: r.site,
                    department: r.department,
                    mobile: r.mobile,
                    email: r.email,
                    roles: r.roles,
                    directory: r.directory,
                    missing_from_directory: r.missing,
                })
                .collect();
            axum::Json(TechnicianPage {
                items,
                total: page.total,
                total_is_floor: page.total_is_floor,
                next: page.next_cursor,
            })
            .into_response()
        }
        Err(e) => refused(e),
    }
}

/// The technician as the API shows it, with its version for the `ETag`. Read twice around
/// the version, so the tag always belongs to the body.
async fn current(api: &Api, id: i64) -> Result<Option<(i64, Technician)>, ServiceError> {
    for _ in 0..3 {
        let before = technicians::version_of(&api.state.db, id).await?;
        let Some(details) = technicians::details(&api.state.db, id).await? else {
            return Ok(None);
        };
        let after = technicians::version_of(&api.state.db, id).await?;
        if let (Some(before), Some(after)) = (before, after) {
            if before == after {
                let body = Technician {
                    id,
                    version: before,
                    attributes: details.0.into_iter().collect(),
                    notes: None,
                };
                return Ok(Some((before, body)));
            }
        }
    }
    Err(ServiceError::Conflict(app::domain::Refusal::KeptChanging))
}

/// A technician's entity tag: its id and version, so a tag read from one technician never
/// passes for another.
fn etag(id: i64, version: i64) -> String {
    format!("\"{id}.{version}\"")
}

fn with_etag(status: StatusCode, id: i64, version: i64, body: Technician) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(tag) = HeaderValue::from_str(&etag(id, version)) {
        response.headers_mut().insert(header::ETAG, tag);
    }
    response
}

fn not_found() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "no_technician",
        "there is no such technician",
    )
}

/// `GET /api/v1/technicians/{id}`
#[utoipa::path(get, path = "/api/v1/technicians/{id}", tag = "technicians",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The technician, with its ETag", body = Technician)))]
pub(super) async fn read(
    State(api): State<Api>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(response) = api.acting(&headers, Scope::TechniciansRead).await {
        return response;
    }
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    match current(&api, id).await {
        Ok(Some((version, body))) => with_etag(StatusCode::OK, id, version, body),
        Ok(None) => not_found(),
        Err(e) => refused(e),
    }
}

/// The version an `If-Match` names for technician `id`: 428 without one, 412 for one that
/// is not a strong tag of this technician (`*` and weak tags included: a write needs the
/// exact version it read).
fn if_match(headers: &HeaderMap, id: i64) -> Result<i64, Box<Response>> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Err(Box::new(problem(
            StatusCode::PRECONDITION_REQUIRED,
            "if_match_required",
            "send If-Match with the ETag of the technician as you read it",
        )));
    };
    let prefix = format!("\"{id}.");
    value
        .to_str()
        .ok()
        .map(str::trim)
        .and_then(|v| v.strip_prefix(prefix.as_str()))
        .and_then(|v| v.strip_suffix('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| {
            Box::new(problem(
                StatusCode::PRECONDITION_FAILED,
                "stale_edit",
                "If-Match names no version of this technician",
            ))
        })
}

/// The attributes a technician form knows, as the API spells them.
fn attribute_names() -> Vec<String> {
    match serde_json::to_value(TechnicianForm::default()) {
        Ok(Value::Object(map)) => map.keys().filter(|k| *k != "udfs").cloned().collect(),
        _ => Vec::new(),
    }
}

/// A JSON object of attributes as the form the console and the XML API fill in: strings
/// (booleans for flags), `null` clearing; contact points by their field names. Unknown
/// attributes and other types are refused by name.
fn form_of(map: Map<String, Value>) -> Result<EditForm, Box<Response>> {
    let known = attribute_names();
    let contact_fields: Vec<&str> = app::domain::Channel::with_contact_points()
        .flat_map(|(_, spec)| std::iter::once(spec.address_field).chain(spec.secret_field))
        .collect();
    let mut technician = Map::new();
    let mut udfs = Vec::new();
    let mut contact = BTreeMap::new();
    let mut errors = Vec::new();
    for (name, value) in map {
        let text = match value {
            Value::Null => String::new(),
            Value::String(s) => s,
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => {
                let name: String = name.chars().take(64).collect();
                errors.push(FieldIssue::new(
                    &name,
                    "not_a_string",
                    "must be a string, a number, true or false, or null",
                ));
                continue;
            }
        };
        if known.contains(&name) {
            technician.insert(name, Value::String(text));
        } else if app::domain::UdfColumn::parse(&name).is_ok() {
            udfs.push((name, text));
        } else if contact_fields.contains(&name.as_str()) {
            if text.is_empty() {
                contact.insert(format!("remove_{name}"), "true".to_owned());
            }
            contact.insert(name, text);
        } else {
            let shown: String = name.chars().take(64).collect();
            errors.push(FieldIssue::new(
                &shown,
                "unknown_attribute",
                "is not an attribute of a technician",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Box::new(problem_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "some attributes cannot be taken",
            errors,
        )));
    }
    let mut form: TechnicianForm =
        serde_json::from_value(Value::Object(technician)).unwrap_or_default();
    form.udfs = udfs;
    Ok(EditForm {
        technician: form,
        contact,
    })
}

/// `POST /api/v1/technicians`
#[utoipa::path(post, path = "/api/v1/technicians", tag = "technicians",
    params(("Idempotency-Key" = Option<String>, Header, description = "A repeat with the same key answers the first result")),
    request_body(content = TechnicianInput, content_type = "application/json"),
    responses((status = 201, description = "Created, with its ETag and Location", body = Technician)))]
pub(super) async fn create(State(api): State<Api>, request: Request<Body>) -> Response {
    let actor = match api.acting(request.headers(), Scope::TechniciansWrite).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let ctx = context();
    let form = match object(request, false).await.map(form_of) {
        Ok(Ok(form)) => form,
        Ok(Err(response)) => return *response,
        Err(response) => return response,
    };
    if !form.contact.is_empty() {
        let fields = form
            .contact
            .keys()
            .map(|field| {
                FieldIssue::new(
                    field,
                    "not_on_create",
                    "is set by a PATCH once the technician exists",
                )
            })
            .collect();
        return problem_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "contact points are set once the technician exists",
            fields,
        );
    }
    let new = match NewTechnician::try_from(form.technician) {
        Ok(new) => new,
        Err(errors) => return refused(ServiceError::Invalid(errors)),
    };
    let added = match technicians::add_technician(&api.state.db, &actor, &ctx, new).await {
        Ok(added) => added,
        Err(e) => return refused(e),
    };
    match current(&api, added.id).await {
        Ok(Some((version, mut body))) => {
            body.notes = Some(added.notes.iter().map(ToString::to_string).collect());
            let mut response = with_etag(StatusCode::CREATED, added.id, version, body);
            if let Ok(location) =
                HeaderValue::from_str(&format!("/api/v1/technicians/{}", added.id))
            {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Ok(None) => not_found(),
        Err(e) => refused(e),
    }
}

/// `PATCH /api/v1/technicians/{id}` with `If-Match`.
#[utoipa::path(patch, path = "/api/v1/technicians/{id}", tag = "technicians",
    params(("id" = i64, Path), ("If-Match" = String, Header, description = "The ETag last read")),
    request_body(content = TechnicianInput, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed, with its new ETag", body = Technician)))]
pub(super) async fn patch(
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
    let expected = match if_match(request.headers(), id) {
        Ok(version) => version,
        Err(response) => return *response,
    };
    let ctx = context();
    let form = match object(request, true).await.map(form_of) {
        Ok(Ok(form)) => form,
        Ok(Err(response)) => return *response,
        Err(response) => return response,
    };
    let edit = match Edit::parse(form, &api.state.webhook_hosts) {
        Ok(edit) => edit,
        Err(errors) => {
            let fields = errors
                .0
                .iter()
                .map(|e| field_error(&e.field, &e.problem))
                .collect();
            return problem_with(StatusCode::UNPROCESSABLE_ENTITY, "invalid", errors, fields);
        }
    };
    let target = TechnicianRef::by_id(id);
    let updated = technicians::update_technician(
        &api.state.db,
        &api.state.secret_key,
        &actor,
        &ctx,
        &target,
        edit,
        Some(expected),
    )
    .await;
    if let Err(e) = updated {
        return refused(e);
    }
    match current(&api, id).await {
        Ok(Some((version, body))) => with_etag(StatusCode::OK, id, version, body),
        Ok(None) => not_found(),
        Err(e) => refused(e),
    }
}

/// `DELETE /api/v1/technicians/{id}` with `If-Match`.
#[utoipa::path(delete, path = "/api/v1/technicians/{id}", tag = "technicians",
    params(("id" = i64, Path), ("If-Match" = String, Header, description = "The ETag last read")),
    responses((status = 204, description = "Deleted")))]
pub(super) async fn delete(
    State(api): State<Api>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (actor, id) = match api.acting_on(&headers, Scope::TechniciansWrite, &id).await {
        Ok(acting) => acting,
        Err(response) => return response,
    };
    let expected = match if_match(&headers, id) {
        Ok(version) => version,
        Err(response) => return *response,
    };
    let ctx = context();
    let target = TechnicianRef::by_id(id);
    match technicians::delete_technician(&api.state.db, &actor, &ctx, &target, Some(expected)).await
    {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => refused(e),
    }
}
