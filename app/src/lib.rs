//! The Crewdesk console: shared by the server (feature `ssr`) and the browser (`hydrate`).

#![recursion_limit = "256"]

pub mod api;
pub mod domain;
pub mod i18n;
#[cfg(feature = "ssr")]
pub mod service;
pub mod ui;
pub mod url;

pub use ui::{shell, App};
