//! Slack, Microsoft Teams and Telegram end to end, each against a real server on loopback
//! that records every byte it is sent: the address saved in the Edit dialog, a test message
//! from the Subscribe dialog, a message from the notification API, a busy answer retried, a
//! refusal final, and all of it in the delivery log.

mod common;

use common::loopback::{Answer, Loopback, Recorded};
use common::{enable_beta, signed_in, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};
use std::time::Duration;

/// One channel's case: where its messages go and what their bodies must be, byte for byte.
struct Case {
    channel: &'static str,
    /// The Edit dialog's field and what is typed into it; empty: the webhook at `path` on
    /// the loopback server.
    field: &'static str,
    address: String,
    /// The path a message is posted to.
    path: String,
    /// The body as the provider documents it, for `text` of `kind` (`test`, `api`), given
    /// the request it came in (whose headers a signed webhook's body repeats).
    body: fn(&str, &str, &Recorded) -> String,
    /// The signing secret saved with the address, whose signature each request must carry.
    secret: Option<&'static str>,
    /// A busy answer, and how long (at least) the retry must wait for it, in ms.
    busy: Answer,
    busy_wait_ms: i64,
    /// A refusal for good.
    refusal: Answer,
    ok: Answer,
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

async fn app_for(server: &Loopback, telegram: bool) -> TestApp {
    let allow = server.allow_entry();
    let api = server.url("");
    TestApp::spawn_with(common::Backend::Sqlite, move |s| {
        s.notify.webhook_allow = vec![allow];
        s.notify.signed_webhook_allow = vec![format!("{api}/hooks/")];
        s.notify.http_timeout = Duration::from_secs(2);
        s.notify.retries.base_ms = 50;
        s.notify.retries.max_attempts = 3;
        if telegram {
            s.notify.telegram_bot_token = Some("123456:ABC-def_ghi".to_owned().into());
            s.notify.telegram_api_url = Some(api);
        }
    })
    .await
    .unwrap()
}

/// An API key for the notification API, made as the operator's CLI makes one.
async fn api_key(app: &TestApp) -> String {
    common::api_key(app, "monitoring", None, &[]).await
}

async fn api_send(app: &TestApp, key: &str, channel: &str, text: &str, idempotency: &str) {
    let body = format!(
        r#"{{"to":{{"engineers":["ko"]}},"channels":["{channel}"],"text":{},"idempotency_key":"{idempotency}"}}"#,
        quoted(text)
    );
    let response = app
        .new_client()
        .post(app.url("/api/v1/notifications"))
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_eq!(status, 202, "{}", response.text().await.unwrap());
}

/// The delivery of the API notification sent with `idempotency_key`.
async fn delivery(app: &TestApp, idempotency_key: &str) -> (String, i64, Option<String>) {
    sqlx::query_as(
        "SELECT d.status, d.attempts, d.last_answer FROM deliveries d \
         JOIN notifications n ON n.id = d.notification_id WHERE n.idempotency_key = $1",
    )
    .bind(idempotency_key)
    .fetch_one(app.db.reader())
    .await
    .unwrap()
}

/// `request` carries the signature of its raw body under `secret`, when there is one.
fn signed(request: &Recorded, secret: Option<&str>) {
    use hmac::Mac;
    let Some(secret) = secret else {
        assert!(request.headers.get("x-crewdesk-signature").is_none());
        return;
    };
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(request.body.as_bytes());
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(request.headers["x-crewdesk-signature"], expected.as_str());
}

fn bodies(requests: &[Recorded]) -> Vec<String> {
    requests.iter().map(|r| r.body.clone()).collect()
}

async fn a_chat_channel_end_to_end(case: Case, telegram: bool) {
    let server = Loopback::start(case.ok).await;
    let app = app_for(&server, telegram).await;
    app.create_admin().await;
    enable_beta(&app).await;
    let id = app
        .add_as_admin(&[("name", "Ko"), ("loginName", "ko")])
        .await
        .userid
        .expect("added");
    let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;

    // Saved in the Edit dialog, as an engineer's contact point.
    let (version,): (i64,) = sqlx::query_as("SELECT version FROM technicians WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let address = if case.address.is_empty() {
        server.url(&case.path)
    } else {
        case.address.clone()
    };
    let field = format!("form[contact][{}]", case.field);
    let mut form = vec![
        ("id".to_owned(), id.to_string()),
        ("version".to_owned(), version.to_string()),
        ("back".to_owned(), "/".to_owned()),
        (field, address.clone()),
    ];
    if let Some(secret) = case.secret {
        // An address that needs its secret is refused without it, and nothing is saved.
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, body) = app.server_fn(&admin, "update_engineer", &pairs).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("webhook_secret"), "{body}");
        assert_eq!(app.count("SELECT count(*) FROM contact_points").await, 0);
        form.push((
            "form[contact][webhook_secret]".to_owned(),
            secret.to_owned(),
        ));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = app.server_fn(&admin, "update_engineer", &pairs).await;
    assert!(status < 400, "{body}");
    let (saved,): (String,) = sqlx::query_as(
        "SELECT address FROM contact_points WHERE technician_id = $1 AND channel = $2",
    )
    .bind(id)
    .bind(case.channel)
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(saved, address.trim());

    // A test from the Subscribe dialog: the first answer is busy, the retry is delivered.
    server.then(case.busy);
    let (status, body) = app
        .server_fn(
            &admin,
            "send_test_notification",
            &[("id", &id.to_string()), ("channel", case.channel)],
        )
        .await;
    assert!(status < 400, "{body}");
    let requests = server.wait_for(2).await;
    assert_eq!(requests.len(), 2, "{:?}", bodies(&requests));
    let (text,): (String,) = sqlx::query_as("SELECT text FROM notifications WHERE kind = 'test'")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert!(text.contains("Ko") && text.contains(case.channel), "{text}");
    for request in &requests {
        assert_eq!(request.uri, case.path);
        assert_eq!(request.body, (case.body)(&text, "test", request));
        assert_eq!(request.headers["content-type"], "application/json");
        signed(request, case.secret);
    }
    assert_eq!(
        app.wait_for_count(
            "SELECT count(*) FROM deliveries WHERE idempotency_key LIKE 'test:%' AND status = 'delivered'",
            1
        )
        .await,
        1
    );
    let sent: Vec<(i64,)> = sqlx::query_as(
        "SELECT a.at FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id \
         WHERE d.idempotency_key LIKE 'test:%' ORDER BY a.attempt",
    )
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    assert_eq!(sent.len(), 2);
    assert!(sent[1].0 - sent[0].0 >= case.busy_wait_ms, "{sent:?}");

    // The notification API: delivered as the provider documents it.
    let key = api_key(&app).await;
    let alert = "Disk full on db-1 \"/var\" — 磁盘已满 <&>";
    api_send(&app, &key, case.channel, alert, "alert-1").await;
    let requests = server.wait_for(3).await;
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[2].uri, case.path);
    assert_eq!(requests[2].body, (case.body)(alert, "api", &requests[2]));
    signed(&requests[2], case.secret);
    for _ in 0..300 {
        if delivery(&app, "alert-1").await.0 == "delivered" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivery(&app, "alert-1").await.0, "delivered");

    // A refusal is final: one attempt, dead, the provider's answer kept.
    server.then(case.refusal);
    api_send(&app, &key, case.channel, "second", "alert-2").await;
    app.wait_for_count("SELECT count(*) FROM deliveries WHERE status = 'dead'", 1)
        .await;
    let (status, attempts, answer) = delivery(&app, "alert-2").await;
    assert_eq!((status.as_str(), attempts), ("dead", 1), "{answer:?}");
    assert!(answer.unwrap_or_default().contains("HTTP 4"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.requests().len(), 4, "a refusal is never sent again");

    // All of it is in the delivery log.
    let (status, log) = app
        .server_fn(&admin, "deliveries", &[("status", ""), ("page", "1")])
        .await;
    assert_eq!(status, 200, "{log}");
    assert_eq!(
        log.matches(&format!("\"channel\":\"{}\"", case.channel))
            .count(),
        3,
        "{log}"
    );
    assert!(
        log.contains("\"dead\"") && log.contains("\"delivered\""),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_gets_its_documented_json_and_is_retried_and_refused_as_slack_answers() {
    a_chat_channel_end_to_end(
        Case {
            channel: "slack",
            field: "slack_webhook",
            address: String::new(),
            path: "/services/T000/B000/XXXXXXXX".into(),
            body: |text, _, _| format!(r#"{{"text":{}}}"#, quoted(text)),
            secret: None,
            busy: Answer::new(503, "service_unavailable"),
            busy_wait_ms: 25,
            refusal: Answer::new(404, "channel_not_found"),
            ok: Answer::new(200, "ok"),
        },
        false,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teams_gets_the_adaptive_card_it_documents() {
    a_chat_channel_end_to_end(
        Case {
            channel: "teams",
            field: "teams_webhook",
            address: String::new(),
            path: "/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s1".into(),
            secret: None,
            body: |text, _, _| {
                format!(
                    concat!(
                        r#"{{"attachments":[{{"content":{{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","#,
                        r#""body":[{{"text":{},"type":"TextBlock","wrap":true}}],"type":"AdaptiveCard","version":"1.2"}},"#,
                        r#""contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null}}],"type":"message"}}"#
                    ),
                    quoted(text)
                )
            },
            busy: Answer::new(502, "Bad Gateway"),
            busy_wait_ms: 25,
            refusal: Answer::new(400, r#"{"error":{"code":"InvalidRequestContent"}}"#),
            ok: Answer::new(202, ""),
        },
        false,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telegram_calls_send_message_with_the_bot_token_and_waits_as_told() {
    a_chat_channel_end_to_end(
        Case {
            channel: "telegram",
            field: "telegram_chat_id",
            address: " -1001234567890 ".into(),
            path: "/bot123456:ABC-def_ghi/sendMessage".into(),
            body: |text, _, _| format!(r#"{{"chat_id":-1001234567890,"text":{}}}"#, quoted(text)),
            secret: None,
            busy: Answer::new(
                429,
                r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}"#,
            ),
            busy_wait_ms: 1_000,
            refusal: Answer::new(
                403,
                r#"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#,
            ),
            ok: Answer::new(200, r#"{"ok":true,"result":{"message_id":7}}"#),
        },
        true,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_webhook_carries_an_hmac_of_its_raw_body_under_the_contacts_secret() {
    a_chat_channel_end_to_end(
        Case {
            channel: "webhook",
            field: "webhook_url",
            address: String::new(),
            path: "/hooks/crewdesk?team=ops".into(),
            body: |text, kind, request| {
                let header = |name: &str| request.headers[name].to_str().unwrap().to_owned();
                let key = header("idempotency-key");
                let timestamp = header("x-crewdesk-timestamp");
                assert!(
                    timestamp.parse::<i64>().unwrap() > 1_700_000_000,
                    "{timestamp}"
                );
                format!(
                    r#"{{"idempotency_key":{},"kind":"{kind}","text":{},"timestamp":{timestamp}}}"#,
                    quoted(&key),
                    quoted(text)
                )
            },
            secret: Some("whsec-Ünï+/=1x-0123"),
            busy: Answer::new(500, "oops"),
            busy_wait_ms: 25,
            refusal: Answer::new(410, "gone"),
            ok: Answer::new(204, ""),
        },
        false,
    )
    .await;
}

/// The signed webhooks' allowlist is theirs alone: an address outside its prefixes is
/// refused when saved and, saved under an older list, never posted to; the chat robots
/// cannot point at the signed receiver.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_webhook_goes_only_under_its_prefixes_and_lends_the_robots_nothing() {
    let receiver = Loopback::start(Answer::new(204, "")).await;
    let prefix = receiver.url("/hooks/");
    let app = TestApp::spawn_with(common::Backend::Sqlite, move |s| {
        s.notify.signed_webhook_allow = vec![prefix];
        s.notify.http_timeout = Duration::from_secs(2);
    })
    .await
    .unwrap();
    app.create_admin().await;
    enable_beta(&app).await;
    let id = app
        .add_as_admin(&[("name", "Ko"), ("loginName", "ko")])
        .await
        .userid
        .unwrap();
    let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let save = |fields: Vec<(String, String)>| {
        let app = &app;
        let admin = &admin;
        async move {
            let (version,): (i64,) =
                sqlx::query_as("SELECT version FROM technicians WHERE id = $1")
                    .bind(id)
                    .fetch_one(app.db.reader())
                    .await
                    .unwrap();
            let mut form = vec![
                ("id".to_owned(), id.to_string()),
                ("version".to_owned(), version.to_string()),
                ("back".to_owned(), "/".to_owned()),
            ];
            form.extend(fields);
            let pairs: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.server_fn(admin, "update_engineer", &pairs).await
        }
    };
    let signed = |url: String| {
        vec![
            ("form[contact][webhook_url]".to_owned(), url),
            (
                "form[contact][webhook_secret]".to_owned(),
                "whsec-0123456789".to_owned(),
            ),
        ]
    };
    for outside in [
        receiver.url("/admin/x"),
        receiver.url("/hooks/../admin"),
        receiver.url("/hooks\\..\\admin"),
        format!("http://localhost:{}/hooks/x", receiver.addr.port()),
    ] {
        let (status, body) = save(signed(outside.clone())).await;
        assert_eq!(status, 422, "{outside}: {body}");
        assert!(body.contains("webhook_url"), "{body}");
    }
    let (status, body) = save(vec![(
        "form[contact][wecom_webhook]".to_owned(),
        receiver.url("/hooks/x"),
    )])
    .await;
    assert_eq!(status, 422, "a robot at the signed receiver: {body}");
    assert_eq!(app.count("SELECT count(*) FROM contact_points").await, 0);
    let (status, body) = save(signed(receiver.url("/hooks/ok"))).await;
    assert!(status < 400, "{body}");
    // The secret stays with the receiver it was made for: a new address needs it typed
    // again, and a short one is refused.
    let (status, body) = save(vec![(
        "form[contact][webhook_url]".to_owned(),
        receiver.url("/hooks/other"),
    )])
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("SecretRetype"), "{body}");
    let mut short = signed(receiver.url("/hooks/other"));
    short[1].1 = "whsec-short".to_owned();
    let (status, body) = save(short).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("SignedSecretShort"), "{body}");
    let (stored,): (String,) =
        sqlx::query_as("SELECT address FROM contact_points WHERE technician_id = $1")
            .bind(id)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(
        stored,
        receiver.url("/hooks/ok"),
        "nothing of a refused edit is saved"
    );
    // Saved under an older list, an address outside the prefixes is never posted to.
    sqlx::query("UPDATE contact_points SET address = $1 WHERE technician_id = $2")
        .bind(receiver.url("/admin/x"))
        .bind(id)
        .execute(app.db.writer())
        .await
        .unwrap();
    let key = api_key(&app).await;
    api_send(&app, &key, "webhook", "to the admin page?", "sneak-1").await;
    app.wait_for_count("SELECT count(*) FROM deliveries WHERE status = 'dead'", 1)
        .await;
    let (status, attempts, answer) = delivery(&app, "sneak-1").await;
    assert_eq!((status.as_str(), attempts), ("dead", 1));
    let answer = answer.unwrap_or_default();
    assert!(
        answer.contains("must be on a host this server posts to") && answer.contains("/hooks/"),
        "{answer}"
    );
    assert!(
        receiver.requests().is_empty(),
        "nothing reached the receiver"
    );
}
