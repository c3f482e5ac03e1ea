//! Who can be reached now, per site and group: a chart drawn on the server as SVG (the
//! browser needs no chart code), a table whose places link to their engineers, and the
//! engineers nobody can reach, each with what they set up and why it does not reach them.

use super::awaited;
use super::layout::Layout;
use super::{say, use_texts};
use crate::api::error::url_error;
use crate::api::reachability::load_reachability;
use crate::domain::{PlaceKind, ReachRow, ReachView, Standing, Unreachable};
use crate::i18n::{fill, Texts};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ReachabilityPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).unwrap_or_default();
    let filters = move || (param("site"), param("group"), param("channel"));
    let view = awaited::resource(filters, |(site, group, channel)| {
        awaited::named("reachability", load_reachability(site, group, channel))
    });
    // A drill refused (too soon, too large) comes back in the address, without JavaScript.
    let refused = move || url_error(&query.read(), &["/api/start_drill"]);
    view! {
        <Layout>
            <h1>{t.reach_title}</h1>
            <p class="lede">{t.reach_lede}</p>
            {move || refused().map(|e| view! { <p class="error" role="alert">{say(&e)}</p> })}
            <Transition fallback=|| ()>
                {move || view.get().map(|r| match r {
                    Ok(v) => view! { <Reach v=v/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{say(&e)}</p> }.into_any(),
                })}
            </Transition>
        </Layout>
    }
}

/// The filters: a GET form, so they work without JavaScript and each view has an address.
fn filters(t: &'static Texts, v: &ReachView) -> impl IntoView {
    let q = v.query.clone();
    view! {
        <form method="get" action="/reachability" class="filters" role="search">
            <label><span>{t.reach_site}</span>
                <select name="site">
                    <option value="">{t.any}</option>
                    {v.sites.iter().map(|p| view! {
                        <option value=p.id.to_string() selected=q.site == Some(p.id)>{p.name.clone()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label><span>{t.reach_group}</span>
                <select name="group">
                    <option value="">{t.any}</option>
                    {v.groups.iter().map(|p| view! {
                        <option value=p.id.to_string() selected=q.group == Some(p.id)>{p.name.clone()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label><span>{t.reach_channel}</span>
                <select name="channel">
                    <option value="">{t.reach_all_channels}</option>
                    {v.channels.iter().map(|c| view! {
                        <option value=c.as_str() selected=q.channel == Some(*c)>{t.channel(*c)}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="submit">{t.apply}</button>
        </form>
    }
}

fn place_name(t: &Texts, row: &ReachRow) -> String {
    if row.name.is_empty() {
        t.not_associated.to_owned()
    } else {
        row.name.clone()
    }
}

/// How many rows the chart draws; the table has them all.
const CHART_ROWS: usize = 40;

/// One stacked bar per place: reachable, partly, not reachable, each as a share of its
/// engineers; every bar and part says its numbers in a tooltip and to screen readers.
fn chart(t: &'static Texts, rows: &[ReachRow]) -> impl IntoView {
    const LABEL: f64 = 220.0;
    const BAR: f64 = 400.0;
    const HEIGHT: f64 = 26.0;
    let rows: Vec<&ReachRow> = rows
        .iter()
        .filter(|r| r.engineers > 0)
        .take(CHART_ROWS)
        .collect();
    #[allow(clippy::cast_precision_loss)]
    let total_height = HEIGHT * rows.len() as f64 + 8.0;
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            #[allow(clippy::cast_precision_loss)]
            let (y, n) = (HEIGHT * i as f64 + 4.0, row.engineers.max(1) as f64);
            let mut x = LABEL;
            let parts = [
                ("reach-ok", t.reach_reachable, row.reachable),
                ("reach-partly", t.reach_partly, row.partly),
                ("reach-none", t.reach_unreachable, row.unreachable),
            ]
            .into_iter()
            .filter(|(.., count)| *count > 0)
            .map(|(class, words, count)| {
                #[allow(clippy::cast_precision_loss)]
                let width = BAR * count as f64 / n;
                let at = x;
                x += width;
                view! {
                    <rect class=class x=format!("{at:.1}") y=format!("{:.1}", y + 3.0) width=format!("{width:.1}") height="18">
                        <title>{format!("{}: {words} {count}/{}", place_name(t, row), row.engineers)}</title>
                    </rect>
                }
            })
            .collect_view();
            let label = place_name(t, row);
            let label = if label.chars().count() > 28 {
                format!("{}…", label.chars().take(27).collect::<String>())
            } else {
                label
            };
            view! {
                <g>
                    <text x="0" y=format!("{:.1}", y + 17.0) class=if row.kind == PlaceKind::Group { "reach-group" } else { "" }>{label}</text>
                    {parts}
                    <text x=format!("{:.1}", LABEL + BAR + 8.0) y=format!("{:.1}", y + 17.0)>{format!("{}/{}", row.reachable, row.engineers)}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="reach-chart">
            <svg role="img" aria-labelledby="reach-chart-title" viewBox=format!("0 0 700 {total_height:.0}")
                width="700" height=format!("{total_height:.0}") xmlns="http://www.w3.org/2000/svg">
                <title id="reach-chart-title">{t.reach_chart}</title>
                {bars}
            </svg>
            <figcaption>
                <span class="swatch reach-ok"></span>{t.reach_reachable}" "
                <span class="swatch reach-partly"></span>{t.reach_partly}" "
                <span class="swatch reach-none"></span>{t.reach_unreachable}
            </figcaption>
        </figure>
    }
}

fn table(t: &'static Texts, v: &ReachView) -> impl IntoView {
    let channels = v.channels.clone();
    view! {
        <div class="table-wrap">
            <table class="roster reach">
                <caption class="sr-only">{t.reach_title}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t.reach_place}</th>
                        <th scope="col">{t.reach_engineers}</th>
                        <th scope="col">{t.reach_reachable}</th>
                        <th scope="col">{t.reach_partly}</th>
                        <th scope="col">{t.reach_unreachable}</th>
                        {channels.iter().map(|c| view! { <th scope="col">{t.channel(*c)}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {v.rows.iter().map(|row| {
                        let (narrow, roster) = match row.kind {
                            // Engineers in no site: the roster lists them; there is no narrower view.
                            PlaceKind::Site if row.id == 0 => (None, Some("/?site=none".to_owned())),
                            PlaceKind::Site => (
                                Some(format!("/reachability?site={}", row.id)),
                                Some(format!("/?site={}", row.id)),
                            ),
                            PlaceKind::Group => (Some(format!("/reachability?group={}", row.id)), None),
                        };
                        let name = place_name(t, row);
                        let name = match narrow {
                            Some(href) => view! { <a href=href>{name}</a> }.into_any(),
                            None => view! { <span>{name}</span> }.into_any(),
                        };
                        view! {
                            <tr>
                                <th scope="row">
                                    {name}
                                    {row.site.clone().map(|s| view! { <span class="sub">{s}</span> })}
                                    {row.no_phone.then(|| view! { <span class="chip state-failing">{t.reach_no_phone}</span> })}
                                </th>
                                <td>{match roster {
                                    Some(href) => view! { <a href=href>{row.engineers}</a> }.into_any(),
                                    None => view! { <span>{row.engineers}</span> }.into_any(),
                                }}</td>
                                <td>{row.reachable}</td>
                                <td>{row.partly}</td>
                                <td>{row.unreachable}</td>
                                {row.by_channel.iter().map(|n| view! { <td>{*n}</td> }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn why_text(t: &Texts, standing: Standing) -> &'static str {
    match standing {
        Standing::Pending => t.reach_why_pending,
        Standing::Expired => t.reach_why_expired,
        Standing::Unproven => t.reach_why_unproven,
        Standing::Failing => t.reach_why_failing,
        Standing::Confirmed => t.state_confirmed,
    }
}

fn unreachable_item(t: &'static Texts, u: &Unreachable) -> impl IntoView {
    let why = if u.why.is_empty() {
        t.reach_nothing_set_up.to_owned()
    } else {
        u.why
            .iter()
            .map(|(c, standing)| format!("{} {}", t.channel(*c), why_text(t, *standing)))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    view! {
        <li>
            <a href=format!("/engineers/{}/edit", u.id)>{u.name.clone()}</a>
            <span class="sub">{u.site.clone().unwrap_or_else(|| t.not_associated.to_owned())}" — "{why}</span>
        </li>
    }
}

/// The drill button for the site or group the view is narrowed to, and the latest drills.
fn drills(t: &'static Texts, v: &ReachView) -> impl IntoView {
    let place = match (v.query.group, v.query.site) {
        (Some(id), _) => v.groups.iter().find(|g| g.id == id).map(|g| ("group", g)),
        (None, Some(id)) => v.sites.iter().find(|s| s.id == id).map(|s| ("site", s)),
        (None, None) => None,
    };
    let start = place.filter(|_| v.can_drill).map(|(kind, place)| {
        view! {
            <form method="post" action="/api/start_drill" class="drill-start">
                <input type="hidden" name="kind" value=kind/>
                <input type="hidden" name="id" value=place.id.to_string()/>
                <button type="submit" class="primary">{fill(t.drill_start, &[("place", &place.name)])}</button>
                <span class="hint">{t.drill_start_hint}</span>
            </form>
        }
    });
    let recent = (!v.drills.is_empty()).then(|| {
        view! {
            <h2>{t.drill_recent}</h2>
            <ul class="drills">
                {v.drills.iter().map(|d| {
                    let line = fill(t.drill_summary_line, &[
                        ("place", &d.place),
                        ("acked", &d.acknowledged.to_string()),
                        ("messages", &d.messages.to_string()),
                        ("at", &d.started_at),
                        ("by", &d.started_by),
                    ]);
                    view! { <li><a href=format!("/drills/{}", d.id)>{line}</a></li> }
                }).collect_view()}
            </ul>
        }
    });
    view! { {start} {recent} }
}

#[component]
fn Reach(v: ReachView) -> impl IntoView {
    let t = use_texts();
    let shown = v.unreachable.len();
    let total = v.unreachable_total;
    let legend = if v.query.channel.is_some_and(|c| v.channels.contains(&c)) {
        t.reach_legend_one
    } else {
        t.reach_legend_all
    };
    view! {
        {filters(t, &v)}
        {drills(t, &v)}
        <p class="hint">{legend}" "{fill(t.reach_as_of, &[("at", &v.as_of)])}</p>
        {if v.rows.iter().all(|r| r.engineers == 0) {
            view! { <p class="empty">{t.reach_empty}</p> }.into_any()
        } else {
            view! {
                {chart(t, &v.rows)}
                {table(t, &v)}
            }.into_any()
        }}
        <h2>{fill(t.reach_unreachable_list, &[("total", &total.to_string())])}</h2>
        <ul class="unreachable">
            {v.unreachable.iter().map(|u| unreachable_item(t, u)).collect_view()}
        </ul>
        {(i64::try_from(shown).unwrap_or(i64::MAX) < total).then(|| view! {
            <p class="hint">{fill(t.reach_first_shown, &[("shown", &shown.to_string())])}</p>
        })}
    }
}
