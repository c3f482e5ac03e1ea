//! What every response passes through on its way out, assembled once: a panic answers (and
//! is logged) instead of dropping the connection, every request has a deadline, bodies are
//! bounded, the browser is told what the page may do (security headers), server-function
//! refusals carry a client-error status, and the access log names paths, never queries.

use crate::config::Settings;
use app::api::AppError;
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderName, HeaderValue, Request, Response, StatusCode};
use axum::middleware::Next;
use axum::Router;
use leptos::server_fn::{error::FromServerFnError, Decodes};
use std::any::Any;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::TraceLayer;

/// Server functions take small forms; the servlet has its own 64 KiB limit.
pub const SERVER_FN_BODY_LIMIT: usize = 64 * 1024;

/// The policy for everything that is not a console page (pages send their own, with the
/// nonce of their inline hydration script): nothing may run or be framed.
const DEFAULT_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

pub fn harden(router: Router, settings: &Settings) -> Router {
    let router = router
        .layer(axum::middleware::from_fn(refusals_are_client_errors))
        .layer(CatchPanicLayer::custom(PlainPanic))
        .layer(RequestBodyTimeoutLayer::new(settings.body_idle))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            settings.request_deadline,
        ));
    let router = security_headers(router, settings.secure_cookies);
    router.layer(
        TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
            // The path only: a query string may carry what was never meant for a log.
            tracing::info_span!("http", method = %req.method(), path = %logged_path(req.uri().path()))
        }),
    )
}

/// A path as the log may show it: a confirmation or acknowledgement link's token is a bearer
/// secret (whoever holds it confirms), so `/confirm/…` or `/ack/…` is all that is written.
pub fn logged_path(path: &str) -> &str {
    if path.starts_with("/confirm/") {
        "/confirm/…"
    } else if path.starts_with("/ack/") {
        "/ack/…"
    } else {
        path
    }
}

fn security_headers(router: Router, secure_cookies: bool) -> Router {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    let router = router
        .layer(set(header::CONTENT_SECURITY_POLICY, DEFAULT_CSP))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // Same-origin referrers stay: a form posted without JavaScript is sent back to the
        // page it came from by its Referer.
        .layer(set(header::REFERRER_POLICY, "same-origin"))
        .layer(set(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ));
    if secure_cookies {
        router.layer(set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ))
    } else {
        router
    }
}

/// What a panic outside the servlet answers: a plain 500, after the panic is logged.
#[derive(Clone, Copy)]
struct PlainPanic;

impl tower_http::catch_panic::ResponseForPanic for PlainPanic {
    type ResponseBody = Body;

    fn response_for_panic(&mut self, err: Box<dyn Any + Send + 'static>) -> Response<Body> {
        log_panic(err.as_ref());
        let mut response = Response::new(Body::from(
            "Something went wrong on the server. It has been logged; please try again.",
        ));
        *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        response
    }
}

pub fn log_panic(err: &(dyn Any + Send)) {
    let message = err
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| err.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    tracing::error!(panic = %message, "a request handler panicked; answered 500");
}

/// The status a server-function error deserves: a refusal is the client's to fix (4xx);
/// only a fault of ours is a 500.
pub fn status_of(err: &AppError) -> StatusCode {
    match err {
        AppError::Unauthenticated | AppError::SignInFailed(_) => StatusCode::UNAUTHORIZED,
        AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        // Arguments that could not be read: the request was malformed.
        AppError::Transport(_) => StatusCode::BAD_REQUEST,
        AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Server functions answer every error 500; this gives each its own status from the typed
/// error in the body. (Forms posted without JavaScript are redirected, not touched here.)
async fn refusals_are_client_errors(req: Request<Body>, next: Next) -> Response<Body> {
    let is_server_fn = req.uri().path().starts_with("/api/");
    let response = next.run(req).await;
    if !is_server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, SERVER_FN_BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => Bytes::new(),
    };
    // The body is the error as its encoder wrote it (postcard).
    type Encoder = <AppError as FromServerFnError>::Encoder;
    if let Ok(err) = <Encoder as Decodes<AppError>>::decode(bytes.clone()) {
        parts.status = status_of(&err);
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panic_anywhere_answers_500_instead_of_dropping_the_connection() {
        let router = Router::new().route(
            "/boom",
            axum::routing::get(
                |axum::extract::RawQuery(query): axum::extract::RawQuery| async move {
                    query.expect("a handler that panics when there is no query")
                },
            ),
        );
        let response = harden(router, &Settings::new("sqlite:unused.db"))
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers()["x-frame-options"], "DENY");
    }

    #[test]
    fn only_faults_of_ours_are_server_errors() {
        assert_eq!(
            status_of(&AppError::Forbidden(app::domain::Refusal::OperatorOnly)),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            status_of(&AppError::Conflict(app::domain::Refusal::KeptChanging)),
            StatusCode::CONFLICT
        );
        assert_eq!(
            status_of(&AppError::Internal),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert!(status_of(&AppError::Transport("x".into())).is_client_error());
    }
}
