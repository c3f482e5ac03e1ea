//! The sign-in page. A plain form: it works before (and without) the WASM.

use super::layout::LanguageSwitch;
use super::{say, use_texts};
use crate::api::auth::Login;
use crate::api::error::url_error;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let t = use_texts();
    let action = ServerAction::<Login>::new();
    let query = use_query_map();
    let error = move || match action.value().get() {
        Some(Err(e)) => Some(say(&e)),
        _ => url_error(&query.read(), &[Login::PATH]).map(|e| say(&e)),
    };
    // A refused plain-form sign-in comes back with what was typed (all but the password).
    let typed = move |key: &str| query.read_untracked().get(key).unwrap_or_default();
    view! {
        <main class="auth">
            <LanguageSwitch/>
            <h1>{t.sign_in_title}</h1>
            <ActionForm action=action>
                <label for="login">{t.login_name}</label>
                <input id="login" name="login" autocomplete="username" required
                    value=typed("login") autofocus=typed("login").is_empty()/>
                <label for="password">{t.password}</label>
                <input id="password" type="password" name="password" autocomplete="current-password" required
                    autofocus=!typed("login").is_empty()/>
                <label for="domain">{t.domain} " " <span class="muted">{format!("({})", t.domain_hint)}</span></label>
                <input id="domain" name="domain" value=typed("domain")/>
                {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <button type="submit" class="primary">{t.sign_in}</button>
            </ActionForm>
        </main>
    }
}
