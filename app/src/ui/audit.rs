//! The audit log: who changed what, when, from where, with what changed — filtered by
//! technician, actor and source.

use super::awaited;
use super::layout::Layout;
use super::pager::Pager;
use super::{say, use_texts};
use crate::api::reference::load_audit;
use crate::domain::{AuditPage, AuditQuery, AuditRow};
use crate::i18n::Texts;
use crate::url::encode_component;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AuditPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).unwrap_or_default();
    let audit_query = move || AuditQuery {
        technician: param("technician"),
        actor: param("actor"),
        source: param("source"),
        page: param("page").parse().unwrap_or(1),
    };
    let entries = awaited::resource(audit_query, |q| awaited::named("audit", load_audit(q)));
    let sources = [
        ("", t.any),
        ("console", t.source_console),
        ("xml", t.source_xml),
        ("sync", t.source_sync),
        ("cli", t.source_cli),
        ("api", t.source_api),
    ];
    view! {
        <Layout>
            <h1>{t.audit_title}</h1>
            <form method="get" action="/audit" class="filters" role="search">
                <label><span>{t.audit_technician}</span>
                    <input name="technician" value=move || param("technician") prop:value=move || param("technician")/></label>
                <label><span>{t.audit_actor}</span>
                    <input name="actor" value=move || param("actor") prop:value=move || param("actor")/></label>
                <label><span>{t.audit_source}</span>
                    <select name="source">
                        {sources.into_iter().map(|(value, text)| view! {
                            <option value=value selected=move || param("source") == value>{text}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit">{t.apply}</button>
            </form>
            <Transition fallback=|| ()>
                {move || entries.get().map(|r| match r {
                    Ok(page) => view! { <Entries page=page query=audit_query()/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{say(&e)}</p> }.into_any(),
                })}
            </Transition>
        </Layout>
    }
}

fn source_text(t: &Texts, source: &str) -> String {
    match source {
        "console" => t.source_console,
        "xml" => t.source_xml,
        "sync" => t.source_sync,
        "cli" => t.source_cli,
        "api" => t.source_api,
        other => other,
    }
    .to_owned()
}

fn entry(t: &'static Texts, r: AuditRow) -> impl IntoView {
    let technician = match (r.technician, r.technician_id) {
        (Some(name), Some(id)) => format!("{name} (#{id})"),
        (Some(name), None) => name,
        (None, Some(id)) => format!("#{id}"),
        (None, None) => "—".to_owned(),
    };
    view! {
        <tr>
            <td><time>{r.at}" UTC"</time></td>
            <td>{r.actor}</td>
            <td>{source_text(t, &r.source)}<span class="sub">{r.remote_addr.unwrap_or_default()}</span></td>
            <td><code>{r.action}</code></td>
            <td>{technician}</td>
            <td>
                <dl class="changes">
                    {r.changes.into_iter().map(|c| view! {
                        <dt>{c.key}</dt>
                        <dd><del>{c.before}</del>" → "<ins>{c.after}</ins></dd>
                    }).collect_view()}
                </dl>
            </td>
        </tr>
    }
}

#[component]
fn Entries(page: AuditPage, query: AuditQuery) -> impl IntoView {
    let t = use_texts();
    if page.rows.is_empty() {
        return view! { <p class="empty">{t.audit_empty}</p> }.into_any();
    }
    let link = move |n: u32| {
        format!(
            "/audit?page={n}&technician={}&actor={}&source={}",
            encode_component(&query.technician),
            encode_component(&query.actor),
            encode_component(&query.source)
        )
    };
    let (total, current, per_page) = (page.total, page.page, page.per_page);
    view! {
        <div class="table-wrap">
            <table class="roster audit">
                <caption class="sr-only">{t.audit_title}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t.audit_when}</th>
                        <th scope="col">{t.audit_actor}</th>
                        <th scope="col">{t.audit_source}</th>
                        <th scope="col">{t.audit_action}</th>
                        <th scope="col">{t.audit_technician}</th>
                        <th scope="col">{t.audit_changes}</th>
                    </tr>
                </thead>
                <tbody>{page.rows.into_iter().map(|r| entry(t, r)).collect_view()}</tbody>
            </table>
        </div>
        <Pager template=t.audit_summary total=total page=current per_page=per_page link=link/>
    }
    .into_any()
}
