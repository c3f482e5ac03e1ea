//! The line under a paginated table: how many, which page, previous and next.

use super::use_texts;
use crate::i18n::fill;
use leptos::prelude::*;

/// A list whose total was counted only up to a cap: the summary says "more than", and the
/// next page is offered while one follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenEnded {
    /// Filled with `{total}` (the floor) and `{page}`.
    pub template: &'static str,
    pub has_next: bool,
}

/// `template` is filled with `{total}`, `{page}` and `{pages}`; `link(n)` is page n's address.
#[component]
pub fn Pager(
    template: &'static str,
    total: i64,
    page: u32,
    per_page: u32,
    link: impl Fn(u32) -> String + 'static,
    #[prop(default = None)] open_ended: Option<OpenEnded>,
) -> impl IntoView {
    let t = use_texts();
    let per = i64::from(per_page.max(1));
    let pages = u32::try_from((total + per - 1) / per)
        .unwrap_or(u32::MAX)
        .max(1);
    let summary = fill(
        open_ended.map_or(template, |o| o.template),
        &[
            ("total", &total.to_string()),
            ("page", &page.to_string()),
            ("pages", &pages.to_string()),
        ],
    );
    let has_next = open_ended.map_or(page < pages, |o| o.has_next);
    view! {
        <nav class="pager" aria-label=t.pager_label>
            <span>{summary}</span>
            {(page > 1).then(|| view! { <a href=link(page - 1) rel="prev">{t.previous}</a> })}
            {has_next.then(|| view! { <a href=link(page + 1) rel="next">{t.next}</a> })}
        </nav>
    }
}
