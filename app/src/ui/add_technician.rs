//! The Add technician form: every attribute of AddTechnician.

use super::fields::{login_fields, technician_fields};
use super::language::LanguageField;
use super::layout::Layout;
use super::{say, use_texts};
use crate::api::error::url_error;
use crate::api::technicians::{notes_from_param, AddTechnician};
use crate::api::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AddTechnicianPage() -> impl IntoView {
    let t = use_texts();
    let mut fields = technician_fields(t);
    fields.extend(login_fields(t));
    let checked: Vec<&'static str> = fields.iter().map(|(attr, ..)| *attr).collect();
    let action = ServerAction::<AddTechnician>::new();
    let query = use_query_map();
    let error = move || -> Option<AppError> {
        match action.value().get() {
            Some(Err(e)) => Some(e),
            Some(Ok(_)) => None,
            None => url_error(&query.read(), &[AddTechnician::PATH]),
        }
    };
    // In place, or from the address the server sent the form back to (without JavaScript).
    let notes = move || match action.value().get() {
        Some(Ok(added)) => added.notes,
        _ => query
            .read()
            .get_str("notes")
            .map(notes_from_param)
            .unwrap_or_default(),
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
                <div class="form-actions">
                    <a class="button" href="/">{t.cancel}</a>
                    <button type="submit" class="primary">{t.add_technician}</button>
                </div>
            </ActionForm>
        </Layout>
    }
}
