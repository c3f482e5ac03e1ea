//! The console's islands: what runs in the browser (feature `islands`, on in the default
//! build). The server renders every page as it would for a browser without JavaScript: links
//! load pages and forms post. These islands add what a page needs on top: a dialog keeps
//! focus and keys, fields check themselves as they are typed with the server's own parsers,
//! posted forms say they are busy and keep what was typed when refused, and a running sync
//! or import is followed. Each takes its props from the server's HTML and reaches the page
//! through the DOM, so an island carries only its own code.

use crate::domain::WebhookHosts;
use leptos::prelude::*;

/// The open dialog's keys: focus moves to its first field, Tab stays inside, Escape goes to
/// `close_href` (the table as it was). Whichever way the dialog is left, the next page
/// focuses `opener` (the button that opened it) if it has one.
#[island]
pub fn DialogKeys(close_href: String, opener: String) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    browser::dialog_keys(close_href, opener);
    #[cfg(not(feature = "hydrate"))]
    let _ = (close_href, opener);
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

/// Every form the page posts: the button says it is busy and a second press is not sent
/// again; what was typed is kept (in this tab's session storage, never a password or a
/// secret) and put back when the server refuses the form and sends the page back with its
/// error, which a page loaded again would otherwise lose.
#[island]
pub fn PostedForms() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    browser::posted_forms();
}

/// While something runs on the server (a sync, an import being applied), the element
/// `selector` is read again every second from the page at `url` and replaced; once it no
/// longer says it is running (`class` without `running`), `url` is loaded with the outcome.
#[island]
pub fn KeepFresh(url: String, selector: String) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    browser::keep_fresh(url, selector);
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, selector);
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

    /// Which element the page after a dialog focuses: the dialog's opener.
    const FOCUS_NEXT: &str = "crewdesk.focus";

    pub fn dialog_keys(close_href: String, opener: String) {
        let Some(dialog) = document().query_selector("[role=dialog]").ok().flatten() else {
            return;
        };
        // Unless the person has already moved on while the code came in.
        if nothing_focused() {
            focus::first(&dialog);
        }
        let leaving = window_event_listener(leptos::ev::pagehide, move |_| {
            if let Ok(Some(storage)) = window().session_storage() {
                _ = storage.set_item(FOCUS_NEXT, &opener);
            }
        });
        std::mem::forget(leaving);
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

    /// Whether focus is still where a page starts (the body): code that starts late leaves
    /// alone a field the person is already in.
    fn nothing_focused() -> bool {
        document()
            .active_element()
            .is_none_or(|el| el.tag_name().eq_ignore_ascii_case("body"))
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

    /// How long a sent form ignores another press.
    const RESEND_AFTER_MS: u64 = 10_000;

    /// Where a posted form's typed values wait for the page that comes back.
    const TYPED: &str = "crewdesk.typed";

    /// What a refused form gets back. `hidden`: its hidden fields, which tell it apart from
    /// other forms posting to the same place (a row's id) and from the same form as the
    /// server now writes it (an edit's version: after a conflict nothing is put back, and
    /// the person sees the values that won). `changed`: what the person changed (text typed,
    /// a choice made; never a password, a secret or a file). A field left as the server
    /// wrote it is not kept, so the page that comes back shows the server's value there.
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Typed {
        action: String,
        hidden: Vec<(String, String)>,
        changed: Vec<(String, String)>,
    }

    /// A field the page's form holds: `(name, value, as the server wrote it)`, for the kinds
    /// a person types or chooses, and hidden ones.
    enum Field {
        Hidden(String, String),
        Shown(String, String, bool),
    }

    fn field(control: &leptos::web_sys::Element) -> Option<Field> {
        use leptos::web_sys::{HtmlOptionElement, HtmlSelectElement, HtmlTextAreaElement};
        if let Some(input) = control.dyn_ref::<HtmlInputElement>() {
            let (name, value) = (input.name(), input.value());
            return match input.type_().as_str() {
                _ if name.is_empty() => None,
                "hidden" => Some(Field::Hidden(name, value)),
                "text" | "email" | "tel" | "number" | "url" | "search" => {
                    let untouched = value == input.default_value();
                    Some(Field::Shown(name, value, untouched))
                }
                _ => None,
            };
        }
        if let Some(select) = control.dyn_ref::<HtmlSelectElement>() {
            let options = select.options();
            let untouched = (0..options.length())
                .filter_map(|i| options.item(i))
                .filter_map(|o| o.dyn_into::<HtmlOptionElement>().ok())
                .all(|o| o.selected() == o.default_selected());
            return Some(Field::Shown(select.name(), select.value(), untouched));
        }
        let area = control.dyn_ref::<HtmlTextAreaElement>()?;
        let untouched = area
            .default_value()
            .is_ok_and(|default| area.value() == default);
        Some(Field::Shown(area.name(), area.value(), untouched))
    }

    fn fields(form: &leptos::web_sys::HtmlFormElement) -> Vec<Field> {
        let controls = form.elements();
        (0..controls.length())
            .filter_map(|i| controls.item(i))
            .filter_map(|c| field(&c))
            .collect()
    }

    fn typed(form: &leptos::web_sys::HtmlFormElement) -> Typed {
        let mut typed = Typed {
            action: form.action(),
            hidden: Vec::new(),
            changed: Vec::new(),
        };
        for f in fields(form) {
            match f {
                Field::Hidden(name, value) => typed.hidden.push((name, value)),
                Field::Shown(name, value, false) => typed.changed.push((name, value)),
                Field::Shown(..) => {}
            }
        }
        typed
    }

    /// What the last page left under `key` in this tab's session storage, taken out.
    fn take(key: &str) -> Option<String> {
        let storage = window().session_storage().ok()??;
        let value = storage.get_item(key).ok()??;
        _ = storage.remove_item(key);
        Some(value)
    }

    /// After a refusal the address names the server function (`__path`): the form posted to
    /// it, the same one (its hidden fields alike), gets back what was changed in it, in each
    /// field not touched again since this page came.
    fn put_back() {
        let Some(saved) = take(TYPED) else {
            return;
        };
        let search = window().location().search().unwrap_or_default();
        let Some(path) = leptos::web_sys::UrlSearchParams::new_with_str(&search)
            .ok()
            .and_then(|p| p.get("__path"))
        else {
            return;
        };
        let Ok(typed) = serde_json::from_str::<Typed>(&saved) else {
            return;
        };
        if !typed.action.ends_with(&path) {
            return;
        }
        let Ok(forms) = document().query_selector_all("form[method=post]") else {
            return;
        };
        let same = |form: &leptos::web_sys::HtmlFormElement| {
            let hidden: Vec<(String, String)> = fields(form)
                .into_iter()
                .filter_map(|f| match f {
                    Field::Hidden(name, value) => Some((name, value)),
                    Field::Shown(..) => None,
                })
                .collect();
            form.action() == typed.action && hidden == typed.hidden
        };
        let Some(form) = (0..forms.length())
            .filter_map(|i| forms.item(i))
            .filter_map(|n| n.dyn_into::<leptos::web_sys::HtmlFormElement>().ok())
            .find(same)
        else {
            return;
        };
        let controls = form.elements();
        for (name, value) in &typed.changed {
            let Some(control) = controls
                .named_item(name)
                .and_then(|c| c.dyn_into::<leptos::web_sys::Element>().ok())
            else {
                continue;
            };
            if !matches!(field(&control), Some(Field::Shown(_, _, true))) {
                continue;
            }
            if let Some(input) = control.dyn_ref::<HtmlInputElement>() {
                input.set_value(value);
            } else if let Some(select) = control.dyn_ref::<leptos::web_sys::HtmlSelectElement>() {
                select.set_value(value);
            } else if let Some(area) = control.dyn_ref::<leptos::web_sys::HtmlTextAreaElement>() {
                area.set_value(value);
            }
        }
    }

    /// The opener of the dialog the last page was (see `dialog_keys`), unless this page is
    /// a dialog too.
    fn focus_opener() {
        let Some(id) = take(FOCUS_NEXT) else {
            return;
        };
        if !nothing_focused()
            || document()
                .query_selector("[role=dialog]")
                .ok()
                .flatten()
                .is_some()
        {
            return;
        }
        if let Some(el) = document()
            .get_element_by_id(&id)
            .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        {
            _ = el.focus();
        }
    }

    pub fn posted_forms() {
        put_back();
        focus_opener();
        let listener =
            leptos::wasm_bindgen::closure::Closure::<dyn Fn(leptos::web_sys::Event)>::new(
                move |ev: leptos::web_sys::Event| {
                    let Some(form) = ev
                        .target()
                        .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlFormElement>().ok())
                    else {
                        return;
                    };
                    if !form.method().eq_ignore_ascii_case("post") {
                        return;
                    }
                    // Sent once: a second press while the page is on its way is dropped, for a
                    // while (a send the person stopped may be sent again).
                    // Whole milliseconds: formatting a float would bring its tables along.
                    let now = leptos::web_sys::js_sys::Date::now() as u64;
                    let sent = form
                        .get_attribute("data-sent")
                        .and_then(|at| at.parse::<u64>().ok());
                    if sent.is_some_and(|at| now.saturating_sub(at) < RESEND_AFTER_MS) {
                        ev.prevent_default();
                        return;
                    }
                    _ = form.set_attribute("data-sent", &now.to_string());
                    if let (Ok(Some(storage)), Ok(saved)) = (
                        window().session_storage(),
                        serde_json::to_string(&typed(&form)),
                    ) {
                        _ = storage.set_item(TYPED, &saved);
                    }
                    if let Ok(buttons) = form.query_selector_all("button[type=submit]") {
                        for button in (0..buttons.length()).filter_map(|i| buttons.item(i)) {
                            if let Ok(button) = button.dyn_into::<leptos::web_sys::Element>() {
                                _ = button.set_attribute("aria-busy", "true");
                            }
                        }
                    }
                },
            );
        _ = document()
            .add_event_listener_with_callback("submit", listener.as_ref().unchecked_ref());
        // Kept for the page's life.
        listener.forget();
        // A page the browser kept and shows again (Back) was left mid-send: its forms are
        // ready again.
        let shown_again = window_event_listener(leptos::ev::pageshow, |ev| {
            if !ev.persisted() {
                return;
            }
            if let Ok(sent) = document().query_selector_all("[data-sent], [aria-busy=true]") {
                for el in (0..sent.length()).filter_map(|i| sent.item(i)) {
                    if let Ok(el) = el.dyn_into::<leptos::web_sys::Element>() {
                        _ = el.remove_attribute("data-sent");
                        _ = el.remove_attribute("aria-busy");
                    }
                }
            }
        });
        std::mem::forget(shown_again);
    }

    /// How often a running sync or import is read again, and how many reads in a row may
    /// fail before the page stops asking (the server is gone; a reload starts again).
    const FRESH_MS: u64 = 1000;
    const FRESH_FAILURES: u32 = 60;

    pub fn keep_fresh(url: String, selector: String) {
        follow(url, selector, 0);
    }

    fn follow(url: String, selector: String, failures: u32) {
        set_timeout(
            move || {
                leptos::task::spawn_local(async move {
                    match refresh(&url, &selector).await {
                        Some(true) => follow(url, selector, 0),
                        Some(false) => {}
                        None if failures + 1 < FRESH_FAILURES => {
                            follow(url, selector, failures + 1);
                        }
                        None => {}
                    }
                });
            },
            std::time::Duration::from_millis(FRESH_MS),
        );
    }

    /// Replaces `selector` with the same element read from `url`; when it is gone from there
    /// (an import applied), loads `url` with the outcome. Whether it still runs; `None`
    /// when the page could not be read.
    async fn refresh(url: &str, selector: &str) -> Option<bool> {
        use leptos::web_sys::{DomParser, Response, SupportedType};
        let answer = wasm_bindgen_futures::JsFuture::from(window().fetch_with_str(url))
            .await
            .ok()?
            .dyn_into::<Response>()
            .ok()?;
        if !answer.ok() {
            return None;
        }
        let text = wasm_bindgen_futures::JsFuture::from(answer.text().ok()?)
            .await
            .ok()?
            .as_string()?;
        let fresh = DomParser::new()
            .ok()?
            .parse_from_string(&text, SupportedType::TextHtml)
            .ok()?
            .query_selector(selector)
            .ok()?;
        let Some(fresh) = fresh else {
            _ = window().location().assign(url);
            return Some(false);
        };
        let running = fresh.class_list().contains("running");
        // In place: a dialog open over the page, and what is typed in it, stay.
        document()
            .query_selector(selector)
            .ok()??
            .set_outer_html(&fresh.outer_html());
        Some(running)
    }
}
