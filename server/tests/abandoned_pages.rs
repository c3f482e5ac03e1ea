//! Pages whose clients leave while the server is still rendering them. In a binary of its
//! own: it counts panics with a process-wide hook, which another test's failing assertion
//! would otherwise add to.

mod common;

use common::{TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Clients that leave mid-render (a short timeout, as a closed tab or a load balancer's
/// probe does) leave the server without a panic, on every page and dialog: a render and all
/// it spawned run on one thread, so nothing it reads is disposed under it. The pages still
/// work. (Before each page rendered on one thread, 1 run in 15 panicked.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_abandoned_mid_render_never_panic_the_server() {
    let panics = Arc::new(AtomicUsize::new(0));
    let counted = panics.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        counted.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
    let app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    app.create_admin().await;
    app.add_many((0..300).map(|i| format!("Engineer {i:03}")))
        .await;
    let client = common::signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let addresses = [
        "/?page=1".to_owned(),
        "/?page=7&q=Engineer".to_owned(),
        "/settings".to_owned(),
        "/reference".to_owned(),
        "/audit".to_owned(),
        "/messages".to_owned(),
        "/deliveries".to_owned(),
        "/engineers/new".to_owned(),
        "/engineers/2/edit".to_owned(),
        "/engineers/3/delete".to_owned(),
        "/engineers/4/subscribe".to_owned(),
        "/change-password".to_owned(),
    ];
    // Bounded: 16 rounds of 64 requests (1,024 in all), each given up after 5 to 400 ms.
    for round in 0..16u64 {
        let mut leaving = tokio::task::JoinSet::new();
        for i in 0..64u64 {
            let n = round * 64 + i;
            let request = client
                .get(app.url(&addresses[n as usize % addresses.len()]))
                .timeout(Duration::from_millis(5 + n * 7 % 400));
            leaving.spawn(async move { request.send().await.map(|r| r.status().as_u16()) });
        }
        leaving.join_all().await;
    }
    // The abandoned renders end on their own; every page asked for now is whole.
    for address in &addresses {
        let page = client.get(app.url(address)).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200, "{address}");
        let html = page.text().await.unwrap();
        assert!(html.contains("</html>"), "{address}: {html}");
    }
    let html = client
        .get(app.url("/?page=2"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Engineer 0"), "{html}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        panics.load(Ordering::SeqCst),
        0,
        "the server panicked while abandoned pages rendered"
    );
}
