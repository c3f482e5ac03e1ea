//! `/api/v1/sites`, `/departments`, `/groups`, `/udfs`: the reference data technicians point
//! at, listed for any reading key and added by an SDAdmin's key.

use super::schema::{
    FieldIssue, Placed, PlacedInput, PlacedList, Site, SiteInput, Sites, Udf, Udfs,
};
use super::{object, problem, problem_with, service_error_with, Api};
use app::domain::{Scope, ShortText, SiteName, UdfColumn};
use app::i18n::Lang;
use app::service::{reference, AuditContext, ServiceError, Source};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

fn refused(err: ServiceError) -> Response {
    service_error_with(err, StatusCode::UNPROCESSABLE_ENTITY)
}

/// The string attributes `names` of a body, each checked by `parse`; every problem at once.
struct Fields {
    map: Map<String, Value>,
    errors: Vec<FieldIssue>,
}

impl Fields {
    fn new(map: Map<String, Value>, known: &[&str]) -> Self {
        let errors = map
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .map(|k| {
                let shown: String = k.chars().take(64).collect();
                FieldIssue::new(&shown, "unknown_attribute", "is not an attribute here")
            })
            .collect();
        Self { map, errors }
    }

    /// `field` parsed, or `None` (absent or blank when `optional`) with its problem noted.
    fn take<T, E: Into<app::domain::FieldProblem>>(
        &mut self,
        field: &str,
        optional: bool,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<T> {
        let raw = match self.map.get(field) {
            None | Some(Value::Null) => "",
            Some(Value::String(s)) => s.as_str(),
            Some(_) => {
                self.errors
                    .push(FieldIssue::new(field, "not_a_string", "must be a string"));
                return None;
            }
        };
        if optional && raw.trim().is_empty() {
            return None;
        }
        match parse(raw) {
            Ok(value) => Some(value),
            Err(e) => {
                self.errors.push(super::field_error(field, &e.into()));
                None
            }
        }
    }

    /// Every problem noted, as one answer; `None` when there is none.
    fn problems(self) -> Option<Response> {
        (!self.errors.is_empty()).then(|| {
            problem_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "some attributes cannot be taken",
                self.errors,
            )
        })
    }
}

/// A required value that was neither given nor refused: never, as `Fields::take` notes an
/// empty one; answered as the client's problem all the same.
fn required() -> Response {
    problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        "a required attribute is missing",
    )
}

/// An SDAdmin's add: who acts, and the body's attributes (only `known` ones).
async fn adding(
    api: &Api,
    request: Request<Body>,
    known: &[&str],
) -> Result<(app::service::Actor, Fields), Response> {
    let actor = api
        .acting(request.headers(), Scope::TechniciansWrite)
        .await?;
    let map = object(request, false).await?;
    Ok((actor, Fields::new(map, known)))
}

fn created(body: impl serde::Serialize) -> Response {
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

fn context() -> AuditContext {
    AuditContext::new(Source::Api, None)
}

#[utoipa::path(get, path = "/api/v1/sites", tag = "reference",
    responses((status = 200, description = "Every site", body = Sites)))]
pub(super) async fn sites(State(api): State<Api>, headers: HeaderMap) -> Response {
    if let Err(response) = api.acting(&headers, Scope::TechniciansRead).await {
        return response;
    }
    match reference::list_sites(&api.state.db).await {
        Ok(sites) => {
            let items = sites
                .into_iter()
                .map(|s| Site {
                    id: s.id,
                    name: s.name,
                    language: s.language.map(|l| l.code().to_owned()),
                })
                .collect();
            axum::Json(Sites { items }).into_response()
        }
        Err(e) => refused(e),
    }
}

#[utoipa::path(post, path = "/api/v1/sites", tag = "reference",
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body(content = SiteInput, content_type = "application/json"),
    responses((status = 201, description = "Added (an SDAdmin's key)", body = Site)))]
pub(super) async fn add_site(State(api): State<Api>, request: Request<Body>) -> Response {
    let (actor, mut fields) = match adding(&api, request, &["name", "language"]).await {
        Ok(taken) => taken,
        Err(response) => return response,
    };
    let name = fields.take("name", false, SiteName::parse);
    let language = fields.take("language", true, Lang::parse_setting);
    if let Some(response) = fields.problems() {
        return response;
    }
    let Some(name) = name else {
        return required();
    };
    let ctx = context();
    let site = match reference::add_site(&api.state.db, &actor, &ctx, &name).await {
        Ok(site) => site,
        Err(e) => return refused(e),
    };
    if language.is_some() {
        let set = reference::set_site_language(&api.state.db, &actor, &ctx, &name, language).await;
        if let Err(e) = set {
            return refused(e);
        }
    }
    created(Site {
        id: site.id,
        name: site.name,
        language: language.map(|l| l.code().to_owned()),
    })
}

/// Departments or groups, as `{id, name, site}`.
async fn items(api: &Api, headers: &HeaderMap, groups: bool) -> Response {
    if let Err(response) = api.acting(headers, Scope::TechniciansRead).await {
        return response;
    }
    let actor = app::service::Actor::operator();
    match reference::reference_data(&api.state.db, &actor).await {
        Ok(data) => {
            let list = if groups {
                data.groups
            } else {
                data.departments
            };
            let items = list
                .into_iter()
                .map(|i| Placed {
                    id: i.id,
                    name: i.name,
                    site: i.site,
                })
                .collect();
            axum::Json(PlacedList { items }).into_response()
        }
        Err(e) => refused(e),
    }
}

#[utoipa::path(get, path = "/api/v1/departments", tag = "reference",
    responses((status = 200, description = "Every department", body = PlacedList)))]
pub(super) async fn departments(State(api): State<Api>, headers: HeaderMap) -> Response {
    items(&api, &headers, false).await
}

#[utoipa::path(get, path = "/api/v1/groups", tag = "reference",
    responses((status = 200, description = "Every group", body = PlacedList)))]
pub(super) async fn groups(State(api): State<Api>, headers: HeaderMap) -> Response {
    items(&api, &headers, true).await
}

#[utoipa::path(post, path = "/api/v1/departments", tag = "reference",
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body(content = PlacedInput, content_type = "application/json"),
    responses((status = 201, description = "Added (an SDAdmin's key)", body = Placed)))]
pub(super) async fn add_department(State(api): State<Api>, request: Request<Body>) -> Response {
    let (actor, mut fields) = match adding(&api, request, &["name", "site"]).await {
        Ok(taken) => taken,
        Err(response) => return response,
    };
    let name = fields.take("name", false, SiteName::parse);
    let site = fields.take("site", true, SiteName::parse);
    if let Some(response) = fields.problems() {
        return response;
    }
    let Some(name) = name else {
        return required();
    };
    match reference::add_department(&api.state.db, &actor, &context(), &name, site.as_ref()).await {
        Ok(id) => created(Placed {
            id,
            name: name.as_ref().to_owned(),
            site: site.map(|s| s.to_string()),
        }),
        Err(e) => refused(e),
    }
}

#[utoipa::path(post, path = "/api/v1/groups", tag = "reference",
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body(content = PlacedInput, content_type = "application/json"),
    responses((status = 201, description = "Added (an SDAdmin's key)", body = Placed)))]
pub(super) async fn add_group(State(api): State<Api>, request: Request<Body>) -> Response {
    let (actor, mut fields) = match adding(&api, request, &["name", "site"]).await {
        Ok(taken) => taken,
        Err(response) => return response,
    };
    let name = fields.take("name", false, SiteName::parse);
    let site = fields.take("site", false, SiteName::parse);
    if let Some(response) = fields.problems() {
        return response;
    }
    let (Some(name), Some(site)) = (name, site) else {
        return required();
    };
    match reference::add_group(&api.state.db, &actor, &context(), &site, &name).await {
        Ok(id) => created(Placed {
            id,
            name: name.as_ref().to_owned(),
            site: Some(site.as_ref().to_owned()),
        }),
        Err(e) => refused(e),
    }
}

#[utoipa::path(get, path = "/api/v1/udfs", tag = "reference",
    responses((status = 200, description = "Every user-defined field", body = Udfs)))]
pub(super) async fn udfs(State(api): State<Api>, headers: HeaderMap) -> Response {
    if let Err(response) = api.acting(&headers, Scope::TechniciansRead).await {
        return response;
    }
    match reference::list_udfs(&api.state.db).await {
        Ok(udfs) => {
            let items = udfs
                .into_iter()
                .map(|u| Udf {
                    column: u.column,
                    alias: u.alias,
                })
                .collect();
            axum::Json(Udfs { items }).into_response()
        }
        Err(e) => refused(e),
    }
}

#[utoipa::path(post, path = "/api/v1/udfs", tag = "reference",
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body(content = Udf, content_type = "application/json"),
    responses((status = 201, description = "Defined (an SDAdmin's key)", body = Udf)))]
pub(super) async fn add_udf(State(api): State<Api>, request: Request<Body>) -> Response {
    let (actor, mut fields) = match adding(&api, request, &["column", "alias"]).await {
        Ok(taken) => taken,
        Err(response) => return response,
    };
    let column = fields.take("column", false, UdfColumn::parse);
    let alias = fields.take("alias", false, ShortText::parse);
    if let Some(response) = fields.problems() {
        return response;
    }
    let (Some(column), Some(alias)) = (column, alias) else {
        return required();
    };
    match reference::add_udf(&api.state.db, &actor, &context(), &column, &alias).await {
        Ok(_) => created(Udf {
            column: column.to_string(),
            alias: alias.to_string(),
        }),
        Err(e) => refused(e),
    }
}
