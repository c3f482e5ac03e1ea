//! Synchronize Engineer Info on the roster page: the button (a form, so it works without
//! JavaScript), a live progress bar while a sync runs (it survives a reload: the running
//! sync is found again), and the result with its lists.

use super::awaited;
use super::{say, use_texts};
use crate::api::directory::{sync_status, StartSync};
use crate::api::error::url_error;
use crate::domain::directory::SyncSummary;
use crate::i18n::fill;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_router::hooks::use_query_map;

/// How often a running sync is asked how far it got.
const POLL_MS: u64 = 700;

#[component]
pub fn SyncButton(start: ServerAction<StartSync>) -> impl IntoView {
    let t = use_texts();
    view! {
        <ActionForm action=start attr:class="inline">
            <button type="submit" class="button primary" aria-busy=move || start.pending().get().to_string()>
                {t.synchronize}
            </button>
        </ActionForm>
    }
}

#[component]
pub fn SyncPanel(start: ServerAction<StartSync>) -> impl IntoView {
    let query = use_query_map();
    // The sync named in the address, else the one found running (kept once found, so its
    // result shows when it ends).
    let followed = RwSignal::new(None::<i64>);
    let wanted = move || {
        query
            .read()
            .get("sync")
            .and_then(|s| s.parse::<i64>().ok())
            .or(followed.get())
    };
    let tick = RwSignal::new(0_u32);
    let status = awaited::resource(
        move || (wanted(), start.version().get(), tick.get()),
        |(id, ..)| awaited::named("sync", sync_status(id)),
    );
    // While it runs, ask again shortly (in the browser only; the server renders once).
    Effect::new(move |_| {
        let running = status
            .get()
            .and_then(Result::ok)
            .flatten()
            .filter(|s| s.state == "running");
        if let Some(s) = running {
            if followed.get_untracked() != Some(s.id) {
                followed.set(Some(s.id));
            }
            set_timeout(
                move || tick.update(|n| *n = n.wrapping_add(1)),
                std::time::Duration::from_millis(POLL_MS),
            );
        }
    });
    let start_error = move || match start.value().get() {
        Some(Err(e)) => Some(e),
        _ => url_error(&query.read(), &[StartSync::PATH]),
    };
    view! {
        {move || start_error().map(|e| view! { <p class="error" role="alert">{say(&e)}</p> })}
        <Transition fallback=|| ()>
            {move || status.get().and_then(Result::ok).flatten().map(|s| view! { <Summary s=s/> })}
        </Transition>
    }
}

/// The running sync is followed on the roster itself, at the table's own query; a dialog
/// open over it is left alone (reloading it every second would make it unusable).
fn follow_on_roster(id: i64) -> Option<impl IntoView> {
    let location = leptos_router::hooks::use_location();
    if location.pathname.get_untracked().starts_with("/engineers/") {
        return None;
    }
    let list = super::engineers::ListUrl::current().query();
    let url = if list.is_empty() {
        format!("/?sync={id}")
    } else {
        format!("/?{list}&sync={id}")
    };
    Some(super::reload_while_running(url, ".sync-panel"))
}

/// A named list, folded: `title` is filled with `{count}`.
fn list(title: &'static str, items: Vec<String>) -> impl IntoView {
    (!items.is_empty()).then(|| {
        let heading = fill(title, &[("count", &items.len().to_string())]);
        view! {
            <details>
                <summary>{heading}</summary>
                <ul>{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul>
            </details>
        }
    })
}

#[component]
fn Summary(s: SyncSummary) -> impl IntoView {
    let t = use_texts();
    let count = |n: i64| n.to_string();
    match s.state.as_str() {
        "running" => {
            // Until the directory has been read there is no total to count against.
            let label = if s.total > 0 {
                fill(
                    t.sync_running,
                    &[("processed", &count(s.processed)), ("total", &count(s.total))],
                )
            } else {
                t.sync_reading.to_owned()
            };
            view! {
                <section class="sync-panel running" aria-live="polite">
                    <p>{label.clone()}</p>
                    <progress max="1000" value=s.per_mille() aria-label=label></progress>
                    {follow_on_roster(s.id)}
                </section>
            }
            .into_any()
        }
        "done" => {
            let line = fill(
                t.sync_done,
                &[
                    ("created", &count(s.created)),
                    ("updated", &count(s.updated)),
                    ("unchanged", &count(s.unchanged)),
                    ("flagged", &count(s.flagged)),
                ],
            );
            let lists = s.lists;
            view! {
                <section class="sync-panel done" aria-live="polite">
                    <p class="notice success">{line}</p>
                    {(s.skipped > 0).then(|| view! { <p>{fill(t.sync_skipped, &[("count", &count(s.skipped))])}</p> })}
                    {list(t.sync_list_created, lists.created)}
                    {list(t.sync_list_updated, lists.updated)}
                    {list(t.sync_list_flagged, lists.flagged)}
                    {list(t.sync_list_skipped, lists.skipped.iter().map(say).collect())}
                    {list(t.sync_list_notes, lists.notes.iter().map(say).collect())}
                </section>
            }
            .into_any()
        }
        _ => view! {
            <section class="sync-panel failed" role="alert">
                <p class="error">{fill(t.sync_failed, &[("error", s.error.as_deref().unwrap_or(""))])}</p>
            </section>
        }
        .into_any(),
    }
}
