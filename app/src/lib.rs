//! The Crewdesk console: shared by the server (feature `ssr`) and the browser (`hydrate`).

#![recursion_limit = "256"]

// The server writes each page's HTML and the browser hydrates it: both must erase views, or
// their markers differ and no page hydrates. `.cargo/config.toml` sets the flag for every
// build; a RUSTFLAGS variable replaces it, so a build without it stops here rather than
// ship pages that never come alive.
#[cfg(not(erase_components))]
compile_error!(
    "Crewdesk is built with `--cfg erase_components` (.cargo/config.toml); a RUSTFLAGS or \
     CARGO_TARGET_*_RUSTFLAGS variable replaces that file's flags: add `--cfg erase_components` \
     to it, or unset it"
);

pub mod api;
pub mod domain;
pub mod i18n;
#[cfg(feature = "ssr")]
pub mod service;
pub mod ui;
pub mod url;

pub use ui::{shell, App};
