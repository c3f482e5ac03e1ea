//! `/api/docs`: the API's reference page, Swagger UI reading `/api/v1/openapi.json`. The
//! bundle is the npm package `swagger-ui-dist`, copied into the site by the build and served
//! from here: nothing is fetched from elsewhere, and the page runs no inline script.

use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::path::Path;
use tower_http::services::ServeDir;

/// The page's own policy: its scripts and styles from here only (Swagger UI sets inline
/// style attributes), and the document it reads from here.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
                   frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Crewdesk API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
<div id="api"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
"#;

const INIT: &str = "window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#api', \
                    deepLinking: true, tryItOutEnabled: false });\n";

/// The page, its start-up script and the bundle under `site_root/api-docs`.
pub fn router(site_root: &Path) -> Router {
    let assets = ServeDir::new(site_root.join("api-docs"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .route(
            "/api/docs",
            get(|| async {
                (
                    [
                        (
                            header::CONTENT_TYPE,
                            HeaderValue::from_static("text/html; charset=utf-8"),
                        ),
                        (
                            header::CONTENT_SECURITY_POLICY,
                            HeaderValue::from_static(CSP),
                        ),
                    ],
                    PAGE,
                )
                    .into_response()
            }),
        )
        .route(
            "/api/docs/init.js",
            get(|| async {
                (
                    [(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/javascript; charset=utf-8"),
                    )],
                    INIT,
                )
                    .into_response()
            }),
        )
        .nest_service("/api/docs/assets", assets)
}
