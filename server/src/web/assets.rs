//! The WASM (the main module and the chunks of the lazy routes), JS and CSS under `/pkg`,
//! served pre-compressed (brotli, gzip) when the build left `.br`/`.gz` files beside them.
//! Chunk names do not change with their content, so a browser revalidates each file (a
//! `304` when unchanged) rather than mixing a cached chunk with a new main module.

use axum::http::{header, HeaderValue};
use axum::Router;
use leptos::prelude::LeptosOptions;
use std::path::PathBuf;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

pub fn router(options: &LeptosOptions) -> Router {
    let root = PathBuf::from(options.site_root.as_ref());
    let pkg = ServeDir::new(root.join(options.site_pkg_dir.as_ref()))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .nest_service("/pkg", pkg)
        .route_service("/favicon.ico", ServeFile::new(root.join("favicon.ico")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}
