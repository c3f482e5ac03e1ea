//! The browser build: served pre-compressed, named by content and kept by browsers for good.

mod common;

use common::{Backend, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};
use server::{Application, Settings};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// A site root as scripts/build-site.sh leaves it: each file named by its content, with
/// brotli and gzip copies, and `hash.txt` listing the hashes.
fn built_site(hash_txt: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("crewdesk-site-{}", rand::random::<u32>()));
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    for (name, body) in [
        (
            "crewdesk.0123456789abcdef.js",
            "export default function() {}",
        ),
        ("crewdesk.fedcba9876543210.wasm", "\0asm-plain"),
        ("crewdesk.00112233aabbccdd.css", "body { color: black }"),
    ] {
        let path = root.join("pkg").join(name);
        std::fs::write(&path, body).unwrap();
        std::fs::write(format!("{}.br", path.display()), format!("brotli {body}")).unwrap();
        std::fs::write(format!("{}.gz", path.display()), format!("gzip {body}")).unwrap();
    }
    std::fs::write(root.join("hash.txt"), hash_txt).unwrap();
    root
}

const HASHES: &str = "js: 0123456789abcdef\nwasm: fedcba9876543210\ncss: 00112233aabbccdd\n";

async fn build(root: &Path) -> anyhow::Result<Application> {
    let db = std::env::temp_dir().join(format!("crewdesk-assets-{}.db", rand::random::<u32>()));
    let mut settings = Settings::new(format!("sqlite:{}", db.display()));
    settings.addr = SocketAddr::from(([127, 0, 0, 1], 0));
    settings.site_root = root.to_path_buf();
    Application::build(settings).await
}

async fn html(client: &reqwest::Client, url: &str) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_wasm_is_served_brotli_or_gzip_compressed_as_the_browser_accepts() {
    let root = built_site(HASHES);
    let app = build(&root).await.unwrap();
    let url = format!("http://{}/pkg/crewdesk.fedcba9876543210.wasm", app.addr());
    tokio::spawn(app.run_until(std::future::pending()));
    for (accept, encoding, body) in [
        ("br, gzip", Some("br"), "brotli \0asm-plain"),
        ("gzip", Some("gzip"), "gzip \0asm-plain"),
        ("identity", None, "\0asm-plain"),
    ] {
        let response = plain_client()
            .get(&url)
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let got = response
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(got.as_deref(), encoding, "Accept-Encoding: {accept}");
        assert_eq!(response.text().await.unwrap(), body);
    }
}

#[tokio::test]
async fn pages_name_the_code_and_the_stylesheet_by_content_and_browsers_keep_those_files_for_good()
{
    let root = built_site(HASHES);
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.site_root = root.clone())
        .await
        .unwrap();
    app.create_admin().await;
    let client = common::signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let roster = html(&client, &app.url("/")).await;
    for address in [
        "href=\"/pkg/crewdesk.0123456789abcdef.js\"",
        "href=\"/pkg/crewdesk.fedcba9876543210.wasm\"",
        "href=\"/pkg/crewdesk.00112233aabbccdd.css\"",
    ] {
        assert!(roster.contains(address), "{address} in {roster}");
    }
    assert!(
        roster.contains("import(\"/pkg/crewdesk.0123456789abcdef.js\")")
            && roster.contains("module_or_path: \"/pkg/crewdesk.fedcba9876543210.wasm\""),
        "the page starts the hashed code: {roster}"
    );
    assert!(
        !roster.contains("crewdesk_bg.wasm") && !roster.contains("/pkg/crewdesk.css"),
        "{roster}"
    );
    // The sign-in page runs no code; it fetches the same files, unrun, for the next page.
    let login = html(&app.client, &app.url("/login")).await;
    for link in [
        "<link rel=\"stylesheet\" href=\"/pkg/crewdesk.00112233aabbccdd.css\">",
        "<link rel=\"prefetch\" href=\"/pkg/crewdesk.0123456789abcdef.js\">",
        "<link rel=\"prefetch\" href=\"/pkg/crewdesk.fedcba9876543210.wasm\">",
    ] {
        assert!(login.contains(link), "{link} in {login}");
    }
    assert!(!login.contains("modulepreload"), "{login}");

    for name in [
        "crewdesk.0123456789abcdef.js",
        "crewdesk.fedcba9876543210.wasm",
        "crewdesk.00112233aabbccdd.css",
    ] {
        let response = plain_client()
            .get(app.url(&format!("/pkg/{name}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{name}");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{name}"
        );
        // One address, brotli, gzip or plain bytes: a shared cache keeps them apart.
        assert_eq!(response.headers()["vary"], "accept-encoding", "{name}");
    }
    // A hashed file gone from the disk is not found, and nobody is told to keep the answer.
    std::fs::remove_file(root.join("pkg/crewdesk.fedcba9876543210.wasm")).unwrap();
    let missing = plain_client()
        .get(app.url("/pkg/crewdesk.fedcba9876543210.wasm"))
        .header("accept-encoding", "identity")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    assert_eq!(missing.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn the_plain_stylesheet_name_stays_an_alias_of_this_builds_file_asked_again_each_time() {
    let root = built_site(HASHES);
    let app = build(&root).await.unwrap();
    let base = format!("http://{}", app.addr());
    tokio::spawn(app.run_until(std::future::pending()));
    for (accept, body) in [
        ("br", "brotli body { color: black }"),
        ("identity", "body { color: black }"),
    ] {
        let response = plain_client()
            .get(format!("{base}/pkg/crewdesk.css"))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["cache-control"], "no-cache");
        assert_eq!(
            response.text().await.unwrap(),
            body,
            "Accept-Encoding: {accept}"
        );
    }
    // The pages outside the console (a confirmation link's page) link that alias.
    let page = plain_client()
        .get(format!("{base}/confirm/not-a-token"))
        .send()
        .await
        .unwrap();
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("href=\"/pkg/crewdesk.css\""));
}

#[tokio::test]
async fn a_site_whose_hash_list_is_wrong_stops_the_server_at_start_up_and_says_why() {
    for (hash_txt, says) in [
        (
            "js: 0123456789abcdef\nwasm: 1111111111111111\n",
            "crewdesk.1111111111111111.wasm, which is not there",
        ),
        (
            "js: 0123456789abcdef\nwasm: ../../etc/passwd\n",
            "is not a hexadecimal hash",
        ),
        (
            "js: 0123456789abcdef\nwasm fedcba9876543210\n",
            "line 2: expected",
        ),
        ("js: 0123456789abcdef\n", "names no js or no wasm file"),
        (
            "js: 0123456789abcdef\njs: 0123456789abcdef\nwasm: fedcba9876543210\n",
            "line 2: a second `js`",
        ),
    ] {
        let root = built_site(hash_txt);
        let error = build(&root)
            .await
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(error.contains(says), "{hash_txt:?}: {error}");
    }
}
