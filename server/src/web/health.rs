//! `GET /healthz`: 200 once the server accepts requests.

use axum::routing::get;
use axum::Router;

pub fn router() -> Router {
    Router::new().route("/healthz", get(|| async { "ok" }))
}
