//! `Idempotency-Key` on every POST of the API: the first answer (a success) is kept a day
//! per key and given again to a repeat of the same request; the same key with a different
//! request is refused, and a repeat while the first is still being answered waits its turn.

use super::{problem, Api, BODY_LIMIT};
use app::service::api_keys;
use app::service::idempotency::{self, Claim, Kept};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

pub const HEADER: &str = "idempotency-key";

/// A key a client may choose: 1 to 200 visible ASCII characters.
fn valid(key: &str) -> bool {
    (1..=200).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

pub(super) async fn layer(State(api): State<Api>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(raw) = request.headers().get(HEADER) else {
        return next.run(request).await;
    };
    let Some(chosen) = raw.to_str().ok().filter(|k| valid(k)).map(str::to_owned) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "idempotency_key",
            "Idempotency-Key must be 1 to 200 visible ASCII characters",
        );
    };
    // Without a live key the handler answers 401 as it would without the header.
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .map(|(_, key)| key.trim().to_owned())
        .unwrap_or_default();
    let key = match api_keys::authenticate(&api.state.db, &presented).await {
        Ok(Some(key)) => key,
        Ok(None) => return next.run(request).await,
        Err(e) => return super::service_error(e),
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is larger than {} KiB", BODY_LIMIT / 1024),
        );
    };
    let mut digest = Sha256::new();
    digest.update(parts.uri.path().as_bytes());
    digest.update(b"\n");
    digest.update(&bytes);
    let fingerprint = hex::encode(digest.finalize());
    let now = api.state.clock.now();
    match idempotency::claim(&api.state.db, key.id, &chosen, &fingerprint, now).await {
        Ok(Claim::New) => {}
        Ok(Claim::Answered(kept)) => return replay(kept),
        Ok(Claim::InProgress) => {
            return problem(
                StatusCode::CONFLICT,
                "idempotency_in_progress",
                "a request with this Idempotency-Key is still being answered; ask again",
            )
        }
        Ok(Claim::Reused) => {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request",
            )
        }
        Err(e) => return super::service_error(e),
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if !response.status().is_success() {
        // Nothing was done: the key may be used again, for this request or a mended one.
        if let Err(e) = idempotency::release(&api.state.db, key.id, &chosen).await {
            tracing::warn!(error = ?e, "releasing an idempotency key failed");
        }
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the answer could not be read back; it has been logged",
        );
    };
    let text = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let kept = Kept {
        status: parts.status.as_u16(),
        location: text(header::LOCATION),
        etag: text(header::ETAG),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    if let Err(e) = idempotency::keep(&api.state.db, key.id, &chosen, &kept).await {
        tracing::warn!(error = ?e, "keeping an idempotent answer failed");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The first answer again, marked as a replay.
fn replay(kept: Kept) -> Response {
    let status = StatusCode::from_u16(kept.status).unwrap_or(StatusCode::OK);
    let mut response = (status, kept.body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    for (name, value) in [(header::LOCATION, kept.location), (header::ETAG, kept.etag)] {
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, value);
        }
    }
    response
}
