//! A probe, not a product: how much code a page would send if the console hydrated islands
//! (only its interactive parts) instead of whole pages. Each feature wraps one part of the
//! console, unchanged, as an island; whatever the island does not reach is left out of the
//! module.

#[cfg(all(target_arch = "wasm32", any(feature = "edit", feature = "roster")))]
mod islands {
    use leptos::prelude::*;

    /// The edit dialog: what opening a dialog in place needs.
    #[cfg(feature = "edit")]
    #[island]
    pub fn EditIsland() -> impl IntoView {
        view! { <app::ui::parts::EditDialog/> }
    }

    /// The whole roster page as one island: the table, its filters and its dialogs.
    #[cfg(feature = "roster")]
    #[island]
    pub fn RosterIsland() -> impl IntoView {
        view! { <app::ui::parts::EngineersPage/> }
    }
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
