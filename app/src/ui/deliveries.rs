//! The delivery log (SPEC §3): every delivery, newest first, filtered by state, with each
//! attempt and what the provider answered; a dead letter has a Retry button, which works
//! without JavaScript too.

use super::awaited;
use super::layout::Layout;
use super::pager::Pager;
use super::{channel_label, say, use_texts};
use crate::api::error::url_error;
use crate::api::messages::{load_deliveries, RetryDelivery};
use crate::domain::{Channel, DeliveryFilter, DeliveryPage, DeliveryRow};
use crate::i18n::{fill, Texts};
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_router::hooks::use_query_map;

#[component]
pub fn DeliveriesPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let filter = move || DeliveryFilter::parse(&query.read().get("status").unwrap_or_default());
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
    };
    let retry = ServerAction::<RetryDelivery>::new();
    let deliveries = awaited::resource(
        move || {
            (
                filter(),
                page(),
                retry.version().get(),
                query.read().get("retried"),
            )
        },
        |(filter, page, ..)| {
            awaited::named(
                "deliveries",
                load_deliveries(filter.as_str().to_owned(), page),
            )
        },
    );
    let retried = move || query.read().get("retried");
    let error = move || match retry.value().get() {
        Some(Err(e)) => Some(e),
        _ => url_error(&query.read(), &[RetryDelivery::PATH]),
    };
    view! {
        <Layout>
            <h1>{t.deliveries_title}</h1>
            <p class="muted">{t.deliveries_explain}</p>
            <div class="toasts" role="status" aria-live="polite">
                {move || retried().map(|id| view! { <p class="notice success">{fill(t.deliveries_retried, &[("id", &id)])}</p> })}
            </div>
            {move || error().map(|e| view! { <p class="error" role="alert">{say(&e)}</p> })}
            <Transition fallback=|| ()>
                {move || deliveries.get().map(|r| match r {
                    Ok(page) => view! { <Deliveries page=page retry=retry/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{say(&e)}</p> }.into_any(),
                })}
            </Transition>
        </Layout>
    }
}

fn filter_label(t: &Texts, filter: DeliveryFilter) -> &'static str {
    match filter {
        DeliveryFilter::All => t.any,
        DeliveryFilter::Pending => t.delivery_pending,
        DeliveryFilter::Dead => t.delivery_dead,
        DeliveryFilter::Delivered => t.delivery_delivered,
        DeliveryFilter::Cancelled => t.delivery_cancelled,
    }
}

fn status_label(t: &Texts, status: &str) -> String {
    match status {
        "queued" => t.delivery_queued,
        "sending" => t.delivery_sending,
        "retrying" => t.delivery_retrying,
        "dead" => t.delivery_dead,
        "delivered" => t.delivery_delivered,
        "cancelled" => t.delivery_cancelled,
        other => other,
    }
    .to_owned()
}

fn channel_text(t: &Texts, channel: &str) -> String {
    Channel::parse(channel)
        .map_or(channel, |c| channel_label(t, c))
        .to_owned()
}

fn kind_label(t: &Texts, kind: &str) -> String {
    match kind {
        "confirmation" => t.delivery_kind_confirmation,
        "test" => t.delivery_kind_test,
        "api" => t.delivery_kind_api,
        other => other,
    }
    .to_owned()
}

fn row(
    t: &'static Texts,
    d: DeliveryRow,
    back: String,
    retry: ServerAction<RetryDelivery>,
) -> impl IntoView {
    let retryable = d.retryable();
    let attempts = d.attempt_log;
    let summary = if d.attempts == 1 {
        t.delivery_attempt_one.to_owned()
    } else {
        fill(t.delivery_attempts, &[("count", &d.attempts.to_string())])
    };
    view! {
        <tr class=format!("delivery {}", d.status)>
            <td><time>{d.queued_at}" UTC"</time></td>
            <td>{d.engineer.unwrap_or_else(|| t.delivery_engineer_gone.to_owned())}</td>
            <td>{channel_text(t, &d.channel)}<br/><small class="muted">{kind_label(t, &d.kind)}</small></td>
            <td class="recipient">{d.recipient}</td>
            <td>
                <span class=format!("state {}", d.status)>{status_label(t, &d.status)}</span>
                {d.next_attempt_at.map(|at| view! { <br/><small class="muted">{fill(t.delivery_next, &[("at", &at)])}</small> })}
            </td>
            <td class="answer">
                {d.last_answer.map(|a| view! { <span class="last-answer">{a}</span> })}
                {(!attempts.is_empty()).then(|| view! {
                    <details>
                        <summary>{summary}</summary>
                        <ol class="attempts" reversed>
                            {attempts.into_iter().map(|a| view! {
                                <li value=a.attempt>
                                    <time>{a.at}" UTC"</time>" · "{a.outcome}" · "<small class="muted">{a.worker}</small>
                                    {(!a.answer.is_empty()).then(|| view! { <br/><code>{a.answer}</code> })}
                                </li>
                            }).collect_view()}
                        </ol>
                    </details>
                })}
            </td>
            <td>
                {retryable.then(|| view! {
                    <ActionForm action=retry>
                        <input type="hidden" name="id" value=d.id/>
                        <input type="hidden" name="back" value=back/>
                        <button type="submit" aria-label=fill(t.delivery_retry_label, &[("id", &d.id.to_string())])>{t.delivery_retry}</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

#[component]
fn Deliveries(page: DeliveryPage, retry: ServerAction<RetryDelivery>) -> impl IntoView {
    let t = use_texts();
    let current = page.filter;
    let back = current.link(page.page);
    let tabs = page
        .counts
        .iter()
        .map(|(filter, count)| {
            let label = format!("{} ({count})", filter_label(t, *filter));
            let selected = *filter == current;
            view! {
                <a href=filter.link(1) aria-current=selected.then_some("page") class:selected=selected>{label}</a>
            }
        })
        .collect_view();
    let body = if page.rows.is_empty() {
        view! { <p class="empty">{t.deliveries_empty}</p> }.into_any()
    } else {
        view! {
            <div class="table-wrap">
                <table class="roster deliveries">
                    <caption class="sr-only">{t.deliveries_title}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t.audit_when}</th>
                            <th scope="col">{t.delivery_engineer}</th>
                            <th scope="col">{t.messages_channel}</th>
                            <th scope="col">{t.messages_recipient}</th>
                            <th scope="col">{t.delivery_state}</th>
                            <th scope="col">{t.delivery_answer}</th>
                            <th scope="col"><span class="sr-only">{t.delivery_retry}</span></th>
                        </tr>
                    </thead>
                    <tbody>{page.rows.into_iter().map(|d| row(t, d, back.clone(), retry)).collect_view()}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let (total, number, per_page) = (page.total, page.page, page.per_page);
    view! {
        <nav class="tabs" aria-label=t.delivery_filter>{tabs}</nav>
        {body}
        <Pager template=t.audit_summary total=total page=number per_page=per_page link=move |n| current.link(n)/>
    }
}
