//! Settings: an SDAdmin switches the beta channels (voice, WeCom, DingTalk, Lark) on or off.

use super::awaited;
use super::layout::Layout;
use super::{say, use_texts};
use crate::api::error::url_error;
use crate::api::settings::{load_beta_channels, SaveBetaChannels};
use crate::api::AppError;
use crate::domain::{BetaChannels, Channel};
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let t = use_texts();
    let action = ServerAction::<SaveBetaChannels>::new();
    let current = awaited::resource(
        move || action.version().get(),
        |_| awaited::named("settings", load_beta_channels()),
    );
    let query = use_query_map();
    let error = move || -> Option<AppError> {
        match action.value().get() {
            Some(Err(e)) => Some(e),
            Some(Ok(())) => None,
            None => url_error(&query.read(), &[SaveBetaChannels::PATH]),
        }
    };
    let saved =
        move || matches!(action.value().get(), Some(Ok(()))) || query.read().get("saved").is_some();
    view! {
        <Layout>
            <h1>{t.settings_title}</h1>
            <p class="muted">{t.beta_explain}</p>
            <Suspense fallback=|| ()>
                {move || current.get().map(|r| match r {
                    Ok(beta) => view! { <BetaForm beta=beta action=action/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{say(&e)}</p> }.into_any(),
                })}
            </Suspense>
            {move || error().map(|e| view! { <p class="error" role="alert">{say(&e)}</p> })}
            <div class="toasts" role="status" aria-live="polite">
                {move || saved().then(|| view! { <p class="notice success">{t.settings_saved}</p> })}
            </div>
            <super::directories::DirectoriesSection/>
            <super::api_keys::ApiKeysSection/>
        </Layout>
    }
}

#[component]
fn BetaForm(beta: BetaChannels, action: ServerAction<SaveBetaChannels>) -> impl IntoView {
    let t = use_texts();
    let channels: Vec<(String, &'static str, bool)> = Channel::ALL
        .into_iter()
        .filter(|c| c.is_beta())
        .map(|c| (format!("on[{}]", c.as_str()), t.channel(c), beta.is_on(c)))
        .collect();
    view! {
        <ActionForm action=action attr:class="panel">
            <fieldset class="methods">
                <legend>{t.beta_channels}</legend>
                {channels.into_iter().map(|(name, label, on)| view! {
                    <label class="check">
                        <input type="checkbox" name=name value="true" checked=on/>
                        " " {label}
                    </label>
                }).collect_view()}
            </fieldset>
            <button type="submit" class="primary">{t.save}</button>
        </ActionForm>
    }
}
