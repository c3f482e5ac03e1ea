//! A drill's acknowledgement link, `/ack/{token}`: no sign-in. `GET` only shows what would
//! be acknowledged (a link scanner acknowledges nothing); the page's button `POST`s, which
//! records the first press within the link's 24 hours.

use super::confirm::{lang_of, titled};
use super::escape_html;
use app::domain::Ack;
use app::i18n::{fill, Lang};
use app::service::{drills, AppState, AuditContext, Source};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/ack/{token}", get(show).post(acknowledge))
        .with_state(state)
}

/// The token as it stands in the path: anything but 64 hex digits is not a token.
fn token_of(uri: &Uri) -> &str {
    uri.path().strip_prefix("/ack/").unwrap_or("")
}

async fn show(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    let token = token_of(&uri);
    match drills::inspect(&state.db, token, state.clock.now()).await {
        Ok(ack) => page(lang, token, &ack),
        Err(e) => failed(lang, &e),
    }
}

async fn acknowledge(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&headers);
    let token = token_of(&uri);
    let ctx = AuditContext::new(Source::Console, Some(peer.ip().to_string()));
    match drills::acknowledge(&state.db, token, &ctx, state.clock.now()).await {
        Ok(ack) => page(lang, token, &ack),
        Err(e) => failed(lang, &e),
    }
}

fn failed(lang: Lang, err: &app::service::ServiceError) -> Response {
    use app::i18n::Speak;
    tracing::error!(error = ?err, "acknowledgement link failed");
    let body = format!(
        "<p class=\"error\" role=\"alert\">{}</p>",
        escape_html(&app::api::AppError::Internal.say(lang))
    );
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        titled(lang, lang.texts().ack_title, &body),
    )
        .into_response()
}

fn page(lang: Lang, token: &str, ack: &Ack) -> Response {
    let t = lang.texts();
    let said = |template: &str, name: &str, channel| {
        escape_html(&fill(
            template,
            &[("name", name), ("channel", t.channel(channel))],
        ))
    };
    let (status, body) = match ack {
        Ack::Open { name, channel } => (
            StatusCode::OK,
            format!(
                "<p>{}</p><form method=\"post\" action=\"/ack/{}\">\
                 <button type=\"submit\" class=\"primary\">{}</button></form>",
                said(t.ack_ask, name, *channel),
                escape_html(token),
                escape_html(t.ack_button)
            ),
        ),
        Ack::Done { name, channel } => (
            StatusCode::OK,
            format!(
                "<p class=\"notice success\" role=\"status\">{}</p>",
                said(t.ack_done, name, *channel)
            ),
        ),
        Ack::Expired => (
            StatusCode::GONE,
            format!(
                "<p class=\"error\" role=\"alert\">{}</p>",
                escape_html(t.ack_expired)
            ),
        ),
        Ack::Unknown => (
            StatusCode::NOT_FOUND,
            format!(
                "<p class=\"error\" role=\"alert\">{}</p>",
                escape_html(t.ack_unknown)
            ),
        ),
    };
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        titled(lang, t.ack_title, &body),
    )
        .into_response()
}
