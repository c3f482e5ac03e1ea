//! Reference data: sites, departments, groups and UDF definitions, listed for everyone and
//! added by an SDAdmin. Each add form works without JavaScript.

use super::awaited;
use super::layout::Layout;
use super::{error_in_words, say, use_texts};
use crate::api::error::url_error;
use crate::api::reference::{
    load_reference_data, AddDepartment, AddGroup, AddSite, AddUdf, SetSiteLanguage,
};
use crate::api::AppError;
use crate::domain::{RefItem, ReferenceData, Site};
use crate::i18n::{Lang, Texts};
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ReferencePage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let site = ServerAction::<AddSite>::new();
    let department = ServerAction::<AddDepartment>::new();
    let group = ServerAction::<AddGroup>::new();
    let udf = ServerAction::<AddUdf>::new();
    let language = ServerAction::<SetSiteLanguage>::new();
    let data = awaited::resource(
        move || {
            (
                site.version().get(),
                language.version().get(),
                department.version().get(),
                group.version().get(),
                udf.version().get(),
                query.read().get("added"),
            )
        },
        |_| awaited::named("reference", load_reference_data()),
    );
    let posted_error = move || {
        url_error(
            &query.read(),
            &[
                AddSite::PATH,
                AddDepartment::PATH,
                AddGroup::PATH,
                AddUdf::PATH,
                SetSiteLanguage::PATH,
            ],
        )
    };
    let added = move || query.read().get("added");
    let notice = move || {
        added().map(|what| {
            if what == "language" {
                t.site_language_saved
            } else {
                t.reference_added
            }
        })
    };
    view! {
        <Layout>
            <h1>{t.reference_title}</h1>
            <div class="toasts" role="status" aria-live="polite">
                {move || notice().map(|text| view! { <p class="notice success">{text}</p> })}
            </div>
            {move || posted_error().map(|e| view! { <p class="error" role="alert">{say(&e)}</p> })}
            <Suspense fallback=|| ()>
                {move || data.get().map(|r| match r {
                    Ok(data) => view! { <Sections data=data site=site language=language department=department group=group udf=udf/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{say(&e)}</p> }.into_any(),
                })}
            </Suspense>
        </Layout>
    }
}

fn items_table(t: &'static Texts, items: Vec<RefItem>) -> impl IntoView {
    view! {
        <table class="roster small">
            <thead><tr><th scope="col">{t.col_name}</th><th scope="col">{t.col_site}</th></tr></thead>
            <tbody>
                {items.into_iter().map(|i| view! {
                    <tr><td>{i.name}</td><td>{i.site.unwrap_or_else(|| t.not_associated.to_owned())}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// One labelled input of an add form, with its error.
fn input(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    error: impl Fn() -> Option<AppError> + Copy + Send + Sync + 'static,
    field: &'static str,
) -> impl IntoView {
    let message = move || error().and_then(|e| e.field(field)).map(|m| say(&m));
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name=name aria-invalid=move || message().is_some().to_string()/>
            <small class="field-error">{message}</small>
        </div>
    }
}

/// A site and the language of messages to its engineers; an SDAdmin changes it in place.
#[component]
fn SiteLine(site: Site, editable: bool, action: ServerAction<SetSiteLanguage>) -> impl IntoView {
    let t = use_texts();
    let name = site.name.clone();
    if !editable {
        let language = site.language.map_or(t.english_default, Lang::name);
        return view! { <span>{name}</span> " · " <span class="muted">{language}</span> }
            .into_any();
    }
    let id = format!("site-language-{}", site.id);
    view! {
        <ActionForm action=action attr:class="inline-form">
            <input type="hidden" name="site" value=name.clone()/>
            <span>{name}</span>
            <label for=id.clone() class="sr-only">{t.site_language}</label>
            <select id=id name="language" title=t.site_language>
                <option value="" selected=site.language.is_none()>{t.english_default}</option>
                {Lang::ALL.into_iter().map(|lang| view! {
                    <option value=lang.code() selected=site.language == Some(lang)>{lang.name()}</option>
                }).collect_view()}
            </select>
            <button type="submit">{t.save}</button>
        </ActionForm>
    }
    .into_any()
}

fn other_error(
    error: impl Fn() -> Option<AppError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    move || {
        error()
            .filter(|e| !matches!(e, AppError::Invalid(_)))
            .map(|e| view! { <p class="error" role="alert">{say(&e)}</p> })
    }
}

#[component]
fn Sections(
    data: ReferenceData,
    site: ServerAction<AddSite>,
    language: ServerAction<SetSiteLanguage>,
    department: ServerAction<AddDepartment>,
    group: ServerAction<AddGroup>,
    udf: ServerAction<AddUdf>,
) -> impl IntoView {
    let t = use_texts();
    let editable = data.editable;
    let (site_error, department_error, group_error, udf_error) = (
        super::posted_error(site),
        super::posted_error(department),
        super::posted_error(group),
        super::posted_error(udf),
    );
    view! {
        <div class="reference">
            <section aria-labelledby="h-sites">
                <h2 id="h-sites">{t.sites}</h2>
                <ul class="plain sites">{data.sites.into_iter().map(|s| view! {
                    <li><SiteLine site=s editable=editable action=language/></li>
                }).collect_view()}</ul>
                {move || super::posted_error(language)().map(|e| view! { <p class="error" role="alert">{error_in_words(&e)}</p> })}
                {editable.then(|| view! {
                    <ActionForm action=site attr:class="inline-form">
                        {input("site-name", "name", t.new_site, site_error, "name")}
                        <button type="submit">{t.add}</button>
                        {other_error(site_error)}
                    </ActionForm>
                })}
            </section>
            <section aria-labelledby="h-departments">
                <h2 id="h-departments">{t.departments}</h2>
                {items_table(t, data.departments)}
                {editable.then(|| view! {
                    <ActionForm action=department attr:class="inline-form">
                        {input("department-name", "name", t.new_department, department_error, "name")}
                        {input("department-site", "site", t.site_or_empty, department_error, "site")}
                        <button type="submit">{t.add}</button>
                        {other_error(department_error)}
                    </ActionForm>
                })}
            </section>
            <section aria-labelledby="h-groups">
                <h2 id="h-groups">{t.groups}</h2>
                {items_table(t, data.groups)}
                {editable.then(|| view! {
                    <ActionForm action=group attr:class="inline-form">
                        {input("group-site", "site", t.col_site, group_error, "site")}
                        {input("group-name", "name", t.new_group, group_error, "name")}
                        <button type="submit">{t.add}</button>
                        {other_error(group_error)}
                    </ActionForm>
                })}
            </section>
            <section aria-labelledby="h-udfs">
                <h2 id="h-udfs">{t.udfs}</h2>
                <table class="roster small">
                    <thead><tr><th scope="col">{t.udf_column}</th><th scope="col">{t.udf_alias}</th></tr></thead>
                    <tbody>
                        {data.udfs.into_iter().map(|u| view! { <tr><td><code>{u.column}</code></td><td>{u.alias}</td></tr> }).collect_view()}
                    </tbody>
                </table>
                {editable.then(|| view! {
                    <ActionForm action=udf attr:class="inline-form">
                        {input("udf-column", "column", t.udf_column, udf_error, "column")}
                        {input("udf-alias", "alias", t.udf_alias, udf_error, "alias")}
                        <button type="submit">{t.add}</button>
                        {other_error(udf_error)}
                    </ActionForm>
                })}
            </section>
        </div>
    }
}
