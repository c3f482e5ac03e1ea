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
    Router::new().route(PATH, get(download)).with_state(state)
}

async fn download(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let id = session.get::<i64>(SESSION_TECH_ID).await.ok().flatten();
    let actor = match id {
        Some(id) => app::service::auth::load_actor(&state.db, id).await,
        None => Ok(None),
    };
    let actor = match actor {
        Ok(Some(actor)) if !actor.must_change_password => actor,
        Ok(_) => return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "reading the exporter failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
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
    let mut response = Body::from_stream(futures::StreamExt::chain(head, pages)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"roster.csv\""),
    );
    response
}
