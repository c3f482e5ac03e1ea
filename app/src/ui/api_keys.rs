//! Settings → API keys: an SDAdmin lists, creates and revokes keys; a new key is shown once.

use super::awaited;
use super::{error_in_words, say, use_texts};
use crate::api::api_keys::{load_api_keys, take_new_api_key, CreateApiKey, KeyLine, RevokeApiKey};
use crate::api::error::url_error;
use crate::api::AppError;
use crate::domain::Scope;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ApiKeysSection() -> impl IntoView {
    let t = use_texts();
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let versions = move || (create.version().get(), revoke.version().get());
    let keys = awaited::resource(versions, |_| awaited::named("api_keys", load_api_keys()));
    let fresh = awaited::resource(
        move || create.version().get(),
        |_| awaited::named("new_api_key", take_new_api_key()),
    );
    let query = use_query_map();
    let error = move || -> Option<AppError> {
        match (create.value().get(), revoke.value().get()) {
            (Some(Err(e)), _) | (_, Some(Err(e))) => Some(e),
            _ => url_error(&query.read(), &[CreateApiKey::PATH, RevokeApiKey::PATH]),
        }
    };
    view! {
        <section aria-labelledby="h-api-keys" class="api-keys">
            <h2 id="h-api-keys">{t.api_keys_title}</h2>
            <p class="muted">{t.api_keys_explain}</p>
            <Suspense fallback=|| ()>
                {move || fresh.get().and_then(Result::ok).flatten().map(|(name, key)| view! {
                    <div class="notice success" role="status">
                        <p>{t.key_created_once} " " <strong>{name}</strong></p>
                        <code class="new-key">{key}</code>
                    </div>
                })}
                {move || keys.get().map(|r| match r {
                    Ok(keys) => view! { <KeyTable keys=keys revoke=revoke/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{say(&e)}</p> }.into_any(),
                })}
            </Suspense>
            <ActionForm action=create attr:class="inline-form">
                <div class="field">
                    <label for="key-name">{t.key_name}</label>
                    <input id="key-name" name="name" required=true/>
                </div>
                <div class="field">
                    <label for="key-owner">{t.key_owner}</label>
                    <input id="key-owner" name="owner" aria-describedby="key-owner-hint"/>
                    <small class="muted" id="key-owner-hint">{t.key_owner_hint}</small>
                </div>
                <fieldset class="methods">
                    <legend>{t.key_scopes}</legend>
                    {Scope::ALL.into_iter().map(|scope| view! {
                        <label class="check">
                            <input type="checkbox" name=format!("scope[{}]", scope.as_str()) value="true"/>
                            " " {scope.as_str()}
                        </label>
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="primary">{t.key_create}</button>
            </ActionForm>
            {move || error().map(|e| view! { <p class="error" role="alert">{error_in_words(&e)}</p> })}
        </section>
    }
}

#[component]
fn KeyTable(keys: Vec<KeyLine>, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    let t = use_texts();
    view! {
        <table class="roster small">
            <thead><tr>
                <th scope="col">{t.key_name}</th>
                <th scope="col">{t.col_prefix}</th>
                <th scope="col">{t.col_scopes}</th>
                <th scope="col">{t.col_owner}</th>
                <th scope="col">{t.col_last_used}</th>
                <th scope="col">{t.col_state}</th>
            </tr></thead>
            <tbody>
                {keys.into_iter().map(|k| {
                    let live = k.revoked.is_none();
                    let scopes = Scope::list_text(&k.scopes);
                    view! {
                        <tr>
                            <td>{k.name.clone()}</td>
                            <td><code>{format!("{}…", k.prefix)}</code></td>
                            <td>{scopes}</td>
                            <td>{k.owner.unwrap_or_default()}</td>
                            <td>{k.last_used.unwrap_or_else(|| t.key_never_used.to_owned())}</td>
                            <td>
                                {if live {
                                    view! {
                                        <ActionForm action=revoke attr:class="inline">
                                            <input type="hidden" name="name" value=k.name.clone()/>
                                            {t.key_live} " "
                                            <button type="submit" aria-label=format!("{} {}", t.key_revoke, k.name)>{t.key_revoke}</button>
                                        </ActionForm>
                                    }.into_any()
                                } else {
                                    view! { <span class="muted">{t.key_revoked}</span> }.into_any()
                                }}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
