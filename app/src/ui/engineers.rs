//! O&M Engineer Management: the roster table with search, filters, sort, pagination, each
//! engineer's channels at a glance, and the Operation column that opens the dialogs.

use super::awaited;
use super::layout::Layout;
use super::pager::{OpenEnded, Pager};
use super::{say, use_texts};
use crate::api::technicians::{list_technicians, sites};
use crate::domain::{
    any_available, method_options, BetaChannels, Channel, Channels, ListQuery, Page, SubState,
    TechnicianRow,
};
use crate::i18n::{fill, Texts};
use crate::url::encode_component;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_query_map;

/// The table's own query parameters; dialogs return to the table with exactly these.
const LIST_PARAMS: [&str; 10] = [
    "q", "site", "role", "state", "dir", "sort", "desc", "page", "after", "before",
];
/// One-shot notices a finished dialog leaves in the URL.
const NOTICES: [&str; 4] = ["added", "updated", "deleted", "subscribed"];

/// The query string of the table (without notices), shared with the dialogs.
#[derive(Clone, Copy)]
pub struct ListUrl(pub Memo<String>);

impl ListUrl {
    /// The table's query as the address has it now. Each reader (the table, a dialog) makes
    /// its own: a dialog is a route of its own, loaded and rendered apart from the page, so it
    /// must not hold a value the page owns.
    pub fn current() -> Self {
        let query = use_query_map();
        Self(Memo::new(move |_| {
            // `try_`: an abandoned render may recompute this after the address is disposed.
            query
                .try_with(|q| {
                    LIST_PARAMS
                        .iter()
                        .filter_map(|k| q.get(k).filter(|v| !v.is_empty()).map(|v| (k, v)))
                        .map(|(k, v)| format!("{k}={}", encode_component(&v)))
                        .collect::<Vec<_>>()
                        .join("&")
                })
                .unwrap_or_default()
        }))
    }

    /// The query string. Empty once the page's render was abandoned (its client left while
    /// the server was still rendering, and the request's reactive values were disposed):
    /// that output is never sent, so it need not be right, only not a panic.
    pub fn query(&self) -> String {
        self.0.try_get().unwrap_or_default()
    }

    /// `path` carrying the table's query, e.g. a dialog's address.
    pub fn with_path(&self, path: &str) -> String {
        let query = self.query();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }
}

#[component]
pub fn EngineersPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    // Made here, while the page is set up, rather than in the table: the table is rendered
    // again when its data arrives, by which time an abandoned request has no router left.
    let list_url = ListUrl::current();
    let param = move |name: &str| query.read().get(name).unwrap_or_default();
    let list_query = move || ListQuery {
        page: param("page").parse().unwrap_or(1),
        per_page: 25,
        after: param("after"),
        before: param("before"),
        ..ListQuery::from_params(param)
    };
    // A finished dialog leaves its notice in the URL; that change reloads the table too.
    let notices = move || {
        let q = query.read();
        NOTICES.map(|k| q.get(k).unwrap_or_default())
    };
    let roster = awaited::resource(
        move || (list_query(), notices()),
        |(query, _)| awaited::named("roster", list_technicians(query)),
    );
    let site_list = awaited::resource(|| (), |_| awaited::named("sites", sites()));
    let phone_gaps = awaited::resource(
        || (),
        |_| awaited::named("phone gaps", crate::api::reachability::phone_gaps()),
    );
    let start_sync = ServerAction::<crate::api::directory::StartSync>::new();
    let notice = move || {
        let q = query.read();
        let texts = [
            t.technician_added,
            t.technician_updated,
            t.technician_deleted,
            t.subscriptions_requested,
        ];
        NOTICES
            .iter()
            .zip(texts)
            .find(|(k, _)| q.get(k).is_some())
            .map(|(_, text)| text)
    };
    // The dialogs are child routes: while one is open, the table behind it is inert.
    let location = leptos_router::hooks::use_location();
    let behind_dialog = Signal::derive(move || location.pathname.read().starts_with("/engineers/"));
    view! {
        <Layout behind_dialog=behind_dialog>
            <div inert=move || behind_dialog.get()>
            <Suspense fallback=|| ()>
                {move || phone_gaps.get().and_then(Result::ok).filter(|p| !p.is_empty()).map(|places| view! {
                    <div class="banner warning" role="status">
                        <p>{fill(t.phone_gap_banner, &[("places", &places.join(", "))])}
                            <a href="/reachability">{t.phone_gap_link}</a></p>
                    </div>
                })}
            </Suspense>
            <div class="page-head">
                <h1>{t.engineers_title}</h1>
                <div class="actions">
                    <a class="button" href="/engineers/new">{t.add_technician}</a>
                    // The view as it is filtered, as a file: the router leaves it to the browser.
                    <a class="button" href=list_url.with_path("/roster.csv") rel="external" download="roster.csv">{t.export_csv}</a>
                    <a class="button" href="/engineers/import">{t.import_csv}</a>
                    <super::sync::SyncButton start=start_sync/>
                </div>
            </div>
            <div class="toasts" role="status" aria-live="polite">
                {move || notice().map(|m| view! { <p class="notice success">{m}</p> })}
            </div>
            <super::sync::SyncPanel start=start_sync/>
            <form method="get" action="/" class="filters" role="search">
                <input type="search" name="q" value=move || param("q") prop:value=move || param("q")
                    placeholder=t.search_placeholder aria-label=t.search_label/>
                <label>
                    <span>{t.filter_site}</span>
                    <select name="site">
                        <option value="">{t.any}</option>
                        <option value="none" selected=move || param("site") == "none">{t.not_associated}</option>
                        <Suspense fallback=|| ()>
                            {move || site_list.get().and_then(Result::ok).map(|list| {
                                list.into_iter().map(|s| {
                                    let id = s.id.to_string();
                                    let selected = param("site") == id;
                                    view! { <option value=id selected=selected>{s.name}</option> }
                                }).collect_view()
                            })}
                        </Suspense>
                    </select>
                </label>
                <FilterSelect name="role" label=t.filter_role current=Signal::derive(move || param("role"))
                    options=vec![("", t.any), ("SDAdmin", "SDAdmin"), ("SDSiteAdmin", "SDSiteAdmin"), ("none", t.no_role)]/>
                <FilterSelect name="state" label=t.filter_state current=Signal::derive(move || param("state"))
                    options=vec![("", t.any), ("unsubscribed", t.state_unsubscribed), ("pending", t.state_pending),
                        ("confirmed", t.state_confirmed), ("expired", t.state_expired)]/>
                <FilterSelect name="dir" label=t.filter_directory current=Signal::derive(move || param("dir"))
                    options=vec![("", t.any), ("synced", t.directory_synced), ("missing", t.directory_missing)]/>
                <FilterSelect name="sort" label=t.sort_by current=Signal::derive(move || param("sort"))
                    options=vec![("name", t.sort_name), ("login", t.sort_login), ("site", t.sort_site), ("updated", t.sort_updated)]/>
                <FilterSelect name="desc" label=t.sort_order current=Signal::derive(move || param("desc"))
                    options=vec![("", t.ascending), ("1", t.descending)]/>
                <button type="submit">{t.apply}</button>
            </form>
            <Transition fallback=move || view! { <p class="muted">{t.loading_engineers}</p> }>
                {move || {
                    roster.get().map(|result| match result {
                        Ok(page) => view! { <RosterTable page=page list_url=list_url/> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{say(&e)}</p> }.into_any(),
                    })
                }}
            </Transition>
            </div>
            <Outlet/>
        </Layout>
    }
}

#[component]
fn FilterSelect(
    name: &'static str,
    label: &'static str,
    current: Signal<String>,
    options: Vec<(&'static str, &'static str)>,
) -> impl IntoView {
    view! {
        <label>
            <span>{label}</span>
            <select name=name>
                {options
                    .into_iter()
                    .map(|(value, text)| view! { <option value=value selected=move || current.get() == value>{text}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}

#[component]
fn RosterTable(page: Page, list_url: ListUrl) -> impl IntoView {
    let t = use_texts();
    let current = page.page;
    // The pages next to this one are found from its first and last rows (read from the
    // sort's index at that row, however deep); another page number alone is skipped to.
    let (next_cursor, prev_cursor) = (page.next_cursor.clone(), page.prev_cursor.clone());
    let link = move |n: u32| {
        let base = list_url.query();
        let rest: Vec<&str> = base
            .split('&')
            .filter(|p| {
                !p.is_empty()
                    && !["page=", "after=", "before="]
                        .iter()
                        .any(|k| p.starts_with(k))
            })
            .collect();
        let mut href = format!("/?page={n}");
        let cursor = match n {
            n if n == current + 1 => next_cursor.as_deref().map(|c| ("after", c)),
            n if n + 1 == current => prev_cursor.as_deref().map(|c| ("before", c)),
            _ => None,
        };
        if let Some((name, value)) = cursor {
            href.push_str(&format!("&{name}={}", encode_component(value)));
        }
        for p in rest {
            href.push('&');
            href.push_str(p);
        }
        href
    };
    if page.rows.is_empty() {
        return view! { <p class="empty">{t.no_match}</p> }.into_any();
    }
    let beta = page.beta;
    let (total, per_page) = (page.total, page.per_page);
    let open_ended = page.total_is_floor.then_some(OpenEnded {
        template: t.pager_summary_more,
        has_next: page.has_next,
    });
    view! {
        {legend(t)}
        <div class="table-wrap">
            <table class="roster">
                <caption class="sr-only">{t.table_caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t.col_name}<span class="sub">{t.col_alias}</span></th>
                        <th scope="col">{t.col_login}</th>
                        <th scope="col">{t.col_site}<span class="sub">{t.col_department}</span></th>
                        <th scope="col">{t.col_mobile}</th>
                        <th scope="col">{t.col_email}</th>
                        <th scope="col">{t.col_channels}</th>
                        <th scope="col">{t.col_roles}</th>
                        <th scope="col">{t.col_operation}</th>
                    </tr>
                </thead>
                <tbody>{page.rows.into_iter().map(|r| view! { <Row row=r beta=beta.clone() list_url=list_url/> }).collect_view()}</tbody>
            </table>
        </div>
        <Pager template=t.pager_summary total=total page=current per_page=per_page link=link open_ended=open_ended/>
    }
    .into_any()
}

/// How a roster chip shows one channel of one engineer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ChipState {
    Sub(SubState),
    /// A chat channel with an address.
    Configured,
    /// A chat channel without one.
    NotConfigured,
    /// The last message on it was not delivered.
    Failing,
    /// Cannot be used now: a beta channel switched off, or no mobile / email.
    Off,
}

impl ChipState {
    /// One character: the state at a glance (the legend says which is which).
    fn mark(self) -> &'static str {
        match self {
            Self::Sub(SubState::Unsubscribed) | Self::NotConfigured => "○",
            Self::Sub(SubState::Pending) => "◐",
            Self::Sub(SubState::Confirmed) | Self::Configured => "✓",
            Self::Sub(SubState::Expired) => "✕",
            Self::Failing => "!",
            Self::Off => "–",
        }
    }

    fn class(self) -> &'static str {
        match self {
            Self::Sub(state) => state.as_str(),
            Self::Configured => "confirmed",
            Self::NotConfigured => "unsubscribed",
            Self::Failing => "failing",
            Self::Off => "off",
        }
    }

    fn words(self, t: &Texts) -> String {
        match self {
            Self::Sub(state) => t.state(state).to_owned(),
            Self::Configured => t.configured.to_owned(),
            Self::NotConfigured => t.not_configured.to_owned(),
            Self::Failing => t.state_failing.to_owned(),
            Self::Off => t.state_off.to_owned(),
        }
    }
}

/// Each channel's state for one engineer, in the order of [`Channel::ALL`].
fn chip_states(
    c: &Channels,
    has_mobile: bool,
    has_email: bool,
    beta: &BetaChannels,
) -> Vec<(Channel, ChipState, Option<&'static str>)> {
    Channel::ALL
        .into_iter()
        .map(|channel| {
            let (state, usable) = match channel {
                Channel::Sms => (ChipState::Sub(c.sms), has_mobile),
                Channel::Voice => (ChipState::Sub(c.voice), has_mobile),
                Channel::Email => (ChipState::Sub(c.email), has_email),
                other if c.points.contains(&other) => (ChipState::Configured, true),
                _ => (ChipState::NotConfigured, true),
            };
            let why_off = if !beta.is_on(channel) {
                Some("beta")
            } else if !usable {
                Some("contact")
            } else {
                None
            };
            let state = if why_off.is_some() {
                ChipState::Off
            } else if c.failing.contains(&channel) {
                ChipState::Failing
            } else {
                state
            };
            (channel, state, why_off)
        })
        .collect()
}

fn chip(
    t: &'static Texts,
    channel: Channel,
    state: ChipState,
    why_off: Option<&str>,
) -> impl IntoView {
    let mut words = state.words(t);
    if why_off == Some("beta") {
        words = t.beta_off.to_owned();
    }
    let text = format!("{}: {words}", t.channel(channel));
    let class = format!("chip state-{}", state.class());
    let title = text.clone();
    view! {
        <li class=class title=title>
            <span aria-hidden="true">{t.channel_short(channel)}<b>{state.mark()}</b></span>
            <span class="sr-only">{text}</span>
        </li>
    }
}

/// One compact chip per channel: a short name and a state mark; the full state in the
/// tooltip and for screen readers, the marks explained once in the legend.
fn channel_chips(
    t: &'static Texts,
    c: Channels,
    has_mobile: bool,
    has_email: bool,
    beta: BetaChannels,
) -> impl IntoView {
    let states = chip_states(&c, has_mobile, has_email, &beta);
    view! {
        <ul class="chips">
            {states.into_iter().map(|(channel, state, why_off)| chip(t, channel, state, why_off)).collect_view()}
        </ul>
    }
}

/// The chip marks, said once above the table.
fn legend(t: &'static Texts) -> impl IntoView {
    let marks = [
        ChipState::Sub(SubState::Unsubscribed),
        ChipState::Sub(SubState::Pending),
        ChipState::Sub(SubState::Confirmed),
        ChipState::Sub(SubState::Expired),
        ChipState::Failing,
        ChipState::Off,
    ];
    view! {
        <ul class="legend" aria-label=t.legend>
            {marks.into_iter().map(|state| {
                let words = state.words(t);
                view! {
                    <li><span class=format!("chip state-{}", state.class()) aria-hidden="true"><b>{state.mark()}</b></span>" "{words}</li>
                }
            }).collect_view()}
        </ul>
    }
}

/// `list_url`: the table's, shared by its rows rather than one router lookup and memo each.
#[component]
fn Row(row: TechnicianRow, beta: BetaChannels, list_url: ListUrl) -> impl IntoView {
    let t = use_texts();
    let dash = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
    let id = row.id;
    let can_edit = row.manageable || row.is_self;
    let options = method_options(
        &row.channels,
        row.mobile.is_some(),
        row.email.is_some(),
        &beta,
    );
    let can_subscribe = can_edit && any_available(&options);
    let op = move |kind: &'static str, label: &'static str, enabled: bool| {
        let opener = format!("op-{kind}-{id}");
        if enabled {
            view! { <a id=opener class="button small" href=move || list_url.with_path(&format!("/engineers/{id}/{kind}"))>{label}</a> }.into_any()
        } else {
            // A real, disabled button: a screen reader announces the control and that it is
            // unavailable, where a bare span would say nothing.
            view! { <button type="button" id=opener class="button small" disabled=true>{label}</button> }.into_any()
        }
    };
    let chips = channel_chips(
        t,
        row.channels.clone(),
        row.mobile.is_some(),
        row.email.is_some(),
        beta,
    );
    view! {
        <tr>
            <td data-label=t.col_name>{row.name}<span class="sub">{dash(row.alias)}</span>
                {row.missing.then(|| view! {
                    <span class="chip state-expired" title=t.directory_missing_hint>
                        {fill(t.directory_gone, &[("directory", row.directory.as_deref().unwrap_or(""))])}
                    </span>
                })}
            </td>
            <td data-label=t.col_login>{dash(row.login_name)}</td>
            <td data-label=t.col_site>{row.site.unwrap_or_else(|| t.not_associated.to_owned())}<span class="sub">{dash(row.department)}</span></td>
            <td data-label=t.col_mobile>{dash(row.mobile)}</td>
            <td data-label=t.col_email class="email" title=row.email.clone().unwrap_or_default()>{dash(row.email.clone())}</td>
            <td data-label=t.col_channels>{chips}</td>
            <td data-label=t.col_roles>{if row.roles.is_empty() { "—".to_owned() } else { row.roles.join(", ") }}</td>
            <td data-label=t.col_operation>
                <div class="ops">
                    {op("edit", t.edit, can_edit)}
                    {op("delete", t.delete, row.manageable)}
                    {op("subscribe", t.subscribe, can_subscribe)}
                </div>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_of(states: &[(Channel, ChipState, Option<&str>)], channel: Channel) -> ChipState {
        states.iter().find(|(c, ..)| *c == channel).unwrap().1
    }

    #[test]
    fn each_chip_says_whether_its_channel_is_usable_set_up_or_failing() {
        let channels = Channels {
            sms: SubState::Pending,
            points: vec![Channel::Slack, Channel::Lark],
            failing: vec![Channel::Lark, Channel::Email],
            ..Channels::default()
        };
        let beta = BetaChannels(vec![Channel::Slack, Channel::Lark, Channel::Teams]);
        let states = chip_states(&channels, true, false, &beta);
        assert_eq!(states.len(), Channel::ALL.len());
        assert!(state_of(&states, Channel::Sms) == ChipState::Sub(SubState::Pending));
        // A beta channel switched off, and email without an address: off, whatever else.
        assert!(state_of(&states, Channel::Voice) == ChipState::Off);
        assert!(state_of(&states, Channel::Email) == ChipState::Off);
        assert!(state_of(&states, Channel::WeCom) == ChipState::Off);
        assert!(state_of(&states, Channel::Slack) == ChipState::Configured);
        assert!(state_of(&states, Channel::Teams) == ChipState::NotConfigured);
        assert!(state_of(&states, Channel::Lark) == ChipState::Failing);
        // Every state has its own mark.
        let marks: std::collections::HashSet<&str> =
            states.iter().map(|(_, s, _)| s.mark()).collect();
        assert_eq!(marks.len(), 5, "{marks:?}");
    }
}
