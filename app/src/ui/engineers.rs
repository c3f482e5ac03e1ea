//! O&M Engineer Management: the roster table with search and pagination.

use super::layout::Layout;
use crate::api::technicians::list_technicians;
use crate::domain::{Page, TechnicianRow};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn EngineersPage() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
    };
    let added = move || query.read().get("added").is_some();
    let roster = Resource::new(move || (search(), page()), |(s, p)| list_technicians(s, p));
    let sync_message = RwSignal::new(None::<&'static str>);
    view! {
        <Layout>
            <div class="page-head">
                <h1>"O&M Engineer Management"</h1>
                <div class="actions">
                    <a class="button" href="/engineers/new">"Add technician"</a>
                    <button
                        type="button"
                        class="button primary"
                        on:click=move |_| {
                            sync_message.set(Some("No directory is configured yet, so there is nothing to synchronize."))
                        }
                    >
                        "Synchronize Engineer Info"
                    </button>
                </div>
            </div>
            {move || sync_message.get().map(|m| view! { <p class="notice" role="status">{m}</p> })}
            {move || added().then(|| view! { <p class="notice success" role="status">"Technician added."</p> })}
            <form method="get" action="/" class="search" role="search">
                <input
                    type="search"
                    name="q"
                    prop:value=search
                    value=search
                    placeholder="Search name, alias, login, email, mobile"
                    aria-label="Search engineers"
                />
                <button type="submit">"Search"</button>
            </form>
            <Transition fallback=|| view! { <p class="muted">"Loading engineers…"</p> }>
                {move || {
                    roster.get().map(|result| match result {
                        Ok(page) => view! { <RosterTable page=page search=search()/> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    })
                }}
            </Transition>
        </Layout>
    }
}

#[component]
fn RosterTable(page: Page, search: String) -> impl IntoView {
    let pages = page.page_count();
    let current = page.page;
    let total = page.total;
    let link = move |n: u32| {
        let mut href = format!("/?page={n}");
        if !search.is_empty() {
            href.push_str("&q=");
            href.push_str(&crate::url::encode_component(&search));
        }
        href
    };
    if page.rows.is_empty() {
        return view! { <p class="empty">"No engineers match."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="roster">
                <caption class="sr-only">"Engineers"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Alias"</th>
                        <th scope="col">"Login"</th>
                        <th scope="col">"Site"</th>
                        <th scope="col">"Department"</th>
                        <th scope="col">"Mobile"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Roles"</th>
                    </tr>
                </thead>
                <tbody>{page.rows.into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages">
            <span>{format!("{total} engineers · page {current} of {pages}")}</span>
            {(current > 1).then(|| view! { <a href=link(current - 1) rel="prev">"Previous"</a> })}
            {(current < pages).then(|| view! { <a href=link(current + 1) rel="next">"Next"</a> })}
        </nav>
    }
    .into_any()
}

fn row(r: TechnicianRow) -> impl IntoView {
    let dash = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
    view! {
        <tr>
            <td>{r.name}</td>
            <td>{dash(r.alias)}</td>
            <td>{dash(r.login_name)}</td>
            <td>{r.site.unwrap_or_else(|| "Not associated".to_owned())}</td>
            <td>{dash(r.department)}</td>
            <td>{dash(r.mobile)}</td>
            <td>{dash(r.email)}</td>
            <td>{if r.roles.is_empty() { "—".to_owned() } else { r.roles.join(", ") }}</td>
        </tr>
    }
}
