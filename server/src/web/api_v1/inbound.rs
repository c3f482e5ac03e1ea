//! `POST /api/v1/inbound/sms`: a message a phone sent to the SMS gateway, passed on by it as
//! `{"from": "+8613800138000", "text": "STOP"}` and signed `X-Crewdesk-Signature:
//! sha256=HEX`, the HMAC-SHA256 of the raw body under the gateway token. An unsigned or
//! forged message changes nothing; without a gateway token there is no such endpoint.

use super::problem;
use app::service::{consent, AppState};
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use std::net::SocketAddr;

/// A message from a phone is short; a gateway's envelope around it too.
const BODY_LIMIT: usize = 4 * 1024;

#[derive(Clone)]
struct Inbound {
    state: AppState,
    token: Option<SecretString>,
}

#[derive(serde::Deserialize)]
struct Message {
    from: String,
    text: String,
}

pub fn router(state: AppState, token: Option<SecretString>) -> Router {
    Router::new()
        .route("/api/v1/inbound/sms", post(sms))
        .with_state(Inbound { state, token })
}

/// Whether `signature` (`sha256=HEX`) is the HMAC of `body` under `token`, compared in
/// constant time.
fn signed(token: &str, body: &[u8], signature: &str) -> bool {
    let Some(hex) = signature.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(given) = hex::decode(hex) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(token.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

async fn sms(State(inbound): State<Inbound>, request: Request<Body>) -> Response {
    let Some(token) = inbound
        .token
        .as_ref()
        .filter(|t| !t.expose_secret().trim().is_empty())
    else {
        return problem(
            StatusCode::NOT_FOUND,
            "no_endpoint",
            "inbound SMS needs the SMS gateway's token (--sms-gateway-token)",
        );
    };
    let source = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let signature = request
        .headers()
        .get("x-crewdesk-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let Ok(body) = axum::body::to_bytes(request.into_body(), BODY_LIMIT).await else {
        return problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is larger than {} KiB", BODY_LIMIT / 1024),
        );
    };
    if !signed(token.expose_secret(), &body, &signature) {
        tracing::warn!(source = ?source, "an inbound SMS without a valid signature was refused");
        return problem(
            StatusCode::UNAUTHORIZED,
            "bad_signature",
            "X-Crewdesk-Signature must be sha256= and the HMAC-SHA256 of the body under the gateway token",
        );
    }
    let message: Message = match serde_json::from_slice(&body) {
        Ok(message) => message,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("the body is not {{\"from\": …, \"text\": …}}: {e}"),
            )
        }
    };
    let now = inbound.state.clock.now();
    match consent::reply(
        &inbound.state.db,
        &message.from,
        &message.text,
        source.as_deref(),
        now,
    )
    .await
    {
        Ok(reply) => axum::Json(serde_json::json!({ "handled": reply.as_str() })).into_response(),
        Err(e) => super::service_error(e),
    }
}
