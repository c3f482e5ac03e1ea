//! The line under a paginated table: how many, which page, previous and next.

use super::use_texts;
use crate::i18n::fill;
use leptos::prelude::*;

/// `template` is filled with `{total}`, `{page}` and `{pages}`; `link(n)` is page n's address.
#[component]
pub fn Pager(
    template: &'static str,
    total: i64,
    page: u32,
    per_page: u32,
    link: impl Fn(u32) -> String + 'static,
) -> impl IntoView {
    let t = use_texts();
    let per = i64::from(per_page.max(1));
    let pages = u32::try_from((total + per - 1) / per)
        .unwrap_or(u32::MAX)
        .max(1);
    let summary = fill(
        template,
        &[
            ("total", &total.to_string()),
            ("page", &page.to_string()),
            ("pages", &pages.to_string()),
        ],
    );
    view! {
        <nav class="pager" aria-label=t.pager_label>
            <span>{summary}</span>
            {(page > 1).then(|| view! { <a href=link(page - 1) rel="prev">{t.previous}</a> })}
            {(page < pages).then(|| view! { <a href=link(page + 1) rel="next">{t.next}</a> })}
        </nav>
    }
}
