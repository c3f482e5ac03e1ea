//! The frame around every signed-in page: top bar, navigation, language, sign-out.

use super::awaited;
use super::use_texts;
use crate::api::auth::{current_user, Logout};
use crate::i18n::Lang;
use crate::url::encode_component;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Links to the other languages; the server sets the cookie and comes back here.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let t = use_texts();
    let current = use_context::<Lang>().unwrap_or_default();
    let location = use_location();
    let back = move || {
        let path = location.pathname.get();
        let search = location.search.get();
        let here = if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        };
        encode_component(&here)
    };
    view! {
        <nav class="langs" aria-label=t.language>
            {Lang::ALL
                .into_iter()
                .filter(move |l| *l != current)
                .map(|l| {
                    view! {
                        <a href=move || format!("/lang/{}?back={}", l.code(), back()) hreflang=l.code() lang=l.code() rel="external">
                            {l.name()}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// `behind_dialog`: a modal dialog is open over the page, so the frame is `inert` (neither
/// focusable nor read out) until it closes.
#[component]
pub fn Layout(
    children: Children,
    #[prop(optional, into)] behind_dialog: Signal<bool>,
) -> impl IntoView {
    let t = use_texts();
    let user = awaited::resource(|| (), |_| awaited::named("user", current_user()));
    let logout = ServerAction::<Logout>::new();
    view! {
        <header class="topbar" inert=move || behind_dialog.get()>
            <a class="brand" href="/">{t.app_name}</a>
            <nav aria-label=t.nav_main>
                <a href="/">{t.nav_engineers}</a>
                <a href="/reference">{t.nav_reference}</a>
                <a href="/reachability">{t.nav_reachability}</a>
                <a href="/audit">{t.nav_audit}</a>
                <a href="/deliveries">{t.nav_deliveries}</a>
                <a href="/messages">{t.nav_messages}</a>
                <a href="/settings">{t.nav_settings}</a>
            </nav>
            <div class="who">
                <LanguageSwitch/>
                <Suspense fallback=|| ()>
                    {move || {
                        user.get()
                            .and_then(Result::ok)
                            .flatten()
                            .map(|u| view! { <span class="user-name">{u.name}</span> })
                    }}
                </Suspense>
                <ActionForm action=logout>
                    <button type="submit" class="link">{t.sign_out}</button>
                </ActionForm>
            </div>
        </header>
        <Suspense fallback=|| ()>
            {move || {
                user.get()
                    .and_then(Result::ok)
                    .flatten()
                    .filter(|u| !u.held.is_empty())
                    .map(|u| view! {
                        <div class="banner warning" role="status">
                            {u.held.into_iter().map(|h| {
                                let text = crate::i18n::fill(t.budget_held, &[
                                    ("count", &h.count.to_string()),
                                    ("channel", &h.channel.to_uppercase()),
                                    ("until", &h.until),
                                ]);
                                view! { <p>{text}</p> }
                            }).collect_view()}
                        </div>
                    })
            }}
        </Suspense>
        <main class="content">{children()}</main>
        {posted_forms()}
    }
}

/// In islands mode the page's forms are looked after by an island (the page is not hydrated).
#[cfg(feature = "islands")]
fn posted_forms() -> impl IntoView {
    view! { <super::islands::PostedForms/> }
}
#[cfg(not(feature = "islands"))]
fn posted_forms() -> impl IntoView {}

#[component]
pub fn NotFound() -> impl IntoView {
    let t = use_texts();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="content">
            <h1>{t.not_found_title}</h1>
            <p><a href="/">{t.back_to_engineers}</a></p>
        </main>
    }
}
