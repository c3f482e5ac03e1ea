//! The bodies `/api/v1` answers and takes, as types: the handlers serialize these, and the
//! OpenAPI document (`/api/v1/openapi.json`) is generated from them and from the handlers'
//! own annotations, so the document cannot drift from what is served.

use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// An RFC 9457 problem: `code` for programs, `detail` in English for people, and `errors`
/// per field when the request's attributes were refused.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    /// The detail again, for clients of the first notification API.
    pub error: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldIssue>,
}

/// One attribute's problem.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldIssue {
    pub field: String,
    pub code: String,
    pub detail: String,
}

impl FieldIssue {
    pub fn new(field: &str, code: &str, detail: impl std::fmt::Display) -> Self {
        Self {
            field: field.to_owned(),
            code: code.to_owned(),
            detail: detail.to_string(),
        }
    }
}

/// A line of the roster.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TechnicianLine {
    pub id: i64,
    pub version: i64,
    pub name: String,
    pub alias: Option<String>,
    pub login_name: Option<String>,
    pub site: Option<String>,
    pub department: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    /// `SDAdmin`, `SDSiteAdmin`.
    pub roles: Vec<String>,
    /// The directory it came from.
    pub directory: Option<String>,
    /// Its directory no longer lists it.
    pub missing_from_directory: bool,
}

/// A page of the roster; `next` is the `after` of the next page, absent on the last.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TechnicianPage {
    pub items: Vec<TechnicianLine>,
    pub total: i64,
    /// `total` is a floor: counting stopped there.
    pub total_is_floor: bool,
    pub next: Option<String>,
}

/// A technician: its id and version (the `ETag`), and its attributes as the XML API names
/// them (`name`, `email`, `techSiteName`, …, UDFs by column name), each a string.
#[derive(Debug, Serialize, ToSchema)]
pub struct Technician {
    pub id: i64,
    pub version: i64,
    #[serde(flatten)]
    pub attributes: BTreeMap<String, String>,
    /// After a create: names that were not found (the technician is added without them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<String>>,
}

/// The attributes of a technician to create (the XML API's AddTechnician), or to change
/// (JSON Merge Patch: `null` clears one). UDFs by column name (`UDF_CHAR1`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TechnicianInput {
    pub name: Option<String>,
    pub alias: Option<String>,
    pub employee_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub sms_mail_id: Option<String>,
    /// A decimal such as `25.50`.
    pub cost_per_hr: Option<String>,
    pub job_title: Option<String>,
    pub tech_site_name: Option<String>,
    pub department_name: Option<String>,
    /// Site names, comma-separated.
    pub associate_sites: Option<String>,
    /// `site-group` entries, comma-separated.
    pub associate_groups: Option<String>,
    /// `SDAdmin`, `SDSiteAdmin`, comma-separated.
    pub associate_rols: Option<String>,
    /// `true` or `false`.
    pub approve_purchase_order: Option<String>,
    /// `true` or `false`.
    pub enable_login: Option<String>,
    pub login_name: Option<String>,
    pub pwd: Option<String>,
    pub user_domain_name: Option<String>,
    /// `en` or `zh-CN`.
    pub language: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Site {
    pub id: i64,
    pub name: String,
    /// `en` or `zh-CN`: the language of messages to its engineers.
    pub language: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Sites {
    pub items: Vec<Site>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SiteInput {
    pub name: String,
    pub language: Option<String>,
}

/// A department or a group, with the site it belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Placed {
    pub id: i64,
    pub name: String,
    pub site: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlacedList {
    pub items: Vec<Placed>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlacedInput {
    pub name: String,
    /// Required for a group.
    pub site: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Udf {
    /// `UDF_CHAR1` and the like.
    pub column: String,
    pub alias: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Udfs {
    pub items: Vec<Udf>,
}

/// A contact point, masked as the console shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactPoint {
    pub field: String,
    pub masked: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactPoints {
    pub items: Vec<ContactPoint>,
}

/// A method the technician may subscribe to, and where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct Subscription {
    /// `sms`, `voice` or `email`.
    pub method: String,
    pub state: String,
    /// Why it cannot be subscribed now.
    pub unavailable: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Subscriptions {
    pub items: Vec<Subscription>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscribeInput {
    /// `sms`, `voice`, `email`.
    pub methods: Vec<String>,
}

/// The methods now waiting for their confirmation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pending {
    pub pending: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestInput {
    pub channel: String,
}

/// The channel a test message was queued on.
#[derive(Debug, Serialize, ToSchema)]
pub struct Queued {
    pub queued: String,
}

/// A sync that was started: follow it at `/api/v1/sync-runs/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncStarted {
    pub id: i64,
}

/// A note of a sync, for programs and people.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncNote {
    pub code: String,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncLists {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub flagged: Vec<String>,
    pub skipped: Vec<SyncNote>,
    pub notes: Vec<SyncNote>,
}

/// How a sync stands: `running`, `done` or `failed`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncRun {
    pub id: i64,
    pub state: String,
    pub started_by: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub total: i64,
    pub processed: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub flagged: i64,
    pub skipped: i64,
    pub error: Option<String>,
    pub lists: SyncLists,
}

/// Who a notification goes to: engineers by id (a number) or login name (a string), and
/// groups as `site-group`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recipients {
    #[schema(value_type = Vec<Object>)]
    pub engineers: Vec<serde_json::Value>,
    pub groups: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationInput {
    pub to: Recipients,
    /// Leave out for every usable channel.
    pub channels: Option<Vec<String>>,
    pub text: String,
    pub idempotency_key: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub engineer: i64,
    pub channel: String,
    pub status: String,
    pub reason: Option<String>,
    pub attempts: Option<i64>,
    pub last_answer: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    pub deliveries: Vec<Delivery>,
}

/// `Authorization: Bearer KEY` on every operation.
struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key (crewdesk apikey create NAME --owner LOGIN --scope …)",
                    ))
                    .build(),
            ),
        );
    }
}

/// The problems any operation may answer, added to each so that every answer a client can
/// get is described: the key (401, 403, 429), the body (400, 413, 415, 422), the resource
/// (404, 409) and the preconditions of a change (412, 428).
struct Problems;

impl Modify for Problems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let statuses = [
            ("400", "The body is not JSON, or not an object"),
            ("401", "No live API key, or its owner can no longer sign in"),
            ("403", "The key lacks the scope, or its owner the reach"),
            ("404", "No such resource"),
            ("405", "The endpoint does not answer that method"),
            (
                "409",
                "A conflict: a login taken, several matches, a change that kept racing",
            ),
            ("412", "If-Match names a version that is no longer current"),
            ("413", "The body is larger than 64 KiB"),
            ("415", "The body is not JSON"),
            (
                "422",
                "Attributes that cannot be taken, each with its problem",
            ),
            ("428", "A change without If-Match"),
            ("429", "Too many requests: at most 50 a second per key"),
        ];
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.patch,
                &mut item.delete,
                &mut item.put,
            ];
            for operation in operations.into_iter().flatten() {
                for (status, description) in statuses {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| {
                            ResponseBuilder::new()
                                .description(description)
                                .content(
                                    "application/problem+json",
                                    ContentBuilder::new()
                                        .schema(Some(Ref::from_schema_name("Problem")))
                                        .build(),
                                )
                                .build()
                                .into()
                        });
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    components(schemas(Problem)),
    info(
        title = "Crewdesk API",
        description = "The roster of O&M engineers, their contact methods and notifications, \
                       as JSON. Every error is an RFC 9457 problem."
    ),
    modifiers(&BearerKey, &Problems),
    security(("key" = [])),
    paths(
        super::technicians::list,
        super::technicians::create,
        super::technicians::read,
        super::technicians::patch,
        super::technicians::delete,
        super::contacts::contact_points,
        super::contacts::subscriptions,
        super::contacts::subscribe,
        super::contacts::test,
        super::reference::sites,
        super::reference::add_site,
        super::reference::departments,
        super::reference::add_department,
        super::reference::groups,
        super::reference::add_group,
        super::reference::udfs,
        super::reference::add_udf,
        super::directories::start,
        super::directories::run,
        super::notifications::send,
        super::notifications::status,
    )
)]
pub struct ApiDoc;

/// The OpenAPI document, as served.
pub fn document() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
