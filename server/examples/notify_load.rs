//! Delivery throughput, in one process: Crewdesk's workers drain MESSAGES queued SMS to a
//! loopback gateway, then fan out to ROBOTS loopback WeCom robots with more messages than a
//! robot allows in a minute. Anchor: the same number of bare HTTP posts to the same gateway
//! from one client with the same concurrency, in the same run.
//!
//! `cargo run --release -p server --example notify_load -- [MESSAGES] [ROBOTS]`
//! (`scripts/bench-notify.sh`). Exits non-zero if anything is lost, sent twice, or a robot
//! gets more than its limit.

use app::domain::Channel;
use app::service::outbox::{self, Kind, NewDelivery};
use axum::extract::State;
use axum::http::Uri;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Seen {
    keys: HashMap<String, u32>,
    robots: HashMap<String, u32>,
}

type Shared = Arc<Mutex<Seen>>;

async fn gateway(State(seen): State<Shared>, body: String) -> &'static str {
    let key = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["idempotency_key"].as_str().map(str::to_owned))
        .unwrap_or_default();
    if let Ok(mut seen) = seen.lock() {
        *seen.keys.entry(key).or_default() += 1;
    }
    r#"{"accepted":true}"#
}

async fn robot(State(seen): State<Shared>, uri: Uri) -> &'static str {
    if let Ok(mut seen) = seen.lock() {
        *seen.robots.entry(uri.to_string()).or_default() += 1;
    }
    r#"{"errcode":0,"errmsg":"ok"}"#
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

async fn wait_delivered(
    db: &app::service::Db,
    n: i64,
    limit: Duration,
) -> Result<Duration, String> {
    let start = Instant::now();
    loop {
        let (done,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM deliveries WHERE status = 'delivered'")
                .fetch_one(db.reader())
                .await
                .map_err(|e| e.to_string())?;
        if done >= n {
            return Ok(start.elapsed());
        }
        if start.elapsed() > limit {
            return Err(format!("only {done} of {n} delivered after {limit:?}"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn queue(db: &app::service::Db, deliveries: Vec<NewDelivery>) -> Result<(), String> {
    for chunk in deliveries.chunks(1000) {
        let mut tx = db.writer().begin().await.map_err(|e| e.to_string())?;
        outbox::enqueue(
            &mut tx,
            Kind::Api,
            ("db-1: disk 95% full", app::i18n::Lang::En),
            None,
            chunk,
            app::service::now_ms(),
        )
        .await
        .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let messages: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let robots: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(200);
    let seen: Shared = Arc::default();
    let router = axum::Router::new()
        .route("/send", axum::routing::post(gateway))
        .route("/cgi-bin/webhook/send", axum::routing::post(robot))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let loopback = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move { axum::serve(listener, router).await });

    // Anchor: bare posts to the same gateway, 200 at a time like the workers' batches.
    let client = reqwest::Client::new();
    let started = Instant::now();
    for chunk in (0..messages).collect::<Vec<_>>().chunks(200) {
        let posts = chunk.iter().map(|i| {
            client
                .post(format!("http://{loopback}/send"))
                .json(&serde_json::json!({"to": "+8613800138000", "channel": "sms", "text": "x", "idempotency_key": format!("anchor-{i}")}))
                .send()
        });
        for result in futures::future::join_all(posts).await {
            result.map_err(|e| e.to_string())?;
        }
    }
    let anchor = started.elapsed();
    seen.lock().map_err(|e| e.to_string())?.keys.clear();

    let dir = std::env::temp_dir().join(format!("crewdesk-notify-{}", std::process::id()));
    let mut settings = server::Settings::new(format!("sqlite:{}/bench.db", dir.display()));
    settings.addr = ([127, 0, 0, 1], 0).into();
    settings.notify.sms_gateway_url = Some(format!("http://{loopback}/send"));
    settings.notify.webhook_allow = vec![format!("http://{loopback}")];
    let app = server::Application::build(settings)
        .await
        .map_err(|e| e.to_string())?;
    let state = app.state().clone();
    tokio::spawn(app.run_until(std::future::pending()));
    let db = state.db.clone();
    let rss_idle = rss_kib("VmRSS:");

    // 1. SMS: everything queued before the clock starts.
    let sms: Vec<NewDelivery> = (0..messages)
        .map(|i| NewDelivery {
            technician_id: None,
            channel: Channel::Sms,
            recipient: format!("+86138{i:08}"),
            idempotency_key: format!("bench-sms-{i}"),
        })
        .collect();
    queue(&db, sms).await?;
    state.db.outbox_ready().notify_waiters();
    let drained = wait_delivered(&db, messages as i64, Duration::from_secs(300)).await?;
    let rss_sms = rss_kib("VmHWM:");
    {
        let seen = seen.lock().map_err(|e| e.to_string())?;
        let twice = seen.keys.values().filter(|n| **n > 1).count();
        if seen.keys.len() != messages || twice > 0 {
            return Err(format!(
                "gateway saw {} keys, {twice} more than once",
                seen.keys.len()
            ));
        }
    }

    // 2. Robots: 25 messages for each of ROBOTS robots, 20 allowed a minute each.
    sqlx::query("INSERT INTO settings (key, value) VALUES ('beta.wecom', 'on')")
        .execute(db.writer())
        .await
        .map_err(|e| e.to_string())?;
    let mut fan_out = Vec::new();
    for r in 0..robots {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO technicians (name, created_at, updated_at, search_text, name_key) \
             VALUES ($1, 0, 0, '', $1) RETURNING id",
        )
        .bind(format!("robot owner {r}"))
        .fetch_one(db.writer())
        .await
        .map_err(|e| e.to_string())?;
        sqlx::query(
            "INSERT INTO contact_points (technician_id, channel, address, updated_at) \
             VALUES ($1, 'wecom', $2, 0)",
        )
        .bind(id)
        .bind(format!(
            "http://{loopback}/cgi-bin/webhook/send?key=robot-{r}"
        ))
        .execute(db.writer())
        .await
        .map_err(|e| e.to_string())?;
        for m in 0..25 {
            fan_out.push(NewDelivery {
                technician_id: Some(id),
                channel: Channel::WeCom,
                recipient: format!("robot {r}"),
                idempotency_key: format!("bench-robot-{r}-{m}"),
            });
        }
    }
    let robot_messages = fan_out.len() as i64;
    let first_wave = (robots * 20) as i64;
    queue(&db, fan_out).await?;
    state.db.outbox_ready().notify_waiters();
    let wave = wait_delivered(&db, messages as i64 + first_wave, Duration::from_secs(300)).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let over: Vec<(String, u32)> = {
        let seen = seen.lock().map_err(|e| e.to_string())?;
        seen.robots
            .iter()
            .filter(|(_, n)| **n > 20)
            .map(|(k, n)| (k.clone(), *n))
            .collect()
    };
    if !over.is_empty() {
        return Err(format!("robots over 20 in the first minute: {over:?}"));
    }
    let (waiting,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM deliveries WHERE status = 'queued'")
            .fetch_one(db.reader())
            .await
            .map_err(|e| e.to_string())?;
    // The next minute, on the application's clock.
    state.clock.advance(61_000);
    state.db.outbox_ready().notify_waiters();
    wait_delivered(
        &db,
        messages as i64 + robot_messages,
        Duration::from_secs(300),
    )
    .await?;
    let rss_peak = rss_kib("VmHWM:");
    let total_robot: u32 = seen
        .lock()
        .map_err(|e| e.to_string())?
        .robots
        .values()
        .sum();
    if i64::from(total_robot) != robot_messages {
        return Err(format!("robots got {total_robot} of {robot_messages}"));
    }
    let _ = std::fs::remove_dir_all(&dir);

    let rate = messages as f64 / drained.as_secs_f64();
    let anchor_rate = messages as f64 / anchor.as_secs_f64();
    println!(
        "sms: {messages} queued, delivered in {:.2} s = {rate:.0} messages/s; anchor (bare posts) {anchor_rate:.0}/s; ratio {:.2}",
        drained.as_secs_f64(),
        rate / anchor_rate
    );
    println!(
        "robots: {robots} robots, {first_wave} sent in the first minute in {:.2} s ({:.0}/s), {waiting} held for the next minute, none over 20; all {robot_messages} delivered once",
        wave.as_secs_f64(),
        first_wave as f64 / wave.as_secs_f64()
    );
    println!(
        "rss: {} MiB idle, peak {} MiB after the SMS drain, {} MiB after the robots",
        rss_idle / 1024,
        rss_sms / 1024,
        rss_peak / 1024
    );
    Ok(())
}
