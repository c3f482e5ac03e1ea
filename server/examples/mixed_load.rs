//! A mixed load against a running Crewdesk: console sign-ins and page views beside XML adds
//! and updates, from many clients at once; then every acknowledged write is read back.
//!
//! `cargo run --release -p server --example mixed_load -- BASE_URL LOGIN PASSWORD [CLIENTS] [SECONDS]`
//! (`scripts/bench-mixed.sh` starts a server and runs this.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Default)]
struct Tally {
    sign_ins: AtomicU64,
    pages: AtomicU64,
    adds: AtomicU64,
    updates: AtomicU64,
    errors: AtomicU64,
}

struct Config {
    base: String,
    login: String,
    password: String,
}

/// What one client had acknowledged: (technician id, name, last job title).
type Acknowledged = Vec<(i64, String, Option<String>)>;

fn field<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(&xml[start..end])
}

async fn servlet(
    client: &reqwest::Client,
    config: &Config,
    pairs: &[(&str, &str)],
) -> Result<String, String> {
    let mut form = vec![
        ("username", config.login.as_str()),
        ("password", config.password.as_str()),
    ];
    form.extend_from_slice(pairs);
    let response = client
        .post(format!("{}/servlets/TechnicianServlet", config.base))
        .form(&form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let text = response.text().await.map_err(|e| e.to_string())?;
    if field(&text, "operationstatus") == Some("Success") {
        Ok(text)
    } else {
        Err(text)
    }
}

async fn sign_in(config: &Config) -> Result<reqwest::Client, String> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let response = client
        .post(format!("{}/api/login", config.base))
        .header("accept", "application/json")
        .form(&[
            ("login", config.login.as_str()),
            ("password", config.password.as_str()),
            ("domain", ""),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status().is_success() {
        Ok(client)
    } else {
        Err(format!("sign-in answered {}", response.status()))
    }
}

async fn page(client: &reqwest::Client, config: &Config, query: &str) -> Result<(), String> {
    let response = client
        .get(format!("{}/{query}", config.base))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.text().await.map_err(|e| e.to_string())?;
    if status.is_success() && body.contains("</html>") {
        Ok(())
    } else {
        Err(format!("page answered {status}"))
    }
}

async fn client_loop(
    n: usize,
    config: Arc<Config>,
    tally: Arc<Tally>,
    until: Instant,
) -> Acknowledged {
    // Clients arrive over a few seconds, as real ones do, not in the same millisecond.
    tokio::time::sleep(Duration::from_millis(50 * n as u64)).await;
    let xml = reqwest::Client::new();
    let mut console = None;
    let mut acknowledged: Acknowledged = Vec::new();
    let mut step = 0usize;
    while Instant::now() < until {
        step += 1;
        let outcome = match step % 100 {
            // One step in a hundred signs in afresh (argon2id, ~20 ms of a core each), then
            // views the roster: thousands of sign-ins an hour, more than any real shift start.
            0 => match sign_in(&config).await {
                Ok(client) => {
                    tally.sign_ins.fetch_add(1, Ordering::Relaxed);
                    let viewed = page(&client, &config, "").await;
                    console = Some(client);
                    viewed.map(|_| tally.pages.fetch_add(1, Ordering::Relaxed))
                }
                Err(e) => Err(e),
            },
            1..=35 => match &console {
                Some(client) => page(client, &config, &format!("?q=load+{}", n % 10))
                    .await
                    .map(|_| tally.pages.fetch_add(1, Ordering::Relaxed)),
                None => sign_in(&config).await.map(|client| {
                    console = Some(client);
                    tally.sign_ins.fetch_add(1, Ordering::Relaxed)
                }),
            },
            36..=75 => {
                let name = format!("load {n} {step}");
                match servlet(
                    &xml,
                    &config,
                    &[("operation", "AddTechnician"), ("name", &name)],
                )
                .await
                {
                    Ok(answer) => match field(&answer, "userid").and_then(|v| v.parse().ok()) {
                        Some(id) => {
                            acknowledged.push((id, name, None));
                            Ok(tally.adds.fetch_add(1, Ordering::Relaxed))
                        }
                        None => Err(answer),
                    },
                    Err(e) => Err(e),
                }
            }
            _ => match acknowledged.last_mut() {
                Some((id, _, title)) => {
                    let job = format!("title {n} {step}");
                    let result = servlet(
                        &xml,
                        &config,
                        &[
                            ("operation", "UpdateTechnician"),
                            ("userid", &id.to_string()),
                            ("jobTitle", &job),
                        ],
                    )
                    .await;
                    result.map(|_| {
                        *title = Some(job);
                        tally.updates.fetch_add(1, Ordering::Relaxed)
                    })
                }
                None => Ok(0),
            },
        };
        if let Err(e) = outcome {
            if tally.errors.fetch_add(1, Ordering::Relaxed) < 5 {
                eprintln!("error: {}", e.chars().take(300).collect::<String>());
            }
        }
    }
    acknowledged
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err("usage: mixed_load BASE_URL LOGIN PASSWORD [CLIENTS] [SECONDS]".into());
    }
    let config = Arc::new(Config {
        base: args[1].trim_end_matches('/').to_owned(),
        login: args[2].clone(),
        password: args[3].clone(),
    });
    let clients: usize = args.get(4).and_then(|v| v.parse().ok()).unwrap_or(64);
    let seconds: u64 = args.get(5).and_then(|v| v.parse().ok()).unwrap_or(60);
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|n| tokio::spawn(client_loop(n, config.clone(), tally.clone(), until)))
        .collect();
    let mut acknowledged = Vec::new();
    for task in tasks {
        acknowledged.extend(task.await.map_err(|e| e.to_string())?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    // Every acknowledged write must be there, with its last acknowledged change.
    let reader = reqwest::Client::new();
    let mut missing = 0u64;
    for (id, name, title) in &acknowledged {
        let found = servlet(
            &reader,
            &config,
            &[("operation", "GetTechnician"), ("userid", &id.to_string())],
        )
        .await;
        let ok = match found {
            Ok(answer) => {
                answer.contains(&format!(r#"<propname key="name">{name}</propname>"#))
                    && title.as_ref().is_none_or(|t| {
                        answer.contains(&format!(r#"<propname key="jobTitle">{t}</propname>"#))
                    })
            }
            Err(_) => false,
        };
        if !ok {
            missing += 1;
        }
    }
    let total = tally.sign_ins.load(Ordering::Relaxed)
        + tally.pages.load(Ordering::Relaxed)
        + tally.adds.load(Ordering::Relaxed)
        + tally.updates.load(Ordering::Relaxed);
    println!(
        "mixed load: {clients} clients, {elapsed:.0} s: {total} requests ({:.0}/s): sign-ins {}, page views {}, XML adds {}, XML updates {}; errors {}; acknowledged writes checked {}, missing or stale {}",
        total as f64 / elapsed,
        tally.sign_ins.load(Ordering::Relaxed),
        tally.pages.load(Ordering::Relaxed),
        tally.adds.load(Ordering::Relaxed),
        tally.updates.load(Ordering::Relaxed),
        tally.errors.load(Ordering::Relaxed),
        acknowledged.len(),
        missing
    );
    if tally.errors.load(Ordering::Relaxed) > 0 || missing > 0 {
        return Err("the mixed load saw errors or lost writes".into());
    }
    Ok(())
}
