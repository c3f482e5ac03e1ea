//! A page whose data never comes is stopped at the request deadline, and the log says which
//! data it still awaited: here the sites, behind a table another session holds locked.

mod common;

use common::{TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};
use sqlx::Connection;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Every log line of this test process.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut all) = self.0.lock() {
            all.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        self.0
            .lock()
            .map(|all| String::from_utf8_lossy(&all).into_owned())
            .unwrap_or_default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_render_stopped_at_the_deadline_logs_what_it_awaited() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
        .init();
    let Some(app) = TestApp::spawn_with(common::Backend::Postgres, |s| {
        s.request_deadline = Duration::from_secs(1);
    })
    .await
    else {
        return;
    };
    app.create_admin().await;
    let admin = common::signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let ok = admin.get(app.url("/")).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    // Another session locks the sites; the roster page's list of sites waits for it.
    let mut other = sqlx::PgConnection::connect(&app.database_url)
        .await
        .unwrap();
    let mut lock = other.begin().await.unwrap();
    sqlx::query("LOCK TABLE sites IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *lock)
        .await
        .unwrap();
    let stalled = admin.get(app.url("/")).send().await.unwrap();
    assert_eq!(stalled.status(), 408);
    let mut logged = String::new();
    for _ in 0..100 {
        logged = captured.text();
        if logged.contains("stopped") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let line = logged
        .lines()
        .find(|l| l.contains("page render ran past the request deadline"))
        .unwrap_or_else(|| panic!("no log of the stopped render in: {logged}"));
    assert!(
        line.contains("awaiting=") && line.contains("sites"),
        "{line}"
    );
    assert!(line.contains("path=/"), "{line}");
    lock.rollback().await.unwrap();
    // The lock gone, the page renders again.
    let again = admin.get(app.url("/")).send().await.unwrap();
    assert_eq!(again.status(), 200);
}
