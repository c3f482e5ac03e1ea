//! `GET /roster.csv`: the engineers of the roster view the address names (the page's own
//! filters), streamed a page at a time; `bom=1` adds the mark Excel needs.

use app::api::SESSION_TECH_ID;
use app::service::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;
use tower_sessions::Session;

pub const PATH: &str = "/roster.csv";

pub fn router(state: AppState) -> Router {
    Router::new()
        .route(PATH, get(download))
        .route("/consent.csv", get(consent))
        .with_state(state)
}

/// `GET /consent.csv`: the consent ledger for an auditor (SDAdmin).
async fn consent(State(state): State<AppState>, session: Session) -> Response {
    let actor = match signed_in(&state, &session).await {
        Ok(actor) => actor,
        Err(answer) => return answer,
    };
    if let Err(e) = actor.require_admin(app::domain::AdminTask::ReadAuditLog) {
        return (StatusCode::FORBIDDEN, e.to_string()).into_response();
    }
    let export = crate::roster_csv::ConsentExport::new();
    let head = export.header();
    let pages = futures::stream::unfold(Some((export, state, actor)), |next| async move {
        let (mut export, state, actor) = next?;
        match export.next_lines(&state.db, &actor).await {
            Ok(Some(lines)) => Some((
                Ok::<Bytes, std::io::Error>(Bytes::from(lines)),
                Some((export, state, actor)),
            )),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = ?e, "a consent export stopped");
                Some((Err(std::io::Error::other("the export stopped")), None))
            }
        }
    });
    let head = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(Bytes::from(head)) });
    csv_download(head, pages, "attachment; filename=\"consent.csv\"")
}

async fn download(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let actor = match signed_in(&state, &session).await {
        Ok(actor) => actor,
        Err(answer) => return answer,
    };
    let query = crate::roster_csv::query(|name| params.get(name).cloned());
    let bom = params.get("bom").is_some_and(|b| b == "1");
    let (first, export) = match crate::roster_csv::start(&state.db, &actor, &query, bom).await {
        Ok(started) => started,
        Err(app::service::ServiceError::NotAuthorized(refusal)) => {
            return (StatusCode::FORBIDDEN, refusal.to_string()).into_response()
        }
        Err(e) => {
            tracing::error!(error = ?e, "starting an export failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let pages = futures::stream::unfold(Some(export), |export| async move {
        let mut export = export?;
        match export.next_rows().await {
            Ok(Some(rows)) => Some((
                Ok::<Bytes, std::io::Error>(Bytes::from(crate::roster_csv::lines(&rows))),
                Some(export),
            )),
            Ok(None) => None,
            Err(e) => {
                // The download stops short; the error is the server's to read.
                tracing::error!(error = ?e, "an export stopped");
                Some((Err(std::io::Error::other("the export stopped")), None))
            }
        }
    });
    let head =
        futures::stream::once(async move { Ok::<Bytes, std::io::Error>(Bytes::from(first)) });
    csv_download(head, pages, "attachment; filename=\"roster.csv\"")
}

/// The signed-in technician a download is for, or the answer to give instead.
async fn signed_in(state: &AppState, session: &Session) -> Result<app::service::Actor, Response> {
    let id = session.get::<i64>(SESSION_TECH_ID).await.ok().flatten();
    let actor = match id {
        Some(id) => app::service::auth::load_actor(&state.db, id).await,
        None => Ok(None),
    };
    match actor {
        Ok(Some(actor)) if !actor.must_change_password => Ok(actor),
        Ok(_) => Err((StatusCode::UNAUTHORIZED, "Please sign in.").into_response()),
        Err(e) => {
            tracing::error!(error = ?e, "reading who downloads failed");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

/// `body` as a CSV file to save.
/// The CSV's first lines, then its pages as they are read. The stream is fused: whoever
/// reads the body (the compression layer does) may ask again after its end, which an
/// unfolded stream answers with a panic.
fn csv_download(
    head: impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
    pages: impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
    disposition: &'static str,
) -> Response {
    use futures::StreamExt;
    let mut response = Body::from_stream(head.chain(pages).fuse()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(disposition),
    );
    response
}
