//! A real `crewdesk serve` process on a free loopback port, killed when dropped.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Server {
    pub child: Child,
    pub base: String,
    pub log: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn sqlite_url(tag: &str) -> String {
    let dir = std::env::temp_dir().join("crewdesk-process-tests");
    std::fs::create_dir_all(&dir).expect("temp dir");
    format!(
        "sqlite:{}/{tag}-{}-{}.db",
        dir.display(),
        std::process::id(),
        rand::random::<u32>()
    )
}

pub fn create_admin(db: &str) {
    let admin = Command::new(env!("CARGO_BIN_EXE_crewdesk"))
        .args(["--database-url", db, "admin", "create"])
        .args(["--login", "root.admin", "--password", "admin-password-1"])
        .output()
        .expect("admin create runs");
    assert!(admin.status.success(), "{admin:?}");
}

pub async fn start(tag: &str) -> Server {
    let db = sqlite_url(tag);
    create_admin(&db);
    serve(&db, tag).await
}

pub async fn serve(db: &str, tag: &str) -> Server {
    serve_with(db, tag, &[]).await
}

/// `crewdesk serve` on `db` with `args` added, once `/healthz` answers.
pub async fn serve_with(db: &str, tag: &str, args: &[String]) -> Server {
    let log = std::env::temp_dir().join(format!(
        "crewdesk-process-tests/{tag}-{}-{}.log",
        std::process::id(),
        rand::random::<u32>()
    ));
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_crewdesk"))
        .args(["--database-url", db, "serve", "--addr"])
        .arg(format!("127.0.0.1:{port}"))
        .args(args)
        .env("CREWDESK_LOG", "debug")
        .env("CREWDESK_SECRET_KEY", TEST_SECRET_KEY)
        .stdout(std::fs::File::create(&log).expect("log file"))
        .stderr(Stdio::null())
        .spawn()
        .expect("crewdesk serve starts");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        log,
    };
    // Bounded: the server binds within a few seconds or the test fails.
    for _ in 0..300 {
        if health(&server).await == Some(200) {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("crewdesk serve did not answer /healthz");
}

pub async fn health(server: &Server) -> Option<u16> {
    reqwest::get(format!("{}/healthz", server.base))
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

pub fn rss_kib(server: &Server) -> u64 {
    let mut status = String::new();
    std::fs::File::open(format!("/proc/{}/status", server.child.id()))
        .and_then(|mut f| f.read_to_string(&mut status))
        .expect("the server's /proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// The server key of test processes that share a database (32 bytes, hex).
pub const TEST_SECRET_KEY: &str =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// `crewdesk ARGS` on `app`'s database, as the operator runs it beside the live server: its
/// exit, and what it printed.
pub fn cli(app: &super::TestApp, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_crewdesk"))
        .args(["--database-url", &app.database_url])
        .args(args)
        .env("CREWDESK_SECRET_KEY", TEST_SECRET_KEY)
        .env("CREWDESK_LOG", "error")
        .output()
        .expect("crewdesk runs");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), printed)
}
