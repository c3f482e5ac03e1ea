//! Directories in the settings (SDAdmin): the list with each one's source and mapping, Edit
//! and Remove, and the Add directory form (a file, or LDAP / Active Directory), which Edit
//! turns into the Change form of that directory, filled in. Every form works without
//! JavaScript; a refused field is named beside it.

use super::awaited;
use super::{say, use_texts};
use crate::api::directory::{load_directories, AddDirectory, ChangeDirectory, RemoveDirectory};
use crate::api::error::url_error;
use crate::api::AppError;
use crate::domain::directory::{DirectoryForm, DirectoryListing};
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_router::hooks::use_query_map;

#[component]
pub fn DirectoriesSection() -> impl IntoView {
    let t = use_texts();
    let add = ServerAction::<AddDirectory>::new();
    let change = ServerAction::<ChangeDirectory>::new();
    let remove = ServerAction::<RemoveDirectory>::new();
    let query = use_query_map();
    let list = awaited::resource(
        move || {
            (
                add.version().get(),
                change.version().get(),
                remove.version().get(),
                query.read().get("directory"),
            )
        },
        |_| awaited::named("directories", load_directories()),
    );
    let error = move || -> Option<AppError> {
        match (
            add.value().get(),
            change.value().get(),
            remove.value().get(),
        ) {
            (Some(Err(e)), _, _) | (_, Some(Err(e)), _) | (_, _, Some(Err(e))) => Some(e),
            _ => url_error(
                &query.read(),
                &[
                    AddDirectory::PATH,
                    ChangeDirectory::PATH,
                    RemoveDirectory::PATH,
                ],
            ),
        }
    };
    // `?edit=NAME` (the Edit link): the form changes that directory instead of adding one.
    let editing = move || query.read().get("edit");
    view! {
        <section class="panel directories" aria-labelledby="directories-title">
            <h2 id="directories-title">{t.directories_title}</h2>
            <p class="muted">{t.directories_explain}</p>
            <Suspense fallback=|| ()>
                {move || list.get().map(|r| match r {
                    Ok(all) if all.is_empty() => view! { <p class="empty">{t.directories_none}</p> }.into_any(),
                    Ok(all) => view! { <Listing all=all remove=remove/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{say(&e)}</p> }.into_any(),
                })}
            </Suspense>
            <Suspense fallback=|| ()>
                {move || {
                    let chosen = editing().and_then(|name| {
                        list.get()?.ok()?.into_iter().find(|d| d.name.eq_ignore_ascii_case(&name))
                    });
                    match chosen {
                        Some(d) => view! { <ChangeForm change=change initial=d.form error=Signal::derive(error)/> }.into_any(),
                        None => view! { <AddForm add=add error=Signal::derive(error)/> }.into_any(),
                    }
                }}
            </Suspense>
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
                <th scope="col"><span class="sr-only">{t.edit}</span></th>
                <th scope="col"><span class="sr-only">{t.remove}</span></th>
            </tr></thead>
            <tbody>
                {all.into_iter().map(|d| {
                    let mapping = d.mapping.iter().map(|(f, a)| format!("{f}={a}")).collect::<Vec<_>>().join(", ");
                    let label = format!("{} {}", t.remove, d.name);
                    let edit_label = format!("{} {}", t.edit, d.name);
                    let edit_href = format!("/settings?edit={}#directory-form", d.name);
                    view! {
                        <tr>
                            <td>{d.name.clone()}</td>
                            <td class="answer">{d.source}</td>
                            <td class="answer"><small>{format!("{} · {mapping}", d.preset)}</small></td>
                            <td><a href=edit_href aria-label=edit_label>{t.edit}</a></td>
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
    view! {
        <ActionForm action=add attr:class="dialog-form" attr:id="directory-form">
            <Fields legend=t.directory_add initial=DirectoryForm::default() editing=false error=error/>
            <div class="form-actions">
                <button type="submit" class="primary" aria-busy=move || add.pending().get().to_string()>{t.directory_add}</button>
            </div>
        </ActionForm>
    }
}

#[component]
fn ChangeForm(
    change: ServerAction<ChangeDirectory>,
    initial: DirectoryForm,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let t = use_texts();
    let legend = crate::i18n::fill(t.directory_change, &[("name", &initial.name)]);
    view! {
        <ActionForm action=change attr:class="dialog-form" attr:id="directory-form">
            <Fields legend=legend initial=initial editing=true error=error/>
            <div class="form-actions">
                <a href="/settings" class="button">{t.cancel}</a>
                <button type="submit" class="primary" aria-busy=move || change.pending().get().to_string()>{t.save}</button>
            </div>
        </ActionForm>
    }
}

/// The directory's fields, filled with `initial`; its name is fixed when `editing`.
#[component]
fn Fields(
    #[prop(into)] legend: String,
    initial: DirectoryForm,
    editing: bool,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let t = use_texts();
    let field_error = move |field: &'static str| {
        move || error.get().and_then(|e| e.field(field)).map(|m| say(&m))
    };
    let input = move |field: &'static str,
                      label: &'static str,
                      hint: &'static str,
                      value: String| {
        let id = format!("d-{field}");
        let fixed = editing && field == "name";
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id name=format!("form[{field}]") type="text" value=value readonly=fixed aria-describedby=format!("d-{field}-msg")/>
                {(!hint.is_empty()).then(|| view! { <small class="muted">{hint}</small> })}
                <small class="field-error" id=format!("d-{field}-msg")>{field_error(field)}</small>
            </div>
        }
        .into_any()
    };
    let ldap = initial.kind == "ldap";
    let ad = initial.preset == "ad";
    let starttls = initial.starttls.is_some();
    let stored = initial.bind_password_stored;
    let plain_allowed = initial.allow_plain_ldap;
    view! {
        <fieldset>
            <legend>{legend}</legend>
            <div class="form-grid compact">
                {input("name", t.directory_name, if editing { "" } else { t.directory_name_hint }, initial.name)}
                <div class="field">
                    <label for="d-kind">{t.directory_kind}</label>
                    <select id="d-kind" name="form[kind]">
                        <option value="file" selected=!ldap>{t.directory_kind_file}</option>
                        <option value="ldap" selected=ldap>{t.directory_kind_ldap}</option>
                    </select>
                    <small class="field-error">{field_error("kind")}</small>
                </div>
                <div class="field">
                    <label for="d-preset">{t.directory_preset}</label>
                    <select id="d-preset" name="form[preset]">
                        <option value="openldap" selected=!ad>"openldap"</option>
                        <option value="ad" selected=ad>"ad (Active Directory)"</option>
                    </select>
                </div>
                {input("file", t.directory_file, t.directory_file_hint, initial.file)}
                {input("ldap_url", t.directory_ldap_url, "ldap://dc1.corp.example", initial.ldap_url)}
                {input("bind_dn", t.directory_bind_dn, "cn=crewdesk,ou=services,dc=corp,dc=example", initial.bind_dn)}
                <div class="field">
                    <label for="d-bind_password">{t.directory_password}</label>
                    <input id="d-bind_password" name="form[bind_password]" type="password" value="" autocomplete="new-password" aria-describedby="d-bind_password-msg"/>
                    <small class="muted">{if stored { t.directory_password_kept } else { t.directory_password_hint }}</small>
                    <small class="field-error" id="d-bind_password-msg">{field_error("bind_password")}</small>
                </div>
                {input("base_dn", t.directory_base_dn, "ou=people,dc=corp,dc=example", initial.base_dn)}
                {input("filter", t.directory_filter, "(department=Operations)", initial.filter)}
                {input("map", t.directory_map, "mobile=pager, department=ou", initial.map)}
                <label class="check"><input type="checkbox" name="form[starttls]" value="true" checked=starttls/>" "{t.directory_starttls}</label>
                {plain_allowed.then(|| view! { <p class="muted">{t.directory_plain_allowed}</p> })}
            </div>
        </fieldset>
        {move || error.get().map(|e| {
            let text = if matches!(e, AppError::Invalid(_)) { t.fix_fields.to_owned() } else { say(&e) };
            view! { <p class="error" role="alert">{text}</p> }
        })}
    }
}
