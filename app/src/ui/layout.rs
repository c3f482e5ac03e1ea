//! The frame around every signed-in page: top bar, navigation, sign-out.

use crate::api::auth::{current_user, Logout};
use leptos::prelude::*;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    let logout = ServerAction::<Logout>::new();
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Crewdesk"</a>
            <nav aria-label="Main">
                <a href="/">"Engineers"</a>
            </nav>
            <div class="who">
                <Suspense fallback=|| ()>
                    {move || {
                        user.get()
                            .and_then(Result::ok)
                            .flatten()
                            .map(|u| view! { <span class="user-name">{u.name}</span> })
                    }}
                </Suspense>
                <ActionForm action=logout>
                    <button type="submit" class="link">"Sign out"</button>
                </ActionForm>
            </div>
        </header>
        <main class="content">{children()}</main>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="content">
            <h1>"Page not found"</h1>
            <p><a href="/">"Back to the engineers"</a></p>
        </main>
    }
}
