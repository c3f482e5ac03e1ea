//! The roster: list, add, edit, delete and subscribe. Each function is a thin adapter onto
//! the service, which makes every permission decision.

use super::AppError;
use crate::domain::{EditForm, EditView, ListQuery, Page, Site, SubscribeView, TechnicianForm};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Postcard;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedTechnician {
    pub id: i64,
    pub notes: Vec<crate::domain::Notice>,
}

/// The session's remarks on the technician just added (its id, the remarks), until the form's
/// page that comes back reads them. In the session, not the address: a link someone else
/// made cannot put words on this page.
#[cfg(feature = "ssr")]
const SESSION_ADDED_NOTES: &str = "added_notes";

/// Where a dialog returns to: the table with its query, never another site.
pub fn safe_back(back: &str) -> String {
    let local = back.starts_with('/') && !back.starts_with("//") && !back.contains('\\');
    if local && !back.chars().any(char::is_control) {
        back.to_owned()
    } else {
        "/".to_owned()
    }
}

/// `back` with `key=value` added to its query.
pub fn with_param(back: &str, key: &str, value: &str) -> String {
    let back = safe_back(back);
    let separator = if back.contains('?') { '&' } else { '?' };
    format!(
        "{back}{separator}{key}={}",
        crate::url::encode_component(value)
    )
}

#[server(prefix = "/api", endpoint = "list_technicians", output = Postcard)]
pub async fn list_technicians(query: ListQuery) -> Result<Page, AppError> {
    let (state, actor) = super::actor().await?;
    let query = ListQuery {
        per_page: 25,
        ..query
    };
    Ok(crate::service::technicians::list_technicians(&state.db, &actor, &query).await?)
}

#[server(prefix = "/api", endpoint = "sites", output = Postcard)]
pub async fn sites() -> Result<Vec<Site>, AppError> {
    let (state, _actor) = super::actor().await?;
    Ok(crate::service::reference::list_sites(&state.db).await?)
}

#[server(prefix = "/api", endpoint = "add_technician", output = Postcard)]
pub async fn add_technician(form: TechnicianForm) -> Result<AddedTechnician, AppError> {
    use crate::domain::NewTechnician;
    let (state, actor) = super::actor().await?;
    let new = NewTechnician::try_from(form).map_err(AppError::Invalid)?;
    let name = new.name.to_string();
    let ctx = super::audit_context().await;
    let added = crate::service::technicians::add_technician(&state.db, &actor, &ctx, new).await?;
    if added.notes.is_empty() {
        let query = crate::url::encode_component(&name);
        leptos_axum::redirect(&format!("/?q={query}&added={}", added.id));
    } else {
        // Back to the form, which takes the remarks from the session: a browser without
        // JavaScript shows them too (it would otherwise come back to an empty form).
        super::session()
            .await?
            .insert(SESSION_ADDED_NOTES, (added.id, added.notes.clone()))
            .await
            .map_err(AppError::internal)?;
        leptos_axum::redirect(&format!("/engineers/new?added={}", added.id));
    }
    Ok(AddedTechnician {
        id: added.id,
        notes: added.notes,
    })
}

/// The remarks on technician `id` just added in this session, once: taken out as read.
#[server(prefix = "/api", endpoint = "take_added_notes", output = Postcard)]
pub async fn take_added_notes(id: i64) -> Result<Vec<crate::domain::Notice>, AppError> {
    let _ = super::actor().await?;
    let session = super::session().await?;
    let kept = session
        .get::<(i64, Vec<crate::domain::Notice>)>(SESSION_ADDED_NOTES)
        .await
        .map_err(AppError::internal)?;
    match kept {
        Some((added, notes)) if added == id => {
            session
                .remove_value(SESSION_ADDED_NOTES)
                .await
                .map_err(AppError::internal)?;
            Ok(notes)
        }
        _ => Ok(Vec::new()),
    }
}

#[server(prefix = "/api", endpoint = "edit_view", output = Postcard)]
pub async fn load_edit_view(id: i64) -> Result<EditView, AppError> {
    let (state, actor) = super::actor().await?;
    let mut view = crate::service::technicians::edit_view(&state.db, &actor, id).await?;
    view.webhook_hosts = (*state.webhook_hosts).clone();
    Ok(view)
}

/// Saves the Edit dialog; `version` is what the dialog was opened with, so an edit made on
/// stale values is refused instead of overwriting someone else's change.
#[server(prefix = "/api", endpoint = "update_engineer", output = Postcard)]
pub async fn update_engineer(
    id: i64,
    version: i64,
    back: String,
    form: EditForm,
) -> Result<(), AppError> {
    use crate::domain::{Edit, TechnicianRef};
    let (state, actor) = super::actor().await?;
    let edit = Edit::parse(form, &state.webhook_hosts).map_err(AppError::Invalid)?;
    let ctx = super::audit_context().await;
    crate::service::technicians::update_technician(
        &state.db,
        &state.secret_key,
        &actor,
        &ctx,
        &TechnicianRef::by_id(id),
        edit,
        Some(version),
    )
    .await?;
    leptos_axum::redirect(&with_param(&back, "updated", &id.to_string()));
    Ok(())
}

#[server(prefix = "/api", endpoint = "delete_engineer", output = Postcard)]
pub async fn delete_engineer(id: i64, version: i64, back: String) -> Result<(), AppError> {
    use crate::domain::TechnicianRef;
    let (state, actor) = super::actor().await?;
    let ctx = super::audit_context().await;
    crate::service::technicians::delete_technician(
        &state.db,
        &actor,
        &ctx,
        &TechnicianRef::by_id(id),
        Some(version),
    )
    .await?;
    leptos_axum::redirect(&with_param(&back, "deleted", &id.to_string()));
    Ok(())
}

#[server(prefix = "/api", endpoint = "subscribe_view", output = Postcard)]
pub async fn load_subscribe_view(id: i64) -> Result<SubscribeView, AppError> {
    let (state, actor) = super::actor().await?;
    Ok(
        crate::service::subscriptions::subscribe_view(&state.db, &actor, id, state.clock.now())
            .await?,
    )
}

/// Checkboxes post `true` when ticked and nothing otherwise.
#[server(prefix = "/api", endpoint = "subscribe", output = Postcard)]
pub async fn subscribe(
    id: i64,
    back: String,
    sms: Option<String>,
    voice: Option<String>,
    email: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::Method;
    let (state, actor) = super::actor().await?;
    let ctx = super::audit_context().await;
    let ticked = |v: &Option<String>| v.as_deref() == Some("true");
    let methods: Vec<Method> = [
        (Method::Sms, &sms),
        (Method::Voice, &voice),
        (Method::Email, &email),
    ]
    .into_iter()
    .filter(|(_, v)| ticked(v))
    .map(|(m, _)| m)
    .collect();
    crate::service::subscriptions::request(
        &state.db,
        &actor,
        &ctx,
        id,
        &methods,
        state.clock.now(),
    )
    .await?;
    leptos_axum::redirect(&with_param(&back, "subscribed", &id.to_string()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialogs_return_only_to_local_pages() {
        assert_eq!(safe_back("/?q=ada&page=2"), "/?q=ada&page=2");
        for evil in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil",
            "",
            "javascript:x",
        ] {
            assert_eq!(safe_back(evil), "/", "{evil}");
        }
        assert_eq!(with_param("/?q=a", "updated", "7"), "/?q=a&updated=7");
        assert_eq!(with_param("/", "deleted", "7"), "/?deleted=7");
    }
}
