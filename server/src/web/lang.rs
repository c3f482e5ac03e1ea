//! The language switcher: `GET /lang/{code}?back=/path` remembers the language in a cookie
//! for a year and returns to the page (a local path only).

use app::api::technicians::safe_back;
use app::i18n::{Lang, LANG_COOKIE};
use axum::extract::{Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;

pub fn router() -> Router {
    Router::new().route("/lang/{code}", get(switch))
}

async fn switch(
    Path(code): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(lang) = Lang::parse(&code) else {
        return (StatusCode::NOT_FOUND, "Unknown language.").into_response();
    };
    let back = safe_back(query.get("back").map_or("/", String::as_str));
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    (
        StatusCode::SEE_OTHER,
        [(header::SET_COOKIE, cookie), (header::LOCATION, back)],
    )
        .into_response()
}
