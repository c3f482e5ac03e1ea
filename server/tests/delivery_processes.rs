//! The outbox across real processes: a server killed with `kill -9` in the middle of
//! delivering, then restarted, and three instances draining one PostgreSQL outbox. The SMS
//! gateway is a real HTTP server on loopback that, like a gateway honouring the contract's
//! idempotency key, delivers a key once and answers a repeat without delivering again.

mod common;

use common::loopback::{Answer, Judge, Loopback, Recorded};
use common::process::{create_admin, serve_with, sqlite_url, Server};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often the gateway was asked to send each idempotency key.
type Seen = Arc<Mutex<HashMap<String, u32>>>;

async fn gateway(delay: Duration) -> (Loopback, Seen) {
    let seen: Seen = Arc::default();
    let counted = seen.clone();
    let judge: Judge = Arc::new(move |request: &Recorded| {
        let key = serde_json::from_str::<serde_json::Value>(&request.body)
            .ok()
            .and_then(|body| body["idempotency_key"].as_str().map(str::to_owned))
            .unwrap_or_default();
        let mut seen = counted.lock().expect("seen");
        let count = seen.entry(key).or_insert(0);
        *count += 1;
        let body = if *count == 1 {
            r#"{"status":"sent"}"#
        } else {
            r#"{"status":"duplicate, not sent again"}"#
        };
        Some(Answer::new(202, body).delayed(delay))
    });
    let server = Loopback::start_judging(Answer::new(500, "unexpected"), Some(judge)).await;
    (server, seen)
}

fn args(gateway: &Loopback, lease_seconds: u64) -> Vec<String> {
    vec![
        "--sms-gateway-url".into(),
        gateway.url("/send"),
        // Far above the gateway's delay, so no answer is mistaken for a lost one.
        "--provider-timeout".into(),
        "3".into(),
        "--delivery-lease".into(),
        lease_seconds.to_string(),
    ]
}

async fn keys_with_status(db: &app::service::Db, status: &str) -> HashSet<String> {
    sqlx::query_as::<_, (String,)>("SELECT idempotency_key FROM deliveries WHERE status = $1")
        .bind(status)
        .fetch_all(db.reader())
        .await
        .expect("deliveries")
        .into_iter()
        .map(|(k,)| k)
        .collect()
}

async fn count(db: &app::service::Db, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(db.reader())
        .await
        .expect("count");
    n
}

/// Waits (bounded) until every delivery is delivered; answers how many are not.
async fn drained(db: &app::service::Db, limit: Duration) -> i64 {
    let started = std::time::Instant::now();
    loop {
        let left = count(
            db,
            "SELECT count(*) FROM deliveries WHERE status <> 'delivered'",
        )
        .await;
        if left == 0 || started.elapsed() > limit {
            return left;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn kill_9(server: &mut Server) {
    let status = std::process::Command::new("kill")
        .args(["-9", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let _ = server.child.wait();
}

/// Adds engineers with mobiles through the XML API until it stops answering; each one
/// queues a confirmation SMS.
async fn keep_adding(base: String) {
    let client = reqwest::Client::new();
    for i in 0..400 {
        let mobile = format!("+86 138 {:04} {:04}", i / 10_000, i % 10_000);
        let name = format!("Engineer {i}");
        let answer = client
            .post(format!("{base}/servlets/TechnicianServlet"))
            .form(&[
                ("operation", "AddTechnician"),
                ("username", "root.admin"),
                ("password", "admin-password-1"),
                ("logonDomainName", "Local Authentication"),
                ("name", name.as_str()),
                ("mobile", mobile.as_str()),
            ])
            .send()
            .await;
        let Ok(answer) = answer else { break };
        let Ok(body) = answer.text().await else { break };
        assert!(body.contains("<userid>"), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_mid_delivery_sends_each_message_once_after_a_restart() {
    let (gateway, seen) = gateway(Duration::from_millis(500)).await;
    let url = sqlite_url("kill9");
    create_admin(&url);
    let mut first = serve_with(&url, "kill9-a", &args(&gateway, 5)).await;
    let db = app::service::Db::connect(&url).await.expect("the database");
    let adder = tokio::spawn(keep_adding(first.base.clone()));
    // Kill it once some messages are recorded as delivered while others are on the wire.
    let mut in_flight_seen = false;
    for _ in 0..600 {
        let delivered = count(
            &db,
            "SELECT count(*) FROM deliveries WHERE status = 'delivered'",
        )
        .await;
        // On the wire: claimed by a worker and already asked of the gateway (a claimed
        // message may take a moment to leave on a busy machine).
        let on_the_wire = {
            let asked: HashSet<String> = seen.lock().expect("seen").keys().cloned().collect();
            keys_with_status(&db, "sending")
                .await
                .iter()
                .any(|k| asked.contains(k))
        };
        if delivered >= 20 && on_the_wire {
            in_flight_seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(in_flight_seen, "deliveries never got under way");
    kill_9(&mut first);
    adder.await.expect("the adder");
    // What the outbox holds at the moment of the kill.
    let delivered_before = keys_with_status(&db, "delivered").await;
    let in_flight = keys_with_status(&db, "sending").await;
    assert!(!delivered_before.is_empty() && !in_flight.is_empty());
    let asked_before: HashSet<String> = seen.lock().expect("seen").keys().cloned().collect();
    assert!(
        in_flight.iter().any(|k| asked_before.contains(k)),
        "the kill landed while messages were on the wire"
    );

    let _second = serve_with(&url, "kill9-b", &args(&gateway, 5)).await;
    assert_eq!(
        drained(&db, Duration::from_secs(60)).await,
        0,
        "everything is delivered after the restart"
    );
    let all = keys_with_status(&db, "delivered").await;
    let added = count(
        &db,
        "SELECT count(*) FROM technicians WHERE name LIKE 'Engineer %'",
    )
    .await;
    assert_eq!(
        i64::try_from(all.len()).unwrap(),
        added,
        "one confirmation per engineer added"
    );
    let seen = seen.lock().expect("seen").clone();
    let sent: HashSet<String> = seen.keys().cloned().collect();
    assert_eq!(sent, all, "the gateway got every key, and only those");
    for (key, times) in &seen {
        if *times > 1 {
            assert!(
                in_flight.contains(key),
                "{key} was sent {times} times though it was not in flight at the kill"
            );
        }
    }
    assert!(
        delivered_before.iter().all(|k| seen[k] == 1),
        "a message recorded as delivered is never sent again"
    );
    eprintln!(
        "killed with {} delivered and {} in flight; {} keys asked twice, {} messages in all",
        delivered_before.len(),
        in_flight.len(),
        seen.values().filter(|n| **n > 1).count(),
        all.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_on_one_postgres_deliver_ten_thousand_messages_once_each() {
    let Some(url) = common::fresh_postgres().await else {
        return;
    };
    let (gateway, seen) = gateway(Duration::from_millis(20)).await;
    create_admin(&url);
    let instances = [
        serve_with(&url, "drain-a", &args(&gateway, 30)).await,
        serve_with(&url, "drain-b", &args(&gateway, 30)).await,
        serve_with(&url, "drain-c", &args(&gateway, 30)).await,
    ];
    let db = app::service::Db::connect(&url).await.expect("the database");
    // 10,000 SMS appear in the outbox in one transaction, as one bulk notification would
    // write them, while all three instances are polling.
    let now = app::service::now_ms();
    let mut tx = db.writer().begin().await.expect("begin");
    let (notification,): (i64,) = sqlx::query_as(
        "INSERT INTO notifications (kind, text, created_at) VALUES ('api', 'db-1: disk 95% full', $1) RETURNING id",
    )
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .expect("notification");
    sqlx::query(
        "INSERT INTO deliveries (notification_id, channel, recipient, idempotency_key, status, \
         attempts, next_attempt_at, created_at, updated_at) \
         SELECT $1, 'sms', '+86138' || lpad(g::text, 8, '0'), 'bulk:' || g, 'queued', 0, $2, $2, $2 \
         FROM generate_series(1, 10000) g",
    )
    .bind(notification)
    .bind(now)
    .execute(&mut *tx)
    .await
    .expect("deliveries");
    tx.commit().await.expect("commit");

    assert_eq!(drained(&db, Duration::from_secs(120)).await, 0);
    let seen = seen.lock().expect("seen").clone();
    assert_eq!(seen.len(), 10_000, "every key reached the gateway");
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    // Each instance took its share: worker names start with the process id.
    let workers: Vec<(String, i64)> =
        sqlx::query_as("SELECT worker, count(*) FROM delivery_attempts GROUP BY worker")
            .fetch_all(db.reader())
            .await
            .expect("attempts");
    assert_eq!(
        workers.iter().map(|w| w.1).sum::<i64>(),
        10_000,
        "one attempt each"
    );
    for instance in &instances {
        let pid = format!("{}-", instance.child.id());
        let share: i64 = workers
            .iter()
            .filter(|(w, _)| w.starts_with(&pid))
            .map(|(_, n)| n)
            .sum();
        assert!(share > 0, "instance {pid} delivered nothing: {workers:?}");
        eprintln!("instance {pid} delivered {share}");
    }
}
