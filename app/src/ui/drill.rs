//! One reachability drill: every message it sent, whether it was delivered and acknowledged
//! and how fast, with the channels that delivered but were never acknowledged marked.

use super::awaited;
use super::layout::Layout;
use super::{say, use_texts};
use crate::api::reachability::load_drill;
use crate::domain::{DrillTarget, DrillView};
use crate::i18n::{fill, Texts};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn DrillPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let drill = awaited::resource(id, |id| awaited::named("drill", load_drill(id)));
    view! {
        <Layout>
            <Transition fallback=|| ()>
                {move || drill.get().map(|r| match r {
                    Ok(v) => view! { <Drill v=v/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{say(&e)}</p> }.into_any(),
                })}
            </Transition>
        </Layout>
    }
}

/// `95 s`, `4 min`, `2 h 5 min`.
fn duration(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

fn delivery_text(t: &Texts, state: &str) -> &'static str {
    match state {
        "delivered" => t.delivery_delivered,
        "dead" => t.delivery_dead,
        "cancelled" => t.delivery_cancelled,
        _ => t.delivery_pending,
    }
}

fn target_row(t: &'static Texts, target: DrillTarget) -> impl IntoView {
    let silent = target.silent();
    let ack = match target.acked_after_s {
        Some(s) => fill(t.drill_after, &[("time", &duration(s))]),
        None if silent => t.drill_silent.to_owned(),
        None => t.drill_waiting.to_owned(),
    };
    let name = match target.technician_id {
        Some(id) => {
            view! { <a href=format!("/engineers/{id}/edit")>{target.engineer}</a> }.into_any()
        }
        None => view! { <span>{target.engineer}</span> }.into_any(),
    };
    view! {
        <tr class=if silent { "silent" } else { "" }>
            <th scope="row">{name}</th>
            <td>{t.channel(target.channel)}</td>
            <td>{delivery_text(t, &target.delivery)}</td>
            <td>{if silent {
                view! { <span class="chip state-failing">{ack}</span> }.into_any()
            } else {
                view! { <span>{ack}</span> }.into_any()
            }}</td>
        </tr>
    }
}

#[component]
fn Drill(v: DrillView) -> impl IntoView {
    let t = use_texts();
    let s = v.summary;
    let started = fill(
        t.drill_started,
        &[
            ("by", &s.started_by),
            ("at", &s.started_at),
            ("acked", &s.acknowledged.to_string()),
            ("messages", &s.messages.to_string()),
        ],
    );
    view! {
        <h1>{fill(t.drill_title, &[("place", &s.place)])}</h1>
        <p>{started}</p>
        <p class="hint">{if s.open { t.drill_open } else { t.drill_closed }}</p>
        <div class="table-wrap">
            <table class="roster drill">
                <caption class="sr-only">{fill(t.drill_title, &[("place", &s.place)])}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t.drill_engineer}</th>
                        <th scope="col">{t.reach_channel}</th>
                        <th scope="col">{t.drill_delivery}</th>
                        <th scope="col">{t.drill_ack}</th>
                    </tr>
                </thead>
                <tbody>{v.targets.into_iter().map(|target| target_row(t, target)).collect_view()}</tbody>
            </table>
        </div>
        <p><a href="/reachability">{t.nav_reachability}</a></p>
    }
}
