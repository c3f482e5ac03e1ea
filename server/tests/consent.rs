//! Replies from phones and the consent ledger: STOP from a number (signed by the SMS
//! gateway) cancels SMS and voice for every engineer on it; START sends each a new
//! confirmation; a forged reply changes nothing; every step is in the ledger.

mod common;

use app::domain::{FieldProblem, Method, Unavailable};
use app::service::{subscriptions, Actor, AuditContext, ServiceError, Source};
use common::{TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const TOKEN: &str = "gateway-token-for-tests";
const NUMBER: &str = "+8613800138000";

async fn spawn(backend: common::Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| {
        s.notify.sms_gateway_token = Some(TOKEN.to_owned().into());
    })
    .await
}

fn signature(body: &str, token: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Posts `text` from `from` as the gateway would, with `signature` (None: signed right).
async fn reply(app: &TestApp, from: &str, text: &str, signed: Option<&str>) -> (u16, String) {
    let body = serde_json::json!({ "from": from, "text": text }).to_string();
    let signature = signed.map_or_else(|| signature(&body, TOKEN), str::to_owned);
    let answer = reqwest::Client::new()
        .post(app.url("/api/v1/inbound/sms"))
        .header("content-type", "application/json")
        .header("x-crewdesk-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
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

fn link_in(text: &str) -> String {
    text.split_whitespace()
        .find(|w| w.contains("/confirm/"))
        .expect("a confirmation link")
        .to_owned()
}

async fn ledger(app: &TestApp, id: i64) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT method, event, how FROM consent_events WHERE technician_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(app.db.reader())
    .await
    .unwrap()
}

fn owned(list: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect()
}

async fn stop_and_start(app: TestApp) {
    app.create_admin().await;
    // Two engineers share one number (a shift phone); each confirms its SMS by the link.
    let ada = app
        .add_as_admin(&[("name", "Ada"), ("mobile", "+86 138 0013 8000")])
        .await
        .userid
        .unwrap();
    let link = link_in(&common::captured_to(&app, NUMBER, 1).await);
    assert_eq!(
        app.new_client().post(&link).send().await.unwrap().status(),
        200
    );
    let bo = app
        .add_as_admin(&[("name", "Bo"), ("mobile", "0086 138 0013 8000")])
        .await
        .userid
        .unwrap();
    // One number gets a confirmation a minute at most (SMS pumping): Bo's waits its turn.
    app.clock.advance(61_000);
    let link = link_in(&common::captured_to(&app, NUMBER, 2).await);
    assert_eq!(
        app.new_client().post(&link).send().await.unwrap().status(),
        200
    );
    let confirmed = vec![("sms".to_owned(), "confirmed".to_owned())];
    assert_eq!(
        (states(&app, ada).await, states(&app, bo).await),
        (confirmed.clone(), confirmed.clone())
    );

    // Forged, unsigned, or signed with another token: refused, nothing changes.
    for forged in [
        Some(""),
        Some("sha256=00"),
        Some(&signature(
            "{\"from\":\"+8613800138000\",\"text\":\"STOP\"}",
            "wrong",
        )),
    ] {
        let (status, body) = reply(&app, NUMBER, "STOP", forged).await;
        assert_eq!(status, 401, "{body}");
        assert!(body.contains("bad_signature"), "{body}");
    }
    assert_eq!(states(&app, ada).await, confirmed);

    // A third engineer on the number: its confirmation waits its minute in the outbox.
    app.add_as_admin(&[("name", "Cy"), ("mobile", "+86 138 0013 8000")])
        .await;
    // STOP (any case, alone on the message) cancels SMS for all, and what still waits to go.
    let (status, body) = reply(&app, "+86 138 0013 8000", "  stop ", None).await;
    assert_eq!((status, body.as_str()), (200, "{\"handled\":\"stop\"}"));
    assert_eq!(app.count(&format!("SELECT count(*) FROM deliveries WHERE recipient = '{NUMBER}' AND status = 'cancelled' AND last_answer = 'the number replied STOP'")).await, 1);
    let cancelled = vec![("sms".to_owned(), "cancelled".to_owned())];
    assert_eq!(
        (states(&app, ada).await, states(&app, bo).await),
        (cancelled.clone(), cancelled.clone())
    );
    // Nobody subscribes the number again until it says START.
    let ctx = AuditContext::new(Source::Cli, None);
    let refused = subscriptions::request(
        &app.db,
        &Actor::operator(),
        &ctx,
        ada,
        &[Method::Sms],
        app.clock.now(),
    )
    .await;
    assert!(
        matches!(&refused, Err(ServiceError::Invalid(e)) if e.0[0].problem == FieldProblem::CannotSubscribe { channel: app::domain::Channel::Sms, why: Unavailable::RepliedStop }),
        "{refused:?}"
    );
    // A sentence with STOP in it is not a STOP; an unknown number gets nothing back.
    assert_eq!(
        reply(&app, NUMBER, "please stop calling", None).await.1,
        "{\"handled\":\"ignored\"}"
    );
    let sent_before = app.count("SELECT count(*) FROM captured_messages").await;
    assert_eq!(
        reply(&app, "+8613900000000", "STOP", None).await.1,
        "{\"handled\":\"stop\"}"
    );

    // START: a new confirmation for each (SMS and voice are not confirmed until it is used).
    app.clock.advance(61_000);
    let (status, body) = reply(&app, NUMBER, "Start", None).await;
    assert_eq!((status, body.as_str()), (200, "{\"handled\":\"start\"}"));
    let pending = vec![("sms".to_owned(), "pending".to_owned())];
    assert_eq!(
        (states(&app, ada).await, states(&app, bo).await),
        (pending.clone(), pending)
    );
    // The number gets one message a minute: the minutes pass until both confirmations went.
    let sent = format!("SELECT count(*) FROM captured_messages WHERE recipient = '{NUMBER}'");
    for _ in 0..10 {
        if app.count(&sent).await >= 4 {
            break;
        }
        app.clock.advance(61_000);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert!(
        app.count(&sent).await >= 4,
        "two new confirmations after START"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM captured_messages WHERE recipient = '+8613900000000'")
            .await,
        0
    );
    assert!(app.count("SELECT count(*) FROM captured_messages").await >= sent_before + 2);
    // A START from a number that never stopped subscribes nobody.
    assert_eq!(
        reply(&app, "+8613900000001", "START", None).await.1,
        "{\"handled\":\"ignored\"}"
    );

    // The ledger holds every step of Ada's SMS, and how it was taken.
    assert_eq!(
        ledger(&app, ada).await,
        owned(&[
            ("sms", "requested", "contact changed"),
            ("sms", "confirmed", "link"),
            ("sms", "stop", "reply"),
            ("sms", "start", "reply"),
            ("sms", "requested", "reply")
        ])
    );
    let (source,): (Option<String>,) = sqlx::query_as(
        "SELECT source_addr FROM consent_events WHERE event = 'stop' AND technician_id = $1",
    )
    .bind(ada)
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(source.as_deref(), Some("127.0.0.1"));

    // An auditor's CSV: an SDAdmin's, nobody else's.
    let admin = common::signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let csv = admin.get(app.url("/consent.csv")).send().await.unwrap();
    assert_eq!(csv.status(), 200);
    let csv = csv.text().await.unwrap();
    assert!(
        csv.starts_with("at,engineerId,engineer,method,address,event,how,actor,from\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains(&format!(
            ",{ada},Ada,sms,'+8613800138000,stop,reply,'+8613800138000,127.0.0.1\r\n"
        )),
        "{csv}"
    );
    // Signed out: sent to sign in; a plain engineer: refused.
    assert_eq!(
        app.new_client()
            .get(app.url("/consent.csv"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    app.add_user("Eve", "eve", "Correct-Horse-Battery-9", &[])
        .await;
    let eve = common::signed_in(&app, "eve", "Correct-Horse-Battery-9").await;
    assert_eq!(
        eve.get(app.url("/consent.csv"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_from_a_shared_number_unsubscribes_both_and_start_asks_again_on_sqlite() {
    stop_and_start(spawn(common::Backend::Sqlite).await.expect("SQLite")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_from_a_shared_number_unsubscribes_both_and_start_asks_again_on_postgres() {
    if let Some(app) = spawn(common::Backend::Postgres).await {
        stop_and_start(app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_gateway_token_there_is_no_inbound_endpoint_and_bodies_are_bounded() {
    let app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    let (status, body) = reply(&app, NUMBER, "STOP", None).await;
    assert_eq!(status, 404, "{body}");
    let app = spawn(common::Backend::Sqlite).await.unwrap();
    let big = "x".repeat(64 * 1024);
    let answer = reqwest::Client::new()
        .post(app.url("/api/v1/inbound/sms"))
        .header("x-crewdesk-signature", signature(&big, TOKEN))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 413);
    let junk = "not json";
    let answer = reqwest::Client::new()
        .post(app.url("/api/v1/inbound/sms"))
        .header("x-crewdesk-signature", signature(junk, TOKEN))
        .body(junk)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
}

/// A link left unused expires into the ledger; its page keeps saying it expired; the
/// engineer's steps show in their Subscribe dialog, newest first.
async fn expiry_and_history(app: TestApp) {
    app.create_admin().await;
    let id = app
        .add_as_admin(&[("name", "Ida"), ("email", "ida@example.com")])
        .await
        .userid
        .unwrap();
    let link = link_in(&common::captured_to(&app, "ida@example.com", 1).await);
    let link = if link.starts_with("http") {
        link
    } else {
        app.url(&link)
    };
    app.clock.advance(49 * 60 * 60 * 1000);
    assert_eq!(
        app::service::ledger::expire(&app.db, app.clock.now())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        states(&app, id).await,
        [("email".to_owned(), "expired".to_owned())]
    );
    assert_eq!(
        app.new_client().get(&link).send().await.unwrap().status(),
        410
    );
    assert_eq!(
        app.new_client().post(&link).send().await.unwrap().status(),
        410
    );
    assert_eq!(
        app::service::ledger::expire(&app.db, app.clock.now())
            .await
            .unwrap(),
        0,
        "expired once"
    );
    let (event, how): (String, String) = sqlx::query_as(
        "SELECT event, how FROM consent_events WHERE technician_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!((event.as_str(), how.as_str()), ("expired", "link unused"));
    let admin = common::signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let dialog = admin
        .get(app.url(&format!("/engineers/{id}/subscribe")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(dialog.contains("Consent history"), "{dialog}");
    let expired = dialog.find("link expired unused").expect("the expiry");
    let requested = dialog.find("confirmation requested").expect("the request");
    assert!(expired < requested, "newest first");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unused_link_expires_into_the_ledger_shown_per_engineer_on_sqlite() {
    expiry_and_history(spawn(common::Backend::Sqlite).await.expect("SQLite")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unused_link_expires_into_the_ledger_shown_per_engineer_on_postgres() {
    if let Some(app) = spawn(common::Backend::Postgres).await {
        expiry_and_history(app).await;
    }
}
