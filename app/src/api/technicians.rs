//! The roster: list and add.

use super::AppError;
use crate::domain::{Page, TechnicianForm};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedTechnician {
    pub id: i64,
    pub notes: Vec<String>,
}

#[server(prefix = "/api", endpoint = "list_technicians")]
pub async fn list_technicians(search: String, page: u32) -> Result<Page, AppError> {
    use crate::domain::ListQuery;
    let (state, actor) = super::actor().await?;
    let query = ListQuery {
        search,
        page,
        per_page: 25,
    };
    Ok(crate::service::technicians::list_technicians(&state.db, &actor, &query).await?)
}

#[server(prefix = "/api", endpoint = "add_technician")]
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
    }
    Ok(AddedTechnician {
        id: added.id,
        notes: added.notes,
    })
}
