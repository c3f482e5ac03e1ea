//! Newtypes and entities of Crewdesk: pure, shared by the server and the browser.
//!
//! Every entry point (console, XML servlet, directory sync, CLI) parses raw text into these
//! types, so a value that exists is a valid value.

pub mod cost;
pub mod email;
pub mod error;
pub mod flag;
pub mod identify;
pub mod login;
pub mod names;
pub mod patch;
pub mod phone;
pub mod role;
pub mod technician;
pub mod udf;

pub use cost::CostPerHour;
pub use email::Email;
pub use error::{FieldError, FieldErrors};
pub use identify::{Criterion, RefFields, TechnicianRef};
pub use login::{LoginName, Password};
pub use names::{PersonName, ShortText, SiteName};
pub use patch::{Change, TechnicianPatch};
pub use phone::Phone;
pub use role::Role;
pub use technician::{
    ListQuery, NewLogin, NewTechnician, Page, SiteChoice, TechnicianForm, TechnicianRow,
};
pub use udf::UdfColumn;
