//! Directories in the settings (SDAdmin): the list with each one's source and mapping, a
//! Remove button, and the Add directory form (a file, or LDAP / Active Directory). Every
//! form works without JavaScript; a refused field is named beside it.

use super::{tr, use_texts};
use crate::api::directory::{load_directories, AddDirectory, RemoveDirectory};
use crate::api::error::from_url_query;
use crate::api::AppError;
use crate::domain::directory::DirectoryListing;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn DirectoriesSection() -> impl IntoView {
    let t = use_texts();
    let add = ServerAction::<AddDirectory>::new();
    let remove = ServerAction::<RemoveDirectory>::new();
    let query = use_query_map();
    let list = Resource::new(
        move || {
            (
                add.version().get(),
                remove.version().get(),
                query.read().get("directory"),
            )
        },
        |_| load_directories(),
    );
    let error = move || -> Option<AppError> {
        match (add.value().get(), remove.value().get()) {
            (Some(Err(e)), _) | (_, Some(Err(e))) => Some(e),
            _ => query.read().get("__err").and_then(|e| from_url_query(&e)),
        }
    };
    view! {
        <section class="panel directories" aria-labelledby="directories-title">
            <h2 id="directories-title">{t.directories_title}</h2>
            <p class="muted">{t.directories_explain}</p>
            <Suspense fallback=|| ()>
                {move || list.get().map(|r| match r {
                    Ok(all) if all.is_empty() => view! { <p class="empty">{t.directories_none}</p> }.into_any(),
                    Ok(all) => view! { <Listing all=all remove=remove/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{tr(&e.to_string())}</p> }.into_any(),
                })}
            </Suspense>
            <AddForm add=add error=Signal::derive(error)/>
        </section>
    }
}

#[component]
fn Listing(all: Vec<DirectoryListing>, remove: ServerAction<RemoveDirectory>) -> impl IntoView {
    let t = use_texts();
    view! {
        <table class="roster directories">
            <caption class="sr-only">{t.directories_title}</caption>
            <thead><tr>
                <th scope="col">{t.directory_name}</th>
                <th scope="col">{t.directory_source}</th>
                <th scope="col">{t.directory_mapping}</th>
                <th scope="col"><span class="sr-only">{t.remove}</span></th>
            </tr></thead>
            <tbody>
                {all.into_iter().map(|d| {
                    let mapping = d.mapping.iter().map(|(f, a)| format!("{f}={a}")).collect::<Vec<_>>().join(", ");
                    let label = format!("{} {}", t.remove, d.name);
                    view! {
                        <tr>
                            <td>{d.name.clone()}</td>
                            <td class="answer">{d.source}</td>
                            <td class="answer"><small>{format!("{} · {mapping}", d.preset)}</small></td>
                            <td>
                                <ActionForm action=remove>
                                    <input type="hidden" name="name" value=d.name/>
                                    <button type="submit" class="danger" aria-label=label>{t.remove}</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn AddForm(add: ServerAction<AddDirectory>, error: Signal<Option<AppError>>) -> impl IntoView {
    let t = use_texts();
    let field_error =
        move |field: &'static str| move || error.get().and_then(|e| e.field(field)).map(|m| tr(&m));
    let input = move |field: &'static str, label: &'static str, hint: &'static str| {
        let id = format!("d-{field}");
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id name=format!("form[{field}]") type="text" aria-describedby=format!("d-{field}-msg")/>
                {(!hint.is_empty()).then(|| view! { <small class="muted">{hint}</small> })}
                <small class="field-error" id=format!("d-{field}-msg")>{field_error(field)}</small>
            </div>
        }
    };
    view! {
        <ActionForm action=add attr:class="dialog-form">
            <fieldset>
                <legend>{t.directory_add}</legend>
                <div class="form-grid compact">
                    {input("name", t.directory_name, t.directory_name_hint)}
                    <div class="field">
                        <label for="d-kind">{t.directory_kind}</label>
                        <select id="d-kind" name="form[kind]">
                            <option value="file">{t.directory_kind_file}</option>
                            <option value="ldap">{t.directory_kind_ldap}</option>
                        </select>
                        <small class="field-error">{field_error("kind")}</small>
                    </div>
                    <div class="field">
                        <label for="d-preset">{t.directory_preset}</label>
                        <select id="d-preset" name="form[preset]">
                            <option value="openldap">"openldap"</option>
                            <option value="ad">"ad (Active Directory)"</option>
                        </select>
                    </div>
                    {input("file", t.directory_file, t.directory_file_hint)}
                    {input("ldap_url", t.directory_ldap_url, "ldap://dc1.corp.example")}
                    {input("bind_dn", t.directory_bind_dn, "cn=crewdesk,ou=services,dc=corp,dc=example")}
                    {input("bind_password_env", t.directory_password_env, t.directory_password_hint)}
                    {input("base_dn", t.directory_base_dn, "ou=people,dc=corp,dc=example")}
                    {input("filter", t.directory_filter, "(department=Operations)")}
                    {input("map", t.directory_map, "mobile=pager, department=ou")}
                    <label class="check"><input type="checkbox" name="form[starttls]" value="true"/>" "{t.directory_starttls}</label>
                </div>
            </fieldset>
            {move || error.get().map(|e| {
                let text = if matches!(e, AppError::Invalid(_)) { t.fix_fields.to_owned() } else { tr(&e.to_string()) };
                view! { <p class="error" role="alert">{text}</p> }
            })}
            <div class="form-actions">
                <button type="submit" class="primary" aria-busy=move || add.pending().get().to_string()>{t.directory_add}</button>
            </div>
        </ActionForm>
    }
}
