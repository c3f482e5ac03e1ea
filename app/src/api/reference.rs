//! Reference data (sites, departments, groups, UDF definitions) and the audit log.

use super::AppError;
use crate::domain::{AuditPage, AuditQuery, ReferenceData};
use leptos::prelude::*;
use server_fn::codec::Postcard;

#[server(prefix = "/api", endpoint = "reference_data", output = Postcard)]
pub async fn load_reference_data() -> Result<ReferenceData, AppError> {
    let (state, actor) = super::actor().await?;
    Ok(crate::service::reference::reference_data(&state.db, &actor).await?)
}

#[cfg(feature = "ssr")]
fn name(field: &str, raw: &str) -> Result<crate::domain::SiteName, AppError> {
    crate::domain::SiteName::parse(raw).map_err(|e| {
        let mut errors = crate::domain::FieldErrors::default();
        errors.push(field, e);
        AppError::Invalid(errors)
    })
}

/// `kind` names what was added, for the page's notice.
#[cfg(feature = "ssr")]
fn added(kind: &str) {
    leptos_axum::redirect(&format!("/reference?added={kind}"));
}

#[server(prefix = "/api", endpoint = "add_site", output = Postcard)]
pub async fn add_site(name: String) -> Result<(), AppError> {
    let (state, actor) = super::actor().await?;
    let site = self::name("name", &name)?;
    let ctx = super::audit_context().await;
    crate::service::reference::add_site(&state.db, &actor, &ctx, &site).await?;
    added("site");
    Ok(())
}

/// `language`: `en`, `zh-CN`, or empty for English.
#[server(prefix = "/api", endpoint = "set_site_language", output = Postcard)]
pub async fn set_site_language(site: String, language: String) -> Result<(), AppError> {
    let (state, actor) = super::actor().await?;
    let site = self::name("site", &site)?;
    let language = match language.trim() {
        "" => None,
        code => Some(crate::i18n::Lang::parse_setting(code).map_err(|problem| {
            let mut errors = crate::domain::FieldErrors::default();
            errors.push("language", problem);
            AppError::Invalid(errors)
        })?),
    };
    let ctx = super::audit_context().await;
    crate::service::reference::set_site_language(&state.db, &actor, &ctx, &site, language).await?;
    added("language");
    Ok(())
}

#[server(prefix = "/api", endpoint = "add_department", output = Postcard)]
pub async fn add_department(name: String, site: String) -> Result<(), AppError> {
    let (state, actor) = super::actor().await?;
    let department = self::name("name", &name)?;
    let site = match site.trim() {
        "" => None,
        other => Some(self::name("site", other)?),
    };
    let ctx = super::audit_context().await;
    crate::service::reference::add_department(&state.db, &actor, &ctx, &department, site.as_ref())
        .await?;
    added("department");
    Ok(())
}

#[server(prefix = "/api", endpoint = "add_group", output = Postcard)]
pub async fn add_group(site: String, name: String) -> Result<(), AppError> {
    let (state, actor) = super::actor().await?;
    let site = self::name("site", &site)?;
    let group = self::name("name", &name)?;
    let ctx = super::audit_context().await;
    crate::service::reference::add_group(&state.db, &actor, &ctx, &site, &group).await?;
    added("group");
    Ok(())
}

#[server(prefix = "/api", endpoint = "add_udf", output = Postcard)]
pub async fn add_udf(column: String, alias: String) -> Result<(), AppError> {
    use crate::domain::{FieldErrors, ShortText, UdfColumn};
    let (state, actor) = super::actor().await?;
    let mut errors = FieldErrors::default();
    let column = errors.take("column", UdfColumn::parse(&column));
    let alias = errors.take("alias", ShortText::parse(&alias));
    let (Some(column), Some(alias)) = (column, alias) else {
        return Err(AppError::Invalid(errors));
    };
    let ctx = super::audit_context().await;
    crate::service::reference::add_udf(&state.db, &actor, &ctx, &column, &alias).await?;
    added("udf");
    Ok(())
}

#[server(prefix = "/api", endpoint = "audit_log", output = Postcard)]
pub async fn load_audit(query: AuditQuery) -> Result<AuditPage, AppError> {
    let (state, actor) = super::actor().await?;
    Ok(crate::service::audit::list(&state.db, &actor, &query).await?)
}
