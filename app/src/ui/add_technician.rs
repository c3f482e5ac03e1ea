//! The Add technician form: every attribute of AddTechnician.

use super::layout::Layout;
use crate::api::error::from_url_query;
use crate::api::technicians::AddTechnician;
use crate::api::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// (attribute, label, input type, hint)
const FIELDS: &[(&str, &str, &str, &str)] = &[
    ("name", "Name", "text", "Required"),
    ("alias", "Alias", "text", ""),
    ("employeeId", "Employee ID", "text", ""),
    ("email", "Email", "email", ""),
    (
        "phone",
        "Phone",
        "tel",
        "With the country code, e.g. +86 10 1234 5678",
    ),
    (
        "mobile",
        "Mobile",
        "tel",
        "With the country code, e.g. +86 138 0013 8000",
    ),
    ("smsMailId", "SMS mail ID", "email", ""),
    ("costPerHr", "Cost per hour", "text", "e.g. 45.50"),
    ("jobTitle", "Job title", "text", ""),
    (
        "techSiteName",
        "Site",
        "text",
        "Empty or 'default': not associated to any site",
    ),
    ("departmentName", "Department", "text", ""),
    (
        "associateSites",
        "Associated sites",
        "text",
        "Comma-separated",
    ),
    (
        "associateGroups",
        "Associated groups",
        "text",
        "Comma-separated, written site-group",
    ),
    (
        "associateRols",
        "Roles",
        "text",
        "SDAdmin, SDSiteAdmin or empty",
    ),
    (
        "loginName",
        "Login name",
        "text",
        "Without one the technician cannot sign in",
    ),
    (
        "pwd",
        "Password",
        "password",
        "At least 8 characters; empty: the login name",
    ),
    (
        "userDomainName",
        "Login domain",
        "text",
        "Empty for local accounts",
    ),
];

#[component]
pub fn AddTechnicianPage() -> impl IntoView {
    let action = ServerAction::<AddTechnician>::new();
    let query = use_query_map();
    let error = move || -> Option<AppError> {
        match action.value().get() {
            Some(Err(e)) => Some(e),
            Some(Ok(_)) => None,
            None => query.read().get("__err").and_then(|e| from_url_query(&e)),
        }
    };
    let notes = move || match action.value().get() {
        Some(Ok(added)) => added.notes,
        _ => Vec::new(),
    };
    view! {
        <Layout>
            <h1>"Add technician"</h1>
            <ActionForm action=action attr:class="form-grid">
                {FIELDS
                    .iter()
                    .map(|(attr, label, kind, hint)| {
                        let id = format!("f-{attr}");
                        let field_error = move || error().and_then(|e| e.field(attr));
                        view! {
                            <div class="field">
                                <label for=id.clone()>{*label}</label>
                                <input
                                    id=id
                                    name=format!("form[{attr}]")
                                    type=*kind
                                    required=*attr == "name"
                                    aria-invalid=move || field_error().is_some().to_string()
                                />
                                {(!hint.is_empty()).then(|| view! { <small class="muted">{*hint}</small> })}
                                {move || field_error().map(|m| view! { <small class="field-error">{m}</small> })}
                            </div>
                        }
                    })
                    .collect_view()}
                <fieldset class="checks">
                    <label>
                        <input type="checkbox" name="form[enableLogin]" value="true"/>
                        " Enable login"
                    </label>
                    {move || error().and_then(|e| e.field("enableLogin")).map(|m| view! { <small class="field-error">{m}</small> })}
                    <label>
                        <input type="checkbox" name="form[approvePurchaseOrder]" value="true"/>
                        " Approves purchase orders (needs an email)"
                    </label>
                    {move || error().and_then(|e| e.field("approvePurchaseOrder")).map(|m| view! { <small class="field-error">{m}</small> })}
                </fieldset>
                {move || error().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
                {move || {
                    let notes = notes();
                    (!notes.is_empty()).then(|| view! {
                        <div class="notice" role="status">
                            <p>"Technician added, with these remarks:"</p>
                            <ul>{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                            <a href="/">"Back to the engineers"</a>
                        </div>
                    })
                }}
                <div class="form-actions">
                    <a class="button" href="/">"Cancel"</a>
                    <button type="submit" class="primary">"Add technician"</button>
                </div>
            </ActionForm>
        </Layout>
    }
}
