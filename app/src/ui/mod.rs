//! Pages and components of the console.

mod add_technician;
mod api_keys;
mod audit;
pub mod awaited;
mod deliveries;
mod dialog;
mod directories;
mod drill;
mod engineers;
mod fields;
mod import;
#[cfg(feature = "islands")]
pub mod islands;
mod language;
mod layout;
mod login;
mod manage;
mod messages;
mod pager;
mod reachability;
mod reference;
mod settings;
mod sync;

use crate::i18n::{Lang, Texts, LANG_COOKIE};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The language of this request: the cookie, else `Accept-Language` (server); what the
/// server wrote into `<html lang>` (browser), so hydration renders the same text.
pub fn request_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        let Some(parts) = use_context::<http::request::Parts>() else {
            return Lang::default();
        };
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let cookie = header("cookie").and_then(|cookies| {
            cookies.split(';').find_map(|c| {
                let (name, value) = c.trim().split_once('=')?;
                (name == LANG_COOKIE).then_some(value)
            })
        });
        Lang::choose(cookie, header("accept-language"))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = LANG_COOKIE;
        document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|code| Lang::parse(&code))
            .unwrap_or_default()
    }
}

/// The strings of the current language.
pub fn use_texts() -> &'static Texts {
    use_context::<Lang>().unwrap_or_default().texts()
}

/// A message from the server (an error, a refusal, a note) in the current language.
pub fn say(message: &impl crate::i18n::Speak) -> String {
    message.say(use_context::<Lang>().unwrap_or_default())
}

/// A form's error: what its last submission in place answered, else what a submission
/// without JavaScript (or in islands mode) left in the address, so its fields are marked
/// either way.
pub fn posted_error<T>(action: ServerAction<T>) -> impl Fn() -> Option<crate::api::AppError> + Copy
where
    T: leptos::server_fn::ServerFn<Error = crate::api::AppError> + Clone + Send + Sync + 'static,
    T::Output: Clone + Send + Sync + 'static,
{
    let query = leptos_router::hooks::use_query_map();
    move || match action.value().get() {
        Some(outcome) => outcome.err(),
        None => query
            .try_with(|q| crate::api::error::url_error(q, &[T::PATH]))
            .flatten(),
    }
}

/// An error in words, for a form with no fields of its own to mark (a dialog of checkboxes
/// or a single choice): a refused value's own message rather than "correct the highlighted
/// fields".
pub fn error_in_words(error: &crate::api::AppError) -> String {
    match error {
        crate::api::AppError::Invalid(errors) if !errors.is_empty() => errors
            .0
            .iter()
            .map(|e| say(&e.problem))
            .collect::<Vec<_>>()
            .join(" "),
        other => say(other),
    }
}

/// While something runs on the server (a sync, an import being applied), the page follows
/// it at `url` (the console's own address, built from numbers): a browser without
/// JavaScript loads it again every second; with it, the hydrated console polls, and in
/// islands mode an island reads the panel (`selector`) again from `url`.
pub fn reload_while_running(url: String, selector: &'static str) -> impl IntoView {
    let refresh = format!(r#"<meta http-equiv="refresh" content="1; url={url}">"#);
    view! { <noscript inner_html=refresh></noscript> {keep_fresh(url, selector)} }
}

#[cfg(feature = "islands")]
fn keep_fresh(url: String, selector: &'static str) -> impl IntoView {
    view! { <islands::KeepFresh url=url selector=selector.to_owned()/> }
}
#[cfg(not(feature = "islands"))]
fn keep_fresh(_: String, _: &'static str) -> impl IntoView {}

/// A channel's name as the console shows it.
pub fn channel_label(t: &Texts, channel: crate::domain::Channel) -> &'static str {
    t.channel(channel)
}

/// The addresses of the build's files (named by their content, see the server's
/// `web::assets`).
#[derive(Clone, Debug)]
pub struct SiteFiles {
    pub stylesheet: String,
    pub js: String,
    pub wasm: String,
}

/// The HTML document around the app, rendered on the server only.
pub fn shell(files: SiteFiles) -> impl IntoView {
    // Islands mode: only the islands' data goes into the page (each island turns hydration
    // on for itself), not every resource the server awaited to render it.
    #[cfg(feature = "islands")]
    if let Some(context) = leptos::reactive::owner::Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    let lang = request_lang();
    #[cfg(feature = "ssr")]
    allow_own_scripts_only();
    let code = if ships_wasm() {
        // What Leptos's `HydrationScripts` renders, with the file names this server read at
        // start-up (its own reads `hash.txt` again on every page).
        let nonce = leptos::nonce::use_nonce();
        let start = format!(
            "import({js:?}).then((m) => m.default({{ module_or_path: {wasm:?} }}).then(() => {{ m.hydrate();{islands} }}));",
            js = files.js,
            wasm = files.wasm,
            islands = HYDRATE_ISLANDS,
        );
        view! {
            <link rel="modulepreload" href=files.js/>
            <link rel="preload" href=files.wasm r#as="fetch" r#type="application/wasm" crossorigin=""/>
            <script type="module" nonce=nonce>{start}</script>
        }
        .into_any()
    } else {
        // A page without code fetches it while the browser is idle, unrun, so that the
        // console's first page after it (the roster after signing in) finds it cached.
        view! {
            <link rel="prefetch" href=files.js/>
            <link rel="prefetch" href=files.wasm/>
        }
        .into_any()
    };
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.ico"/>
                <link rel="stylesheet" href=files.stylesheet/>
                {code}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// In islands mode, what Leptos's island script does once the module is in: each
/// `<leptos-island>` is handed to the function its `data-component` names (the islands here
/// take no children), then `<html data-hydrated>`. Built without islands, `hydrate()`
/// hydrates the whole page and sets the mark itself.
#[cfg(feature = "islands")]
const HYDRATE_ISLANDS: &str = " for (const el of document.querySelectorAll('leptos-island')) { \
    const island = m[el.dataset.component]; if (island) island(el); } \
    document.documentElement.setAttribute('data-hydrated', '');";
#[cfg(not(feature = "islands"))]
const HYDRATE_ISLANDS: &str = "";

/// Pages that do everything they do as plain HTML, and so load no WASM when opened by their
/// address: the sign-in page (a form whose errors come back in the address), the audit log,
/// the reachability view and the message log (a filter that is a GET form, pages that are
/// links). Their first load runs no code: the page is live once its HTML is in, and the
/// console's code is fetched after it while the browser is idle, for the next page. Reached
/// from inside the running console, they are rendered by the code already there.
#[cfg(feature = "ssr")]
const WITHOUT_WASM: [&str; 4] = ["/login", "/audit", "/messages", "/reachability"];

/// Whether this page loads the WASM (see `WITHOUT_WASM`).
fn ships_wasm() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .is_none_or(|parts| !WITHOUT_WASM.contains(&parts.uri.path()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        true
    }
}

/// The page's Content-Security-Policy: scripts from this origin and the inline hydration
/// script that carries this response's nonce, WebAssembly, and nothing framed.
#[cfg(feature = "ssr")]
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

#[cfg(feature = "ssr")]
fn allow_own_scripts_only() {
    use http::{header, HeaderValue};
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_csp(&nonce)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Pages render in `Async` mode: the server waits for their data and sends complete HTML, so
/// the console works before the WASM arrives and without JavaScript at all. The dialogs are
/// child routes of the engineer table: a link opens one over the table, with or without JS.
///
/// In the default build (feature `islands`) the browser hydrates only the islands
/// (`islands.rs`): every page and dialog is a page the server renders, and its code is one
/// module of about 95 KB brotli, against 410 KB to hydrate whole pages. Splitting at the
/// routes made a page fetch up to 225 small modules, which cost more round trips than bytes
/// on a real network (BENCHMARKS.md, "First load on an emulated network").
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(request_lang());
    view! {
        <Title text="Crewdesk"/>
        <Router>
            <Routes fallback=|| view! { <layout::NotFound/> }>
                <Route path=path!("/login") view=login::LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/reference") view=reference::ReferencePage ssr=SsrMode::Async/>
                <Route path=path!("/audit") view=audit::AuditPage ssr=SsrMode::Async/>
                <Route path=path!("/messages") view=messages::MessagesPage ssr=SsrMode::Async/>
                <Route path=path!("/reachability") view=reachability::ReachabilityPage ssr=SsrMode::Async/>
                <Route path=path!("/drills/:id") view=drill::DrillPage ssr=SsrMode::Async/>
                <Route path=path!("/deliveries") view=deliveries::DeliveriesPage ssr=SsrMode::Async/>
                <Route path=path!("/settings") view=settings::SettingsPage ssr=SsrMode::Async/>
                <Route path=path!("/engineers/new") view=add_technician::AddTechnicianPage ssr=SsrMode::Async/>
                <Route path=path!("/engineers/import") view=import::ImportPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=engineers::EngineersPage ssr=SsrMode::Async>
                    <Route path=path!("") view=|| ()/>
                    <Route path=path!("engineers/:id/edit") view=manage::EditDialog/>
                    <Route path=path!("engineers/:id/delete") view=manage::DeleteDialog/>
                    <Route path=path!("engineers/:id/subscribe") view=manage::SubscribeDialog/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
