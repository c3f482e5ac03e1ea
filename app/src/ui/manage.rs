//! The Edit, Delete and Subscribe dialogs of the engineer table. Each posts a server
//! function through an `ActionForm`: without JavaScript the form posts and the server
//! redirects back to the table; with it, the same happens without a page load.

use super::awaited;
use super::dialog::{focus_dialog, Dialog};
use super::engineers::ListUrl;
use super::fields::{technician_fields, validate, validate_credential};
use super::language::LanguageField;
use super::{channel_label, error_in_words, say, use_texts};
use crate::api::error::url_error;
use crate::api::technicians::{
    load_edit_view, load_subscribe_view, DeleteEngineer, Subscribe, UpdateEngineer,
};
use crate::api::AppError;
use crate::domain::edit::CONTACT_ATTRIBUTES;
use crate::domain::{
    Channel, EditView, FieldProblem, Method, SubscribeView, Unavailable, WebhookHosts,
};
use crate::i18n::{fill, Texts};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::params::ParamsMap;
use serde::de::DeserializeOwned;
use serde::Serialize;

fn target_id() -> Memo<i64> {
    let params = use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse().ok())
            .unwrap_or(0)
    })
}

/// What a dialog's forms read of the address, looked up once when the dialog is set up:
/// the forms are made when the dialog's data arrives, by which time a request whose client
/// left has no router left to look up, and its values are read with `try_` for the same
/// reason.
#[derive(Clone, Copy)]
struct DialogAddress {
    list_url: ListUrl,
    query: Memo<ParamsMap>,
}

impl DialogAddress {
    fn current() -> Self {
        Self {
            list_url: ListUrl::current(),
            query: use_query_map(),
        }
    }

    /// False once the request was abandoned (its client left) and its values disposed:
    /// nothing is rendered for it then, as nothing would be sent.
    fn alive(&self) -> bool {
        self.query.try_with(|_| ()).is_some()
    }

    fn has(&self, key: &str) -> bool {
        self.query
            .try_with(|q| q.get_str(key).is_some())
            .unwrap_or(false)
    }
}

/// The error of the last submit: from the action, or from the URL after a no-JS post.
fn form_error<T>(
    action: ServerAction<T>,
    address: DialogAddress,
) -> impl Fn() -> Option<AppError> + Copy
where
    T: leptos::server_fn::ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    move || match action.value().get() {
        Some(Err(e)) => Some(e),
        Some(Ok(())) => None,
        None => address
            .query
            .try_with(|q| url_error(q, &[T::PATH]))
            .flatten(),
    }
}

/// A dialog whose contents need data first; failures (not found, not allowed) show inside.
fn loading_or<T: Clone + Send + Sync + 'static>(
    t: &'static Texts,
    resource: Resource<Result<T, AppError>, awaited::Wire>,
    body: impl Fn(T) -> AnyView + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t.loading}</p> }>
            {move || resource.get().map(|r| match r {
                Ok(data) => body(data),
                Err(e) => view! { <p class="error" role="alert">{say(&e)}</p> }.into_any(),
            })}
        </Suspense>
    }
}

/// The engineer a dialog is about, for its title.
trait Named {
    fn name(&self) -> &str;
}

impl Named for EditView {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for SubscribeView {
    fn name(&self) -> &str {
        &self.name
    }
}

/// A dialog about the engineer in the URL: `fetch` loads what it shows, `title` names it
/// (`{name}` is filled in), `body` renders the form.
fn engineer_dialog<T, Fut>(
    kind: &'static str,
    title: &'static str,
    fallback_title: &'static str,
    fetch: impl Fn(i64) -> Fut + Send + Sync + 'static,
    body: impl Fn(T, DialogAddress) -> AnyView + Send + Sync + 'static,
) -> impl IntoView
where
    T: Named + Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
{
    let t = use_texts();
    let id = target_id();
    let address = DialogAddress::current();
    let list_url = address.list_url;
    let data = awaited::resource(move || id.get(), move |id| awaited::named(title, fetch(id)));
    let heading = move || {
        data.get()
            .and_then(Result::ok)
            .map(|v| fill(title, &[("name", v.name())]))
            .unwrap_or_else(|| fallback_title.to_owned())
    };
    view! {
        <Dialog title=Signal::derive(heading) close_href=list_url.with_path("/") opener=format!("op-{kind}-{}", id.get_untracked())>
            {loading_or(t, data, move |v| {
                if address.alive() { body(v, address) } else { ().into_any() }
            })}
        </Dialog>
    }
}

#[component]
pub fn EditDialog() -> impl IntoView {
    let t = use_texts();
    engineer_dialog(
        "edit",
        t.edit_title,
        t.edit,
        load_edit_view,
        |v, address| view! { <EditForm view=v address=address/> }.into_any(),
    )
}

#[component]
fn EditForm(view: EditView, address: DialogAddress) -> impl IntoView {
    let t = use_texts();
    focus_dialog();
    let list_url = address.list_url;
    let action = ServerAction::<UpdateEngineer>::new();
    let error = form_error(action, address);
    let fields: Vec<_> = technician_fields(t)
        .into_iter()
        .filter(|(attr, ..)| view.full || CONTACT_ATTRIBUTES.contains(attr))
        .collect();
    let roles = (view.full && view.can_grant_roles).then(|| view.value("associateRols"));
    let hosts = view.webhook_hosts.clone();
    // Every contact-point field: (name, label, masked value, usable).
    let contact_fields: Vec<(&'static str, &'static str, Option<String>, bool)> =
        Channel::with_contact_points()
            .flat_map(|(channel, spec)| {
                std::iter::once(spec.address_field)
                    .chain(spec.secret_field)
                    .map(move |field| (channel, field))
            })
            .map(|(channel, field)| {
                (
                    field,
                    t.contact_field(field),
                    view.contacts.get(field),
                    view.beta.is_on(channel),
                )
            })
            .collect();
    // Islands mode: the fields this form shows, for the island that checks them as typed.
    let checked: Vec<&'static str> = fields
        .iter()
        .map(|(attr, ..)| *attr)
        .chain(roles.as_ref().map(|_| "associateRols"))
        .chain(contact_fields.iter().filter(|f| f.3).map(|f| f.0))
        .collect();
    let failing = (!view.failing.is_empty()).then(|| {
        view! {
            <div class="notice failing" role="status">
                <p>{t.failing_contacts}</p>
                <ul>
                    {view.failing.iter().map(|h| view! {
                        <li><b>{t.channel(h.channel)}</b>" · "{fill(t.failing_since, &[("since", &h.since)])}": "<code>{h.answer.clone()}</code></li>
                    }).collect_view()}
                </ul>
            </div>
        }
    });
    view! {
        <ActionForm action=action attr:class="dialog-form">
            {failing}
            <input type="hidden" name="id" value=view.id/>
            <input type="hidden" name="version" value=view.version/>
            <input type="hidden" name="back" value=list_url.with_path("/")/>
            <fieldset>
                <legend>{if view.full { t.technician_fields } else { t.contact_methods }}</legend>
                <div class="form-grid compact">
                    {fields.into_iter().map(|(attr, label, kind, hint)| {
                        view! { <TextField attr=attr name=format!("form[technician][{attr}]") label=label kind=kind hint=hint
                            value=view.value(attr) required=attr == "name" error=error/> }
                    }).collect_view()}
                    {roles.map(|value| view! {
                        <TextField attr="associateRols" name="form[technician][associateRols]".to_owned() label=t.field_roles
                            kind="text" hint=t.hint_roles value=value required=false error=error/>
                    })}
                    <LanguageField name="form[technician][language]".to_owned() value=view.value("language") error=error/>
                </div>
            </fieldset>
            <fieldset>
                <legend>{t.robots}</legend>
                <div class="form-grid compact">
                    {contact_fields.into_iter().map(|(field, label, masked, enabled)| view! {
                        <SecretField attr=field hosts=hosts.clone() label=label masked=masked enabled=enabled error=error/>
                    }).collect_view()}
                </div>
            </fieldset>
            {live_checks(checked, hosts.clone())}
            {move || error().map(|e| {
                let text = if matches!(e, AppError::Invalid(_)) { t.fix_fields.to_owned() } else { say(&e) };
                view! { <p class="error" role="alert">{text}</p> }
            })}
            <div class="form-actions">
                <a class="button" href=list_url.with_path("/")>{t.cancel}</a>
                <button type="submit" class="primary" aria-busy=move || action.pending().get().to_string()>
                    {move || if action.pending().get() { t.saving } else { t.save }}
                </button>
            </div>
        </ActionForm>
    }
}

/// In islands mode the fields check themselves through an island (the form is not hydrated).
#[cfg(feature = "islands")]
pub(super) fn live_checks(attributes: Vec<&'static str>, hosts: WebhookHosts) -> impl IntoView {
    let fields = attributes
        .into_iter()
        .map(|attr| (attr.to_owned(), format!("f-{attr}")))
        .collect();
    view! { <super::islands::LiveChecks fields=fields hosts=hosts/> }
}
#[cfg(not(feature = "islands"))]
pub(super) fn live_checks(_: Vec<&'static str>, _: WebhookHosts) -> impl IntoView {}

/// A text input checked as you type with the server's own parser.
#[component]
fn TextField(
    attr: &'static str,
    name: String,
    label: &'static str,
    kind: &'static str,
    hint: &'static str,
    value: String,
    required: bool,
    error: impl Fn() -> Option<AppError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = format!("f-{attr}");
    let live = RwSignal::new(None::<FieldProblem>);
    let message = move || {
        live.get()
            .or_else(|| error().and_then(|e| e.field(attr)))
            .map(|m| say(&m))
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id name=name type=kind value=value required=required
                aria-invalid=move || message().is_some().to_string()
                aria-describedby=format!("f-{attr}-msg")
                on:input=move |ev| live.set(validate(attr, &event_target_value(&ev)))/>
            {(!hint.is_empty()).then(|| view! { <small class="muted">{hint}</small> })}
            <small class="field-error" id=format!("f-{attr}-msg")>{message}</small>
        </div>
    }
}

/// A credential: shown masked, replaced only when retyped, removed only on request.
#[component]
fn SecretField(
    attr: &'static str,
    label: &'static str,
    masked: Option<String>,
    /// Where webhooks may point, as the server checks it.
    hosts: WebhookHosts,
    enabled: bool,
    error: impl Fn() -> Option<AppError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = use_texts();
    let id = format!("f-{attr}");
    let live = RwSignal::new(None::<FieldProblem>);
    let message = move || {
        live.get()
            .or_else(|| error().and_then(|e| e.field(attr)))
            .map(|m| say(&m))
    };
    let placeholder = masked
        .as_deref()
        .map(|m| fill(t.secret_kept, &[("masked", m)]))
        .unwrap_or_else(|| t.secret_none.to_owned());
    let has_value = masked.is_some();
    view! {
        <div class="field" class:off=!enabled>
            <label for=id.clone()>{label}</label>
            <input id=id name=format!("form[contact][{attr}]") type="password" autocomplete="off" placeholder=placeholder
                disabled=!enabled
                aria-invalid=move || message().is_some().to_string()
                on:input=move |ev| live.set(validate_credential(attr, &event_target_value(&ev), &hosts))/>
            {(!enabled).then(|| view! { <small class="muted">{t.beta_off}</small> })}
            {(enabled && has_value).then(|| view! {
                <label class="check"><input type="checkbox" name=format!("form[contact][remove_{attr}]") value="true"/>" "{t.remove}</label>
            })}
            <small class="field-error" id=format!("f-{attr}-msg")>{message}</small>
        </div>
    }
}

#[component]
pub fn DeleteDialog() -> impl IntoView {
    let t = use_texts();
    engineer_dialog(
        "delete",
        t.delete_title,
        t.delete,
        load_edit_view,
        |v, address| view! { <DeleteForm id=v.id version=v.version address=address/> }.into_any(),
    )
}

#[component]
fn DeleteForm(id: i64, version: i64, address: DialogAddress) -> impl IntoView {
    let t = use_texts();
    focus_dialog();
    let list_url = address.list_url;
    let action = ServerAction::<DeleteEngineer>::new();
    let error = form_error(action, address);
    view! {
        <ActionForm action=action attr:class="dialog-form">
            <p>{t.delete_explain}</p>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="version" value=version/>
            <input type="hidden" name="back" value=list_url.with_path("/")/>
            {move || error().map(|e| view! { <p class="error" role="alert">{say(&e)}</p> })}
            <div class="form-actions">
                <a class="button" href=list_url.with_path("/")>{t.cancel}</a>
                <button type="submit" class="danger" aria-busy=move || action.pending().get().to_string()>{t.delete_confirm}</button>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn SubscribeDialog() -> impl IntoView {
    let t = use_texts();
    engineer_dialog(
        "subscribe",
        t.subscribe_title,
        t.subscribe,
        load_subscribe_view,
        |v, address| view! { <SubscribeForm view=v address=address/> }.into_any(),
    )
}

fn method_label(t: &Texts, method: Method) -> &'static str {
    match method {
        Method::Sms => t.method_sms,
        Method::Voice => t.method_voice,
        Method::Email => t.method_email,
    }
}

fn reason(t: &Texts, why: Unavailable) -> &'static str {
    match why {
        Unavailable::NeedsMobile => t.needs_mobile,
        Unavailable::NeedsEmail => t.needs_email,
        Unavailable::BetaOff => t.beta_off,
        Unavailable::AlreadyConfirmed => t.already_confirmed,
        Unavailable::RepliedStop => t.replied_stop,
    }
}

#[component]
fn SubscribeForm(view: SubscribeView, address: DialogAddress) -> impl IntoView {
    let t = use_texts();
    focus_dialog();
    let list_url = address.list_url;
    let action = ServerAction::<Subscribe>::new();
    let error = form_error(action, address);
    let open = view.anything_to_subscribe();
    view! {
        <ActionForm action=action attr:class="dialog-form">
            <p>{t.subscribe_explain}</p>
            <input type="hidden" name="id" value=view.id/>
            <input type="hidden" name="back" value=list_url.with_path("/")/>
            <fieldset class="methods">
                {view.options.into_iter().map(|o| {
                    let name = o.method.as_str();
                    let disabled = o.unavailable.is_some();
                    let checked = o.unavailable == Some(Unavailable::AlreadyConfirmed);
                    let note = o.unavailable.map(|why| reason(t, why)).unwrap_or_else(|| t.state(o.state));
                    view! {
                        <label class="check" class:off=disabled>
                            <input type="checkbox" name=name value="true" disabled=disabled checked=checked/>
                            " " {method_label(t, o.method)} " "
                            <small class="muted">{format!("({note})")}</small>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            {(!open).then(|| view! { <p class="notice">{t.all_confirmed}</p> })}
            {move || error().map(|e| view! { <p class="error" role="alert">{error_in_words(&e)}</p> })}
            <div class="form-actions">
                <a class="button" href=list_url.with_path("/")>{t.cancel}</a>
                <button type="submit" class="primary" disabled=!open aria-busy=move || action.pending().get().to_string()>{t.subscribe_confirm}</button>
            </div>
        </ActionForm>
        <TestForm id=view.id address=address/>
        <History steps=view.history/>
    }
}

fn consent_event(t: &Texts, event: &str) -> String {
    match event {
        "requested" => t.consent_requested,
        "confirmed" => t.consent_confirmed,
        "cancelled" => t.consent_cancelled,
        "expired" => t.consent_expired,
        "stop" => t.consent_stop,
        "start" => t.consent_start,
        other => other,
    }
    .to_owned()
}

/// The engineer's consent ledger, newest first: what an auditor's CSV holds, for one person.
#[component]
fn History(steps: Vec<crate::domain::ConsentStep>) -> impl IntoView {
    let t = use_texts();
    (!steps.is_empty()).then(|| {
        view! {
            <details class="history">
                <summary>{t.history_title}</summary>
                <table class="roster compact">
                    <thead>
                        <tr>
                            <th scope="col">{t.history_when}</th>
                            <th scope="col">{t.history_what}</th>
                            <th scope="col">{t.history_how}</th>
                            <th scope="col">{t.history_who}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {steps.into_iter().map(|s| view! {
                            <tr>
                                <td><time>{s.at}</time></td>
                                <td>{s.method}" "{s.address}" · "{consent_event(t, &s.event)}</td>
                                <td>{s.how}</td>
                                <td>{s.actor}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        }
    })
}

/// "Send test notification": one message over one channel, to check it arrives.
#[component]
fn TestForm(id: i64, address: DialogAddress) -> impl IntoView {
    use crate::api::messages::SendTestNotification;
    use crate::domain::Channel;
    let t = use_texts();
    let action = ServerAction::<SendTestNotification>::new();
    let error = form_error(action, address);
    // After a post without JavaScript the server comes back here with `tested=`.
    let sent = move || matches!(action.value().get(), Some(Ok(()))) || address.has("tested");
    let back = address
        .list_url
        .with_path(&format!("/engineers/{id}/subscribe"));
    view! {
        <ActionForm action=action attr:class="dialog-form test-form">
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="back" value=back/>
            <label><span>{t.test_channel}</span>
                <select name="channel">
                    {Channel::ALL.into_iter().map(|c| view! { <option value=c.as_str()>{channel_label(t, c)}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" aria-busy=move || action.pending().get().to_string()>{t.test_send}</button>
            {move || error().map(|e| view! { <p class="error" role="alert">{error_in_words(&e)}</p> })}
            <div role="status" aria-live="polite">
                {move || sent().then(|| view! { <p class="notice success">{t.test_sent}</p> })}
            </div>
        </ActionForm>
    }
}
