//! SMS pumping: every path that sends a confirmation or a test goes through one limiter, per
//! engineer and channel, per recipient address, and within the whole server's hourly budget.
//! Nothing is refused or lost: what is over a limit is held and goes out when allowed. Sent
//! to a real gateway on loopback that records every message.

mod common;

use common::loopback::{Answer, Loopback};
use common::{signed_in, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD, TECHNICIAN_SERVLET};
use std::time::Duration;

async fn with_gateway(
    backend: common::Backend,
    gateway: &Loopback,
    sms_budget: i64,
) -> Option<TestApp> {
    let url = gateway.url("/send");
    TestApp::spawn_with(backend, move |s| {
        s.notify.sms_gateway_url = Some(url);
        s.notify.sms_budget_per_hour = sms_budget;
        s.notify.poll = Duration::from_millis(50);
    })
    .await
}

/// The numbers the gateway was asked to text so far.
fn texted(gateway: &Loopback) -> Vec<String> {
    gateway
        .requests()
        .iter()
        .map(|r| r.json()["to"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// Waits (bounded) until the outbox has nothing due, then a little more for the posts.
async fn settled(app: &TestApp) {
    let now = app.clock.now();
    for _ in 0..200 {
        let due = app
            .count(&format!(
                "SELECT count(*) FROM deliveries WHERE status IN ('queued', 'sending') AND next_attempt_at <= {now}"
            ))
            .await;
        if due == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
}

const NUMBERS: [&str; 6] = [
    "+86 138 0013 8000",
    "+44 7700 900123",
    "+1 415 555 0100",
    "+33 6 12 34 56 78",
    "+49 1512 3456789",
    "+61 412 345 678",
];

async fn contact_edits_are_held_not_sent_at_once(backend: common::Backend) {
    let gateway = Loopback::start(Answer::new(202, r#"{"id":"ok"}"#)).await;
    let Some(app) = with_gateway(backend, &gateway, 1000).await else {
        return;
    };
    app.create_admin().await;
    let id = app
        .add_as_admin(&[("name", "Pumper"), ("mobile", NUMBERS[0])])
        .await
        .userid
        .unwrap();
    settled(&app).await;
    let save = |number: &'static str| {
        let app = &app;
        async move {
            let answer = app
                .admin_call(
                    TECHNICIAN_SERVLET,
                    "UpdateTechnician",
                    &[("userid", &id.to_string()), ("mobile", number)],
                )
                .await;
            assert!(answer.is_success(), "{}", answer.raw);
            settled(app).await;
        }
    };
    // Four more numbers go out as they are saved: five an hour.
    for number in &NUMBERS[1..5] {
        save(number).await;
    }
    assert_eq!(texted(&gateway).len(), 5, "{:?}", texted(&gateway));
    // The sixth is held, not sent and not lost.
    save(NUMBERS[5]).await;
    assert_eq!(texted(&gateway).len(), 5, "five an hour");
    assert_eq!(
        app.count("SELECT count(*) FROM deliveries WHERE status = 'queued'")
            .await,
        1
    );
    // Another number while it waits replaces it: one message waits, never a queue.
    save(NUMBERS[0]).await;
    assert_eq!(
        app.count("SELECT count(*) FROM deliveries WHERE status = 'queued'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM deliveries WHERE status = 'cancelled'")
            .await,
        1
    );
    app.clock.advance(30 * 60_000);
    settled(&app).await;
    assert_eq!(texted(&gateway).len(), 5, "still five in the hour");
    app.clock.advance(31 * 60_000);
    settled(&app).await;
    let sent = texted(&gateway);
    assert_eq!(sent.len(), 6, "{sent:?}");
    assert_eq!(
        sent[5], sent[0],
        "the number saved last got its confirmation: {sent:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_edits_are_held_not_sent_at_once_on_sqlite() {
    contact_edits_are_held_not_sent_at_once(common::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_edits_are_held_not_sent_at_once_on_postgres() {
    contact_edits_are_held_not_sent_at_once(common::Backend::Postgres).await;
}

/// One victim's number saved for several engineers (and tested from the Subscribe dialog)
/// is texted once a minute at most, whoever's record it is on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_number_on_many_engineers_is_texted_once_a_minute() {
    let gateway = Loopback::start(Answer::new(202, r#"{"id":"ok"}"#)).await;
    let app = with_gateway(common::Backend::Sqlite, &gateway, 1000)
        .await
        .unwrap();
    app.create_admin().await;
    for i in 0..4 {
        let answer = app
            .add_as_admin(&[("name", &format!("Victim {i}")), ("mobile", NUMBERS[1])])
            .await;
        assert!(answer.is_success(), "{}", answer.raw);
    }
    settled(&app).await;
    assert_eq!(texted(&gateway).len(), 1);
    app.clock.advance(60_000);
    settled(&app).await;
    assert_eq!(texted(&gateway).len(), 2);
}

/// The whole server's hourly budget: what is over it is held (marked, audited once, shown
/// to SDAdmins in a banner) and goes out in the next hour.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hourly_budget_holds_what_is_over_it_and_says_so() {
    let gateway = Loopback::start(Answer::new(202, r#"{"id":"ok"}"#)).await;
    let app = with_gateway(common::Backend::Sqlite, &gateway, 3)
        .await
        .unwrap();
    app.create_admin().await;
    for (i, number) in NUMBERS.iter().enumerate().take(5) {
        let answer = app
            .add_as_admin(&[("name", &format!("Engineer {i}")), ("mobile", number)])
            .await;
        assert!(answer.is_success(), "{}", answer.raw);
    }
    settled(&app).await;
    assert_eq!(texted(&gateway).len(), 3);
    assert_eq!(
        app.count("SELECT count(*) FROM send_slots WHERE held = 1")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'notify.budget_held'")
            .await,
        1
    );
    let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let page = admin
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("2 SMS confirmations or tests are held by the hourly SMS budget"),
        "{page}"
    );
    app.clock.advance(60 * 60_000 + 1);
    settled(&app).await;
    assert_eq!(texted(&gateway).len(), 5, "held, never lost");
    let page = admin
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("held by the hourly"));
}

/// An engineer's name reaches a stranger's phone only short and printable: no link-bearing
/// essay, no direction overrides.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_in_a_confirmation_is_short_and_printable() {
    let gateway = Loopback::start(Answer::new(202, r#"{"id":"ok"}"#)).await;
    let app = with_gateway(common::Backend::Sqlite, &gateway, 1000)
        .await
        .unwrap();
    app.create_admin().await;
    let name = format!(
        "You won\u{202E} a prize, call +1 900 555 0199 now {}",
        "x".repeat(40)
    );
    let answer = app
        .add_as_admin(&[("name", &name), ("mobile", NUMBERS[2])])
        .await;
    assert!(answer.is_success(), "{}", answer.raw);
    settled(&app).await;
    let requests = gateway.requests();
    let text = requests[0].json()["text"].as_str().unwrap().to_owned();
    assert!(!text.contains('\u{202E}'), "{text}");
    assert!(!text.contains("now xxx"), "{text}");
    assert!(text.contains("You won a prize, call +1 900 55…"), "{text}");
}
