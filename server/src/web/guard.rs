//! Guards in front of the console: cross-site requests to server functions are refused,
//! pages need a signed-in technician, and a form's error in a page's address is shown only
//! to the browser it was sent to.

use app::api::SESSION_TECH_ID;
use axum::body::Body;
use axum::extract::State;
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
    is_same_origin_headers(req.headers())
}

/// The same-origin check of server functions, for plain forms that post elsewhere.
pub fn is_same_origin_headers(headers: &axum::http::HeaderMap) -> bool {
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
    // An account still on the legacy default password sees the change-password page
    // only (and may sign out, a server function).
    let must_change = match (signed_in, req.extensions().get::<Session>()) {
        (true, Some(session)) => super::password::must_change(session).await,
        _ => false,
    };
    if must_change && path != super::password::PATH {
        return Redirect::to(super::password::PATH).into_response();
    }
    match (signed_in, path == "/login") {
        (false, false) => Redirect::to("/login").into_response(),
        (true, true) => Redirect::to("/").into_response(),
        _ => next.run(req).await,
    }
}

/// The cookie naming the form error this browser was last sent back with (its digest):
/// over HTTPS the `__Host-` prefix keeps a neighbouring host from setting it.
fn form_error_cookie(secure: bool) -> &'static str {
    if secure {
        "__Host-crewdesk_form_error"
    } else {
        "crewdesk_form_error"
    }
}
/// The address parameters a form's error travels in (server functions' no-JS redirect).
const ERROR_PARAMS: [&str; 2] = ["__path", "__err"];

/// A form posted without JavaScript comes back to its page with its error in the address
/// (`__path`, `__err`), and the page shows that error. Anyone could link to such an address
/// with a text of their choosing, shown under this site's name. So the redirect that
/// carries an error also sets a cookie with the error's digest, and a page whose address
/// carries an error this browser was not sent is answered with a redirect to the same
/// address without it.
pub async fn form_errors_for_their_browser_only(
    State(secure): State<bool>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let name = form_error_cookie(secure);
    if req.uri().path().starts_with("/api/") {
        let mut response = next.run(req).await;
        let digest = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|location| location.split_once('?'))
            .and_then(|(_, query)| error_digest(query));
        if let Some(digest) = digest {
            let secure = if secure { "; Secure" } else { "" };
            let cookie =
                format!("{name}={digest}; Path=/; HttpOnly; SameSite=Lax; Max-Age=600{secure}");
            if let Ok(value) = header::HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        return response;
    }
    let Some(query) = req.uri().query() else {
        return next.run(req).await;
    };
    let carries_error = form_urlencoded::parse(query.as_bytes())
        .any(|(key, _)| ERROR_PARAMS.contains(&key.as_ref()));
    if !carries_error {
        return next.run(req).await;
    }
    let sent = error_digest(query);
    if sent.is_some() && sent.as_deref() == cookie(&req, name) {
        return next.run(req).await;
    }
    let rest: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| !ERROR_PARAMS.contains(&key.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let path = req.uri().path();
    let clean = if rest.is_empty() {
        path.to_owned()
    } else {
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(rest)
            .finish();
        format!("{path}?{query}")
    };
    Redirect::to(&clean).into_response()
}

/// The digest of the one error a query carries (`__path` and `__err`, each once), if it
/// carries exactly that.
fn error_digest(query: &str) -> Option<String> {
    use sha2::{Digest, Sha256};
    let mut found: [Vec<String>; 2] = Default::default();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if let Some(i) = ERROR_PARAMS.iter().position(|p| *p == key) {
            found[i].push(value.into_owned());
        }
    }
    let [paths, errors] = &found;
    let ([path], [error]) = (paths.as_slice(), errors.as_slice()) else {
        return None;
    };
    let mut hasher = Sha256::new();
    hasher.update(path.as_bytes());
    hasher.update([0]);
    hasher.update(error.as_bytes());
    Some(hex::encode(hasher.finalize()))
}

/// The value of the request's cookie `name`, if it sent one.
fn cookie<'a>(req: &'a Request<Body>, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
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
