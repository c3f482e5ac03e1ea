//! Pages and components of the console.

mod add_technician;
mod engineers;
mod layout;
mod login;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.ico"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Pages render in `Async` mode: the server waits for their data and sends complete HTML, so
/// the console works before the WASM arrives and without JavaScript at all.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="crewdesk" href="/pkg/crewdesk.css"/>
        <Title text="Crewdesk"/>
        <Router>
            <Routes fallback=|| view! { <layout::NotFound/> }>
                <Route path=path!("/login") view=login::LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/") view=engineers::EngineersPage ssr=SsrMode::Async/>
                <Route path=path!("/engineers/new") view=add_technician::AddTechnicianPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
