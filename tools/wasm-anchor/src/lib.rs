//! The anchor the console's WASM size is read against: a bare Leptos 0.8 page with a router
//! (two routes, links between them, a counter), hydrated like the console. It has no server
//! functions, forms or translations: what any Leptos page with routes ships.

#[cfg(target_arch = "wasm32")]
mod page {
    use leptos::prelude::*;
    use leptos_router::components::{Route, Router, Routes, A};
    use leptos_router::path;

    #[component]
    fn Counter() -> impl IntoView {
        let count = RwSignal::new(0);
        view! {
            <button on:click=move |_| count.update(|n| *n += 1)>{move || count.get()}</button>
        }
    }

    #[component]
    pub fn App() -> impl IntoView {
        view! {
            <Router>
                <nav><A href="/">"Home"</A><A href="/about">"About"</A></nav>
                <Routes fallback=|| "Not found">
                    <Route path=path!("/") view=Counter/>
                    <Route path=path!("/about") view=|| view! { <p>"About"</p> }/>
                </Routes>
            </Router>
        }
    }
}

#[cfg(all(target_arch = "wasm32", not(feature = "mount")))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(page::App);
}

/// Built with `--features mount` for scripts/bench-firstload.sh, which serves the anchor as a
/// static page (no server renders it): the same page, mounted into the body instead of
/// hydrated, and `<html data-hydrated>` once it is live, as the console marks itself.
#[cfg(all(target_arch = "wasm32", feature = "mount"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(page::App);
    if let Some(html) = leptos::prelude::document().document_element() {
        _ = html.set_attribute("data-hydrated", "");
    }
}
