//! The language messages to an engineer are written in: English, Chinese, or the site's.

use super::{say, use_texts};
use crate::api::AppError;
use crate::i18n::Lang;
use leptos::prelude::*;

#[component]
pub fn LanguageField(
    /// The form field's name (`form[language]`, `form[technician][language]`).
    name: String,
    /// `en`, `zh-CN`, or empty for the site's.
    value: String,
    error: impl Fn() -> Option<AppError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = use_texts();
    let message = move || error().and_then(|e| e.field("language")).map(|m| say(&m));
    let chosen = Lang::ALL
        .into_iter()
        .find(|l| l.code().eq_ignore_ascii_case(&value));
    view! {
        <div class="field">
            <label for="f-language">{t.field_language}</label>
            <select id="f-language" name=name aria-describedby="f-language-msg"
                aria-invalid=move || message().is_some().to_string()>
                <option value="" selected=chosen.is_none()>{t.language_of_site}</option>
                {Lang::ALL.into_iter().map(|lang| view! {
                    <option value=lang.code() selected=chosen == Some(lang)>{lang.name()}</option>
                }).collect_view()}
            </select>
            <small class="muted">{t.hint_language}</small>
            <small class="field-error" id="f-language-msg">{message}</small>
        </div>
    }
}
