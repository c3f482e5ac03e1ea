//! Import engineers from CSV: the upload (a plain form, so it works without JavaScript), the
//! preview of what each row would do with the problems by row and column, and applying it,
//! followed live while the server writes.

use super::awaited;
use super::layout::Layout;
use super::{say, use_texts};
use crate::api::error::url_error;
use crate::api::import::{load_import, ApplyImport};
use crate::domain::import::{ImportState, ImportView, Verdict};
use crate::i18n::{fill, Texts};
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_router::hooks::use_query_map;

/// How often an import being applied is asked how it went.
const POLL_MS: u64 = 700;

#[component]
pub fn ImportPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let run = move || query.read().get("run").and_then(|s| s.parse::<i64>().ok());
    let apply = ServerAction::<ApplyImport>::new();
    let tick = RwSignal::new(0_u32);
    let shown = awaited::resource(
        move || (run(), apply.version().get(), tick.get()),
        |(id, ..)| async move {
            match id {
                Some(id) => awaited::named("import", load_import(id)).await.map(Some),
                None => Ok(None),
            }
        },
    );
    // While the server writes, ask again shortly (in the browser only).
    Effect::new(move |_| {
        let applying = shown
            .get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|v| v.state == ImportState::Applying);
        if applying {
            set_timeout(
                move || tick.update(|n| *n = n.wrapping_add(1)),
                std::time::Duration::from_millis(POLL_MS),
            );
        }
    });
    let apply_error = move || match apply.value().get() {
        Some(Err(e)) => Some(e),
        _ => url_error(&query.read(), &[ApplyImport::PATH]),
    };
    view! {
        <Layout>
            <div class="page-head">
                <h1>{t.import_title}</h1>
                <div class="actions">
                    <a class="button" href="/">{t.back_to_engineers}</a>
                </div>
            </div>
            <p class="muted">{t.import_explain}</p>
            <form method="post" action="/roster/import" enctype="multipart/form-data" class="inline-form">
                <div class="field">
                    <label for="import-file">{t.import_file}</label>
                    <input id="import-file" type="file" name="file" accept=".csv,text/csv" required=true/>
                </div>
                <button type="submit" class="primary">{t.import_preview}</button>
            </form>
            {move || apply_error().map(|e| view! { <p class="error" role="alert">{say(&e)}</p> })}
            <Transition fallback=|| ()>
                {move || shown.get().map(|r| match r {
                    Ok(Some(v)) => view! { <Outcome v=v apply=apply/> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(e) => view! { <p class="error" role="alert">{say(&e)}</p> }.into_any(),
                })}
            </Transition>
        </Layout>
    }
}

fn counted(template: &str, v: &ImportView) -> String {
    let c = v.counts;
    fill(
        template,
        &[
            ("file", &v.file_name),
            ("create", &c.create.to_string()),
            ("update", &c.update.to_string()),
            ("unchanged", &c.unchanged.to_string()),
            ("error", &c.error.to_string()),
        ],
    )
}

#[component]
fn Outcome(v: ImportView, apply: ServerAction<ApplyImport>) -> impl IntoView {
    let t = use_texts();
    let report = format!("/roster/import/{}/report.csv", v.id);
    let head = match v.state {
        ImportState::Refused => {
            let problems = v.problems.iter().map(say).collect::<Vec<_>>().join(" ");
            view! {
                <p class="error" role="alert">{fill(t.import_refused, &[("file", &v.file_name)])} " " {problems}</p>
            }
            .into_any()
        }
        ImportState::Previewed => {
            let can_apply = v.counts.create + v.counts.update > 0;
            view! {
                <p role="status">{counted(t.import_counts, &v)}</p>
                {can_apply.then(|| view! {
                    <ActionForm action=apply attr:class="inline">
                        <input type="hidden" name="id" value=v.id.to_string()/>
                        <button type="submit" class="primary" aria-busy=move || apply.pending().get().to_string()>
                            {fill(t.import_apply, &[("create", &v.counts.create.to_string()), ("update", &v.counts.update.to_string())])}
                        </button>
                    </ActionForm>
                })}
            }
            .into_any()
        }
        ImportState::Applying => {
            let label = fill(t.import_applying, &[("file", &v.file_name)]);
            view! {
                <section class="sync-panel running" aria-live="polite">
                    <p>{label.clone()} " " <a href=format!("/engineers/import?run={}", v.id)>{t.import_refresh}</a></p>
                    <progress aria-label=label></progress>
                    {super::reload_while_running(format!("/engineers/import?run={}", v.id), ".sync-panel")}
                </section>
            }
            .into_any()
        }
        ImportState::Applied => view! {
            <p class="notice success" role="status">{counted(t.import_applied, &v)}</p>
        }
        .into_any(),
        ImportState::Failed => view! {
            <p class="error" role="alert">{fill(t.import_failed, &[("file", &v.file_name)])}</p>
        }
        .into_any(),
    };
    let has_report = !matches!(v.state, ImportState::Refused);
    view! {
        <section class="import-outcome" aria-labelledby="h-import">
            <h2 id="h-import" class="visually-hidden">{v.file_name.clone()}</h2>
            {head}
            {has_report.then(|| view! {
                <p><a href=report rel="external" download="roster-import-report.csv">{t.import_report}</a></p>
            })}
            {(!v.rows.is_empty()).then(|| view! { <Rows v=v.clone()/> })}
        </section>
    }
}

fn outcome_word(t: &Texts, verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Create { .. } => t.import_outcome_create,
        Verdict::Update { .. } => t.import_outcome_update,
        Verdict::Unchanged { .. } => t.import_outcome_unchanged,
        Verdict::Error { .. } => t.import_outcome_error,
    }
}

/// The rows with a problem or a note: one line per problem.
#[component]
fn Rows(v: ImportView) -> impl IntoView {
    let t = use_texts();
    let lines: Vec<(usize, &'static str, String, String)> = v
        .rows
        .iter()
        .flat_map(|r| {
            let word = outcome_word(t, &r.verdict);
            match &r.verdict {
                Verdict::Error { problems } => problems
                    .iter()
                    .map(|p| (r.row, word, p.field.clone(), say(&p.problem)))
                    .collect::<Vec<_>>(),
                _ => r
                    .notes
                    .iter()
                    .map(|n| (r.row, word, String::new(), say(n)))
                    .collect(),
            }
        })
        .collect();
    let more = (v.noted > v.rows.len()).then(|| {
        fill(
            t.import_shown,
            &[
                ("shown", &v.rows.len().to_string()),
                ("total", &v.noted.to_string()),
            ],
        )
    });
    view! {
        {more.map(|m| view! { <p class="muted">{m}</p> })}
        <table class="roster small import-rows">
            <thead><tr>
                <th scope="col">{t.import_col_row}</th>
                <th scope="col">{t.import_col_outcome}</th>
                <th scope="col">{t.import_col_field}</th>
                <th scope="col">{t.import_col_problem}</th>
            </tr></thead>
            <tbody>
                {lines.into_iter().map(|(row, word, field, text)| view! {
                    <tr><td>{row}</td><td>{word}</td><td><code>{field}</code></td><td>{text}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
