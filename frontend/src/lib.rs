//! The browser entry point: hydrates the server-rendered console.

#[cfg(target_arch = "wasm32")]
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
