//! The Add technician form: every attribute of AddTechnician.

use super::awaited;
use super::fields::{login_fields, technician_fields};
use super::language::LanguageField;
use super::layout::Layout;
use super::{say, use_texts};
use crate::api::technicians::{take_added_notes, AddTechnician};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AddTechnicianPage() -> impl IntoView {
    let t = use_texts();
    let mut fields = technician_fields(t);
    fields.extend(login_fields(t));
    let checked: Vec<&'static str> = fields.iter().map(|(attr, ..)| *attr).collect();
    let action = ServerAction::<AddTechnician>::new();
    let query = use_query_map();
    let error = super::posted_error(action);
    // In place, or kept in the session for the page the server sent the form back to
    // (without JavaScript, or in islands mode).
    let added = move || {
        query
            .read()
            .get("added")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let kept = awaited::resource(added, |id| async move {
        match id {
            Some(id) => awaited::named("added notes", take_added_notes(id)).await,
            None => Ok(Vec::new()),
        }
    });
    let notes = move || match action.value().get() {
        Some(Ok(added)) => added.notes,
        _ => kept.get().and_then(Result::ok).unwrap_or_default(),
    };
    view! {
        <Layout>
            <h1>{t.add_technician}</h1>
            <ActionForm action=action attr:class="form-grid">
                {fields
                    .into_iter()
                    .map(|(attr, label, kind, hint)| {
                        let id = format!("f-{attr}");
                        let field_error = move || error().and_then(|e| e.field(attr)).map(|m| say(&m));
                        view! {
                            <div class="field">
                                <label for=id.clone()>{label}</label>
                                <input
                                    id=id
                                    name=format!("form[{attr}]")
                                    type=kind
                                    required=attr == "name"
                                    aria-invalid=move || field_error().is_some().to_string()
                                />
                                {(!hint.is_empty()).then(|| view! { <small class="muted">{hint}</small> })}
                                <small class="field-error" id=format!("f-{attr}-msg")>{field_error}</small>
                            </div>
                        }
                    })
                    .collect_view()}
                <LanguageField name="form[language]".to_owned() value=String::new() error=error/>
                {super::manage::live_checks(checked, Default::default())}
                <fieldset class="checks">
                    <label>
                        <input type="checkbox" name="form[enableLogin]" value="true"/>
                        " " {t.field_enable_login}
                    </label>
                    {move || error().and_then(|e| e.field("enableLogin")).map(|m| say(&m)).map(|m| view! { <small class="field-error">{m}</small> })}
                    <label>
                        <input type="checkbox" name="form[approvePurchaseOrder]" value="true"/>
                        " " {t.field_approve_po}
                    </label>
                    {move || error().and_then(|e| e.field("approvePurchaseOrder")).map(|m| say(&m)).map(|m| view! { <small class="field-error">{m}</small> })}
                </fieldset>
                {move || error().map(|e| view! { <p class="error" role="alert">{say(&e)}</p> })}
                <Suspense fallback=|| ()>
                    {move || {
                        let notes = notes();
                        (!notes.is_empty()).then(|| view! {
                            <div class="notice" role="status">
                                <p>{t.added_with_remarks}</p>
                                <ul>{notes.into_iter().map(|n| view! { <li>{say(&n)}</li> }).collect_view()}</ul>
                                <a href="/">{t.back_to_engineers}</a>
                            </div>
                        })
                    }}
                </Suspense>
                <div class="form-actions">
                    <a class="button" href="/">{t.cancel}</a>
                    <button type="submit" class="primary">{t.add_technician}</button>
                </div>
            </ActionForm>
        </Layout>
    }
}
