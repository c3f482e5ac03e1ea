//! Contacts that keep themselves honest: a provider refusing a number, a mailbox or a robot
//! marks that contact failing (the roster and the Edit dialog say so, the notification API
//! skips it with the reason), and a later success clears it. Real loopback servers stand in
//! for the SMS gateway, the mail server and the robot.

#[macro_use]
mod common;

use app::domain::Method;
use app::service::{subscriptions, Actor, AuditContext, Source};
use common::loopback::{Answer, Loopback};
use common::{signed_in, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};
use serde_json::Value;
use std::sync::atomic::Ordering;
use std::time::Duration;

const FAILING: &str = "SELECT count(*) FROM contact_health WHERE failing = 1";

async fn failing(app: &TestApp, channel: &str) -> i64 {
    app.count(&format!("{FAILING} AND channel = '{channel}'"))
        .await
}

/// Waits (a bounded while) until `channel` has exactly `n` failing contacts.
async fn wait_failing(app: &TestApp, channel: &str, n: i64) {
    let mut last = -1;
    for _ in 0..300 {
        last = failing(app, channel).await;
        if last == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{channel}: {last} failing, not {n}");
}

/// Asks for a new confirmation of `method`, as an admin's Subscribe does; the clock first
/// moves past the resend limit.
async fn resubscribe(app: &TestApp, id: i64, method: Method) {
    app.clock.advance(61_000);
    subscriptions::request(
        &app.db,
        &Actor::operator(),
        &AuditContext::new(Source::Cli, None),
        id,
        &[method],
        app.clock.now(),
    )
    .await
    .expect("a new confirmation");
}

async fn notify(app: &TestApp, key: &str, engineer: i64, channel: &str, idem: &str) -> Value {
    let response = app
        .new_client()
        .post(app.url("/api/v1/notifications"))
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"to":{{"engineers":[{engineer}]}},"channels":["{channel}"],"text":"disk full","idempotency_key":"{idem}"}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    response.json().await.unwrap()
}

/// Gives engineer `id` a new mobile number, as an admin's UpdateTechnician does.
async fn change_mobile(app: &TestApp, id: i64, mobile: &str) {
    let answer = app
        .admin_call(
            common::TECHNICIAN_SERVLET,
            "UpdateTechnician",
            &[("userid", &id.to_string()), ("mobile", mobile)],
        )
        .await;
    assert!(answer.is_success(), "{answer:?}");
}

async fn page(client: &reqwest::Client, url: String) -> String {
    let response = client.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

async fn refused_number_mailbox_and_robot_are_failing_until_one_gets_through(
    backend: common::Backend,
) {
    let gateway = Loopback::start(Answer::new(202, r#"{"id":"m"}"#)).await;
    let robot = Loopback::start(Answer::new(200, r#"{"errcode":0,"errmsg":"ok"}"#)).await;
    let (smtp_port, mails, refuse_mail) = common::smtp::start_switchable();
    let (gateway_url, allow) = (gateway.url("/send"), robot.allow_entry());
    let Some(app) = TestApp::spawn_with(backend, move |s| {
        s.notify.sms_gateway_url = Some(gateway_url);
        s.notify.smtp_url = Some(format!("smtp://127.0.0.1:{smtp_port}").into());
        s.notify.webhook_allow = vec![allow];
        s.notify.retries.base_ms = 50;
        s.notify.http_timeout = Duration::from_secs(2);
    })
    .await
    else {
        return;
    };
    app.create_admin().await;
    common::enable_beta(&app).await;
    let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;

    // SMS: the gateway refuses the number; the confirmation dies and SMS is failing.
    gateway.then(Answer::new(422, r#"{"error":"invalid number"}"#));
    let ana = app
        .add_as_admin(&[("name", "Ana"), ("mobile", "+86 138 0013 8000")])
        .await
        .userid
        .unwrap();
    wait_failing(&app, "sms", 1).await;
    assert_eq!(failing(&app, "voice").await, 0, "voice was never sent to");
    let roster = page(&admin, app.url("/")).await;
    assert!(roster.contains(r#"title="SMS: failing""#), "{roster}");
    let edit = page(&admin, app.url(&format!("/engineers/{ana}/edit"))).await;
    assert!(edit.contains("failing since"), "{edit}");
    assert!(edit.contains("invalid number"), "{edit}");

    // A new confirmation that gets through clears it.
    resubscribe(&app, ana, Method::Sms).await;
    wait_failing(&app, "sms", 0).await;
    let requests = gateway.wait_for(2).await;
    let text = requests[1].json()["text"].as_str().unwrap().to_owned();
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/confirm/"))
        .unwrap()
        .to_owned();
    assert_eq!(
        app.new_client().post(&link).send().await.unwrap().status(),
        200
    );
    let roster = page(&admin, app.url("/")).await;
    assert!(!roster.contains(r#"title="SMS: failing""#), "{roster}");
    assert!(roster.contains(r#"title="SMS: confirmed""#), "{roster}");

    // A confirmed number the gateway then refuses: the API says why it skips it.
    let key = common::api_key(&app, "monitoring", None, &[]).await;
    gateway.then(Answer::new(404, r#"{"error":"invalid number"}"#));
    let sent = notify(&app, &key, ana, "sms", "alert-1").await;
    assert_eq!(sent["deliveries"][0]["status"], "queued", "{sent}");
    wait_failing(&app, "sms", 1).await;
    let skipped = notify(&app, &key, ana, "sms", "alert-2").await;
    assert_eq!(skipped["deliveries"][0]["status"], "skipped", "{skipped}");
    let reason = skipped["deliveries"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("failing since") && reason.contains("invalid number"),
        "{reason}"
    );
    assert_eq!(gateway.requests().len(), 3, "nothing was sent for alert-2");
    // A new number starts with no verdict.
    change_mobile(&app, ana, "+86 138 0013 8009").await;
    assert_eq!(failing(&app, "sms").await, 0);

    // Email: the mail server answers 550 for the mailbox.
    refuse_mail.store(true, Ordering::SeqCst);
    let bo = app
        .add_as_admin(&[("name", "Bo"), ("email", "bo@example.com")])
        .await
        .userid
        .unwrap();
    wait_failing(&app, "email", 1).await;
    let edit = page(&admin, app.url(&format!("/engineers/{bo}/edit"))).await;
    assert!(edit.contains("550"), "{edit}");
    refuse_mail.store(false, Ordering::SeqCst);
    resubscribe(&app, bo, Method::Email).await;
    wait_failing(&app, "email", 0).await;
    assert_eq!(mails.lock().unwrap().len(), 1);

    // A robot whose key is gone (WeCom errcode 93000), then one that works again.
    let (version,): (i64,) = sqlx::query_as("SELECT version FROM technicians WHERE id = $1")
        .bind(bo)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let (status, body) = app
        .server_fn(
            &admin,
            "update_engineer",
            &[
                ("id", bo.to_string().as_str()),
                ("version", version.to_string().as_str()),
                ("back", "/"),
                (
                    "form[contact][wecom_webhook]",
                    robot.url("/cgi-bin/webhook/send?key=wk").as_str(),
                ),
            ],
        )
        .await;
    assert!(status < 400, "{body}");
    robot.then(Answer::new(
        200,
        r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#,
    ));
    let test = [("id", bo.to_string()), ("channel", "wecom".to_owned())];
    let test: Vec<(&str, &str)> = test.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = app.server_fn(&admin, "send_test_notification", &test).await;
    assert!(status < 400, "{body}");
    wait_failing(&app, "wecom", 1).await;
    let roster = page(&admin, app.url("/")).await;
    assert!(roster.contains(r#"title="WeCom: failing""#), "{roster}");
    app.clock.advance(61_000);
    let (status, body) = app.server_fn(&admin, "send_test_notification", &test).await;
    assert!(status < 400, "{body}");
    wait_failing(&app, "wecom", 0).await;
    assert_eq!(robot.requests().len(), 2);
    let roster = page(&admin, app.url("/")).await;
    assert!(roster.contains(r#"title="WeCom: configured""#), "{roster}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_number_mailbox_and_robot_are_failing_until_one_gets_through_on_sqlite() {
    refused_number_mailbox_and_robot_are_failing_until_one_gets_through(common::Backend::Sqlite)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_number_mailbox_and_robot_are_failing_until_one_gets_through_on_postgres() {
    refused_number_mailbox_and_robot_are_failing_until_one_gets_through(common::Backend::Postgres)
        .await;
}

/// Transient failures mark a contact failing only once they have gone on for a day, each
/// within a day of the one before; a quiet day starts the count again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_of_busy_answers_marks_a_number_failing() {
    let gateway = Loopback::start(Answer::new(503, "busy")).await;
    let url = gateway.url("/send");
    let app = TestApp::spawn_with(common::Backend::Sqlite, move |s| {
        s.notify.sms_gateway_url = Some(url);
        s.notify.retries.base_ms = 50;
        s.notify.retries.max_attempts = 3;
    })
    .await
    .unwrap();
    app.create_admin().await;
    let cy = app
        .add_as_admin(&[("name", "Cy"), ("mobile", "+86 138 0013 8000")])
        .await
        .userid
        .unwrap();
    app.wait_for_count("SELECT count(*) FROM deliveries WHERE status = 'dead'", 1)
        .await;
    assert_eq!(
        failing(&app, "sms").await,
        0,
        "three busy answers in a minute"
    );
    const HOUR: i64 = 60 * 60 * 1000;
    let dead = "SELECT count(*) FROM deliveries WHERE status = 'dead'";
    // After a quiet day the run starts over.
    app.clock.advance(25 * HOUR);
    resubscribe(&app, cy, Method::Sms).await;
    assert_eq!(app.wait_for_count(dead, 2).await, 2);
    assert_eq!(failing(&app, "sms").await, 0, "a new run");
    app.clock.advance(13 * HOUR);
    resubscribe(&app, cy, Method::Sms).await;
    assert_eq!(app.wait_for_count(dead, 3).await, 3);
    assert_eq!(failing(&app, "sms").await, 0, "13 hours of trouble");
    app.clock.advance(12 * HOUR);
    resubscribe(&app, cy, Method::Sms).await;
    wait_failing(&app, "sms", 1).await;
    let (answer, failures): (String, i64) =
        sqlx::query_as("SELECT answer, failures FROM contact_health WHERE channel = 'sms'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert!(answer.contains("503"), "{answer}");
    assert!(failures >= 4, "{failures}");
}

/// A refusal of a number the engineer no longer has says nothing about the one they have
/// now: the gateway holds its "invalid number" for the old number until the engineer's
/// number has changed.
async fn a_refusal_of_an_old_number_leaves_the_new_one_alone(backend: common::Backend) {
    let gateway = Loopback::start(Answer::new(202, r#"{"id":"m"}"#)).await;
    gateway.then(
        Answer::new(404, r#"{"error":"invalid number"}"#).delayed(Duration::from_millis(1500)),
    );
    let url = gateway.url("/send");
    let Some(app) = TestApp::spawn_with(backend, move |s| {
        s.notify.sms_gateway_url = Some(url);
        s.notify.retries.base_ms = 50;
        s.notify.http_timeout = Duration::from_secs(5);
    })
    .await
    else {
        return;
    };
    app.create_admin().await;
    let ana = app
        .add_as_admin(&[("name", "Ana"), ("mobile", "+86 138 0013 8000")])
        .await
        .userid
        .unwrap();
    // The confirmation to the old number is at the gateway, its answer held back.
    let first = gateway.wait_for(1).await;
    assert!(
        first[0].body.contains("+8613800138000"),
        "{:?}",
        first[0].body
    );
    change_mobile(&app, ana, "+86 138 0013 8009").await;
    // The old number's refusal comes back and its message dies; the new number's
    // confirmation goes through.
    app.wait_for_count("SELECT count(*) FROM deliveries WHERE status = 'dead'", 1)
        .await;
    app.wait_for_count(
        "SELECT count(*) FROM deliveries WHERE status = 'delivered'",
        1,
    )
    .await;
    assert_eq!(
        failing(&app, "sms").await,
        0,
        "the new number is not failing"
    );
    let requests = gateway.requests();
    assert!(
        requests.iter().any(|r| r.body.contains("+8613800138009")),
        "{requests:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_of_an_old_number_leaves_the_new_one_alone_on_sqlite() {
    a_refusal_of_an_old_number_leaves_the_new_one_alone(common::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_of_an_old_number_leaves_the_new_one_alone_on_postgres() {
    a_refusal_of_an_old_number_leaves_the_new_one_alone(common::Backend::Postgres).await;
}
