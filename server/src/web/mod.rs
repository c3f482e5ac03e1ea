//! The console over HTTP: Leptos pages and server functions, static assets, and the guards
//! in front of them.

pub mod ack;
pub mod api_docs;
pub mod api_v1;
pub mod assets;
pub mod confirm;
pub mod edge;
pub mod export;
pub mod guard;
pub mod health;
pub mod import;
pub mod lang;
pub mod password;
pub mod render;
pub mod sessions;

use app::service::AppState;
use app::{shell, App};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::OnceLock;
use tower_http::compression::predicate::Predicate as _;

/// The console's routes, found once per process. Finding them renders the app with every
/// resource held back, and that hold is process-wide: a page whose resource first ran
/// while another server in the same process was finding its routes waited forever, until
/// the request deadline answered it empty (leptos-rs/leptos#4773). Every server after the
/// first reuses this list, so no page is ever rendered while routes are being found.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// `secure`: the console is served over HTTPS (its cookies are `Secure` and `__Host-`);
/// `deadline`: the requests' deadline, past which a page's render is stopped.
pub fn console_router(
    options: LeptosOptions,
    built: &assets::Built,
    state: AppState,
    secure: bool,
    deadline: std::time::Duration,
) -> Router {
    render::install_executor();
    let routes = routes();
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(app::api::RequestActor::default());
        }
    };
    let app_shell = {
        let files = built.site_files();
        move || shell(files.clone())
    };
    let pages: Router = Router::new()
        .leptos_routes_with_context(&options, routes, context, app_shell)
        .with_state(options.clone())
        .merge(password::router(state.clone()))
        .merge(export::router(state.clone()));
    pages
        .layer(axum::middleware::from_fn_with_state(
            render::Limit::after(deadline),
            render::on_own_thread,
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            edge::SERVER_FN_BODY_LIMIT,
        ))
        .layer(axum::middleware::from_fn(guard::require_sign_in))
        .layer(axum::middleware::from_fn_with_state(
            secure,
            guard::form_errors_for_their_browser_only,
        ))
        .layer(axum::middleware::from_fn(guard::same_origin_server_fns))
        // Pages, server functions' answers and exports go compressed to a browser that
        // accepts it: the roster's HTML is 92 KB, 5 KB in brotli, and on a slow link it
        // shares the wire with the code. Quality 4 costs little CPU per page. No page carries
        // a secret an attacker could guess at through its compressed length (BREACH): the
        // session is a cookie, CSRF is refused by origin, and a new API key is shown once.
        // Only successful answers: a refusal's body is read on its way out, to give it its
        // status (edge::refusals_are_client_errors), and must stay as written.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::compression::CompressionLevel::Precise(4))
                .compress_when(
                    tower_http::compression::predicate::DefaultPredicate::new().and(
                        |status: http::StatusCode,
                         _: http::Version,
                         _: &http::HeaderMap,
                         _: &http::Extensions| status.is_success(),
                    ),
                ),
        )
        // The upload is larger than a server function's body; it checks its origin itself.
        .merge(import::router(state.clone()))
        .merge(api_docs::router(std::path::Path::new(
            options.site_root.as_ref(),
        )))
        .merge(assets::router(&options, built))
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
