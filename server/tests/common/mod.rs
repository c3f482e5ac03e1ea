//! Spawns the real application on a random port with a fresh database (SQLite file or a new
//! PostgreSQL database) and speaks HTTP to it.
#![allow(dead_code)]

use app::service::Db;
use server::{Application, Settings};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

pub mod loopback;
pub mod process;
pub mod slapd;
pub mod smtp;
pub mod xml;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub db: Db,
    pub client: reqwest::Client,
    pub database_url: String,
    /// The application's clock: tests move it forward instead of waiting.
    pub clock: app::service::Clock,
    pub state: app::service::AppState,
    /// The folder the console may name directory files in (its own, per application).
    pub directory_root: std::path::PathBuf,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub const ADMIN_LOGIN: &str = "root.admin";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const TECHNICIAN_SERVLET: &str = "/servlets/TechnicianServlet";
pub const OPERATION_SERVLET: &str = "/servlets/TechnicianOperationServlet";

fn unique_name() -> String {
    format!(
        "crewdesk_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        rand::random::<u32>()
    )
}

/// The PostgreSQL server tests create their databases on.
pub fn postgres_base_url() -> String {
    std::env::var("CREWDESK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

pub async fn fresh_postgres() -> Option<String> {
    use sqlx::Connection;
    let base = postgres_base_url();
    let mut conn = match sqlx::PgConnection::connect(&base).await {
        Ok(conn) => conn,
        Err(e) => {
            let ci = std::env::var("CI").map(|v| v == "true").unwrap_or(false);
            assert!(!ci, "PostgreSQL at {base} is required under CI=true: {e}");
            eprintln!("!!! PostgreSQL at {base} is not reachable ({e}): PostgreSQL half of this test NOT run");
            return None;
        }
    };
    let name = unique_name();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let (prefix, _) = base.rsplit_once('/').expect("database URL has a path");
    Some(format!("{prefix}/{name}"))
}

/// A new database of `backend` migrated only up to migration `last`: the schema an earlier
/// release left, for a test to fill as that release did and then upgrade.
pub async fn database_at(backend: Backend, last: i64) -> Option<(String, Db)> {
    let (url, folder) = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("crewdesk-tests");
            std::fs::create_dir_all(&dir).expect("test folder");
            (
                format!("sqlite:{}/{}.db", dir.display(), unique_name()),
                "sqlite",
            )
        }
        Backend::Postgres => (fresh_postgres().await?, "postgres"),
    };
    // The release's migrations are the first `last` files of today's folder, byte for byte.
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(folder);
    let old = std::env::temp_dir()
        .join("crewdesk-tests")
        .join(format!("{}-migrations", unique_name()));
    std::fs::create_dir_all(&old).expect("migrations folder");
    for entry in std::fs::read_dir(&source).expect("migrations") {
        let path = entry.expect("migration").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let version: i64 = name.split('_').next().unwrap().parse().unwrap();
        if version <= last {
            std::fs::copy(&path, old.join(&name)).expect("copy migration");
        }
    }
    let db = Db::connect(&url).await.expect("connect");
    sqlx::migrate::Migrator::new(old.as_path())
        .await
        .expect("old migrations")
        .run(db.writer())
        .await
        .expect("old schema");
    Some((url, db))
}

/// What tests that read directories outside an application give the sync: the test key,
/// and a directory root of no consequence (the operator's absolute paths are read as they are).
pub fn test_access() -> server::directory::Access {
    server::directory::Access {
        key: std::sync::Arc::new(
            app::service::secret_box::SecretKey::parse(process::TEST_SECRET_KEY).expect("test key"),
        ),
        root: std::env::temp_dir().join("crewdesk-tests"),
    }
}

/// GetTechnician signed in by the directory `domain` (AD_AUTH) as `login`.
pub async fn ad_sign_in(app: &TestApp, login: &str, password: &str, domain: &str) -> xml::Answer {
    app.servlet(
        TECHNICIAN_SERVLET,
        &[
            ("operation", "GetTechnician"),
            ("userid", "1"),
            ("username", login),
            ("password", password),
            ("logonDomainName", "AD_AUTH"),
            ("DOMAIN_NAME", domain),
        ],
    )
    .await
}

/// Runs Synchronize Engineer Info over every directory of `app`, as its console would.
pub async fn run_sync_with(
    app: &TestApp,
) -> Result<app::domain::directory::SyncSummary, app::service::sync::SyncError> {
    run_sync_on(&app.db, &app.clock, &app.access()).await
}

/// Runs Synchronize Engineer Info over every directory of `db` as the operator.
pub async fn run_sync_on(
    db: &app::service::Db,
    clock: &app::service::Clock,
    access: &server::directory::Access,
) -> Result<app::domain::directory::SyncSummary, app::service::sync::SyncError> {
    use app::service::sync;
    let operator = app::service::Actor::operator();
    let ctx = app::service::AuditContext::new(app::service::Source::Sync, None);
    let (run, chosen) = sync::begin_run(db, clock, &operator, &ctx, None).await?;
    let runner = sync::Runner {
        db,
        clock,
        source: access,
        actor: &operator,
        ctx: &ctx,
    };
    sync::run(&runner, run, &chosen).await
}

impl TestApp {
    /// What this application's own sync reads directories with.
    pub fn access(&self) -> server::directory::Access {
        server::directory::Access {
            key: self.state.secret_key.clone(),
            root: self.directory_root.clone(),
        }
    }

    /// `None` only when PostgreSQL is asked for, is not running, and this is not CI.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// `spawn` with settings changed by `tweak` first.
    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> Option<Self> {
        let database_url = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join("crewdesk-tests");
                format!("sqlite:{}/{}.db", dir.display(), unique_name())
            }
            Backend::Postgres => fresh_postgres().await?,
        };
        Some(Self::spawn_on(database_url, tweak).await)
    }

    pub async fn spawn_on(database_url: String, tweak: impl FnOnce(&mut Settings)) -> Self {
        // Warnings (a slow database acquire, a failed delivery) show beside a failing test.
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
            .try_init();
        let mut settings = Settings::new(database_url.clone());
        settings.addr = SocketAddr::from(([127, 0, 0, 1], 0));
        settings.secret_key = Some(process::TEST_SECRET_KEY.to_owned().into());
        settings.directory_root = std::env::temp_dir()
            .join("crewdesk-tests")
            .join(format!("{}-directories", unique_name()));
        std::fs::create_dir_all(&settings.directory_root).expect("directory root");
        // Tests' directory servers (slapd, recording listeners) listen on loopback.
        settings.ldap_allow = vec!["127.0.0.1".to_owned()];
        tweak(&mut settings);
        let directory_root = settings.directory_root.clone();
        let app = Application::build(settings)
            .await
            .expect("application builds");
        let addr = app.addr();
        let db = app.state().db.clone();
        let clock = app.state().clock.clone();
        let state = app.state().clone();
        tokio::spawn(app.run_until(std::future::pending()));
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        Self {
            addr,
            db,
            client,
            database_url,
            clock,
            state,
            directory_root,
        }
    }

    /// Adds `names` as generated engineers (no sign-in, no confirmations), in one call.
    pub async fn add_many(&self, names: impl Iterator<Item = String>) {
        use app::service::audit::{AuditContext, Source};
        use app::service::technicians::{add_generated, Generated};
        let engineers: Vec<Generated> = names
            .map(|name| Generated {
                name: app::domain::PersonName::parse(&name).expect("a valid name"),
                login: None,
                email: None,
                mobile: None,
                job_title: None,
                site_id: None,
                department_id: None,
            })
            .collect();
        let ctx = AuditContext::new(Source::Cli, None);
        let added = add_generated(&self.db, &app::service::Actor::operator(), &ctx, &engineers)
            .await
            .expect("generated engineers are added");
        assert_eq!(added, engineers.len());
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A fresh cookie jar against the same server.
    pub fn new_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client")
    }

    pub async fn create_admin(&self) -> i64 {
        server::operator::create_admin(
            &self.db,
            ADMIN_LOGIN,
            ADMIN_PASSWORD,
            "",
            Some("Root Admin"),
        )
        .await
        .expect("admin created")
    }

    /// Posts a servlet form and parses the envelope.
    pub async fn servlet(&self, path: &str, pairs: &[(&str, &str)]) -> xml::Answer {
        let response = self
            .new_client()
            .post(self.url(path))
            .form(pairs)
            .send()
            .await
            .expect("servlet answers");
        xml::Answer::read(response).await
    }

    /// AddTechnician as the root admin, with `pairs` added.
    pub async fn add_as_admin(&self, pairs: &[(&str, &str)]) -> xml::Answer {
        let mut all = vec![
            ("operation", "AddTechnician"),
            ("username", ADMIN_LOGIN),
            ("password", ADMIN_PASSWORD),
        ];
        all.extend_from_slice(pairs);
        self.servlet("/servlets/TechnicianServlet", &all).await
    }

    /// One servlet operation with the given credentials.
    pub async fn call_as(
        &self,
        login: &str,
        password: &str,
        path: &str,
        operation: &str,
        pairs: &[(&str, &str)],
    ) -> xml::Answer {
        let mut all = vec![
            ("operation", operation),
            ("username", login),
            ("password", password),
        ];
        all.extend_from_slice(pairs);
        self.servlet(path, &all).await
    }

    /// One servlet operation as the root admin.
    pub async fn admin_call(
        &self,
        path: &str,
        operation: &str,
        pairs: &[(&str, &str)],
    ) -> xml::Answer {
        self.call_as(ADMIN_LOGIN, ADMIN_PASSWORD, path, operation, pairs)
            .await
    }

    /// Adds a technician who can sign in with `login`/`password`; `extra` adds attributes.
    pub async fn add_user(
        &self,
        name: &str,
        login: &str,
        password: &str,
        extra: &[(&str, &str)],
    ) -> i64 {
        let mut pairs = vec![
            ("name", name),
            ("loginName", login),
            ("pwd", password),
            ("enableLogin", "true"),
        ];
        pairs.extend_from_slice(extra);
        let answer = self.add_as_admin(&pairs).await;
        assert!(answer.is_success(), "{}", answer.raw);
        answer.userid.expect("userid")
    }

    /// Sites London, Paris, Asia and Asia-Pacific; department Ops in London and one not
    /// associated to any site; groups London-Network and Asia-Pacific-Core.
    pub async fn seed_reference_data(&self) {
        use app::domain::SiteName;
        use app::service::{reference, Actor};
        let actor = Actor::operator();
        let ctx = server::operator::cli_context();
        let name = |n: &str| SiteName::parse(n).expect("valid name");
        for site in ["London", "Paris", "Asia", "Asia-Pacific"] {
            reference::add_site(&self.db, &actor, &ctx, &name(site))
                .await
                .expect("site");
        }
        reference::add_department(&self.db, &actor, &ctx, &name("Ops"), Some(&name("London")))
            .await
            .expect("department");
        reference::add_department(&self.db, &actor, &ctx, &name("Ops"), None)
            .await
            .expect("department");
        reference::add_group(&self.db, &actor, &ctx, &name("London"), &name("Network"))
            .await
            .expect("group");
        reference::add_group(&self.db, &actor, &ctx, &name("Asia-Pacific"), &name("Core"))
            .await
            .expect("group");
    }

    /// GetTechnician as the root admin by id, as a map.
    pub async fn details_of(&self, id: i64) -> HashMap<String, String> {
        let answer = self
            .admin_call(
                TECHNICIAN_SERVLET,
                "GetTechnician",
                &[("userid", &id.to_string())],
            )
            .await;
        assert!(answer.is_success(), "{}", answer.raw);
        pairs_map(&answer)
    }

    /// Signs `client` in through the console's server function.
    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        login: &str,
        password: &str,
    ) -> reqwest::Response {
        client
            .post(self.url("/api/login"))
            .header("accept", "application/json")
            .form(&[("login", login), ("password", password), ("domain", "")])
            .send()
            .await
            .expect("login answers")
    }

    /// Calls a server function with a form body and returns (status, body).
    pub async fn server_fn(
        &self,
        client: &reqwest::Client,
        name: &str,
        form: &[(&str, &str)],
    ) -> (u16, String) {
        let response = client
            .post(self.url(&format!("/api/{name}")))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("server function answers");
        answer(response).await
    }

    /// Waits (a bounded while) until `sql` counts at least `n`, and answers the count.
    pub async fn wait_for_count(&self, sql: &str, n: i64) -> i64 {
        let mut last = 0;
        for _ in 0..300 {
            last = self.count(sql).await;
            if last >= n {
                return last;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        last
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql)
            .fetch_one(self.db.reader())
            .await
            .expect("count");
        n
    }
}

/// A server function's answer as (status, JSON): server functions answer in postcard, which
/// this decodes as the function's output (or, for an error the server function wrote, as its
/// `AppError`) and writes as JSON for the tests to read. An answer the server function did
/// not write (a redirect, or a refusal by the layers in front of it) comes back as text; one
/// it wrote that does not decode, whole, as postcard fails the test.
pub async fn answer(response: reqwest::Response) -> (u16, String) {
    let status = response.status();
    let path = response.url().path().to_owned();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let from_server_fn_error = response.headers().contains_key("serverfnerror");
    let bytes = response.bytes().await.unwrap_or_default();
    let json = if status.is_success() {
        assert_eq!(
            content_type.as_deref(),
            Some("application/x-postcard"),
            "{path} answered {status} in another format: {}",
            String::from_utf8_lossy(&bytes)
        );
        Some(output_json(&path, &bytes))
    } else if from_server_fn_error {
        Some(whole::<app::api::AppError>(&path, &bytes))
    } else {
        None
    };
    let text = json.unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned());
    (status.as_u16(), text)
}

/// `bytes` decoded, every one of them, as a `T` in postcard, and written as JSON.
fn whole<T: serde::de::DeserializeOwned + serde::Serialize>(path: &str, bytes: &[u8]) -> String {
    match postcard::take_from_bytes::<T>(bytes) {
        Ok((value, [])) => serde_json::to_string(&value).expect("JSON of a decoded answer"),
        Ok((_, rest)) => panic!("{path}: {} bytes left over after the answer", rest.len()),
        Err(e) => panic!("{path}: the answer is not postcard ({e}): {bytes:?}"),
    }
}

/// The output of the server function at `path`, decoded from postcard and written as JSON.
fn output_json(path: &str, bytes: &[u8]) -> String {
    fn decode<F: server_fn::ServerFn>(path: &str, bytes: &[u8]) -> Option<String>
    where
        F::Output: serde::de::DeserializeOwned + serde::Serialize,
    {
        (F::PATH == path).then(|| whole::<F::Output>(path, bytes))
    }
    macro_rules! outputs {
        ($($f:ty),* $(,)?) => {
            None$(.or_else(|| decode::<$f>(path, bytes)))*
        };
    }
    use app::api::*;
    outputs!(
        technicians::ListTechnicians,
        technicians::Sites,
        technicians::AddTechnician,
        technicians::TakeAddedNotes,
        technicians::LoadEditView,
        technicians::UpdateEngineer,
        technicians::DeleteEngineer,
        technicians::LoadSubscribeView,
        technicians::Subscribe,
        messages::LoadMessages,
        messages::SendTestNotification,
        messages::LoadDeliveries,
        messages::RetryDelivery,
        reference::LoadReferenceData,
        reference::AddSite,
        reference::SetSiteLanguage,
        reference::AddDepartment,
        reference::AddGroup,
        reference::AddUdf,
        reference::LoadAudit,
        auth::Login,
        auth::Logout,
        auth::CurrentUser,
        reachability::LoadReachability,
        reachability::PhoneGaps,
        reachability::StartDrill,
        reachability::LoadDrill,
        directory::StartSync,
        directory::SyncStatus,
        directory::LoadDirectories,
        directory::AddDirectory,
        directory::ChangeDirectory,
        directory::RemoveDirectory,
        settings::LoadBetaChannels,
        settings::SaveBetaChannels,
        api_keys::LoadApiKeys,
        api_keys::CreateApiKey,
        api_keys::TakeNewApiKey,
        api_keys::RevokeApiKey,
        import::LoadImport,
        import::ApplyImport,
    )
    .unwrap_or_else(|| panic!("{path}: no server function of that path is listed here"))
}

/// GETs `url` asking for `encoding` (`br` or `gzip`) as a browser does, checks the answer
/// came so encoded (and varies by it), and returns the bytes sent and their decoding.
pub async fn get_compressed(
    client: &reqwest::Client,
    url: &str,
    encoding: &str,
) -> (Vec<u8>, String) {
    use std::io::Read;
    let response = client
        .get(url)
        .header("accept-encoding", encoding)
        .send()
        .await
        .expect("the page answers");
    assert_eq!(response.headers()["content-encoding"], encoding, "{url}");
    let vary = response.headers()["vary"].to_str().unwrap_or_default();
    assert!(vary.contains("accept-encoding"), "{url}: vary {vary}");
    let sent = response.bytes().await.expect("the whole body");
    let mut text = String::new();
    match encoding {
        "br" => brotli_decompressor::Decompressor::new(&sent[..], 4096).read_to_string(&mut text),
        "gzip" => flate2::read::GzDecoder::new(&sent[..]).read_to_string(&mut text),
        other => panic!("no decoder for {other}"),
    }
    .unwrap_or_else(|e| panic!("{url}: a {encoding} body that does not decode: {e}"));
    (sent.to_vec(), text)
}

/// A server function's error as the English console says it (the body carries codes and
/// values; a body that is not an error comes back as it is).
pub fn said(body: &str) -> String {
    match serde_json::from_str::<app::api::AppError>(body) {
        Ok(app::api::AppError::Invalid(errors)) => errors.to_string(),
        Ok(error) => error.to_string(),
        Err(_) => body.to_owned(),
    }
}

/// The last text the SMS gateway stand-in received for `recipient`, once it has received
/// `at_least` (waiting a bounded while).
pub async fn captured_to(app: &TestApp, recipient: &str, at_least: i64) -> String {
    let sql = format!("SELECT count(*) FROM captured_messages WHERE recipient = '{recipient}'");
    assert!(
        app.wait_for_count(&sql, at_least).await >= at_least,
        "no message to {recipient}"
    );
    let (text,): (String,) = sqlx::query_as(
        "SELECT text FROM captured_messages WHERE recipient = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(recipient)
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    text
}

/// An API key made as the operator's CLI makes one: acting for `owner` (a login) within
/// `scopes` (none: notify only).
pub async fn api_key(
    app: &TestApp,
    name: &str,
    owner: Option<&str>,
    scopes: &[app::domain::Scope],
) -> String {
    let new = app::service::api_keys::NewKey {
        name,
        owner: owner.map(|login| (login, "")),
        scopes: scopes.to_vec(),
    };
    app::service::api_keys::create(
        &app.db,
        &app::service::Actor::operator(),
        &app::service::AuditContext::new(app::service::Source::Cli, None),
        new,
        app.clock.now(),
    )
    .await
    .expect("API key")
}

/// Posts `form` to the server function `name` as a browser without JavaScript does from the
/// page `from`, expects to be sent back with the error, and reads the page it is sent to.
pub async fn post_without_script(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    from: &str,
    form: &[(&str, &str)],
) -> String {
    let posted = client
        .post(app.url(&format!("/api/{name}")))
        .header("accept", "text/html,application/xhtml+xml")
        .header("referer", app.url(from))
        .form(form)
        .send()
        .await
        .unwrap();
    assert!(
        posted.status().is_redirection(),
        "{name}: {}",
        posted.status()
    );
    let location = posted.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.contains("__err="),
        "{name} was not refused: {location}"
    );
    let back = if location.starts_with('/') {
        app.url(&location)
    } else {
        location
    };
    client.get(back).send().await.unwrap().text().await.unwrap()
}

/// A fresh client signed in as `login`.
pub async fn signed_in(app: &TestApp, login: &str, password: &str) -> reqwest::Client {
    let client = app.new_client();
    let response = app.sign_in(&client, login, password).await;
    assert!(response.status().as_u16() < 400, "sign-in of {login}");
    client
}

/// Switches every beta channel on, as the root admin.
pub async fn enable_beta(app: &TestApp) {
    let admin = signed_in(app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    // Every beta channel there is, as the Settings form names them.
    let boxes: Vec<String> = app::domain::Channel::ALL
        .into_iter()
        .filter(|c| c.is_beta())
        .map(|c| format!("on[{}]", c.as_str()))
        .collect();
    let ticked: Vec<(&str, &str)> = boxes.iter().map(|b| (b.as_str(), "true")).collect();
    let (status, body) = app.server_fn(&admin, "save_beta_channels", &ticked).await;
    assert!(status < 400, "{body}");
}

/// Runs one async test body against SQLite and against PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $app = $crate::common::TestApp::spawn($crate::common::Backend::Sqlite)
                        .await
                        .expect("SQLite is always available");
                    $body
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some($app) = $crate::common::TestApp::spawn($crate::common::Backend::Postgres).await else {
                        return;
                    };
                    $body
                }
            )*
        }
    };
}

pub fn pairs_map(answer: &xml::Answer) -> HashMap<String, String> {
    answer.details.iter().cloned().collect()
}
