//! Pages whose clients leave while the server is still rendering them. In a binary of its
//! own: it counts panics with a process-wide hook, which another test's failing assertion
//! would otherwise add to.

mod common;

use common::{TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Clients that leave mid-render (a short timeout, as a closed tab or a load balancer's
/// probe does) leave the server without a panic: the render of an abandoned request, whose
/// reactive values are disposed under it, reads nothing that is gone. The page still works.
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
    // Bounded: 8 rounds of 64 requests, each given up after 5 to 400 ms.
    for round in 0..8u64 {
        let mut leaving = tokio::task::JoinSet::new();
        for i in 0..64u64 {
            let request = client
                .get(app.url(&format!("/?page={}", 1 + i % 12)))
                .timeout(Duration::from_millis(5 + (round * 64 + i) * 7 % 400));
            leaving.spawn(async move { request.send().await.map(|r| r.status().as_u16()) });
        }
        leaving.join_all().await;
    }
    // The abandoned renders end on their own; a page asked for now is whole.
    let page = client.get(app.url("/?page=2")).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Engineer 0"), "{html}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        panics.load(Ordering::SeqCst),
        0,
        "the server panicked while abandoned pages rendered"
    );
}
