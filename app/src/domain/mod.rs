//! Newtypes and entities of Crewdesk: pure, shared by the server and the browser.
//!
//! Every entry point (console, XML servlet, directory sync, CLI) parses raw text into these
//! types, so a value that exists is a valid value.

pub mod audit;
pub mod channel;
pub mod cost;
pub mod delivery;
pub mod directory;
pub mod drill;
pub mod edit;
pub mod edit_view;
pub mod email;
pub mod error;
pub mod flag;
pub mod fold;
pub mod identify;
pub mod import;
pub mod login;
pub mod names;
pub mod note;
pub mod outbound;
pub mod patch;
pub mod phone;
pub mod problem;
pub mod reachability;
pub mod reference;
pub mod refusal;
pub mod role;
pub mod roster;
pub mod scope;
pub mod technician;
pub mod udf;
pub mod webhook;

pub use audit::{AuditPage, AuditQuery, AuditRow};
pub use channel::{AddressKind, CapturedMessage, Channel, ContactSpec, MessagePage};
pub use cost::CostPerHour;
pub use delivery::{AttemptRow, DeliveryFilter, DeliveryPage, DeliveryRow};
pub use drill::{Ack, DrillSummary, DrillTarget, DrillView};
pub use edit::{ContactChange, ContactChanges, Edit, EditForm};
pub use edit_view::{EditView, MaskedContacts};
pub use email::Email;
pub use error::{FieldError, FieldErrors};
pub use fold::{fold, login_key};
pub use identify::{Criterion, RefFields, TechnicianRef};
pub use login::{LoginName, Password};
pub use names::{PersonName, ShortText, SiteName};
pub use note::{Notice, SyncField, SyncNote};
pub use outbound::Outbound;
pub use patch::{Change, TechnicianPatch};
pub use phone::Phone;
pub use problem::FieldProblem;
pub use reachability::{
    ContactHealth, Place, PlaceKind, ReachQuery, ReachRow, ReachView, Standing, Unreachable,
};
pub use reference::{RefItem, ReferenceData, Udf};
pub use refusal::{AdminTask, Refusal, Verb};
pub use role::Role;
pub use roster::{
    any_available, method_options, BetaChannels, Channels, ConsentStep, ListQuery, Method,
    MethodOption, Page, Site, SortKey, SubState, SubscribeView, TechnicianRow, Unavailable,
    Unusable,
};
pub use scope::Scope;
pub use technician::{NewLogin, NewTechnician, SiteChoice, TechnicianForm};
pub use udf::UdfColumn;
pub use webhook::{parse_address, Origin, SigningSecret, WebhookHosts, WebhookUrl};
