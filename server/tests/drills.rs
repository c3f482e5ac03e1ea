//! Reachability drills: an SDAdmin drills a site, every engineer gets a message on each
//! channel that reaches them with a link of their own; a tap acknowledges it once, within
//! 24 hours, without signing in; the drill page shows who acknowledged and which channel
//! delivered into silence.

#[macro_use]
mod common;

use common::{signed_in, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};

/// The link of the latest message captured for `recipient` that holds `mark`.
async fn link_to(app: &TestApp, recipient: &str, n: i64, mark: &str) -> String {
    let text = common::captured_to(app, recipient, n).await;
    let link = text
        .split_whitespace()
        .find(|w| w.contains(mark))
        .unwrap_or_else(|| panic!("no {mark} link in {text}"))
        .to_owned();
    assert!(link.starts_with("http"), "{link}");
    link
}

async fn london(app: &TestApp) -> i64 {
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM sites WHERE name = 'London'")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    id
}

async fn acked(app: &TestApp) -> i64 {
    app.count("SELECT count(*) FROM drill_targets WHERE acked_at IS NOT NULL")
        .await
}

on_both_backends! {
    async fn a_drill_of_three_shows_two_acknowledgements_and_one_silent_channel(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        for (name, contact, key) in [
            ("Ana", "+86 138 0013 8000", "mobile"),
            ("Bo", "+86 138 0013 8001", "mobile"),
            ("Cy", "cy@example.com", "email"),
        ] {
            app.add_as_admin(&[("name", name), (key, contact), ("techSiteName", "London")]).await.userid.unwrap();
        }
        for recipient in ["+8613800138000", "+8613800138001", "cy@example.com"] {
            let link = link_to(&app, recipient, 1, "/confirm/").await;
            assert_eq!(app.new_client().post(&link).send().await.unwrap().status(), 200);
        }
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let site = london(&app).await.to_string();
        let (status, body) = app.server_fn(&admin, "start_drill", &[("kind", "site"), ("id", &site)]).await;
        assert!(status < 400, "{body}");
        let (drill,): (i64,) = sqlx::query_as("SELECT id FROM drills").fetch_one(app.db.reader()).await.unwrap();
        assert_eq!(app.count("SELECT count(*) FROM drill_targets").await, 3, "SMS, SMS, email: voice is off");
        app.wait_for_count("SELECT count(*) FROM deliveries WHERE status = 'delivered' AND idempotency_key LIKE 'drill:%'", 3).await;

        // Opening a link acknowledges nothing (a link scanner); the button does, once.
        let ana = link_to(&app, "+8613800138000", 2, "/ack/").await;
        let shown = app.new_client().get(&ana).send().await.unwrap();
        assert_eq!(shown.status(), 200);
        assert!(shown.text().await.unwrap().contains("Acknowledge"));
        assert_eq!(acked(&app).await, 0);
        let done = app.new_client().post(&ana).send().await.unwrap();
        assert_eq!(done.status(), 200);
        assert!(done.text().await.unwrap().contains("Acknowledged: Ana can be reached over SMS"));
        let bo = link_to(&app, "+8613800138001", 2, "/ack/").await;
        assert_eq!(app.new_client().post(&bo).send().await.unwrap().status(), 200);
        assert_eq!(acked(&app).await, 2);
        let (first,): (Option<i64>,) = sqlx::query_as("SELECT acked_at FROM drill_targets WHERE engineer = 'Ana'")
            .fetch_one(app.db.reader()).await.unwrap();
        app.clock.advance(5_000);
        assert_eq!(app.new_client().post(&ana).send().await.unwrap().status(), 200, "pressed again");
        let (again,): (Option<i64>,) = sqlx::query_as("SELECT acked_at FROM drill_targets WHERE engineer = 'Ana'")
            .fetch_one(app.db.reader()).await.unwrap();
        assert_eq!(first, again, "the first press stands");
        // Hostile tokens are simply unknown.
        for bad in ["", "x", "../../etc/passwd", &"f".repeat(64), &"é".repeat(64), "%00"] {
            let response = app.new_client().post(app.url(&format!("/ack/{bad}"))).send().await.unwrap();
            assert!(matches!(response.status().as_u16(), 404 | 405), "{bad}: {}", response.status());
        }
        assert_eq!(acked(&app).await, 2);

        // The drill page: two acknowledged, Cy's email delivered into silence.
        let page = admin.get(app.url(&format!("/drills/{drill}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("2 of 3 messages acknowledged"), "{page}");
        assert_eq!(page.matches("delivered, never acknowledged").count(), 1, "{page}");
        // As a name in the table: the page's random nonce may hold the letters "Cy" too.
        assert!(page.contains(">Cy<"), "{page}");
        // The links sent are not kept usable in the database.
        assert_eq!(app.count("SELECT count(*) FROM notifications WHERE kind = 'drill' AND text LIKE '%/ack/…%'").await, 3);

        // One drill an hour per place; only an SDAdmin drills.
        let (status, body) = app.server_fn(&admin, "start_drill", &[("kind", "site"), ("id", &site)]).await;
        assert!(status >= 400 && common::said(&body).contains("less than an hour ago"), "{status} {body}");
        app.add_user("Sia", "sia", "sia-lantern-quartz-9", &[("associateRols", "SDSiteAdmin"), ("techSiteName", "London")]).await;
        let sia = signed_in(&app, "sia", "sia-lantern-quartz-9").await;
        let (status, body) = app.server_fn(&sia, "start_drill", &[("kind", "site"), ("id", &site)]).await;
        assert!(status >= 400, "{body}");
        let page = sia.get(app.url(&format!("/drills/{drill}"))).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains(">Cy<"), "{page}");

        // After 24 hours the links are over.
        app.clock.advance(25 * 60 * 60 * 1000);
        let cy = link_to(&app, "cy@example.com", 2, "/ack/").await;
        assert_eq!(app.new_client().get(&cy).send().await.unwrap().status(), 410);
        assert_eq!(app.new_client().post(&cy).send().await.unwrap().status(), 410);
        assert_eq!(acked(&app).await, 2);
    }

    async fn twenty_simultaneous_starts_make_one_drill(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        app.add_as_admin(&[("name", "Cy"), ("email", "cy@example.com"), ("techSiteName", "London")]).await.userid.unwrap();
        let link = link_to(&app, "cy@example.com", 1, "/confirm/").await;
        assert_eq!(app.new_client().post(&link).send().await.unwrap().status(), 200);
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let site = london(&app).await.to_string();
        let form = [("kind", "site"), ("id", site.as_str())];
        let answers = futures::future::join_all((0..20).map(|_| app.server_fn(&admin, "start_drill", &form))).await;
        let started = answers.iter().filter(|(status, _)| *status < 400).count();
        assert_eq!(started, 1, "{answers:?}");
        for (status, body) in answers.iter().filter(|(status, _)| *status >= 400) {
            assert!(*status < 500 && common::said(body).contains("less than an hour ago"), "{status} {body}");
        }
        assert_eq!(app.count("SELECT count(*) FROM drills").await, 1);
        assert_eq!(app.count("SELECT count(*) FROM drill_targets").await, 1);
    }
}
