//! The browser build is served pre-compressed.

use server::{Application, Settings};
use std::net::SocketAddr;

#[tokio::test]
async fn the_wasm_is_served_brotli_or_gzip_compressed_as_the_browser_accepts() {
    let root = std::env::temp_dir().join(format!("crewdesk-site-{}", rand::random::<u32>()));
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("pkg/crewdesk_bg.wasm"), b"\0asm-plain").unwrap();
    std::fs::write(root.join("pkg/crewdesk_bg.wasm.br"), b"brotli-bytes").unwrap();
    std::fs::write(root.join("pkg/crewdesk_bg.wasm.gz"), b"gzip-bytes").unwrap();
    let db = std::env::temp_dir().join(format!("crewdesk-assets-{}.db", rand::random::<u32>()));
    let mut settings = Settings::new(format!("sqlite:{}", db.display()));
    settings.addr = SocketAddr::from(([127, 0, 0, 1], 0));
    settings.site_root = root;
    let app = Application::build(settings).await.unwrap();
    let url = format!("http://{}/pkg/crewdesk_bg.wasm", app.addr());
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();

    for (accept, encoding, body) in [
        ("br, gzip", Some("br"), "brotli-bytes"),
        ("gzip", Some("gzip"), "gzip-bytes"),
        ("identity", None, "\0asm-plain"),
    ] {
        let response = client
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
