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
    let id = app.add_user("Ada", "ada", "ada-password", &[]).await;
    let client = common::signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let stranger = app.new_client();
    // Every page, and each dialog over the roster: each renders part of itself after its
    // data arrives, which is when an abandoned request has nothing left to read.
    let pages: Vec<(String, &str)> = vec![
        ("/?page=2".into(), "Engineer 0"),
        ("/?sort=site&desc=1&page=3".into(), "Engineer"),
        (format!("/engineers/{id}/edit?q=Ada"), "Ada"),
        (format!("/engineers/{id}/delete?page=2"), "Ada"),
        (format!("/engineers/{id}/subscribe"), "Ada"),
        ("/engineers/new".into(), "<form"),
        ("/audit".into(), "technician.add"),
        ("/messages".into(), "<h1"),
        ("/deliveries".into(), "<h1"),
        ("/settings".into(), "<form"),
        ("/reference".into(), "<form"),
        ("/login".into(), "<form"),
    ];
    // Bounded: 8 rounds of 72 requests, each given up after 5 to 400 ms.
    for round in 0..8u64 {
        let mut leaving = tokio::task::JoinSet::new();
        for i in 0..72u64 {
            let (path, _) = &pages[(i as usize) % pages.len()];
            let who = if path == "/login" { &stranger } else { &client };
            let request = who
                .get(app.url(path))
                .timeout(Duration::from_millis(5 + (round * 72 + i) * 7 % 400));
            leaving.spawn(async move { request.send().await.map(|r| r.status().as_u16()) });
        }
        leaving.join_all().await;
    }
    // The abandoned renders end on their own; every page asked for now is whole.
    for (path, expected) in &pages {
        let who = if path == "/login" { &stranger } else { &client };
        let page = who.get(app.url(path)).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200, "{path}");
        let html = page.text().await.unwrap();
        assert!(html.contains(expected), "{path}: {html}");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        panics.load(Ordering::SeqCst),
        0,
        "the server panicked while abandoned pages rendered"
    );
}
