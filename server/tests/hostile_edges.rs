//! Small edges a stranger can reach: the roster's search with any bytes and any length, and
//! the confirmation link answered without the one writer.

mod common;

use common::{signed_in, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};

on_both_backends! {
    async fn a_search_with_a_nul_or_of_any_length_is_answered(app: TestApp) {
        app.create_admin().await;
        app.add_as_admin(&[("name", "Ada Lovelace"), ("loginName", "ada")]).await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let long = format!("ada{}", "x".repeat(5_000));
        let cases: [(&str, bool); 5] = [
            ("ada\u{0}", true),
            ("\u{0}ada", true),
            ("a\u{0}da", true),
            (long.as_str(), false),
            ("\u{0}\u{0}\u{0}", true),
        ];
        for (search, finds_ada) in cases {
            let response = admin
                .get(app.url("/"))
                .query(&[("q", search)])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 200, "{:?}", &search[..search.len().min(20)]);
            let html = response.text().await.unwrap();
            assert_eq!(html.contains("Ada Lovelace"), finds_ada, "{:?}", &search[..search.len().min(20)]);
        }
        // Only the first 200 characters are looked for: what stands past them is dropped.
        let padded = format!("ada{}{}", " ".repeat(197), "z".repeat(4_000));
        let html = admin.get(app.url("/")).query(&[("q", padded.as_str())]).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Ada Lovelace"), "the search was cut at 200 characters");
    }
}

/// A confirmation link that is not (or no longer) pending is answered from a reader: with
/// the one SQLite writer held by a long transaction, guesses are still answered, as
/// unknown links, instead of waiting for it and failing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guessed_confirmation_link_never_waits_for_the_writer() {
    let app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    let held = app.db.begin_write().await.unwrap();
    let client = app.new_client();
    for token in ["A".repeat(43), "not-a-token".to_owned(), "x".repeat(4_000)] {
        let response = client
            .post(app.url(&format!("/confirm/{token}")))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let page = response.text().await.unwrap();
        assert!(status < 500, "{status}: {page}");
        assert!(page.to_lowercase().contains("link"), "{page}");
    }
    drop(held);
}
