//! `/api/v1/sites`, `/departments`, `/groups`, `/udfs`: the reference data technicians point
//! at, listed for any reading key and added by an SDAdmin's key.

use super::{object, problem, problem_with, service_error_with, Api};
use app::domain::{Scope, ShortText, SiteName, UdfColumn};
use app::i18n::Lang;
use app::service::{reference, AuditContext, ServiceError, Source};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

fn refused(err: ServiceError) -> Response {
    service_error_with(err, StatusCode::UNPROCESSABLE_ENTITY)
}

/// The string attributes `names` of a body, each checked by `parse`; every problem at once.
struct Fields {
    map: Map<String, Value>,
    errors: Vec<Value>,
}

impl Fields {
    fn new(map: Map<String, Value>, known: &[&str]) -> Self {
        let errors = map
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .map(|k| {
                let shown: String = k.chars().take(64).collect();
                json!({ "field": shown, "code": "unknown_attribute",
                    "detail": "is not an attribute here" })
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
                    .push(json!({ "field": field, "code": "not_a_string",
                    "detail": "must be a string" }));
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

fn created(body: Value) -> Response {
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

fn context() -> AuditContext {
    AuditContext::new(Source::Api, None)
}

pub(super) async fn sites(State(api): State<Api>, headers: HeaderMap) -> Response {
    if let Err(response) = api.acting(&headers, Scope::TechniciansRead).await {
        return response;
    }
    match reference::list_sites(&api.state.db).await {
        Ok(sites) => {
            let items: Vec<Value> = sites
                .into_iter()
                .map(|s| json!({ "id": s.id, "name": s.name, "language": s.language.map(Lang::code) }))
                .collect();
            axum::Json(json!({ "items": items })).into_response()
        }
        Err(e) => refused(e),
    }
}

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
    created(json!({ "id": site.id, "name": site.name, "language": language.map(Lang::code) }))
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
            let items: Vec<Value> = list
                .into_iter()
                .map(|i| json!({ "id": i.id, "name": i.name, "site": i.site }))
                .collect();
            axum::Json(json!({ "items": items })).into_response()
        }
        Err(e) => refused(e),
    }
}

pub(super) async fn departments(State(api): State<Api>, headers: HeaderMap) -> Response {
    items(&api, &headers, false).await
}

pub(super) async fn groups(State(api): State<Api>, headers: HeaderMap) -> Response {
    items(&api, &headers, true).await
}

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
        Ok(id) => {
            created(json!({ "id": id, "name": name.as_ref(), "site": site.map(|s| s.to_string()) }))
        }
        Err(e) => refused(e),
    }
}

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
        Ok(id) => created(json!({ "id": id, "name": name.as_ref(), "site": site.as_ref() })),
        Err(e) => refused(e),
    }
}

pub(super) async fn udfs(State(api): State<Api>, headers: HeaderMap) -> Response {
    if let Err(response) = api.acting(&headers, Scope::TechniciansRead).await {
        return response;
    }
    match reference::list_udfs(&api.state.db).await {
        Ok(udfs) => {
            let items: Vec<Value> = udfs
                .into_iter()
                .map(|u| json!({ "column": u.column, "alias": u.alias }))
                .collect();
            axum::Json(json!({ "items": items })).into_response()
        }
        Err(e) => refused(e),
    }
}

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
        Ok(_) => created(json!({ "column": column.to_string(), "alias": alias.to_string() })),
        Err(e) => refused(e),
    }
}
