//! Islands mode (feature `islands`, a prototype weighed by scripts/bench-firstload.sh): the
//! server renders every page as it does for a browser without JavaScript, and only these
//! islands run in the browser. They take over what the whole-page build does once hydrated
//! on the roster's dialogs: the dialog keeps focus and keys, and each field checks itself as
//! it is typed with the server's own parsers. Everything else is plain HTML: links load
//! pages, forms post.

use crate::domain::WebhookHosts;
use leptos::prelude::*;

/// The open dialog's keys: focus moves to its first field, Tab stays inside, Escape goes to
/// `close_href` (the table as it was).
#[island]
pub fn DialogKeys(close_href: String) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    browser::dialog_keys(close_href);
    #[cfg(not(feature = "hydrate"))]
    let _ = close_href;
}

/// Checks each listed field as it is typed: `(attribute, input id)`. A contact point's
/// address is checked against `hosts`, as the server checks it. Messages go to the element
/// `<input id>-msg`, in the page's language.
#[island]
pub fn LiveChecks(fields: Vec<(String, String)>, hosts: WebhookHosts) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    browser::live_checks(fields, hosts);
    #[cfg(not(feature = "hydrate"))]
    let _ = (fields, hosts);
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::super::dialog::focus;
    use super::super::fields::{validate, validate_credential};
    use crate::domain::WebhookHosts;
    use crate::i18n::Speak;
    use leptos::prelude::*;
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::{HtmlInputElement, KeyboardEvent};

    pub fn dialog_keys(close_href: String) {
        let Some(dialog) = document().query_selector("[role=dialog]").ok().flatten() else {
            return;
        };
        focus::first(&dialog);
        let trap = dialog.clone();
        let tab = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
            if ev.key() == "Escape" {
                ev.prevent_default();
                _ = window().location().set_href(&close_href);
            } else if ev.key() == "Tab" {
                focus::trap(&trap, &ev);
            }
        });
        // The island lives as long as the page.
        std::mem::forget(tab);
    }

    /// The message for `value` typed into the field `attribute`, as the forms check it.
    fn check(attribute: &str, value: &str, hosts: &WebhookHosts) -> Option<String> {
        validate(attribute, value)
            .or_else(|| validate_credential(attribute, value, hosts))
            .map(|problem| problem.say(super::super::request_lang()))
    }

    pub fn live_checks(fields: Vec<(String, String)>, hosts: WebhookHosts) {
        for (attribute, id) in fields {
            let Some(input) = document()
                .get_element_by_id(&id)
                .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            else {
                continue;
            };
            let message = document().get_element_by_id(&format!("{id}-msg"));
            let hosts = hosts.clone();
            let field = input.clone();
            let listener = leptos::wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
                let said = check(&attribute, &field.value(), &hosts);
                _ = field.set_attribute("aria-invalid", &said.is_some().to_string());
                if let Some(message) = &message {
                    message.set_text_content(Some(said.as_deref().unwrap_or("")));
                }
            });
            _ = input.add_event_listener_with_callback("input", listener.as_ref().unchecked_ref());
            // Kept for the page's life, as the input is.
            listener.forget();
        }
    }
}
