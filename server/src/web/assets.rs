//! The WASM, its JS glue and the CSS under `/pkg`, served pre-compressed (brotli, gzip)
//! when the build left `.br`/`.gz` files beside them.
//!
//! `scripts/build-site.sh` names each of the three files by its content
//! (`crewdesk.<hash>.wasm`) and lists the hashes in `hash.txt` at the site root
//! (`js: <hash>`), read once at start-up: the pages name the files of the build the server
//! started with. A file named by its content never changes, so a browser keeps it for a
//! year without asking again, and a new build's pages name new files. The plain names
//! (`crewdesk.css`, which the pages outside the console link) stay valid aliases of the
//! hashed files, revalidated on every use (`no-cache`, a `304` when unchanged). Without
//! `hash.txt` (a build that did not run the script) the plain names are the files.

use anyhow::{bail, Context};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use leptos::prelude::LeptosOptions;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};

/// What a content-hashed file may be kept for: a year, never revalidated.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The build's file names: plain name → name by content, under `/pkg`.
#[derive(Clone, Debug, Default)]
pub struct Built {
    names: Vec<(&'static str, String)>,
}

impl Built {
    /// Reads `hash.txt` in the site root. A missing file means plain names; a file that
    /// names something the build did not leave is an error, so that a half-copied site is
    /// found at start-up rather than by a browser's 404.
    pub fn read(site_root: &Path, pkg_dir: &str) -> anyhow::Result<Built> {
        let hash_file = site_root.join("hash.txt");
        let text = match std::fs::read_to_string(&hash_file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Built::default()),
            Err(e) => return Err(e).with_context(|| format!("reading {}", hash_file.display())),
        };
        let mut names = Vec::new();
        for (number, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let (kind, hash) = line
                .split_once(':')
                .map(|(k, h)| (k.trim(), h.trim()))
                .unwrap_or(("", ""));
            let (plain, extension) = match kind {
                "js" => ("crewdesk.js", "js"),
                "wasm" => ("crewdesk_bg.wasm", "wasm"),
                "css" => ("crewdesk.css", "css"),
                _ => bail!(
                    "{} line {}: expected `js|wasm|css: <hash>`",
                    hash_file.display(),
                    number + 1
                ),
            };
            if hash.len() < 8 || hash.len() > 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!(
                    "{} line {}: `{hash}` is not a hexadecimal hash",
                    hash_file.display(),
                    number + 1
                );
            }
            let hashed = format!("crewdesk.{hash}.{extension}");
            let path = site_root.join(pkg_dir).join(&hashed);
            if !path.is_file() {
                bail!(
                    "{} names {}, which is not there: build the site again (scripts/build-site.sh)",
                    hash_file.display(),
                    path.display()
                );
            }
            if names.iter().any(|(p, _)| *p == plain) {
                bail!(
                    "{} line {}: a second `{kind}`",
                    hash_file.display(),
                    number + 1
                );
            }
            names.push((plain, hashed));
        }
        if !["crewdesk.js", "crewdesk_bg.wasm"]
            .iter()
            .all(|p| names.iter().any(|(n, _)| n == p))
        {
            bail!("{} names no js or no wasm file", hash_file.display());
        }
        Ok(Built { names })
    }

    /// The addresses of the console's stylesheet and code in this build.
    pub fn site_files(&self) -> app::ui::SiteFiles {
        let address = |plain| format!("/pkg/{}", self.current(plain));
        app::ui::SiteFiles {
            stylesheet: address("crewdesk.css"),
            js: address("crewdesk.js"),
            wasm: address("crewdesk_bg.wasm"),
        }
    }

    /// The name the file with this plain name has in this build.
    fn current<'a>(&'a self, plain: &'a str) -> &'a str {
        self.names
            .iter()
            .find(|(p, _)| *p == plain)
            .map_or(plain, |(_, hashed)| hashed.as_str())
    }

    fn is_hashed(&self, name: &str) -> bool {
        self.names.iter().any(|(_, hashed)| hashed == name)
    }
}

pub fn router(options: &LeptosOptions, built: &Built) -> Router {
    let root = PathBuf::from(options.site_root.as_ref());
    let pkg = ServeDir::new(root.join(options.site_pkg_dir.as_ref()))
        .precompressed_br()
        .precompressed_gzip();
    let built = Arc::new(built.clone());
    let pkg = tower::Layer::layer(
        &axum::middleware::from_fn(move |request, next| caching(built.clone(), request, next)),
        pkg,
    );
    Router::new()
        .nest_service("/pkg", pkg)
        .route_service("/favicon.ico", ServeFile::new(root.join("favicon.ico")))
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-cache"),
            ),
        )
}

/// A hashed name is kept for a year; a plain name is served as the file it stands for in
/// this build, revalidated each time.
async fn caching(built: Arc<Built>, mut request: Request, next: Next) -> Response {
    let name = request
        .uri()
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let immutable = built.is_hashed(&name);
    let current = built.current(&name);
    if current != name {
        if let Ok(uri) = format!("/{current}").parse::<Uri>() {
            *request.uri_mut() = uri;
        }
    }
    let mut response = next.run(request).await;
    // The same address answers brotli, gzip or plain bytes as the browser accepts: a cache
    // between keeps each apart.
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    // A 304 carries the header too: it replaces what the browser stored.
    let found = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    if immutable && found {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    }
    response
}
