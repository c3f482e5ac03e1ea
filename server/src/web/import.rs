//! `POST /roster/import`: a roster CSV uploaded from the console (a plain multipart form, so
//! it works without JavaScript), read and previewed, then shown at `/engineers/import?run=ID`;
//! `GET /roster/import/{id}/report.csv`: every row's outcome, in the reader's language.

use crate::roster_csv;
use app::api::SESSION_TECH_ID;
use app::i18n::{Lang, LANG_COOKIE};
use app::service::{roster_imports, Actor, AppState, ServiceError};
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_sessions::Session;

pub const PATH: &str = "/roster/import";

/// The file and the form around it.
const BODY_LIMIT: usize = roster_csv::MAX_BYTES + 64 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            PATH,
            post(upload).layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/roster/import/{id}/report.csv", get(report))
        .with_state(state)
}

/// The signed-in administrator, or the answer to give instead.
async fn actor(state: &AppState, session: &Session) -> Result<Actor, Response> {
    let id = session.get::<i64>(SESSION_TECH_ID).await.ok().flatten();
    let actor = match id {
        Some(id) => app::service::auth::load_actor(&state.db, id).await,
        None => Ok(None),
    };
    match actor {
        Ok(Some(actor)) if !actor.must_change_password => Ok(actor),
        Ok(_) => Err(Redirect::to("/login").into_response()),
        Err(e) => {
            tracing::error!(error = ?e, "reading the importer failed");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

fn refused(err: ServiceError) -> Response {
    match err {
        ServiceError::NotAuthorized(r) | ServiceError::NotFound(r) => {
            let status = if matches!(r, app::domain::Refusal::NoSuchImport) {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::FORBIDDEN
            };
            (status, r.to_string()).into_response()
        }
        e => {
            tracing::error!(error = ?e, "an import failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The file of the form's `file` field: its name and bytes, or why it could not be read.
async fn file_of(req: Request<Body>) -> (String, Result<Vec<u8>, app::domain::FieldProblem>) {
    use app::domain::FieldProblem;
    let too_large = FieldProblem::FileTooLarge {
        max_mb: roster_csv::MAX_BYTES / (1024 * 1024),
    };
    let Ok(mut multipart) = Multipart::from_request(req, &()).await else {
        return (String::new(), Err(FieldProblem::NotCsvText));
    };
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("").to_owned();
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        too_large.clone()
                    } else {
                        FieldProblem::NotCsvText
                    }
                });
                return (name, bytes.map(|b| b.to_vec()));
            }
            Ok(Some(_)) => continue,
            Ok(None) => return (String::new(), Err(FieldProblem::NoColumns)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return (String::new(), Err(too_large))
            }
            Err(_) => return (String::new(), Err(FieldProblem::NotCsvText)),
        }
    }
}

async fn upload(State(state): State<AppState>, session: Session, req: Request<Body>) -> Response {
    // A form another site made the browser post is refused, as server functions are.
    if !super::guard::is_same_origin_headers(req.headers()) {
        return (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response();
    }
    let actor = match actor(&state, &session).await {
        Ok(actor) => actor,
        Err(answer) => return answer,
    };
    // Who may not import is answered before a byte of the file is read.
    if !(actor.is_admin() || actor.is_site_admin()) {
        return refused(ServiceError::NotAuthorized(
            app::domain::Refusal::AdminsOnly {
                verb: app::domain::Verb::Import,
            },
        ));
    }
    let (name, bytes) = file_of(req).await;
    let sheet = bytes.and_then(|b| roster_csv::read(&b));
    match roster_imports::upload(&state.db, &actor, &name, sheet).await {
        Ok(id) => Redirect::to(&format!("/engineers/import?run={id}")).into_response(),
        Err(e) => refused(e),
    }
}

async fn report(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let actor = match actor(&state, &session).await {
        Ok(actor) => actor,
        Err(answer) => return answer,
    };
    let reports = match roster_imports::report(&state.db, &actor, id).await {
        Ok(reports) => reports,
        Err(e) => return refused(e),
    };
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == LANG_COOKIE)
        .map(|(_, v)| v.to_owned());
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let lang = Lang::choose(cookie.as_deref(), accept);
    let mut body = roster_csv::BOM.as_bytes().to_vec();
    body.extend(roster_csv::report(&reports, lang));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"roster-import-report.csv\""),
            ),
        ],
        body,
    )
        .into_response()
}
