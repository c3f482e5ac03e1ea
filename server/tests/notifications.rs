//! Subscriptions that confirm and notifications that arrive (SPEC §4, §5): the confirmation
//! link, the outbox and its workers, and every provider against a real server on loopback.

mod common;

use common::loopback::{Answer, Judge, Loopback};
use common::{
    enable_beta, signed_in, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD, OPERATION_SERVLET,
    TECHNICIAN_SERVLET,
};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

const HOUR_MS: i64 = 60 * 60 * 1000;

/// The newest captured message to `recipient`, once one is there.
fn link_in(text: &str) -> String {
    text.split_whitespace()
        .find(|w| w.contains("/confirm/"))
        .expect("a confirmation link")
        .to_owned()
}

async fn states(app: &TestApp, id: i64) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT method, state FROM subscriptions WHERE technician_id = $1 ORDER BY method",
    )
    .bind(id)
    .fetch_all(app.db.reader())
    .await
    .unwrap()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

on_both_backends! {
    async fn a_new_mobile_gets_one_sms_whose_link_confirms_sms_and_voice(app: TestApp) {
        app.create_admin().await;
        enable_beta(&app).await;
        let answer = app.add_as_admin(&[("name", "Ada"), ("mobile", "+86 138 0013 8000")]).await;
        let id = answer.userid.expect("added");
        let text = common::captured_to(&app, "+8613800138000", 1).await;
        assert!(text.contains("SMS and voice") && text.contains("Ada"), "{text}");
        // One message for both methods.
        assert_eq!(app.count(&format!("SELECT count(*) FROM deliveries WHERE technician_id = {id}")).await, 1);
        let link = link_in(&text);
        assert!(link.starts_with(&app.url("/confirm/")), "{link}");
        // Opening the link (a mail scanner's prefetch, say) confirms nothing.
        let page = app.new_client().get(&link).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("+86•••••••8000") && !html.contains("+8613800138000"), "{html}");
        assert_eq!(states(&app, id).await, pairs(&[("sms", "pending"), ("voice", "pending")]));
        // The button does, once.
        let done = app.new_client().post(&link).send().await.unwrap();
        assert_eq!(done.status(), 200);
        assert!(done.text().await.unwrap().contains("Confirmed"));
        assert_eq!(states(&app, id).await, pairs(&[("sms", "confirmed"), ("voice", "confirmed")]));
        let again = app.new_client().post(&link).send().await.unwrap();
        assert_eq!(again.status(), 404);
        assert!(again.text().await.unwrap().contains("not valid"));
        // The console shows it at once.
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let (_, view) = app.server_fn(&admin, "subscribe_view", &[("id", &id.to_string())]).await;
        let view: Value = serde_json::from_str(&view).unwrap();
        assert_eq!(view["options"][0]["state"], "Confirmed", "{view}");
        assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'subscription.confirm'").await, 1);
        // Once sent, the outbox keeps no usable link; the Message log keeps its copy a week.
        let token = link.rsplit('/').next().unwrap().to_owned();
        assert_eq!(app.count(&format!("SELECT count(*) FROM notifications WHERE text LIKE '%{token}%'")).await, 0);
        assert_eq!(app.count("SELECT count(*) FROM notifications WHERE text LIKE '%/confirm/…%'").await, 1);
        let now = app.clock.now();
        assert_eq!(app::service::outbox::purge_captured(&app.db, now + 6 * 24 * HOUR_MS).await.unwrap(), 0);
        assert_eq!(app::service::outbox::purge_captured(&app.db, now + 8 * 24 * HOUR_MS).await.unwrap(), 1);
        assert_eq!(app.count("SELECT count(*) FROM captured_messages").await, 0);
    }

    async fn confirmations_sent_together_are_each_recorded_as_their_own(app: TestApp) {
        app.create_admin().await;
        // Thirty adds at once: the outbox takes their confirmations in batches and records
        // each batch in a few statements; every message must still be recorded as itself.
        let adds = (0..30).map(|i| {
            let app = &app;
            async move {
                let (name, email) = (format!("Batch Mail {i:02}"), format!("batch.mail{i:02}@example.com"));
                let answer = app.add_as_admin(&[("name", &name), ("email", &email)]).await;
                assert!(answer.is_success(), "{}", answer.raw);
            }
        });
        futures::future::join_all(adds).await;
        let sent = "SELECT count(*) FROM captured_messages WHERE recipient LIKE 'batch.mail%'";
        assert_eq!(app.wait_for_count(sent, 30).await, 30);
        assert_eq!(app.count("SELECT count(*) FROM deliveries WHERE recipient LIKE 'batch.mail%' AND status = 'delivered'").await, 30);
        assert_eq!(
            app.count("SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id \
                WHERE d.recipient LIKE 'batch.mail%' AND a.outcome = 'captured' AND a.attempt = 1").await,
            30,
            "one attempt logged per message"
        );
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT d.recipient, c.text, n.text FROM deliveries d \
             JOIN captured_messages c ON c.delivery_id = d.id \
             JOIN notifications n ON n.id = d.notification_id WHERE d.recipient LIKE 'batch.mail%'",
        )
        .fetch_all(app.db.reader())
        .await
        .unwrap();
        assert_eq!(rows.len(), 30);
        for (recipient, captured, kept) in rows {
            let link = link_in(&captured);
            assert!(!kept.contains(&link), "{recipient}: the outbox kept a usable link");
            // The outbox keeps the text as written (the address filled in when sent).
            let written = captured.replace(&app.url(""), "{public_url}");
            assert_eq!(kept, app::service::outbox::withhold_links(&written), "{recipient}: its own text, link withheld");
        }
    }

    async fn a_link_expires_after_48_hours_and_the_engineer_may_subscribe_again(app: TestApp) {
        app.create_admin().await;
        let id = app.add_as_admin(&[("name", "Bo"), ("email", "bo@example.com")]).await.userid.unwrap();
        let link = link_in(&common::captured_to(&app, "bo@example.com", 1).await);
        app.clock.advance(48 * HOUR_MS + 1);
        let page = app.new_client().get(&link).send().await.unwrap();
        assert_eq!(page.status(), 410);
        assert!(page.text().await.unwrap().contains("expired"));
        let post = app.new_client().post(&link).send().await.unwrap();
        assert_eq!(post.status(), 410);
        assert_eq!(states(&app, id).await, pairs(&[("email", "pending")]));
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let (_, view) = app.server_fn(&admin, "subscribe_view", &[("id", &id.to_string())]).await;
        assert!(view.contains("Expired"), "{view}");
        let (status, body) = app.server_fn(&admin, "subscribe", &[("id", &id.to_string()), ("back", "/"), ("email", "true")]).await;
        assert!(status < 400, "{body}");
        common::captured_to(&app, "bo@example.com", 2).await;
        // The old link stays dead; the new one works.
        assert_eq!(app.new_client().post(&link).send().await.unwrap().status(), 404);
    }

    async fn confirmations_are_not_resent_too_often(app: TestApp) {
        app.create_admin().await;
        let id = app.add_as_admin(&[("name", "Cy"), ("email", "cy@example.com")]).await.userid.unwrap();
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let id_text = id.to_string();
        let form = [("id", id_text.as_str()), ("back", "/"), ("email", "true")];
        let ask = || app.server_fn(&admin, "subscribe", &form);
        let (status, body) = ask().await;
        assert_eq!(status, 429, "{body}");
        assert!(common::said(&body).contains("wait"), "{body}");
        for _ in 0..4 {
            app.clock.advance(61_000);
            let (status, body) = ask().await;
            assert!(status < 400, "{body}");
        }
        app.clock.advance(61_000);
        let (status, body) = ask().await;
        assert_eq!(status, 429, "{body}");
        assert!(common::said(&body).contains("last hour"), "{body}");
        assert_eq!(app.count(&format!("SELECT count(*) FROM deliveries WHERE technician_id = {id}")).await, 5);
    }

    async fn a_new_number_replaces_the_old_subscriptions_and_the_same_number_retyped_does_not(app: TestApp) {
        app.create_admin().await;
        let id = app.add_as_admin(&[("name", "Di"), ("mobile", "+86 138 0013 8000")]).await.userid.unwrap();
        let old_link = link_in(&common::captured_to(&app, "+8613800138000", 1).await);
        let retyped = app.admin_call(TECHNICIAN_SERVLET, "UpdateTechnician", &[("userid", &id.to_string()), ("mobile", "0086-138-0013-8000")]).await;
        assert!(retyped.is_success(), "{retyped:?}");
        assert_eq!(app.count(&format!("SELECT count(*) FROM deliveries WHERE technician_id = {id}")).await, 1);
        let changed = app.admin_call(TECHNICIAN_SERVLET, "UpdateTechnician", &[("userid", &id.to_string()), ("mobile", "+86 138 0013 8999")]).await;
        assert!(changed.is_success(), "{changed:?}");
        common::captured_to(&app, "+8613800138999", 1).await;
        assert_eq!(app.new_client().post(&old_link).send().await.unwrap().status(), 404);
        let (contact,): (String,) = sqlx::query_as("SELECT contact FROM subscriptions WHERE technician_id = $1 AND method = 'sms'")
            .bind(id).fetch_one(app.db.reader()).await.unwrap();
        assert_eq!(contact, "+8613800138999");
    }

    async fn hostile_links_are_answered_plainly(app: TestApp) {
        for path in ["/confirm/x", "/confirm/%00%ff", &format!("/confirm/{}", "a".repeat(64)), &format!("/confirm/{}", "é".repeat(300))] {
            for post in [false, true] {
                let client = app.new_client();
                let request = if post { client.post(app.url(path)) } else { client.get(app.url(path)) };
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), 404, "{path}");
            }
        }
    }
}

/// A server whose workers do not run: what is queued stays queued.
async fn idle_app() -> TestApp {
    TestApp::spawn_with(common::Backend::Sqlite, |s| s.notify.workers = 0)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_an_engineer_cancels_what_was_not_sent() {
    let app = idle_app().await;
    app.create_admin().await;
    let id = app
        .add_as_admin(&[("name", "Ed"), ("mobile", "+86 138 0013 8000")])
        .await
        .userid
        .unwrap();
    assert_eq!(
        app.count("SELECT count(*) FROM deliveries WHERE status = 'queued'")
            .await,
        1
    );
    let deleted = app
        .admin_call(
            OPERATION_SERVLET,
            "DeleteTechnician",
            &[("userid", &id.to_string())],
        )
        .await;
    assert!(deleted.is_success(), "{deleted:?}");
    assert_eq!(
        app.count("SELECT count(*) FROM deliveries WHERE status = 'cancelled'")
            .await,
        1
    );
}

/// Whatever queues a message wakes the delivery workers when it commits: with a poll of an
/// hour, each of these arrives only because its own writer woke them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_path_that_queues_a_message_wakes_the_workers() {
    let app = TestApp::spawn_with(common::Backend::Sqlite, |s| {
        s.notify.poll = Duration::from_secs(3600);
    })
    .await
    .unwrap();
    app.create_admin().await;
    // An XML add (the batched add writer) and its e-mail confirmation.
    let id = app
        .add_as_admin(&[
            ("name", "Wu"),
            ("loginName", "wu"),
            ("email", "wu@example.com"),
        ])
        .await
        .userid
        .expect("added");
    let text = common::captured_to(&app, "wu@example.com", 1).await;
    assert!(text.contains("/confirm/"), "{text}");
    // An XML update that adds a mobile, and its SMS confirmation.
    let updated = app
        .admin_call(
            TECHNICIAN_SERVLET,
            "UpdateTechnician",
            &[("userid", &id.to_string()), ("mobile", "+86 138 0013 8001")],
        )
        .await;
    assert!(updated.is_success(), "{updated:?}");
    let link = link_in(&common::captured_to(&app, "+8613800138001", 1).await);
    assert_eq!(
        app.new_client().post(&link).send().await.unwrap().status(),
        200
    );
    // The notification API.
    let key = api_key(&app, "wake").await;
    let body = r#"{"to":{"engineers":["wu"]},"channels":["sms"],"text":"Wake test","idempotency_key":"wake-1"}"#;
    let (status, answer) = api_post(&app, Some(&key), body).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(
        common::captured_to(&app, "+8613800138001", 2).await,
        "Wake test"
    );
}

/// An application whose SMS gateway is `gateway`, with quick retries.
async fn with_gateway(gateway: &Loopback) -> TestApp {
    let url = gateway.url("/send");
    // No --webhook-allow: the gateway is trusted on its own option.
    TestApp::spawn_with(common::Backend::Sqlite, move |s| {
        s.notify.sms_gateway_url = Some(url);
        s.notify.sms_gateway_token = Some("gw-token-1".to_owned().into());
        s.notify.retries.base_ms = 50;
        s.notify.http_timeout = Duration::from_secs(1);
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_or_hanging_provider_is_cut_off_and_tried_again() {
    let gateway = Loopback::start(Answer::new(200, "{}")).await;
    gateway.then(Answer::new(500, &"é".repeat(512 * 1024)));
    gateway.then(Answer::new(200, "{}").delayed(Duration::from_secs(3)));
    let app = with_gateway(&gateway).await;
    app.create_admin().await;
    app.add_as_admin(&[("name", "Ny"), ("mobile", "+86 138 0013 8000")])
        .await;
    app.wait_for_count(
        "SELECT count(*) FROM deliveries WHERE status = 'delivered'",
        1,
    )
    .await;
    let answers: Vec<(String, String)> =
        sqlx::query_as("SELECT outcome, answer FROM delivery_attempts ORDER BY attempt")
            .fetch_all(app.db.reader())
            .await
            .unwrap();
    let outcomes: Vec<&str> = answers.iter().map(|a| a.0.as_str()).collect();
    assert_eq!(outcomes, ["retry", "retry", "delivered"], "{answers:?}");
    assert!(
        answers[0].1.starts_with("HTTP 500 éé") && answers[0].1.chars().count() < 600,
        "a 1 MiB answer is kept short"
    );
    assert!(answers[1].1.contains("timed out"), "{}", answers[1].1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sms_gateway_gets_the_contract_and_busy_answers_are_retried() {
    let gateway = Loopback::start(Answer::new(202, r#"{"id":"m-1"}"#)).await;
    gateway.then(Answer::new(503, "busy").header("retry-after", "1"));
    let app = with_gateway(&gateway).await;
    app.create_admin().await;
    let id = app
        .add_as_admin(&[("name", "Fa"), ("mobile", "+86 138 0013 8000")])
        .await
        .userid
        .unwrap();
    let requests = gateway.wait_for(2).await;
    assert_eq!(requests.len(), 2, "one refused, one accepted");
    let first = requests[0].json();
    assert_eq!(first["to"], "+8613800138000");
    assert_eq!(first["channel"], "sms");
    assert!(first["text"].as_str().unwrap().contains("/confirm/"));
    assert_eq!(
        first["idempotency_key"],
        requests[1].json()["idempotency_key"],
        "a retry carries the same key"
    );
    assert_eq!(requests[0].headers["authorization"], "Bearer gw-token-1");
    // Retry-After: 1 was honoured.
    app.wait_for_count(
        "SELECT count(*) FROM deliveries WHERE status = 'delivered'",
        1,
    )
    .await;
    let attempts: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT a.attempt, a.outcome, a.at FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id \
         WHERE d.technician_id = $1 ORDER BY a.attempt",
    )
    .bind(id)
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    assert_eq!(
        attempts.iter().map(|a| a.1.as_str()).collect::<Vec<_>>(),
        ["retry", "delivered"]
    );
    assert!(attempts[1].2 - attempts[0].2 >= 1000, "{attempts:?}");
    assert_eq!(
        app.count("SELECT count(*) FROM captured_messages").await,
        0,
        "a configured provider captures nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_is_final_and_attempts_are_bounded() {
    let gateway = Loopback::start(Answer::new(500, "down")).await;
    gateway.then(Answer::new(400, r#"{"error":"bad number"}"#));
    let app = with_gateway(&gateway).await;
    app.create_admin().await;
    app.add_as_admin(&[("name", "Gu"), ("mobile", "+86 138 0013 8000")])
        .await;
    app.wait_for_count("SELECT count(*) FROM deliveries WHERE status = 'dead'", 1)
        .await;
    let (answer, attempts): (String, i64) =
        sqlx::query_as("SELECT last_answer, attempts FROM deliveries")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert!(
        answer.contains("400") && answer.contains("bad number"),
        "{answer}"
    );
    assert_eq!(attempts, 1);
    // A server that keeps failing is tried a bounded number of times, then left dead.
    app.add_as_admin(&[("name", "Ha"), ("mobile", "+86 138 0013 8001")])
        .await;
    app.wait_for_count("SELECT count(*) FROM deliveries WHERE status = 'dead'", 2)
        .await;
    let (answer, attempts): (String, i64) = sqlx::query_as(
        "SELECT last_answer, attempts FROM deliveries WHERE recipient = '+8613800138001'",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(attempts, 8);
    assert!(answer.contains("gave up after 8 attempts"), "{answer}");
}

/// A refused message shows in the delivery log with the provider's answer; an SDAdmin
/// retries it, without JavaScript, and it goes out once more with the same key.
async fn a_dead_letter_is_logged_and_retried_once(backend: common::Backend) {
    let gateway = Loopback::start(Answer::new(202, r#"{"id":"ok"}"#)).await;
    gateway.then(Answer::new(400, r#"{"error":"number <b>barred</b>"}"#));
    gateway.then(Answer::new(400, r#"{"error":"number barred"}"#));
    let url = gateway.url("/send");
    let Some(app) = TestApp::spawn_with(backend, move |s| {
        s.notify.sms_gateway_url = Some(url);
        s.notify.retries.base_ms = 50;
    })
    .await
    else {
        return;
    };
    app.create_admin().await;
    for (name, mobile) in [("Pia", "+86 138 0013 8000"), ("Quy", "+86 138 0013 8001")] {
        app.add_as_admin(&[("name", name), ("mobile", mobile)])
            .await;
    }
    app.wait_for_count("SELECT count(*) FROM deliveries WHERE status = 'dead'", 2)
        .await;
    let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let page = admin
        .get(app.url("/deliveries?status=dead"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for expected in [
        "Pia",
        "+8613800138000",
        "number &lt;b&gt;barred",
        "dead (2)",
        "on the way (0)",
        "Retry delivery",
    ] {
        assert!(html.contains(expected), "{expected} missing in {html}");
    }
    assert!(
        !html.contains("<b>barred"),
        "a provider's answer is text, never markup"
    );
    let (id,): (i64,) =
        sqlx::query_as("SELECT id FROM deliveries WHERE recipient = '+8613800138000'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    // A plain form post, as the button sends without JavaScript.
    let retried = admin
        .post(app.url("/api/retry_delivery"))
        .header("accept", "text/html,application/xhtml+xml")
        .form(&[
            ("id", id.to_string().as_str()),
            ("back", "/deliveries?status=dead"),
        ])
        .send()
        .await
        .unwrap();
    assert!(retried.status().is_redirection(), "{}", retried.status());
    assert_eq!(
        retried.headers()["location"],
        format!("/deliveries?status=dead&retried={id}").as_str()
    );
    app.wait_for_count(
        "SELECT count(*) FROM deliveries WHERE status = 'delivered'",
        1,
    )
    .await;
    let requests = gateway.wait_for(3).await;
    let keys: Vec<String> = requests
        .iter()
        .filter(|r| r.json()["to"] == "+8613800138000")
        .map(|r| {
            r.json()["idempotency_key"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(
        keys.len(),
        2,
        "refused once, then sent once after the retry"
    );
    assert_eq!(keys[0], keys[1], "the retry carries the same key");
    let attempts: Vec<(i64, String)> = sqlx::query_as(
        "SELECT attempt, outcome FROM delivery_attempts WHERE delivery_id = $1 ORDER BY attempt",
    )
    .bind(id)
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    assert_eq!(
        attempts,
        [(1, "failed".to_owned()), (2, "delivered".to_owned())]
    );
    let html = admin
        .get(app.url("/deliveries"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("delivered (1)") && html.contains("2 attempts"),
        "{html}"
    );
    // Only a dead letter can be retried, and a missing one is not found.
    let again = [("id", id.to_string()), ("back", "/deliveries".to_owned())];
    let again: Vec<(&str, &str)> = again.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = app.server_fn(&admin, "retry_delivery", &again).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        common::said(&body).contains("is delivered, not dead"),
        "{body}"
    );
    let (status, _) = app
        .server_fn(
            &admin,
            "retry_delivery",
            &[("id", "999999"), ("back", "/deliveries")],
        )
        .await;
    assert_eq!(status, 404);
    for hostile in ["x", "", "1e3", "99999999999999999999"] {
        let (status, _) = app
            .server_fn(
                &admin,
                "retry_delivery",
                &[("id", hostile), ("back", "/deliveries")],
            )
            .await;
        assert!((400..500).contains(&status), "{hostile}: {status}");
    }
    // Two retries of the other dead letter at once: one is queued, the other is told.
    let (other,): (i64,) =
        sqlx::query_as("SELECT id FROM deliveries WHERE recipient = '+8613800138001'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    let other = other.to_string();
    let form = [("id", other.as_str()), ("back", "//evil.example")];
    let (a, b) = tokio::join!(
        app.server_fn(&admin, "retry_delivery", &form),
        app.server_fn(&admin, "retry_delivery", &form)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert!(statuses[0] < 400 && statuses[1] == 409, "{a:?} {b:?}");
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'delivery.retry'")
            .await,
        2
    );
    // Filters and pages that make no sense show something sensible.
    for query in [
        "?status=%00&page=0",
        "?page=4294967295",
        "?status=é&page=-1",
    ] {
        let page = admin
            .get(app.url(&format!("/deliveries{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{query}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_letter_is_logged_and_retried_once_on_sqlite() {
    a_dead_letter_is_logged_and_retried_once(common::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_letter_is_logged_and_retried_once_on_postgres() {
    a_dead_letter_is_logged_and_retried_once(common::Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_workers_lease_is_taken_over() {
    let app = idle_app().await;
    app.create_admin().await;
    app.add_as_admin(&[("name", "Io"), ("email", "io@example.com")])
        .await;
    // A worker claims the delivery and dies without a word.
    let now = app.clock.now();
    let claimed = app::service::outbox::claim(&app.db, "dead-worker", 10, 1_000, now)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(
        app::service::outbox::claim(&app.db, "other", 10, 1_000, now)
            .await
            .unwrap()
            .is_empty(),
        "a held lease is not claimed twice"
    );
    let later = app::service::outbox::claim(&app.db, "other", 10, 1_000, now + 1_001)
        .await
        .unwrap();
    assert_eq!(later.len(), 1, "the lease ran out");
    assert_eq!(later[0].attempt, 2);
    // The dead worker's late report changes nothing.
    let outcome = app::service::outbox::Outcome::Failed("late".into());
    app::service::outbox::finish(
        &app.db,
        "dead-worker",
        Default::default(),
        &[(claimed[0].clone(), outcome)],
        now + 2_000,
    )
    .await
    .unwrap();
    assert_eq!(
        app.count("SELECT count(*) FROM deliveries WHERE status = 'sending'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_goes_over_real_smtp() {
    let (port, received) = common::smtp::start();
    let app = TestApp::spawn_with(common::Backend::Sqlite, move |s| {
        s.notify.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
        s.notify.mail_from = Some("Crewdesk <noreply@crewdesk.test>".into());
    })
    .await
    .unwrap();
    app.create_admin().await;
    app.add_as_admin(&[("name", "Jo"), ("email", "jo@example.com")])
        .await;
    app.wait_for_count(
        "SELECT count(*) FROM deliveries WHERE status = 'delivered'",
        1,
    )
    .await;
    let mails = received.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].from, "noreply@crewdesk.test");
    assert_eq!(mails[0].to, vec!["jo@example.com".to_owned()]);
    let text = common::smtp::quoted_printable(&mails[0].data);
    assert!(text.contains("Confirm your Crewdesk email"), "{text}");
    // The link in the mail is the one that confirms.
    let link = link_in(&text);
    assert_eq!(
        app.new_client().post(&link).send().await.unwrap().status(),
        200,
        "{link}"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM subscriptions WHERE state = 'confirmed'")
            .await,
        1
    );
    let (answer,): (String,) = sqlx::query_as("SELECT last_answer FROM deliveries")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert!(answer.starts_with("SMTP 250"), "{answer}");
}

/// An application that may post to `server` (and only there).
async fn allowing(server: &Loopback) -> TestApp {
    let allow = server.allow_entry();
    TestApp::spawn_with(common::Backend::Sqlite, move |s| {
        s.notify.webhook_allow = vec![allow];
        s.notify.http_timeout = Duration::from_secs(1);
        s.notify.retries.base_ms = 50;
    })
    .await
    .unwrap()
}

/// Saves `fields` (`form[...]` pairs) through the console's Edit dialog as the root admin.
async fn save_edit(app: &TestApp, id: i64, fields: &[(&str, &str)]) -> (u16, String) {
    let admin = signed_in(app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let (version,): (i64,) = sqlx::query_as("SELECT version FROM technicians WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let (id, version) = (id.to_string(), version.to_string());
    let mut form = vec![
        ("id", id.as_str()),
        ("version", version.as_str()),
        ("back", "/"),
    ];
    form.extend_from_slice(fields);
    app.server_fn(&admin, "update_engineer", &form).await
}

/// An engineer with robot webhooks pointing at `robot`, all three beta channels on, saved
/// in the console as an operator allows with `--webhook-allow`.
async fn engineer_with_robots(app: &TestApp, robot: &Loopback, secret: &str) -> i64 {
    app.create_admin().await;
    enable_beta(app).await;
    let id = app.add_as_admin(&[("name", "Ko")]).await.userid.unwrap();
    let (wecom, dingtalk, lark) = (
        robot.url("/cgi-bin/webhook/send?key=wk"),
        robot.url("/robot/send?access_token=dt"),
        robot.url("/open-apis/bot/v2/hook/lk"),
    );
    let (status, body) = save_edit(
        app,
        id,
        &[
            ("form[contact][wecom_webhook]", &wecom),
            ("form[contact][dingtalk_webhook]", &dingtalk),
            ("form[contact][dingtalk_secret]", secret),
            ("form[contact][lark_webhook]", &lark),
            ("form[contact][lark_secret]", secret),
        ],
    )
    .await;
    assert!(status < 400, "{body}");
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_allowlist_decides_what_may_be_saved() {
    let robot = Loopback::start(Answer::new(200, r#"{"errcode":0}"#)).await;
    let loopback = robot.url("/cgi-bin/webhook/send?key=wk");
    let provider = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wk";
    // The default allowlist: the providers' hosts only.
    let app = idle_app().await;
    app.create_admin().await;
    enable_beta(&app).await;
    let id = app.add_as_admin(&[("name", "Lu")]).await.userid.unwrap();
    let (status, body) = save_edit(&app, id, &[("form[contact][wecom_webhook]", &loopback)]).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        common::said(&body).contains("https://") && body.contains("wecom_webhook"),
        "{body}"
    );
    let (status, body) = save_edit(&app, id, &[("form[contact][wecom_webhook]", provider)]).await;
    assert!(status < 400, "{body}");
    // --webhook-allow replaces it: the listed loopback server, and nothing else.
    let app = allowing(&robot).await;
    app.create_admin().await;
    enable_beta(&app).await;
    let id = app.add_as_admin(&[("name", "Lu")]).await.userid.unwrap();
    let (status, body) = save_edit(&app, id, &[("form[contact][wecom_webhook]", provider)]).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        common::said(&body).contains(&format!(
            "must be on a host this server posts to: {}",
            robot.allow_entry()
        )),
        "{body}"
    );
    let other_port = format!("http://127.0.0.1:{}/x", robot.addr.port().wrapping_add(1));
    let user_info = robot.url("/x").replace("http://", "http://user@");
    for hostile in [
        other_port.as_str(),
        user_info.as_str(),
        "http://127.0.0.1\u{0}/x",
    ] {
        let (status, body) = save_edit(&app, id, &[("form[contact][lark_webhook]", hostile)]).await;
        assert_eq!(status, 422, "{hostile}: {body}");
    }
    let (status, body) = save_edit(&app, id, &[("form[contact][wecom_webhook]", &loopback)]).await;
    assert!(status < 400, "{body}");
    let (stored,): (Option<String>,) = sqlx::query_as(
        "SELECT address FROM contact_points WHERE technician_id = $1 AND channel = 'wecom'",
    )
    .bind(id)
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(stored.as_deref(), Some(loopback.as_str()));
    // The Edit dialog gets the allowlist, so the browser checks webhooks as the server does.
    let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let (_, view) = app
        .server_fn(&admin, "edit_view", &[("id", &id.to_string())])
        .await;
    let view: Value = serde_json::from_str(&view).unwrap();
    assert_eq!(
        view["webhook_hosts"]["origins"][0]["host"], "127.0.0.1",
        "{view}"
    );
}

/// The SMS gateway is trusted on its own option (an http:// gateway on loopback works with
/// no --webhook-allow) and lends the robots nothing: an engineer cannot save a webhook at the
/// gateway's address, and one written there behind the console's back is never posted to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sms_gateway_is_trusted_on_its_own_option_and_lends_robots_nothing() {
    let gateway = Loopback::start(Answer::new(202, r#"{"id":"m-1"}"#)).await;
    let app = with_gateway(&gateway).await;
    app.create_admin().await;
    enable_beta(&app).await;
    let id = app
        .add_as_admin(&[("name", "Gi"), ("mobile", "+86 138 0013 8000")])
        .await
        .userid
        .unwrap();
    app.wait_for_count(
        "SELECT count(*) FROM deliveries WHERE status = 'delivered'",
        1,
    )
    .await;
    let at_gateway = gateway.url("/cgi-bin/webhook/send?key=wk");
    let (status, body) =
        save_edit(&app, id, &[("form[contact][wecom_webhook]", &at_gateway)]).await;
    assert_eq!(status, 422, "{body}");
    sqlx::query(
        "INSERT INTO contact_points (technician_id, channel, address, updated_at) \
         VALUES ($2, 'wecom', $1, 0) \
         ON CONFLICT (technician_id, channel) DO UPDATE SET address = $1",
    )
    .bind(&at_gateway)
    .bind(id)
    .execute(app.db.writer())
    .await
    .unwrap();
    let key = api_key(&app, "monitoring").await;
    let (status, answer) = api_post(
        &app,
        Some(&key),
        &format!(
            r#"{{"to":{{"engineers":[{id}]}},"channels":["wecom"],"text":"to the gateway?","idempotency_key":"gw-1"}}"#
        ),
    )
    .await;
    assert_eq!(status, 202, "{answer}");
    app.wait_for_count(
        "SELECT count(*) FROM deliveries WHERE channel = 'wecom' AND status = 'dead'",
        1,
    )
    .await;
    let (answer,): (String,) = sqlx::query_as(
        "SELECT a.answer FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.channel = 'wecom'",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert!(answer.contains("allowlist"), "{answer}");
    assert_eq!(gateway.requests().len(), 1, "the gateway got the SMS only");
}

fn hmac_base64(key: &[u8], message: &[u8]) -> String {
    use base64::Engine;
    use hmac::Mac;
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(key).unwrap();
    mac.update(message);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Answers like the real robots: checks DingTalk's and Lark's signatures byte for byte.
fn robot_judge(secret: &'static str) -> Judge {
    Arc::new(move |request| {
        let ok = |code: &str| Some(Answer::new(200, &format!(r#"{{"{code}":0,"msg":"ok"}}"#)));
        if request.uri.starts_with("/robot/send") {
            let query: std::collections::HashMap<String, String> =
                url::form_urlencoded::parse(request.uri.split_once('?').unwrap().1.as_bytes())
                    .into_owned()
                    .collect();
            let timestamp = query.get("timestamp")?;
            let expected = hmac_base64(
                secret.as_bytes(),
                format!("{timestamp}\n{secret}").as_bytes(),
            );
            let good = query.get("sign") == Some(&expected)
                && request.json()["text"]["content"].is_string();
            return if good {
                ok("errcode")
            } else {
                Some(Answer::new(
                    200,
                    r#"{"errcode":310000,"errmsg":"sign not match"}"#,
                ))
            };
        }
        if request.uri.starts_with("/open-apis/") {
            let body = request.json();
            let timestamp = body["timestamp"].as_str()?;
            let expected = hmac_base64(format!("{timestamp}\n{secret}").as_bytes(), b"");
            let good = body["sign"] == expected.as_str() && body["msg_type"] == "text";
            return if good {
                ok("code")
            } else {
                Some(Answer::new(
                    200,
                    r#"{"code":19021,"msg":"sign match fail"}"#,
                ))
            };
        }
        let good = request.json()["msgtype"] == "text";
        if good {
            ok("errcode")
        } else {
            None
        }
    })
}

/// Sends engineer `id` a test message on each robot from the Subscribe dialog, and waits
/// until all three are delivered.
async fn test_every_robot(app: &TestApp, admin: &reqwest::Client, id: i64) {
    for channel in ["wecom", "dingtalk", "lark"] {
        let (status, body) = app
            .server_fn(
                admin,
                "send_test_notification",
                &[("id", &id.to_string()), ("channel", channel)],
            )
            .await;
        assert!(status < 400, "{body}");
    }
    assert_eq!(
        app.wait_for_count(
            "SELECT count(*) FROM deliveries WHERE status = 'delivered'",
            3
        )
        .await,
        3,
        "{:?}",
        sqlx::query_as::<_, (String, Option<String>)>(
            "SELECT channel, last_answer FROM deliveries"
        )
        .fetch_all(app.db.reader())
        .await
        .unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_robot_is_posted_to_signed_as_its_provider_checks() {
    let secret = "SEC+/=ünï";
    let robot =
        Loopback::start_judging(Answer::new(500, "unexpected"), Some(robot_judge(secret))).await;
    let app = allowing(&robot).await;
    let id = engineer_with_robots(&app, &robot, secret).await;
    let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    test_every_robot(&app, &admin, id).await;
    // Cool-down: the same test again is refused.
    let (status, _) = app
        .server_fn(
            &admin,
            "send_test_notification",
            &[("id", &id.to_string()), ("channel", "lark")],
        )
        .await;
    assert_eq!(status, 429);
    // The webhook's token never reaches the log of attempts.
    assert_eq!(app.count("SELECT count(*) FROM deliveries WHERE recipient LIKE '%access_token%' OR recipient LIKE '%key=wk%'").await, 0);
}

/// A database the release before contact points filled: robot webhooks and secrets in the
/// technicians' own columns. After the upgrade every robot still gets its messages, signed
/// with the secret it had; no secret is left readable; nothing is lost.
async fn robots_saved_before_contact_points_keep_working_after_the_upgrade(
    backend: common::Backend,
) {
    let secret = "SEC+/=ünï";
    let robot =
        Loopback::start_judging(Answer::new(500, "unexpected"), Some(robot_judge(secret))).await;
    let Some((url, old)) = common::database_at(backend, 14).await else {
        return;
    };
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO technicians (name, search_text, name_key, created_at, updated_at, \
         wecom_webhook, dingtalk_webhook, dingtalk_secret, lark_webhook, lark_secret) \
         VALUES ('Ko', 'ko', 'ko', 0, 0, $1, $2, $3, $4, $3) RETURNING id",
    )
    .bind(robot.url("/cgi-bin/webhook/send?key=wk"))
    .bind(robot.url("/robot/send?access_token=dt"))
    .bind(secret)
    .bind(robot.url("/open-apis/bot/v2/hook/lk"))
    .fetch_one(old.writer())
    .await
    .unwrap();
    // A secret saved before its webhook: kept too.
    sqlx::query(
        "INSERT INTO technicians (name, search_text, name_key, created_at, updated_at, \
         dingtalk_secret) VALUES ('Mo', 'mo', 'mo', 0, 0, 'SEConlythesecret')",
    )
    .execute(old.writer())
    .await
    .unwrap();
    drop(old);
    let allow = robot.allow_entry();
    let app = TestApp::spawn_on(url, move |s| {
        s.notify.webhook_allow = vec![allow];
        s.notify.http_timeout = Duration::from_secs(1);
    })
    .await;
    let points: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT t.name, c.channel, c.address, c.secret_hint FROM contact_points c \
         JOIN technicians t ON t.id = c.technician_id ORDER BY t.name, c.channel",
    )
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    let hook = |path: &str| Some(robot.url(path));
    assert_eq!(
        points,
        vec![
            (
                "Ko".into(),
                "dingtalk".into(),
                hook("/robot/send?access_token=dt"),
                Some("=ünï".into())
            ),
            (
                "Ko".into(),
                "lark".into(),
                hook("/open-apis/bot/v2/hook/lk"),
                Some("=ünï".into())
            ),
            (
                "Ko".into(),
                "wecom".into(),
                hook("/cgi-bin/webhook/send?key=wk"),
                None
            ),
            ("Mo".into(), "dingtalk".into(), None, Some("cret".into())),
        ]
    );
    // Every secret is sealed at the first start: none is left as it was typed.
    assert_eq!(
        app.count("SELECT count(*) FROM contact_points WHERE unsealed_secret IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) FROM contact_points WHERE secret LIKE 'v1:%'")
            .await,
        3
    );
    assert_eq!(app.count("SELECT count(*) FROM contact_points WHERE secret LIKE '%SEC+/=%' OR secret LIKE '%onlythesecret%'").await, 0);
    assert!(
        sqlx::query("SELECT wecom_webhook FROM technicians")
            .fetch_all(app.db.reader())
            .await
            .is_err(),
        "the old columns are gone"
    );
    app.create_admin().await;
    enable_beta(&app).await;
    let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let (_, view) = app
        .server_fn(&admin, "edit_view", &[("id", &id.to_string())])
        .await;
    assert!(view.contains("=ünï") && !view.contains("SEC+"), "{view}");
    // The robots' judge checks DingTalk's and Lark's signatures with the original secret.
    test_every_robot(&app, &admin, id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_saved_before_contact_points_keep_working_after_the_upgrade_on_sqlite() {
    robots_saved_before_contact_points_keep_working_after_the_upgrade(common::Backend::Sqlite)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_saved_before_contact_points_keep_working_after_the_upgrade_on_postgres() {
    robots_saved_before_contact_points_keep_working_after_the_upgrade(common::Backend::Postgres)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robot_refusals_and_rate_limit_codes_are_read_from_the_body() {
    let robot = Loopback::start(Answer::new(200, r#"{"errcode":0}"#)).await;
    robot.then(Answer::new(
        200,
        r#"{"errcode":130101,"errmsg":"send too fast"}"#,
    ));
    let app = allowing(&robot).await;
    let id = engineer_with_robots(&app, &robot, "SECsigning1").await;
    let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    app.server_fn(
        &admin,
        "send_test_notification",
        &[("id", &id.to_string()), ("channel", "dingtalk")],
    )
    .await;
    app.wait_for_count(
        "SELECT count(*) FROM deliveries WHERE status = 'retrying'",
        1,
    )
    .await;
    let (next, answer): (i64, String) =
        sqlx::query_as("SELECT next_attempt_at - updated_at, last_answer FROM deliveries")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert!(next >= 60_000, "DingTalk's 130101 waits a minute: {next}");
    assert!(answer.contains("130101"), "{answer}");
    app.clock.advance(61_000);
    app.wait_for_count(
        "SELECT count(*) FROM deliveries WHERE status = 'delivered'",
        1,
    )
    .await;
    // A permanent refusal (no such robot) is final at once.
    robot.then(Answer::new(
        200,
        r#"{"errcode":300005,"errmsg":"token is not exist"}"#,
    ));
    app.server_fn(
        &admin,
        "send_test_notification",
        &[("id", &id.to_string()), ("channel", "wecom")],
    )
    .await;
    app.wait_for_count("SELECT count(*) FROM deliveries WHERE status = 'dead'", 1)
        .await;
    let (attempts,): (i64,) =
        sqlx::query_as("SELECT attempts FROM deliveries WHERE status = 'dead'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(attempts, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_private_addresses_and_unlisted_hosts_are_never_followed() {
    let metadata = Loopback::start(Answer::new(200, r#"{"errcode":0}"#)).await;
    let robot = Loopback::start(
        Answer::new(302, "").header("location", "http://169.254.169.254/latest/meta-data/"),
    )
    .await;
    let app = allowing(&robot).await;
    let id = engineer_with_robots(&app, &robot, "SECsigning1").await;
    // Lark points at a loopback server that is not on the allowlist.
    sqlx::query(
        "INSERT INTO contact_points (technician_id, channel, address, updated_at) \
         VALUES ($2, 'lark', $1, 0) \
         ON CONFLICT (technician_id, channel) DO UPDATE SET address = $1",
    )
    .bind(metadata.url("/open-apis/bot/v2/hook/x"))
    .bind(id)
    .execute(app.db.writer())
    .await
    .unwrap();
    let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    for channel in ["wecom", "lark"] {
        app.server_fn(
            &admin,
            "send_test_notification",
            &[("id", &id.to_string()), ("channel", channel)],
        )
        .await;
    }
    app.wait_for_count("SELECT count(*) FROM deliveries WHERE status = 'dead'", 2)
        .await;
    let answers: Vec<(String, String)> =
        sqlx::query_as("SELECT channel, last_answer FROM deliveries ORDER BY channel")
            .fetch_all(app.db.reader())
            .await
            .unwrap();
    assert!(answers[0].1.contains("not on the allowlist"), "{answers:?}");
    assert!(answers[1].1.contains("302"), "{answers:?}");
    assert_eq!(robot.requests().len(), 1);
    assert!(
        metadata.requests().is_empty(),
        "nothing reached the unlisted server"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_robot_is_never_sent_more_than_its_limit_and_nothing_is_dropped() {
    let robot = Loopback::start(Answer::new(200, r#"{"errcode":0}"#)).await;
    let app = allowing(&robot).await;
    let id = engineer_with_robots(&app, &robot, "SECsigning1").await;
    let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    // 25 tests to one WeCom robot (20 a minute), a minute of clock apart as far as the
    // cool-down is concerned but sent within the same real minute.
    for _ in 0..25 {
        let (status, body) = app
            .server_fn(
                &admin,
                "send_test_notification",
                &[("id", &id.to_string()), ("channel", "wecom")],
            )
            .await;
        assert!(status < 400, "{body}");
        sqlx::query("UPDATE deliveries SET created_at = created_at - 120000")
            .execute(app.db.writer())
            .await
            .unwrap();
    }
    assert_eq!(
        app.wait_for_count(
            "SELECT count(*) FROM deliveries WHERE status = 'delivered'",
            20
        )
        .await,
        20
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(robot.requests().len(), 20, "the 21st waits for the window");
    assert_eq!(
        app.count("SELECT count(*) FROM deliveries WHERE status = 'queued'")
            .await,
        5,
        "nothing dropped"
    );
    app.clock.advance(61_000);
    assert_eq!(
        app.wait_for_count(
            "SELECT count(*) FROM deliveries WHERE status = 'delivered'",
            25
        )
        .await,
        25
    );
    assert_eq!(robot.requests().len(), 25);
}

async fn api_key(app: &TestApp, name: &str) -> String {
    common::api_key(app, name, None, &[]).await
}

async fn api_post(app: &TestApp, key: Option<&str>, body: &str) -> (u16, Value) {
    let mut request = app
        .new_client()
        .post(app.url("/api/v1/notifications"))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON answer: {text}")),
    )
}

mod api {
    use super::*;

    on_both_backends! {
        async fn the_notification_api_queues_what_is_usable_and_skips_the_rest(app: TestApp) {
            app.create_admin().await;
            let id = app.add_as_admin(&[("name", "Lu"), ("loginName", "lu"), ("mobile", "+86 138 0013 8000")]).await.userid.unwrap();
            let link = link_in(&common::captured_to(&app, "+8613800138000", 1).await);
            assert_eq!(app.new_client().post(&link).send().await.unwrap().status(), 200);
            let key = api_key(&app, "monitoring").await;
            let body = r#"{"to":{"engineers":["lu"]},"channels":["sms","email","wecom"],"text":"Disk full on db-1","idempotency_key":"alert-1"}"#;
            // No key, a wrong key: 401 and nothing queued.
            let before = app.count("SELECT count(*) FROM deliveries").await;
            assert_eq!(api_post(&app, None, body).await.0, 401);
            let (status, answer) = api_post(&app, Some(&format!("cdk_{}", "0".repeat(64))), body).await;
            assert_eq!((status, answer["code"].as_str()), (401, Some("unauthorized")));
            assert_eq!(app.count("SELECT count(*) FROM deliveries").await, before);
            let (status, answer) = api_post(&app, Some(&key), body).await;
            assert_eq!(status, 202, "{answer}");
            let deliveries = answer["deliveries"].as_array().unwrap();
            let of = |channel: &str| deliveries.iter().find(|d| d["channel"] == channel).unwrap().clone();
            assert_eq!(of("sms")["status"], "queued");
            assert_eq!(of("sms")["engineer"], id);
            assert_eq!(of("email")["status"], "skipped");
            assert!(of("email")["reason"].as_str().unwrap().contains("not confirmed"));
            assert!(of("wecom")["reason"].as_str().unwrap().contains("beta"));
            let text = common::captured_to(&app, "+8613800138000", 2).await;
            assert_eq!(text, "Disk full on db-1");
            // The same idempotency key: the same notification, nothing sent again.
            let (status, again) = api_post(&app, Some(&key), body).await;
            assert_eq!((status, &again["id"]), (202, &answer["id"]));
            assert_eq!(app.count("SELECT count(*) FROM captured_messages").await, 2);
            let status_url = app.url(&format!("/api/v1/notifications/{}", answer["id"]));
            let polled: Value = app.new_client().get(&status_url).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
            let sms = polled["deliveries"].as_array().unwrap().iter().find(|d| d["channel"] == "sms").unwrap().clone();
            assert_eq!((sms["status"].as_str(), sms["attempts"].as_i64()), (Some("delivered"), Some(1)), "{polled}");
            // Another key sees nothing of it.
            let other = api_key(&app, "other").await;
            assert_eq!(app.new_client().get(&status_url).bearer_auth(&other).send().await.unwrap().status(), 404);
        }

        async fn the_notification_api_refuses_bad_requests_whole(app: TestApp) {
            app.create_admin().await;
            app.add_as_admin(&[("name", "Mo"), ("loginName", "mo")]).await;
            let key = api_key(&app, "k").await;
            for (body, status, needle, code) in [
                ("not json", 400, "not a notification request", None),
                (r#"{"to":{"engineers":["mo","nobody"]},"text":"x","idempotency_key":"a"}"#, 400, "no engineer", Some("no_such_engineer")),
                (r#"{"to":{"groups":["Nowhere-Team"]},"text":"x","idempotency_key":"a"}"#, 400, "no group", Some("no_such_group")),
                (r#"{"to":{"engineers":["mo"]},"channels":["fax"],"text":"x","idempotency_key":"a"}"#, 400, "fax", Some("not_a_channel")),
                (r#"{"to":{"engineers":["mo"]},"text":"  ","idempotency_key":"a"}"#, 400, "text", Some("required")),
                (r#"{"to":{},"text":"x","idempotency_key":"a"}"#, 400, "at least one", Some("no_recipient")),
                (r#"{"to":{"engineers":[true]},"text":"x","idempotency_key":"a"}"#, 400, "neither", Some("not_id_or_login")),
            ] {
                let (got, answer) = api_post(&app, Some(&key), body).await;
                assert_eq!(got, status, "{body}: {answer}");
                assert!(answer["error"].as_str().unwrap().contains(needle), "{body}: {answer}");
                if let Some(code) = code {
                    // Each field's problem as a code a program can branch on, and its text.
                    let problem = &answer["errors"][0];
                    assert_eq!(problem["code"].as_str(), Some(code), "{body}: {answer}");
                    assert!(!problem["detail"].as_str().unwrap().is_empty(), "{body}: {answer}");
                }
            }
            let huge = format!(r#"{{"to":{{"engineers":["mo"]}},"text":"{}","idempotency_key":"a"}}"#, "x".repeat(70 * 1024));
            assert_eq!(api_post(&app, Some(&key), &huge).await.0, 413);
            assert_eq!(app.count("SELECT count(*) FROM notifications WHERE kind = 'api'").await, 0);
            let ctx = app::service::AuditContext::new(app::service::Source::Cli, None);
            app::service::api_keys::revoke(&app.db, &app::service::Actor::operator(), &ctx, "k", app.clock.now()).await.unwrap();
            let ok = r#"{"to":{"engineers":["mo"]},"text":"x","idempotency_key":"a"}"#;
            assert_eq!(api_post(&app, Some(&key), ok).await.0, 401, "a revoked key is refused at once");
        }

        async fn the_same_request_sent_30_times_at_once_is_one_notification(app: TestApp) {
            app.create_admin().await;
            app.add_as_admin(&[("name", "Ōno"), ("loginName", "ono")]).await;
            let key = api_key(&app, "k").await;
            let body = format!(r#"{{"to":{{"engineers":["ono"]}},"text":"{}","idempotency_key":"告警-1"}}"#, "磁盘已满 🚨 ".repeat(300));
            let answers = futures::future::join_all((0..30).map(|_| api_post(&app, Some(&key), &body))).await;
            let ids: std::collections::BTreeSet<String> = answers.iter().map(|(status, answer)| {
                assert_eq!(*status, 202, "{answer}");
                answer["id"].to_string()
            }).collect();
            assert_eq!(ids.len(), 1, "{ids:?}");
            assert_eq!(app.count("SELECT count(*) FROM notifications WHERE kind = 'api'").await, 1);
            // Nothing is confirmed or configured: every channel skipped, each once.
            assert_eq!(app.count("SELECT count(*) FROM skipped_deliveries").await, app::domain::Channel::ALL.len() as i64);
        }

        async fn a_test_notification_names_a_real_channel(app: TestApp) {
            app.create_admin().await;
            let id = app.add_as_admin(&[("name", "Pia")]).await.userid.unwrap().to_string();
            let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
            let long = "ß".repeat(10_000);
            for channel in ["fax", "", "SMS", long.as_str(), "sms\u{0}"] {
                let (status, body) = app.server_fn(&admin, "send_test_notification", &[("id", &id), ("channel", channel)]).await;
                assert_eq!(status, 422, "{channel:.20}: {body}");
            }
            // A real channel that cannot reach Pia says why.
            let (status, body) = app.server_fn(&admin, "send_test_notification", &[("id", &id), ("channel", "sms")]).await;
            assert_eq!(status, 422);
            assert!(common::said(&body).contains("not confirmed"), "{body}");
            assert_eq!(app.count("SELECT count(*) FROM notifications WHERE kind = 'test'").await, 0);
        }

        async fn a_test_notification_sent_without_javascript_says_it_was_queued(app: TestApp) {
            app.create_admin().await;
            let id = app.add_as_admin(&[("name", "Rae"), ("email", "rae@example.com")]).await.userid.unwrap();
            let link = link_in(&common::captured_to(&app, "rae@example.com", 1).await);
            assert_eq!(app.new_client().post(&link).send().await.unwrap().status(), 200);
            let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
            let back = format!("/engineers/{id}/subscribe?q=Rae");
            let posted = admin
                .post(app.url("/api/send_test_notification"))
                .header("accept", "text/html")
                .form(&[("id", id.to_string().as_str()), ("channel", "email"), ("back", back.as_str())])
                .send()
                .await
                .unwrap();
            assert!(posted.status().is_redirection(), "{}", posted.status());
            let location = posted.headers()["location"].to_str().unwrap().to_owned();
            assert_eq!(location, format!("{back}&tested=email"));
            let page = admin.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
            assert!(page.contains("Test notification queued"), "{page}");
            common::captured_to(&app, "rae@example.com", 2).await;
        }
    }
}
