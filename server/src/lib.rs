//! The Crewdesk server: configuration, the command line, the HTTP application (console,
//! servlet XML API, health) and its start-up.

pub mod cli;
pub mod config;
pub mod demo;
pub mod directory;
pub mod listener;
pub mod maintenance;
pub mod notify;
pub mod operator;
pub mod roster_csv;
pub mod servlet;
pub mod startup;
pub mod web;

pub use config::Settings;
pub use startup::Application;
