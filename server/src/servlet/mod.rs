//! The legacy servlet XML API: form POSTs with per-request credentials, answered with the
//! XML envelope. This module only parses, authenticates and writes envelopes; every rule is
//! in `app::service`. It sits outside the session layer: cookies are never accepted here.

pub mod add;
pub mod delete;
pub mod envelope;
pub mod forms;
pub mod params;
pub mod update;

use app::service::{auth, AppState, AuditContext, AuthError, Source};
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::Request;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use envelope::{Envelope, ErrorCode};
use params::Params;
use std::net::SocketAddr;
use tower_http::catch_panic::{CatchPanicLayer, ResponseForPanic};
use tracing::Instrument;

const TECHNICIAN_SERVLET: &str = "/servlets/TechnicianServlet";
const TECHNICIAN_OPERATION_SERVLET: &str = "/servlets/TechnicianOperationServlet";

pub fn router(state: AppState) -> Router {
    Router::new()
        .route(TECHNICIAN_SERVLET, post(technician_servlet))
        .route(
            TECHNICIAN_OPERATION_SERVLET,
            post(technician_operation_servlet),
        )
        .route("/servlets/RequestServlet", post(request_servlet))
        .route("/servlets/forms", get(forms::index))
        .route(forms::SCRIPT_PATH, get(forms::script))
        .route("/servlets/forms/{which}", get(forms::form))
        .with_state(state)
        .layer(CatchPanicLayer::custom(EnvelopePanic))
}

/// A panic in a servlet answers the envelope (after it is logged), like every other failure.
#[derive(Clone, Copy)]
struct EnvelopePanic;

impl ResponseForPanic for EnvelopePanic {
    type ResponseBody = Body;

    fn response_for_panic(
        &mut self,
        err: Box<dyn std::any::Any + Send + 'static>,
    ) -> axum::http::Response<Body> {
        crate::web::edge::log_panic(err.as_ref());
        Envelope::failure(
            "",
            ErrorCode::InternalError,
            "The server could not complete the operation; it has been logged.",
        )
        .into_response()
    }
}

async fn technician_servlet(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    req: Request<Body>,
) -> Envelope {
    handle(&state, TECHNICIAN_SERVLET, addr, req).await
}

async fn technician_operation_servlet(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    req: Request<Body>,
) -> Envelope {
    handle(&state, TECHNICIAN_OPERATION_SERVLET, addr, req).await
}

/// The sample forms post here and name the real servlet in the hidden `targetURL`.
async fn request_servlet(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    req: Request<Body>,
) -> Envelope {
    handle(&state, "", addr, req).await
}

async fn handle(state: &AppState, servlet: &str, addr: SocketAddr, req: Request<Body>) -> Envelope {
    let params = match Params::read(req).await {
        Ok(params) => params,
        Err(message) => return Envelope::failure("", ErrorCode::InvalidInput, message),
    };
    let operation = params.get("operation").unwrap_or("").trim().to_owned();
    let servlet = if servlet.is_empty() {
        match params.get("targetURL").map(str::trim) {
            Some(target) if target == TECHNICIAN_SERVLET || target == TECHNICIAN_OPERATION_SERVLET => {
                target.to_owned()
            }
            other => {
                return Envelope::failure(
                    &operation,
                    ErrorCode::UnknownOperation,
                    format!(
                        "targetURL must be {TECHNICIAN_SERVLET} or {TECHNICIAN_OPERATION_SERVLET}, not '{}'.",
                        other.unwrap_or("")
                    ),
                )
            }
        }
    } else {
        servlet.to_owned()
    };
    let span = tracing::info_span!("servlet", operation = %operation, servlet = %servlet);
    dispatch(state, &servlet, &operation, addr, &params)
        .instrument(span)
        .await
}

async fn dispatch(
    state: &AppState,
    servlet: &str,
    operation: &str,
    addr: SocketAddr,
    params: &Params,
) -> Envelope {
    let actor = match authenticate(state, params, addr).await {
        Ok(actor) => actor,
        Err(err) => return Envelope::from_auth_error(operation, err),
    };
    if actor.must_change_password {
        return Envelope::failure(
            operation,
            ErrorCode::PasswordChangeRequired,
            "This account's password is still its login name. Sign in to the console and \
             choose a new password; until then the API refuses it."
                .to_owned(),
        );
    }
    let ctx = AuditContext::new(Source::Xml, Some(addr.ip().to_string()));
    match (servlet, operation) {
        (TECHNICIAN_SERVLET, add::OPERATION) => add::run(state, &actor, &ctx, params).await,
        (TECHNICIAN_SERVLET, update::UPDATE) => update::update(state, &actor, &ctx, params).await,
        (TECHNICIAN_SERVLET, update::GET) => update::get(state, &actor, params).await,
        (TECHNICIAN_OPERATION_SERVLET, delete::OPERATION) => {
            delete::run(state, &actor, &ctx, params).await
        }
        _ => Envelope::failure(
            operation,
            ErrorCode::UnknownOperation,
            format!("The operation '{operation}' is not available on {servlet}."),
        ),
    }
}

/// Every request carries its own credentials.
async fn authenticate(
    state: &AppState,
    params: &Params,
    addr: SocketAddr,
) -> Result<app::service::Actor, AuthError> {
    let mode = params.get("logonDomainName").unwrap_or("").trim();
    let credentials = auth::Credentials {
        login: params.get("username").unwrap_or(""),
        domain: params.get("DOMAIN_NAME").unwrap_or(""),
        password: params.get("password").unwrap_or(""),
        from: Some(addr.ip()),
    };
    auth::sign_in(
        &state.db,
        &state.sign_in,
        Some(&state.credentials),
        state.directories.as_ref(),
        credentials,
        mode == "AD_AUTH",
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panicking_operation_still_answers_the_envelope() {
        let router: Router = Router::new()
            .route(
                "/boom",
                post(|| async {
                    let name = "张伟".to_owned();
                    name[..1].to_owned()
                }),
            )
            .layer(CatchPanicLayer::custom(EnvelopePanic));
        let response = router
            .oneshot(Request::post("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), axum::http::StatusCode::OK);
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains("<operationstatus>Failure</operationstatus>"),
            "{text}"
        );
        assert!(text.contains("it has been logged"), "{text}");
    }
}
