//! Hostile input, floods and races: every request is answered, bounded, and never lets a
//! rule be bypassed.

mod common;

use app::service::{auth, lockout, now_ms, Actor};
use common::{TestApp, ADMIN_LOGIN, ADMIN_PASSWORD, OPERATION_SERVLET, TECHNICIAN_SERVLET};
use futures::future::join_all;
use std::time::Duration;

const GET: &str = "GetTechnician";

/// Guesses wait for their turn as long as it takes, so a slow machine never turns a guess
/// into a "busy" answer and the count below is exact.
fn patient(settings: &mut server::Settings) {
    settings.sign_in_limits.wait = Duration::from_secs(120);
}

async fn guess(app: &TestApp, login: &str, password: &str) -> String {
    app.call_as(login, password, TECHNICIAN_SERVLET, GET, &[("userid", "1")])
        .await
        .code()
        .to_owned()
}

on_both_backends! {
    async fn a_user_name_of_any_length_and_script_gets_an_envelope(app: TestApp) {
        app.create_admin().await;
        for name in ["张".repeat(70), "é".repeat(300), "🦀".repeat(1000), "\u{301}".repeat(500)] {
            for domain in ["", name.as_str()] {
                let answer = app
                    .servlet(TECHNICIAN_SERVLET, &[
                        ("operation", GET),
                        ("username", &name),
                        ("password", "whatever-1"),
                        ("DOMAIN_NAME", domain),
                    ])
                    .await;
                assert_eq!(answer.code(), "AUTH_FAILED", "{}", answer.raw);
            }
            let client = app.new_client();
            let response = app.sign_in(&client, &name, "whatever-1").await;
            assert_eq!(response.status().as_u16(), 401);
            assert!(common::said(&common::answer(response).await.1).contains("not correct"));
        }
    }

    async fn a_plain_engineer_cannot_update_even_their_own_record_over_xml(app: TestApp) {
        app.create_admin().await;
        let bob = app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
        let answer = app
            .call_as("bob", "bob-lantern-quartz-9", TECHNICIAN_SERVLET, "UpdateTechnician", &[
                ("userid", &bob.to_string()),
                ("mobile", "+86 138 0013 8000"),
            ])
            .await;
        assert_eq!(answer.code(), "NOT_AUTHORIZED", "{}", answer.raw);
        assert_eq!(app.details_of(bob).await["mobile"], "");
    }

    async fn credentials_in_the_url_are_refused_and_not_used(app: TestApp) {
        app.create_admin().await;
        let url = app.url(&format!(
            "{TECHNICIAN_SERVLET}?username={ADMIN_LOGIN}&password={ADMIN_PASSWORD}"
        ));
        let response = app
            .new_client()
            .post(url)
            .form(&[("operation", "AddTechnician"), ("name", "Eve")])
            .send()
            .await
            .unwrap();
        let answer = common::xml::Answer::read(response).await;
        assert_eq!(answer.code(), "INVALID_INPUT", "{}", answer.raw);
        assert!(answer.message.contains("URL"), "{}", answer.raw);
        assert_eq!(app.count("SELECT count(*) FROM technicians WHERE name = 'Eve'").await, 0);
    }

    async fn an_sd_site_admin_may_not_delete_whom_a_group_places_outside_its_sites(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        app.add_user("Sam", "sam", "sam-lantern-quartz-9", &[
            ("techSiteName", "London"),
            ("associateRols", "SDSiteAdmin"),
        ])
        .await;
        let pat = app
            .add_as_admin(&[
                ("name", "Pat"),
                ("techSiteName", "London"),
                ("associateGroups", "Asia-Pacific-Core"),
            ])
            .await
            .userid
            .expect("added");
        // The table offers no Edit, and neither edit nor delete goes through.
        let client = app.new_client();
        app.sign_in(&client, "sam", "sam-lantern-quartz-9").await;
        let (status, body) = app.server_fn(&client, "list_technicians", &[("query[search]", "Pat"), ("query[page]", "1")]).await;
        assert_eq!(status, 200, "{body}");
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        let row = &page["rows"][0];
        assert_eq!(row["name"], "Pat");
        assert_eq!(row["manageable"], false, "{row}");
        let update = app
            .call_as("sam", "sam-lantern-quartz-9", TECHNICIAN_SERVLET, "UpdateTechnician", &[
                ("userid", &pat.to_string()),
                ("jobTitle", "Lead"),
            ])
            .await;
        assert_eq!(update.code(), "SITE_RESTRICTED", "{}", update.raw);
        let delete = app
            .call_as("sam", "sam-lantern-quartz-9", OPERATION_SERVLET, "DeleteTechnician", &[
                ("userid", &pat.to_string()),
            ])
            .await;
        assert_eq!(delete.code(), "SITE_RESTRICTED", "{}", delete.raw);
        assert_eq!(app.details_of(pat).await["name"], "Pat");
    }

    async fn login_names_collide_whatever_the_case_of_any_letter(app: TestApp) {
        app.create_admin().await;
        app.add_user("Éva", "ÉVA", "eva-lantern-quartz-9", &[]).await;
        let again = app
            .add_as_admin(&[("name", "Eva 2"), ("loginName", "éva"), ("enableLogin", "true")])
            .await;
        assert_eq!(again.code(), "LOGIN_NAME_EXISTS", "{}", again.raw);
        let found = app
            .admin_call(TECHNICIAN_SERVLET, GET, &[("techLoginName", "éva")])
            .await;
        assert!(found.is_success(), "{}", found.raw);
        let by_name = app.admin_call(TECHNICIAN_SERVLET, GET, &[("techUserName", "ÉVA")]).await;
        assert!(by_name.is_success(), "{}", by_name.raw);
        let client = app.new_client();
        assert_eq!(app.sign_in(&client, "éva", "eva-lantern-quartz-9").await.status().as_u16(), 200);
    }

    async fn site_names_collide_whatever_the_case_of_any_letter(app: TestApp) {
        use app::domain::SiteName;
        use app::service::reference;
        let ctx = server::operator::cli_context();
        let name = |n: &str| SiteName::parse(n).unwrap();
        reference::add_site(&app.db, &Actor::operator(), &ctx, &name("Île-de-France")).await.unwrap();
        let again = reference::add_site(&app.db, &Actor::operator(), &ctx, &name("ÎLE-DE-FRANCE")).await;
        assert!(again.is_err(), "a second site differing only in case was added");
        let found = reference::find_site(&app.db, "île-de-france").await.unwrap();
        assert_eq!(found.map(|s| s.name).as_deref(), Some("Île-de-France"));
    }

    async fn a_password_change_ends_the_engineers_console_sessions(app: TestApp) {
        app.create_admin().await;
        app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
        let client = app.new_client();
        assert_eq!(app.sign_in(&client, "bob", "bob-lantern-quartz-9").await.status().as_u16(), 200);
        let (status, _) = app.server_fn(&client, "current_user", &[]).await;
        assert_eq!(status, 200);
        auth::set_password(&app.db, &Actor::operator(), &server::operator::cli_context(), "bob", "", "bob-new-password")
            .await
            .unwrap();
        let page = client.get(app.url("/")).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 303, "the old session still opens the roster");
        assert_eq!(page.headers()["location"], "/login");
    }

    async fn deleting_an_engineer_ends_their_console_sessions(app: TestApp) {
        app.create_admin().await;
        let bob = app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
        let client = app.new_client();
        app.sign_in(&client, "bob", "bob-lantern-quartz-9").await;
        assert_eq!(
            app.count(&format!("SELECT count(*) FROM console_sessions WHERE technician_id = {bob}")).await,
            1
        );
        let deleted = app.admin_call(OPERATION_SERVLET, "DeleteTechnician", &[("userid", &bob.to_string())]).await;
        assert!(deleted.is_success(), "{}", deleted.raw);
        let page = client.get(app.url("/")).send().await.unwrap();
        assert_eq!(page.headers()["location"], "/login");
    }

    async fn an_admin_nobody_can_sign_in_as_does_not_count_as_the_other_admin(app: TestApp) {
        let root = app.create_admin().await;
        app.add_as_admin(&[
            ("name", "Dormant"),
            ("loginName", "dormant"),
            ("enableLogin", "false"),
            ("associateRols", "SDAdmin"),
        ])
        .await;
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let (status, body) = app
            .server_fn(&client, "delete_engineer", &[("id", &root.to_string()), ("version", "1"), ("back", "/")])
            .await;
        assert_eq!(status, 403, "{body}");
        assert!(common::said(&body).contains("last SDAdmin"), "{body}");
        assert_eq!(app.count(&format!("SELECT count(*) FROM technicians WHERE id = {root}")).await, 1);
    }

    async fn failed_sign_ins_for_names_that_do_not_exist_are_forgotten(app: TestApp) {
        app.create_admin().await;
        for i in 0..5 {
            guess(&app, &format!("nobody-{i}"), "whatever-1").await;
        }
        for _ in 0..10 {
            guess(&app, ADMIN_LOGIN, "wrong-password").await;
        }
        assert_eq!(app.count("SELECT count(*) FROM auth_failures").await, 6);
        // An hour on, the idle counts go; the admin's lockout (15 minutes) is over too.
        let later = now_ms() + lockout::FORGET_AFTER_MS + 1;
        assert_eq!(lockout::purge(&app.db, later).await.unwrap(), 6);
        // While a lockout lasts, its row stays whatever its age.
        for _ in 0..10 {
            guess(&app, ADMIN_LOGIN, "wrong-password").await;
        }
        assert_eq!(lockout::purge(&app.db, now_ms() + 60_000).await.unwrap(), 0);
        assert_eq!(guess(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await, "RATE_LIMITED");
    }

    async fn get_technician_lists_every_defined_udf(app: TestApp) {
        app.create_admin().await;
        server::cli::add_udf(&app.db, "UDF_CHAR1", "Badge").await.unwrap();
        server::cli::add_udf(&app.db, "UDF_CHAR2", "Locker").await.unwrap();
        let id = app
            .add_as_admin(&[("name", "Ula"), ("UDF_CHAR1", "B-7")])
            .await
            .userid
            .unwrap();
        let details = app.details_of(id).await;
        assert_eq!(details["UDF_CHAR1"], "B-7");
        assert_eq!(details.get("UDF_CHAR2").map(String::as_str), Some(""));
    }

    async fn the_console_answers_refusals_with_client_errors(app: TestApp) {
        let root = app.create_admin().await;
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        // The last SDAdmin: refused, 403, with the reason.
        let (status, body) = app
            .server_fn(&client, "delete_engineer", &[("id", &root.to_string()), ("version", "1"), ("back", "/")])
            .await;
        assert_eq!(status, 403, "{body}");
        assert!(body.contains("Forbidden"), "{body}");
        // A bad field: 422 with the field's message.
        let (status, body) = app
            .server_fn(&client, "add_technician", &[("form[name]", "Zed"), ("form[email]", "nope")])
            .await;
        assert_eq!(status, 422, "{body}");
        // Not signed in: 401.
        let (status, _) = app
            .server_fn(&app.new_client(), "list_technicians", &[("query[search]", ""), ("query[page]", "1")])
            .await;
        assert_eq!(status, 401);
    }

    async fn server_functions_refuse_oversized_bodies(app: TestApp) {
        let big = "x".repeat(200 * 1024);
        let response = app
            .new_client()
            .post(app.url("/api/login"))
            .header("accept", "application/json")
            .form(&[("login", big.as_str()), ("password", "p")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 413);
    }

    async fn a_disabled_login_is_refused_by_the_console_at_once(app: TestApp) {
        app.create_admin().await;
        let bob = app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
        let client = app.new_client();
        app.sign_in(&client, "bob", "bob-lantern-quartz-9").await;
        let list = [("query[search]", ""), ("query[page]", "1")];
        assert_eq!(app.server_fn(&client, "list_technicians", &list).await.0, 200);
        sqlx::query("UPDATE technicians SET login_enabled = 0 WHERE id = $1")
            .bind(bob)
            .execute(app.db.writer())
            .await
            .unwrap();
        assert_eq!(app.server_fn(&client, "list_technicians", &list).await.0, 401);
    }

    async fn a_forged_session_cookie_is_a_stranger_never_a_fault(app: TestApp) {
        app.create_admin().await;
        let forged: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"AAAA".to_vec(),
            b"not base64 !!".to_vec(),
            "张伟é🦀".repeat(50).into_bytes(),
            vec![b'A'; 6000],
            vec![0xff, 0xfe, 0x80, 0x81],
        ];
        let requests = (0..50).map(|i| {
            let value = forged[i % forged.len()].clone();
            let app = &app;
            async move {
                let mut cookie = b"crewdesk_session=".to_vec();
                cookie.extend_from_slice(&value);
                let cookie = reqwest::header::HeaderValue::from_bytes(&cookie).expect("header bytes");
                let page = app.new_client().get(app.url("/")).header("cookie", cookie.clone()).send().await;
                let api = app
                    .new_client()
                    .post(app.url("/api/list_technicians"))
                    .header("cookie", cookie)
                    .header("accept", "application/json")
                    .form(&[("query[search]", ""), ("query[page]", "1")])
                    .send()
                    .await;
                (page.map(|r| r.status().as_u16()), api.map(|r| r.status().as_u16()))
            }
        });
        for (page, api) in join_all(requests).await {
            assert_eq!(page.expect("the page answers"), 303);
            assert_eq!(api.expect("the server function answers"), 401);
        }
        assert_eq!(app.count("SELECT count(*) FROM console_sessions").await, 0);
    }

    async fn every_answer_carries_the_security_headers(app: TestApp) {
        app.create_admin().await;
        let page = app.new_client().get(app.url("/login")).send().await.unwrap();
        let headers = page.headers().clone();
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "same-origin");
        assert!(headers.get("strict-transport-security").is_none());
        let csp = headers["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("the page policy names a nonce")
            .to_owned();
        let html = page.text().await.unwrap();
        assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script lacks the nonce");
        let xml = app.servlet(TECHNICIAN_SERVLET, &[("operation", GET)]).await;
        assert!(xml.raw.contains("AUTH_FAILED"));
        let health = app.new_client().get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(health.headers()["x-content-type-options"], "nosniff");
        assert!(health.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guesses_wait_for_a_turn_and_an_address_that_keeps_failing_is_refused() {
    let app = TestApp::spawn_with(common::Backend::Sqlite, |s| {
        patient(s);
        s.sign_in_limits.failures_per_address = 5;
    })
    .await
    .unwrap();
    app.create_admin().await;
    for i in 0..5 {
        assert_eq!(
            guess(&app, &format!("nobody-{i}"), "x-password").await,
            "AUTH_FAILED"
        );
    }
    let refused = app
        .call_as(
            ADMIN_LOGIN,
            ADMIN_PASSWORD,
            TECHNICIAN_SERVLET,
            GET,
            &[("userid", "1")],
        )
        .await;
    assert_eq!(refused.code(), "RATE_LIMITED", "{}", refused.raw);
    assert!(refused.message.contains("your address"), "{}", refused.raw);
    // Without a trusted proxy, X-Forwarded-For is the client's own claim and is ignored.
    let claimed = get_via_proxy(&app, forwarded("198.51.100.9"), ADMIN_LOGIN, ADMIN_PASSWORD).await;
    assert_eq!(claimed.code(), "RATE_LIMITED", "{}", claimed.raw);
    let client = app.new_client();
    let console = app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    assert_eq!(console.status().as_u16(), 429);
}

/// The two backends, each on a fresh database, with patient guesses.
async fn patient_apps() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for backend in [common::Backend::Sqlite, common::Backend::Postgres] {
        if let Some(app) = TestApp::spawn_with(backend, patient).await {
            apps.push(app);
        }
    }
    apps
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_never_get_more_than_ten_tries() {
    for app in patient_apps().await {
        app.create_admin().await;
        app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[])
            .await;
        let guesses = (0..40).map(|i| {
            let app = &app;
            async move { guess(app, "bob", &format!("wrong-{i}")).await }
        });
        let codes = join_all(guesses).await;
        let checked = codes.iter().filter(|c| *c == "AUTH_FAILED").count();
        assert_eq!(checked, 10, "{codes:?}");
        assert!(
            codes
                .iter()
                .all(|c| c == "AUTH_FAILED" || c == "RATE_LIMITED"),
            "{codes:?}"
        );
        assert_eq!(
            guess(&app, "bob", "bob-lantern-quartz-9").await,
            "RATE_LIMITED"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lockout_holds_across_instances() {
    for app in patient_apps().await {
        app.create_admin().await;
        app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[])
            .await;
        let other = TestApp::spawn_on(app.database_url.clone(), patient).await;
        let guesses = (0..30).map(|i| {
            let target = if i % 2 == 0 { &app } else { &other };
            async move { guess(target, "bob", &format!("wrong-{i}")).await }
        });
        let codes = join_all(guesses).await;
        let checked = codes.iter().filter(|c| *c == "AUTH_FAILED").count();
        assert_eq!(checked, 10, "{codes:?}");
        assert_eq!(
            guess(&other, "bob", "bob-lantern-quartz-9").await,
            "RATE_LIMITED"
        );
        assert_eq!(
            guess(&app, "bob", "bob-lantern-quartz-9").await,
            "RATE_LIMITED"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_sending_its_body_gets_an_envelope() {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn_with(common::Backend::Sqlite, |s| {
        s.body_idle = Duration::from_millis(500);
    })
    .await
    .unwrap();
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(
            b"POST /servlets/TechnicianServlet HTTP/1.1\r\nHost: crewdesk\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n\
              operation=GetTechnician&username=",
        )
        .await
        .unwrap();
    let (text, answered) = read_until(&mut stream, Some(b"</operation>")).await;
    assert!(answered, "no answer while the body stalled");
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("INVALID_INPUT"), "{text}");
    assert!(text.contains("stopped arriving"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_and_writes_at_once_share_the_one_sqlite_writer() {
    let app = TestApp::spawn_with(common::Backend::Sqlite, patient)
        .await
        .unwrap();
    app.create_admin().await;
    let sign_ins = (0..20).map(|_| {
        let app = &app;
        async move {
            let client = app.new_client();
            app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD)
                .await
                .status()
                .as_u16()
                .to_string()
        }
    });
    let adds = (0..20).map(|i| {
        let app = &app;
        async move {
            app.add_as_admin(&[("name", &format!("Writer {i}"))])
                .await
                .operationstatus
        }
    });
    let (signed, added) = tokio::join!(join_all(sign_ins), join_all(adds));
    assert!(signed.iter().all(|s| s == "200"), "{signed:?}");
    assert!(added.iter().all(|a| a == "Success"), "{added:?}");
    assert_eq!(app.count("SELECT count(*) FROM console_sessions").await, 20);
    assert_eq!(
        app.count("SELECT count(*) FROM technicians WHERE name LIKE 'Writer %'")
            .await,
        20
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_https_answers_ask_for_https_from_then_on() {
    let app = TestApp::spawn_with(common::Backend::Sqlite, |s| s.secure_cookies = true)
        .await
        .unwrap();
    let page = app
        .new_client()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap();
    let hsts = page.headers()["strict-transport-security"]
        .to_str()
        .unwrap();
    assert!(hsts.contains("max-age=31536000"), "{hsts}");
    // A refused form's error travels with a cookie only this host can set.
    let refused = app
        .new_client()
        .post(app.url("/api/login"))
        .header("accept", "text/html")
        .header("referer", app.url("/login"))
        .form(&[("login", "nobody"), ("password", "wrong"), ("domain", "")])
        .send()
        .await
        .unwrap();
    let cookie = refused.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("__Host-crewdesk_form_error="),
        "{cookie}"
    );
    assert!(cookie.ends_with("; Secure"), "{cookie}");
}

/// Reads `stream` until the server closes it (a 20 s bound turns a connection left open
/// into a failure, not a hang): what it sent, and whether it closed.
async fn read_until_closed(stream: &mut tokio::net::TcpStream) -> (String, bool) {
    read_until(stream, None).await
}

/// Reads `stream` until the server closes it or `end` has arrived, for at most 20 s: what
/// it sent, and whether either happened in time.
async fn read_until(stream: &mut tokio::net::TcpStream, end: Option<&[u8]>) -> (String, bool) {
    use tokio::io::AsyncReadExt;
    let mut answer = Vec::new();
    let ended = tokio::time::timeout(Duration::from_secs(20), async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
            if end.is_some_and(|end| answer.windows(end.len()).any(|w| w == end)) {
                break;
            }
        }
    })
    .await
    .is_ok();
    (String::from_utf8_lossy(&answer).into_owned(), ended)
}

/// A connection that sends nothing, one that sends its request head a byte at a time, and
/// a keep-alive connection left idle after an answer are each closed at the header deadline
/// instead of holding a connection of the server for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_slow_and_idle_connections_are_closed_at_the_header_deadline() {
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpStream;
    let app = TestApp::spawn_with(common::Backend::Sqlite, |s| {
        s.header_deadline = Duration::from_millis(500);
    })
    .await
    .unwrap();
    let mut silent = TcpStream::connect(app.addr).await.unwrap();
    let mut slow = TcpStream::connect(app.addr).await.unwrap();
    let mut idle = TcpStream::connect(app.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: crewdesk\r\n\r\n")
        .await
        .unwrap();
    // Bounded: at most 100 bytes, one every 50 ms; it stops once the server has closed.
    let (mut slow_read, mut slow_write) = slow.split();
    let trickle = async {
        let head = b"GET /healthz HTTP/1.1\r\nHost: crewdesk\r\nX-Padding: ".iter();
        for byte in head.chain(std::iter::repeat(&b'a')).take(100) {
            if slow_write.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let slow_closed = async {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 64];
        let read = tokio::time::timeout(Duration::from_secs(20), slow_read.read(&mut buf)).await;
        matches!(read, Ok(Ok(0) | Err(_)))
    };
    let ((), slow_closed, (silent_sent, silent_closed), (idle_sent, idle_closed)) = tokio::join!(
        trickle,
        slow_closed,
        read_until_closed(&mut silent),
        read_until_closed(&mut idle),
    );
    assert!(
        silent_closed && silent_sent.is_empty(),
        "silent: {silent_sent}"
    );
    assert!(
        slow_closed,
        "a request head sent a byte at a time kept its connection"
    );
    assert!(idle_sent.starts_with("HTTP/1.1 200"), "{idle_sent}");
    assert!(idle_closed, "an idle keep-alive connection stayed open");
}

/// With every connection the server may hold kept open by clients (answered once, then
/// idle), the next client waits, and is answered as soon as one of them leaves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_past_the_connection_cap_waits_and_is_answered() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(common::Backend::Sqlite, |s| s.max_connections = 2)
        .await
        .unwrap();
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: crewdesk\r\n\r\n")
            .await
            .unwrap();
        // An answer means the server took the connection: it now holds one of the two.
        let mut buf = [0u8; 1024];
        let n = stream.read(&mut buf).await.unwrap();
        let answer = String::from_utf8_lossy(&buf[..n]);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        held.push(stream);
    }
    let (client, url) = (app.new_client(), app.url("/healthz"));
    let third =
        tokio::spawn(async move { client.get(url).send().await.map(|r| r.status().as_u16()) });
    // Half a second is plenty for /healthz; a slow machine can only make this pass wrongly,
    // never fail wrongly.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !third.is_finished(),
        "a third connection was served while the two the cap allows were open"
    );
    drop(held.pop());
    let answered = tokio::time::timeout(Duration::from_secs(20), third).await;
    assert!(matches!(answered, Ok(Ok(Ok(200)))), "{answered:?}");
}

/// GetTechnician as `login`, sent through a proxy that says the client is `forwarded`.
async fn get_via_proxy(
    app: &TestApp,
    forwarded: reqwest::header::HeaderValue,
    login: &str,
    password: &str,
) -> common::xml::Answer {
    let response = app
        .new_client()
        .post(app.url(TECHNICIAN_SERVLET))
        .header("x-forwarded-for", forwarded)
        .form(&[
            ("operation", GET),
            ("username", login),
            ("password", password),
            ("userid", "1"),
        ])
        .send()
        .await
        .unwrap();
    common::xml::Answer::read(response).await
}

fn forwarded(text: &'static str) -> reqwest::header::HeaderValue {
    reqwest::header::HeaderValue::from_static(text)
}

/// Behind a trusted proxy every client is counted on its own address: one that keeps
/// failing is refused while another, through the same proxy, is served and audited under
/// its own address. An address a client wrote into the header itself, or a header that
/// cannot be read, never picks the address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_forwarded_client_is_counted_and_audited_alone() {
    let app = TestApp::spawn_with(common::Backend::Sqlite, |s| {
        patient(s);
        s.sign_in_limits.failures_per_address = 3;
        s.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()];
    })
    .await
    .unwrap();
    app.create_admin().await;
    for _ in 0..3 {
        let answer = get_via_proxy(&app, forwarded("203.0.113.7"), "nobody", "x-password").await;
        assert_eq!(answer.code(), "AUTH_FAILED", "{}", answer.raw);
    }
    // That client is refused, also when it names another address before the proxy's
    // entry; another client, through two proxies of ours, is served.
    for (chain, refused) in [
        ("203.0.113.7", true),
        ("198.51.100.1, 203.0.113.7", true),
        ("198.51.100.9, 127.0.0.2", false),
    ] {
        let answer = get_via_proxy(&app, forwarded(chain), ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let outcome = (answer.code() == "RATE_LIMITED", answer.is_success());
        assert_eq!(outcome, (refused, !refused), "{chain}: {}", answer.raw);
    }
    let response = app
        .new_client()
        .post(app.url(TECHNICIAN_SERVLET))
        .header("x-forwarded-for", forwarded("198.51.100.9"))
        .form(&[
            ("operation", "AddTechnician"),
            ("username", ADMIN_LOGIN),
            ("password", ADMIN_PASSWORD),
            ("name", "Hedy Lamarr"),
        ])
        .send()
        .await
        .unwrap();
    let added = common::xml::Answer::read(response).await;
    assert!(added.is_success(), "{}", added.raw);
    let audited: Option<String> =
        sqlx::query_scalar("SELECT remote_addr FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(audited.as_deref(), Some("198.51.100.9"));
    // Unreadable headers stop at the proxy itself, which has no failures: each is served.
    let long = "10.0.0.1, ".repeat(5_000) + "not an address";
    for bad in [
        reqwest::header::HeaderValue::from_static("garbage"),
        reqwest::header::HeaderValue::from_static(""),
        reqwest::header::HeaderValue::from_static("203.0.113.7, ???"),
        reqwest::header::HeaderValue::from_bytes(b"203.0.113.7\xff").unwrap(),
        reqwest::header::HeaderValue::from_str(&long).unwrap(),
    ] {
        let answer = get_via_proxy(&app, bad.clone(), ADMIN_LOGIN, ADMIN_PASSWORD).await;
        assert!(answer.is_success(), "{bad:?}: {}", answer.raw);
    }
}

/// A request head that cannot be served (too many headers, not HTTP, an address too long) is
/// answered with its 4xx before the connection closes, never dropped unanswered. (A head
/// larger than the read buffer is answered 431 too, but a client still sending then may see
/// its connection reset before it reads the answer, so that case is not asserted here.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_request_head_is_answered_before_the_connection_closes() {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    let many: String = (0..200).map(|i| format!("X-{i}: 1\r\n")).collect();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            format!("GET /healthz HTTP/1.1\r\nHost: c\r\n{many}\r\n").into_bytes(),
            "431",
        ),
        (b"\x00\xff\xfe not http \r\n\r\n".to_vec(), "400"),
        (
            format!("GET /{} HTTP/1.1\r\nHost: c\r\n\r\n", "a".repeat(100_000)).into_bytes(),
            "414",
        ),
    ];
    for (head, status) in cases {
        let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        // The server may answer and close before it has read everything: a refused write
        // is part of the case, the answer is what counts.
        let _ = stream.write_all(&head).await;
        let (answer, closed) = read_until_closed(&mut stream).await;
        assert!(
            closed && answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{status}: {answer}"
        );
    }
}
