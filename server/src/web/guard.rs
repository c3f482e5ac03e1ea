//! Guards in front of the console: cross-site requests to server functions are refused, and
//! pages need a signed-in technician.

use app::api::SESSION_TECH_ID;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Server functions change state with the session cookie, so a request another site made the
/// browser send is refused: `Sec-Fetch-Site` must not say cross-site, and an `Origin` must
/// name this host.
pub async fn same_origin_server_fns(req: Request<Body>, next: Next) -> Response {
    if req.uri().path().starts_with("/api/") && !is_same_origin(&req) {
        tracing::warn!(path = %req.uri().path(), "cross-site server function call refused");
        return (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response();
    }
    next.run(req).await
}

fn is_same_origin(req: &Request<Body>) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if !matches!(site, "same-origin" | "none") {
            return false;
        }
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            let origin_host = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"));
            matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
        }
    }
}

/// Pages other than the sign-in page need a session; the sign-in page sends a signed-in
/// technician on to the roster.
pub async fn require_sign_in(req: Request<Body>, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with("/api/") || path.starts_with("/pkg/") || path == "/favicon.ico" {
        return next.run(req).await;
    }
    let signed_in = match req.extensions().get::<Session>() {
        Some(session) => session
            .get::<i64>(SESSION_TECH_ID)
            .await
            .ok()
            .flatten()
            .is_some(),
        None => false,
    };
    match (signed_in, path == "/login") {
        (false, false) => Redirect::to("/login").into_response(),
        (true, true) => Redirect::to("/").into_response(),
        _ => next.run(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request<Body> {
        let mut builder = Request::post("/api/login");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn same_origin_requests_pass_and_cross_site_ones_do_not() {
        assert!(is_same_origin(&request(&[("host", "127.0.0.1:3000")])));
        assert!(is_same_origin(&request(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
            ("sec-fetch-site", "same-origin"),
        ])));
        assert!(!is_same_origin(&request(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://evil.example"),
        ])));
        assert!(!is_same_origin(&request(&[
            ("host", "127.0.0.1:3000"),
            ("sec-fetch-site", "cross-site"),
        ])));
        assert!(!is_same_origin(&request(&[
            ("host", "a:1"),
            ("origin", "null")
        ])));
    }
}
