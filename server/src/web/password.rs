//! The change-password page: a plain form (no code in the browser). An account whose
//! password is still its login name (the legacy API's default) is sent here after signing
//! in and sees no other page until it has chosen a new one; anyone signed in may use it.

use super::escape_html;
use app::api::{SESSION_MUST_CHANGE, SESSION_TECH_ID};
use app::i18n::{Lang, Speak, Texts};
use app::service::{AppState, AuditContext, ServiceError, Source};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use std::net::SocketAddr;
use tower_sessions::Session;

pub const PATH: &str = "/change-password";

pub fn router(state: AppState) -> Router {
    Router::new()
        .route(PATH, get(show).post(change))
        .with_state(state)
}

#[derive(serde::Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

async fn signed_in(session: &Session) -> Option<i64> {
    session.get::<i64>(SESSION_TECH_ID).await.ok().flatten()
}

/// Whether this session was signed in with the legacy default password (still to change).
pub async fn must_change(session: &Session) -> bool {
    session
        .get::<bool>(SESSION_MUST_CHANGE)
        .await
        .ok()
        .flatten()
        .unwrap_or(false)
}

async fn show(session: Session, headers: HeaderMap) -> Response {
    if signed_in(&session).await.is_none() {
        return Redirect::to("/login").into_response();
    }
    let must = must_change(&session).await;
    page(
        super::confirm::lang_of(&headers),
        must,
        None,
        StatusCode::OK,
    )
}

async fn change(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<ChangeForm>,
) -> Response {
    let lang = super::confirm::lang_of(&headers);
    let t = lang.texts();
    if !super::guard::is_same_origin_headers(&headers) {
        return (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response();
    }
    let Some(id) = signed_in(&session).await else {
        return Redirect::to("/login").into_response();
    };
    let must = must_change(&session).await;
    if form.new != form.repeat {
        return page(
            lang,
            must,
            Some(t.password_repeat_differs.to_owned()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let from = Some(peer.ip());
    let ctx = AuditContext::new(Source::Console, from.map(|ip| ip.to_string()));
    let changed = app::service::auth::change_own_password(
        &state.db,
        &state.sign_in,
        &ctx,
        id,
        &form.current,
        &form.new,
        from,
    )
    .await;
    match changed {
        Ok(()) => {
            // A new session id: the one that knew the old password is worth nothing now.
            let _ = session.cycle_id().await;
            let _ = session.remove::<bool>(SESSION_MUST_CHANGE).await;
            let _ = session.insert(SESSION_TECH_ID, id).await;
            Redirect::to("/").into_response()
        }
        Err(ServiceError::Invalid(errors)) => {
            let text = errors
                .0
                .iter()
                .map(|e| {
                    let label = if e.field == "current" {
                        t.password_current
                    } else {
                        t.password_new
                    };
                    format!("{label}: {}", e.problem.say(lang))
                })
                .collect::<Vec<_>>()
                .join(" ");
            page(lang, must, Some(text), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(ServiceError::TooSoon(refusal)) => page(
            lang,
            must,
            Some(refusal.say(lang)),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(ServiceError::NotFound(_)) => Redirect::to("/login").into_response(),
        Err(other) => {
            tracing::error!(error = %other, "changing a password failed");
            page(
                lang,
                must,
                Some(t.password_change_failed.to_owned()),
                StatusCode::INTERNAL_SERVER_ERROR,
            )
        }
    }
}

fn page(lang: Lang, must: bool, error: Option<String>, status: StatusCode) -> Response {
    let t: &Texts = lang.texts();
    let explain = if must {
        t.password_must_change
    } else {
        t.password_change_explain
    };
    let alert = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape_html(&e)))
        .unwrap_or_default();
    let field = |id: &str, label: &str, autocomplete: &str, focus: bool| {
        format!(
            "<div class=\"field\"><label for=\"{id}\">{}</label>\
             <input id=\"{id}\" name=\"{id}\" type=\"password\" required maxlength=\"1024\" \
             autocomplete=\"{autocomplete}\"{}></div>",
            escape_html(label),
            if focus { " autofocus" } else { "" }
        )
    };
    let body = format!(
        "<p>{}</p>{alert}<form method=\"post\" action=\"{PATH}\" class=\"dialog-form\">{}{}{}\
         <div class=\"form-actions\"><button type=\"submit\" class=\"primary\">{}</button></div></form>",
        escape_html(explain),
        field("current", t.password_current, "current-password", true),
        field("new", t.password_new, "new-password", false),
        field("repeat", t.password_repeat, "new-password", false),
        escape_html(t.password_change_submit),
    );
    let html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · {}</title><link rel=\"stylesheet\" href=\"/pkg/crewdesk.css\"></head>\
         <body><main class=\"confirm panel\"><h1>{}</h1>{body}</main></body></html>",
        lang.code(),
        escape_html(t.password_change_title),
        escape_html(t.app_name),
        escape_html(t.password_change_title),
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}
