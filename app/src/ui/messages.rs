//! The Message log (SPEC §4): what unconfigured providers kept instead of sending, newest
//! first, like a mail catcher, so confirmation links can be followed without a gateway.

use super::awaited;
use super::layout::Layout;
use super::pager::Pager;
use super::{say, use_texts};
use crate::api::messages::load_messages;
use crate::domain::{CapturedMessage, MessagePage};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn MessagesPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
    };
    let messages = awaited::resource(page, |page| awaited::named("messages", load_messages(page)));
    view! {
        <Layout>
            <h1>{t.messages_title}</h1>
            <p class="muted">{t.messages_explain}</p>
            <Transition fallback=|| ()>
                {move || messages.get().map(|r| match r {
                    Ok(page) => view! { <Messages page=page/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{say(&e)}</p> }.into_any(),
                })}
            </Transition>
        </Layout>
    }
}

/// The text with each link made clickable.
fn linked(text: String) -> impl IntoView {
    text.split(' ')
        .map(|word| {
            let view = if word.starts_with("http://") || word.starts_with("https://") {
                view! { <a href=word.to_owned() rel="noreferrer">{word.to_owned()}</a> }.into_any()
            } else {
                word.to_owned().into_any()
            };
            view! { {view}" " }
        })
        .collect_view()
}

fn row(m: CapturedMessage) -> impl IntoView {
    view! {
        <tr>
            <td><time>{m.at}" UTC"</time></td>
            <td>{m.channel}</td>
            <td>{m.recipient}</td>
            <td class="message-text">{linked(m.text)}</td>
        </tr>
    }
}

#[component]
fn Messages(page: MessagePage) -> impl IntoView {
    let t = use_texts();
    if page.rows.is_empty() {
        return view! { <p class="empty">{t.messages_empty}</p> }.into_any();
    }
    let (total, current, per_page) = (page.total, page.page, page.per_page);
    view! {
        <div class="table-wrap">
            <table class="roster messages">
                <caption class="sr-only">{t.messages_title}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t.audit_when}</th>
                        <th scope="col">{t.messages_channel}</th>
                        <th scope="col">{t.messages_recipient}</th>
                        <th scope="col">{t.messages_text}</th>
                    </tr>
                </thead>
                <tbody>{page.rows.into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
        <Pager template=t.audit_summary total=total page=current per_page=per_page link=|n| format!("/messages?page={n}")/>
    }
    .into_any()
}
