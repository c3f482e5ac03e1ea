//! The console over HTTP: Leptos pages and server functions, static assets, and the guards
//! in front of them.

pub mod api_v1;
pub mod assets;
pub mod confirm;
pub mod edge;
pub mod guard;
pub mod health;
pub mod lang;
pub mod sessions;

use app::service::AppState;
use app::{shell, App};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};

pub fn console_router(options: LeptosOptions, state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(app::api::RequestActor::default());
        }
    };
    let app_shell = {
        let options = options.clone();
        move || shell(options.clone())
    };
    let pages: Router = Router::new()
        .leptos_routes_with_context(&options, routes, context, app_shell)
        .with_state(options.clone());
    pages
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            edge::SERVER_FN_BODY_LIMIT,
        ))
        .layer(axum::middleware::from_fn(guard::require_sign_in))
        .layer(axum::middleware::from_fn(guard::same_origin_server_fns))
        .merge(assets::router(&options))
}

/// Text made safe to place in HTML, inside elements or quoted attributes.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
