//! The browser entry point: hydrates the server-rendered console.

#[cfg(all(target_arch = "wasm32", not(feature = "islands")))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use leptos::prelude::document;
    console_error_panic_hook::set_once();
    // What `leptos::mount::hydrate_lazy` does (it also serves routes whose code is fetched
    // when first shown), then `<html data-hydrated>` once the page is live: until then its
    // forms and links work as plain HTML.
    _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let Some(body) = document().body() else {
            return;
        };
        let owner = leptos::mount::hydrate_from_async(body, app::App).await;
        owner.forget();
        if let Some(html) = document().document_element() {
            _ = html.set_attribute("data-hydrated", "");
        }
    });
}

/// Islands mode (the default build, see app's `islands` feature): the page is the server's
/// HTML; the shell's script hands each island to its function, exported from `app`.
#[cfg(all(target_arch = "wasm32", feature = "islands"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

// The islands' functions are exported from `app`: it must be linked in.
#[cfg(all(target_arch = "wasm32", feature = "islands"))]
extern crate app as _;
