//! A modal dialog over the engineer table. It is a page of its own (a child route), so it
//! opens from a plain link and works without JavaScript; with it, focus moves into the
//! dialog, Tab stays inside, Escape closes, and focus returns to the button that opened it.

use super::use_texts;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn Dialog(
    /// The dialog's heading; it also labels the dialog.
    #[prop(into)]
    title: Signal<String>,
    /// Where closing goes: the table as it was.
    close_href: String,
    /// The id of the element that opened the dialog, focused again on close.
    opener: String,
    children: Children,
) -> impl IntoView {
    let t = use_texts();
    let node = NodeRef::<leptos::html::Div>::new();
    let navigate = use_navigate();
    let close_to = close_href.clone();
    let close = move || navigate(&close_to, Default::default());
    let keys = islands_keys(close_href.clone(), opener.clone());
    #[cfg(feature = "hydrate")]
    {
        on_cleanup(move || focus::later(opener));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = opener;
    // Escape closes from anywhere while the dialog is open, even when focus was lost to the
    // page (a control that became disabled hands focus to the body).
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            close();
        }
    });
    on_cleanup(move || escape.remove());
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        #[cfg(feature = "hydrate")]
        if ev.key() == "Tab" {
            if let Some(dialog) = node.get() {
                focus::trap(&dialog, &ev);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <div class="dialog-backdrop">
            <div
                class="dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby="dialog-title"
                node_ref=node
                on:keydown=on_keydown
            >
                <div class="dialog-head">
                    <h2 id="dialog-title">
                        <Suspense fallback=|| ()>{move || title.get()}</Suspense>
                    </h2>
                    <a class="dialog-close" href=close_href.clone() aria-label=t.close>"×"</a>
                </div>
                {children()}
                {keys}
            </div>
        </div>
    }
}

/// In islands mode the dialog's keys are an island of their own (the page is not hydrated).
#[cfg(feature = "islands")]
fn islands_keys(close_href: String, opener: String) -> impl IntoView {
    view! { <super::islands::DialogKeys close_href=close_href opener=opener/> }
}
#[cfg(not(feature = "islands"))]
fn islands_keys(_: String, _: String) -> impl IntoView {}

/// Moves focus into the open dialog; each dialog's form calls it once its fields exist.
pub fn focus_dialog() {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(dialog) = document().query_selector("[role=dialog]").ok().flatten() {
            focus::first(&dialog);
        }
    });
}

#[cfg(feature = "hydrate")]
pub(super) mod focus {
    use leptos::prelude::*;
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::{Element, HtmlElement, KeyboardEvent};

    const FOCUSABLE: &str =
        "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled])";

    fn focusable(dialog: &Element) -> Vec<HtmlElement> {
        let Ok(list) = dialog.query_selector_all(FOCUSABLE) else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
            .collect()
    }

    /// The first field, else the first control that is not the close link.
    pub fn first(dialog: &Element) {
        let all = focusable(dialog);
        let target = all
            .iter()
            .find(|e| e.tag_name() != "A")
            .or_else(|| all.first());
        if let Some(el) = target {
            let _ = el.focus();
        }
    }

    /// Keeps Tab and Shift+Tab inside the dialog.
    pub fn trap(dialog: &Element, ev: &KeyboardEvent) {
        let all = focusable(dialog);
        let (Some(first), Some(last)) = (all.first(), all.last()) else {
            return;
        };
        let active = document().active_element();
        let at = |el: &HtmlElement| {
            active
                .as_ref()
                .is_some_and(|a| a == el.unchecked_ref::<Element>())
        };
        if ev.shift_key() && at(first) {
            ev.prevent_default();
            let _ = last.focus();
        } else if !ev.shift_key() && at(last) {
            ev.prevent_default();
            let _ = first.focus();
        }
    }

    /// Focuses `id` once the table behind the dialog has re-rendered.
    pub fn later(id: String) {
        request_animation_frame(move || {
            if let Some(el) = document()
                .get_element_by_id(&id)
                .and_then(|e| e.dyn_into::<HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        });
    }
}
