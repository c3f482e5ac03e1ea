//! The operator's CLI writes to the SQLite database a live server is writing to: two
//! processes, one file. Each write transaction takes the write lock up front and waits its
//! turn, so neither fails with "database is locked".

mod common;

use common::process::{create_admin, serve, sqlite_url};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

fn crewdesk(db: &str, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crewdesk"))
        .args(["--database-url", db])
        .args(args)
        .env("CREWDESK_SECRET_KEY", common::process::TEST_SECRET_KEY)
        .env("CREWDESK_LOG", "error")
        .output()
        .expect("crewdesk runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_writes_beside_a_busy_server_wait_their_turn() {
    let db = sqlite_url("cli-beside");
    create_admin(&db);
    let server = serve(&db, "cli-beside").await;
    let dir = std::env::temp_dir().join("crewdesk-process-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("beside-{}.csv", rand::random::<u32>()));
    let mut text = String::from("uid,cn,mail,entryUUID\n");
    for i in 0..3_000 {
        text.push_str(&format!(
            "dir{i},Directory {i},dir{i}@corp.example,id-{i}\n"
        ));
    }
    std::fs::write(&file, text).unwrap();
    let roster = dir.join(format!("beside-roster-{}.csv", rand::random::<u32>()));
    let mut text = String::from("name,email,techSiteName\n");
    for i in 0..500 {
        text.push_str(&format!("Imported {i},imported{i}@corp.example,Beside\n"));
    }
    std::fs::write(&roster, text).unwrap();
    // The server writes as fast as four clients make it: engineers added over the XML API.
    let stop = Arc::new(AtomicBool::new(false));
    let added = Arc::new(AtomicUsize::new(0));
    let mut load = Vec::new();
    for worker in 0..4 {
        let (stop, added, base) = (stop.clone(), added.clone(), server.base.clone());
        load.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut n = 0u32;
            // Bounded: stops when told, or after 60 s.
            let until = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
            while !stop.load(Ordering::Relaxed) && tokio::time::Instant::now() < until {
                n += 1;
                let name = format!("Load {worker}-{n}");
                let answer = client
                    .post(format!("{base}/servlets/TechnicianServlet"))
                    .form(&[
                        ("operation", "AddTechnician"),
                        ("username", "root.admin"),
                        ("password", "admin-password-1"),
                        ("name", name.as_str()),
                    ])
                    .send()
                    .await;
                if let Ok(answer) = answer {
                    let text = answer.text().await.unwrap_or_default();
                    if text.contains("<operationstatus>Success") {
                        added.fetch_add(1, Ordering::Relaxed);
                    } else if n == 1 {
                        eprintln!("an add was refused: {text}");
                    }
                }
            }
        }));
    }
    // The CLI starts once the server is really writing.
    for _ in 0..600 {
        if added.load(Ordering::Relaxed) >= 20 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let before = added.load(Ordering::Relaxed);
    assert!(before >= 20, "the server is writing before the CLI starts");
    let file = file.display().to_string();
    let roster = roster.display().to_string();
    let db_for_cli = db.clone();
    let outcomes = tokio::task::spawn_blocking(move || {
        let mut outcomes = Vec::new();
        for args in [
            &["directory", "add", "CORP", "--file", &file][..],
            &["directory", "sync"][..],
            &["site", "add", "Beside"][..],
            &["directory", "sync", "CORP"][..],
            &["apikey", "create", "beside"][..],
            &["roster", "import", &roster, "--apply"][..],
        ] {
            outcomes.push((args.join(" "), crewdesk(&db_for_cli, args)));
        }
        outcomes
    })
    .await
    .unwrap();
    let during = added.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }
    for (command, (ok, printed)) in &outcomes {
        assert!(ok, "crewdesk {command}: {printed}");
        assert!(!printed.contains("locked"), "crewdesk {command}: {printed}");
    }
    assert!(outcomes[1].1 .1.contains("created 3000"), "{outcomes:?}");
    assert!(outcomes[5].1 .1.contains("500 created"), "{outcomes:?}");
    assert!(during > before, "the server wrote meanwhile");
    // The server's own writes all went through too.
    let listed = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
}
