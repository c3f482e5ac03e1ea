//! The confirmation link of SPEC §4, `/confirm/{token}`: no sign-in. `GET` only shows what
//! would be confirmed (mail scanners that prefetch links confirm nothing); the page's
//! Confirm button `POST`s, which confirms once.

use super::escape_html;
use app::domain::Method;
use app::i18n::{fill, Lang, Speak, Texts, LANG_COOKIE};
use app::service::confirmations::{self as subscriptions, Link};
use app::service::{AppState, AuditContext, Source};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/confirm/{token}", get(show).post(confirm))
        .with_state(state)
}

/// The token as it stands in the path, percent-encoding and all: a well-formed token has
/// none, and anything else (invalid UTF-8 included) is simply not a token.
fn token_of(uri: &Uri) -> &str {
    uri.path().strip_prefix("/confirm/").unwrap_or("")
}

/// The reader's language: the language cookie, else `Accept-Language`.
pub(super) fn lang_of(headers: &HeaderMap) -> Lang {
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(LANG_COOKIE)?.strip_prefix('='));
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Lang::choose(cookie, accept)
}

async fn show(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    let token = token_of(&uri);
    match subscriptions::inspect(&state.db, token, state.clock.now()).await {
        Ok(link) => page(lang, token, &link, false),
        Err(e) => failed(lang, &e),
    }
}

async fn confirm(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&headers);
    let token = token_of(&uri);
    let ctx = AuditContext::new(Source::Console, Some(peer.ip().to_string()));
    match subscriptions::confirm(&state.db, token, &ctx, state.clock.now()).await {
        Ok(link) => page(lang, token, &link, true),
        Err(e) => failed(lang, &e),
    }
}

fn failed(lang: Lang, err: &app::service::ServiceError) -> Response {
    tracing::error!(error = ?err, "confirmation link failed");
    let t = lang.texts();
    let body = format!(
        "<p class=\"error\" role=\"alert\">{}</p>",
        escape_html(&app::api::AppError::Internal.say(lang))
    );
    (StatusCode::INTERNAL_SERVER_ERROR, document(lang, t, &body)).into_response()
}

fn method_names(t: &Texts, methods: &[Method]) -> String {
    let names: Vec<&str> = methods
        .iter()
        .map(|m| match m {
            Method::Sms => t.method_sms,
            Method::Voice => t.method_voice,
            Method::Email => t.method_email,
        })
        .collect();
    names.join(t.and_word)
}

fn page(lang: Lang, token: &str, link: &Link, confirmed: bool) -> Response {
    let t = lang.texts();
    let (status, body) = match link {
        Link::Pending {
            name,
            methods,
            contact,
        } => {
            let values = [
                ("methods", method_names(t, methods)),
                ("name", name.clone()),
                ("contact", contact.clone()),
            ];
            let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
            if confirmed {
                (
                    StatusCode::OK,
                    format!(
                        "<p class=\"notice success\" role=\"status\">{}</p>",
                        escape_html(&fill(t.confirm_done, &values))
                    ),
                )
            } else {
                (
                    StatusCode::OK,
                    format!(
                        "<p>{}</p><form method=\"post\" action=\"/confirm/{}\">\
                         <button type=\"submit\" class=\"primary\">{}</button></form>",
                        escape_html(&fill(t.confirm_ask, &values)),
                        escape_html(token),
                        escape_html(t.confirm_button)
                    ),
                )
            }
        }
        Link::Expired => (
            StatusCode::GONE,
            format!(
                "<p class=\"error\" role=\"alert\">{}</p>",
                escape_html(t.confirm_expired)
            ),
        ),
        Link::Unknown => (
            StatusCode::NOT_FOUND,
            format!(
                "<p class=\"error\" role=\"alert\">{}</p>",
                escape_html(t.confirm_unknown)
            ),
        ),
    };
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        document(lang, t, &body),
    )
        .into_response()
}

fn document(lang: Lang, t: &Texts, body: &str) -> Html<String> {
    titled(lang, t.confirm_title, body)
}

/// A page of its own (no console, no script): what a link from a message opens.
pub(super) fn titled(lang: Lang, title: &str, body: &str) -> Html<String> {
    let t = lang.texts();
    Html(format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{} · {}</title><link rel=\"stylesheet\" href=\"/pkg/crewdesk.css\"></head>\
         <body><main class=\"confirm panel\"><h1>{}</h1>{body}</main></body></html>",
        lang.code(),
        escape_html(title),
        escape_html(t.app_name),
        escape_html(title),
    ))
}
