//! Synchronize Engineer Info from a real OpenLDAP `slapd` on loopback (SPEC §6): first
//! sync, re-sync with changes, a removed entry, a locally edited mobile kept, a directory of
//! more entries than the server returns to one search (only paged results get them all),
//! and the failures an operator must be able to tell apart.

mod common;

use app::domain::directory::{DirectoryName, Preset, SyncSummary};
use app::service::directories::{self, BindPassword, LdapSource, NewDirectory, Source};
use app::service::sync::SyncError;
use app::service::{Actor, AuditContext, Clock, Db};
use common::slapd::{person, Slapd, BASE, ROOT_DN, ROOT_PASSWORD};
use common::{TestApp, TECHNICIAN_SERVLET};

const PASSWORD_VARIABLE: &str = "CREWDESK_TEST_LDAP_BIND_PASSWORD";

fn source(url: &str, variable: &str) -> LdapSource {
    std::env::set_var(PASSWORD_VARIABLE, ROOT_PASSWORD);
    LdapSource {
        url: url.to_owned(),
        starttls: false,
        bind_dn: ROOT_DN.to_owned(),
        password: BindPassword::Env(variable.to_owned()),
        allow_plain: true,
        base_dn: format!("ou=people,{BASE}"),
        filter: String::new(),
    }
}

async fn add_directory(db: &Db, ldap: LdapSource) {
    let new = NewDirectory {
        name: DirectoryName::parse("CORP").unwrap(),
        source: Source::Ldap(ldap),
        preset: Preset::OpenLdap,
        mapping: Preset::OpenLdap.mapping(),
        typed_password: None,
    };
    directories::add(
        db,
        &Actor::operator(),
        &AuditContext::new(app::service::Source::Cli, None),
        new,
        &common::test_access().key,
        0,
    )
    .await
    .unwrap();
}

async fn run_sync(db: &Db, clock: &Clock) -> Result<SyncSummary, SyncError> {
    common::run_sync_on(db, clock, &common::test_access()).await
}

on_both_backends! {
    async fn a_directory_feeds_the_roster_and_later_changes_follow(app: TestApp) {
        app.create_admin().await;
        let seed = [
            person("ada", "Ada Lovelace", &[("mail", "ada@corp.example"), ("mobile", "+86 138 0013 8000"), ("title", "Engineer")]),
            person("bo", "Bo", &[("mail", "bo@corp.example")]),
            person("cy", "Cy", &[("employeeNumber", "E-3")]),
        ]
        .concat();
        let slapd = Slapd::start(&seed).await;
        add_directory(&app.db, source(&slapd.url, PASSWORD_VARIABLE)).await;
        let first = run_sync(&app.db, &app.clock).await.unwrap();
        assert_eq!(first.line(), "created 3, updated 0, unchanged 0, flagged 0", "{first:?}");
        // Keyed by entryUUID, signing in with the directory's name as domain.
        let ids: Vec<(String, String)> = sqlx::query_as(
            "SELECT login_name, directory_id FROM technicians WHERE login_domain = 'CORP' ORDER BY login_name",
        )
        .fetch_all(app.db.reader())
        .await
        .unwrap();
        assert_eq!(ids.len(), 3);
        assert!(ids.iter().all(|(_, id)| id.len() == 36 && id.matches('-').count() == 4), "{ids:?}");
        let (ada,): (i64,) = sqlx::query_as("SELECT id FROM technicians WHERE login_name = 'ada'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
        let edited = app.admin_call(TECHNICIAN_SERVLET, "UpdateTechnician", &[("userid", &ada.to_string()), ("mobile", "+86 139 0000 0001")]).await;
        assert!(edited.is_success(), "{edited:?}");
        slapd.modify(&format!(
            "dn: uid=bo,ou=people,{BASE}\nchangetype: modify\nreplace: cn\ncn: Bo Chen\n\n\
             dn: uid=ada,ou=people,{BASE}\nchangetype: modify\nreplace: mobile\nmobile: +86 137 0000 0002\n"
        ));
        slapd.delete(&format!("uid=cy,ou=people,{BASE}"));
        slapd.add(&person("dan", "Dan", &[]));
        let second = run_sync(&app.db, &app.clock).await.unwrap();
        assert_eq!(second.line(), "created 1, updated 1, unchanged 1, flagged 1", "{second:?}");
        assert_eq!(second.lists.flagged, ["Cy"]);
        let (mobile,): (Option<String>,) = sqlx::query_as("SELECT mobile FROM technicians WHERE id = $1")
            .bind(ada)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
        assert_eq!(mobile.as_deref(), Some("+86 139 0000 0001"), "the local edit is kept");
        let third = run_sync(&app.db, &app.clock).await.unwrap();
        assert_eq!(third.line(), "created 0, updated 0, unchanged 3, flagged 0", "{third:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_attribute_values_are_checked_like_any_other_input() {
    use base64::Engine;
    let app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    app.create_admin().await;
    let b64 = |v: &str| base64::engine::general_purpose::STANDARD.encode(v);
    let long_title = "T".repeat(5000);
    let seed = [
        // A multibyte name and a huge title (LDIF carries both base64-encoded).
        format!(
            "dn: uid=zw,ou=people,{BASE}\nobjectClass: inetOrgPerson\nuid: zw\ncn:: {}\nsn: Zhang\ntitle:: {}\nmobile: 12\n\n",
            b64("张伟 🚀"),
            b64(&long_title)
        ),
        // A name that is only control characters, and a login with a space.
        format!(
            "dn: uid=ctl,ou=people,{BASE}\nobjectClass: inetOrgPerson\nuid: ctl\ncn:: {}\nsn: x\n\n",
            b64("\u{7}\u{8}")
        ),
        format!(
            "dn: cn=Spacey,ou=people,{BASE}\nobjectClass: inetOrgPerson\nuid: a b\ncn: Spacey\nsn: x\n\n"
        ),
    ]
    .concat();
    let slapd = Slapd::start(&seed).await;
    add_directory(&app.db, source(&slapd.url, PASSWORD_VARIABLE)).await;
    let summary = run_sync(&app.db, &app.clock).await.unwrap();
    assert_eq!((summary.created, summary.skipped), (2, 1), "{summary:?}");
    let notes = summary
        .lists
        .notes
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(notes.contains("张伟 🚀: title left out"), "{notes}");
    assert!(notes.contains("张伟 🚀: mobile left out"), "{notes}");
    assert!(notes.contains("Spacey: login left out"), "{notes}");
    assert!(
        summary.lists.skipped[0]
            .to_string()
            .starts_with("ctl: its name"),
        "{:?}",
        summary.lists.skipped
    );
    assert_eq!(
        app.count("SELECT count(*) FROM technicians WHERE name = '张伟 🚀' AND job_title IS NULL AND mobile IS NULL").await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_entries_than_one_search_returns_are_read_page_by_page() {
    let app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    app.create_admin().await;
    let seed: String = (0..2500)
        .map(|i| person(&format!("user{i}"), &format!("Engineer {i}"), &[]))
        .collect();
    // Past 1,000 entries slapd refuses a plain search by an ordinary account (the root DN
    // has no limits); a paged one gets everything.
    let slapd = Slapd::start_limited(
        &seed,
        "size.soft=1000 size.hard=1000 size.prtotal=unlimited",
    )
    .await;
    let account = format!("uid=user0,ou=people,{BASE}");
    let plain = std::process::Command::new("ldapsearch")
        .args([
            "-x",
            "-H",
            &slapd.url,
            "-D",
            &account,
            "-w",
            "user0-password",
            "-b",
            BASE,
            "(uid=*)",
            "uid",
        ])
        .output()
        .unwrap();
    assert!(
        !plain.status.success(),
        "the limit holds for a search without paging"
    );
    std::env::set_var("CREWDESK_TEST_LDAP_ACCOUNT_PASSWORD", "user0-password");
    let ldap = LdapSource {
        bind_dn: account,
        ..source(&slapd.url, "CREWDESK_TEST_LDAP_ACCOUNT_PASSWORD")
    };
    add_directory(&app.db, ldap).await;
    let summary = run_sync(&app.db, &app.clock).await.unwrap();
    assert_eq!(summary.created, 2500, "{}", summary.line());
    assert_eq!(
        app.count(
            "SELECT count(DISTINCT directory_id) FROM technicians WHERE login_domain = 'CORP'"
        )
        .await,
        2500
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_or_refusing_directory_fails_clearly_and_flags_nobody() {
    let app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    app.create_admin().await;
    let slapd = Slapd::start(&person("ada", "Ada", &[])).await;
    add_directory(&app.db, source(&slapd.url, PASSWORD_VARIABLE)).await;
    run_sync(&app.db, &app.clock).await.unwrap();
    let cases = [
        (
            source(&slapd.url, "CREWDESK_TEST_UNSET_VARIABLE"),
            "is not set",
        ),
        (
            LdapSource {
                bind_dn: format!("uid=ada,ou=people,{BASE}"),
                ..source(&slapd.url, PASSWORD_VARIABLE)
            },
            "refused the bind",
        ),
        (
            source(
                &format!("ldap://127.0.0.1:{}", common::process::free_port()),
                PASSWORD_VARIABLE,
            ),
            "does not answer",
        ),
        (
            LdapSource {
                filter: "(uid=".into(),
                ..source(&slapd.url, PASSWORD_VARIABLE)
            },
            "searching",
        ),
    ];
    for (ldap, fragment) in cases {
        directories::remove(
            &app.db,
            &Actor::operator(),
            &AuditContext::new(app::service::Source::Cli, None),
            "CORP",
        )
        .await
        .unwrap();
        add_directory(&app.db, ldap).await;
        let err = run_sync(&app.db, &app.clock).await.unwrap_err().to_string();
        assert!(err.contains(fragment), "{fragment}: {err}");
    }
    assert_eq!(
        app.count("SELECT count(*) FROM technicians WHERE directory_missing = 1")
            .await,
        0
    );
}

mod ad_auth {
    use super::*;
    use common::xml::Answer;

    /// GetTechnician over the XML API with AD_AUTH against the directory CORP.
    async fn ad(app: &TestApp, login: &str, password: &str, domain: &str) -> Answer {
        common::ad_sign_in(app, login, password, domain).await
    }

    async fn synced(app: &TestApp) -> Slapd {
        app.create_admin().await;
        let seed = [person("ada", "Ada", &[]), person("bo", "Bo", &[])].concat();
        let slapd = Slapd::start(&seed).await;
        add_directory(&app.db, source(&slapd.url, PASSWORD_VARIABLE)).await;
        run_sync(&app.db, &app.clock).await.unwrap();
        slapd
    }

    fn authenticated(answer: &Answer) -> bool {
        answer.errorcode.as_deref() != Some("AUTH_FAILED")
    }

    on_both_backends! {
        async fn the_directory_checks_passwords_on_both_edges_and_nothing_else_does(app: TestApp) {
            let slapd = synced(&app).await;
            let right = ad(&app, "ada", "ada-password", "CORP").await;
            assert!(authenticated(&right), "{right:?}");
            let wrong = ad(&app, "ada", "bo-password", "corp").await;
            assert_eq!(wrong.errorcode.as_deref(), Some("AUTH_FAILED"));
            assert!(wrong.message.contains("the user name or password is not correct"), "{wrong:?}");
            // Filter injection, an empty password (an anonymous bind), unknown and huge users: all
            // fail alike.
            let long = "名".repeat(2_000);
            for (login, password) in [("*", "ada-password"), ("ada)(uid=*", "ada-password"), ("*)(|(uid=*", "x"),
                                      ("ada", ""), ("nobody", "nobody-password"), ("", "ada-password"),
                                      ("ada\u{0}", "ada-password"), ("é", "\u{0}"), (long.as_str(), "ada-password")] {
                let answer = ad(&app, login, password, "CORP").await;
                assert_eq!(answer.message, wrong.message, "{login:?}/{password:?}");
            }
            // A local password is never tried for a directory's engineer.
            app::service::auth::set_password(&app.db, &Actor::operator(), &AuditContext::new(app::service::Source::Cli, None),
                "bo", "CORP", "local-password-1").await.unwrap();
            assert!(!authenticated(&ad(&app, "bo", "local-password-1", "CORP").await));
            let local_mode = app.servlet(TECHNICIAN_SERVLET, &[
                ("operation", "GetTechnician"), ("userid", "1"), ("username", "bo"), ("password", "local-password-1"),
                ("logonDomainName", "Local Authentication"), ("DOMAIN_NAME", "CORP"),
            ]).await;
            assert_eq!(local_mode.errorcode.as_deref(), Some("AUTH_FAILED"), "a directory's domain is the directory's to check: {local_mode:?}");
            assert!(authenticated(&ad(&app, "bo", "bo-password", "CORP").await));
            // The console signs in by the directory when the domain is one.
            let console = |login: &'static str, password: &'static str| {
                let app = &app;
                async move {
                    let client = app.new_client();
                    client.post(app.url("/api/login")).header("accept", "application/json")
                        .form(&[("login", login), ("password", password), ("domain", "CORP")])
                        .send().await.unwrap().status().as_u16()
                }
            };
            assert_eq!(console("ada", "ada-password").await, 200);
            assert_eq!(console("bo", "local-password-1").await, 401);
            // An unknown domain is not a directory.
            let unknown = ad(&app, "ada", "ada-password", "ELSEWHERE").await;
            assert!(unknown.message.contains("not configured"), "{unknown:?}");
            // A directory that does not answer says so, distinctly, and costs no guess.
            drop(slapd);
            let down = ad(&app, "ada", "ada-password", "CORP").await;
            assert_eq!(down.errorcode.as_deref(), Some("AUTH_FAILED"));
            assert!(down.message.contains("the directory CORP does not answer"), "{down:?}");
            assert_eq!(app.count("SELECT count(*) FROM auth_failures WHERE account_key LIKE 'corp%ada' AND failures > 0").await, 0);
        }

        async fn wrong_directory_passwords_count_toward_the_lockout(app: TestApp) {
            let _slapd = synced(&app).await;
            for _ in 0..app::service::lockout::MAX_FAILURES {
                let answer = ad(&app, "ada", "wrong-password", "CORP").await;
                assert_eq!(answer.errorcode.as_deref(), Some("AUTH_FAILED"));
            }
            let held = ad(&app, "ada", "ada-password", "CORP").await;
            assert_eq!(held.errorcode.as_deref(), Some("RATE_LIMITED"), "{held:?}");
        }
    }
}

/// `crewdesk` with `args` on `db`, the bind password in its variable and `ca` (if any) as
/// the only certificate it trusts: its exit, and what it printed.
fn cli(db: &str, ca: Option<&std::path::Path>, args: &[&str]) -> (bool, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_crewdesk"));
    command
        .args(["--database-url", db])
        .args(args)
        .env(PASSWORD_VARIABLE, ROOT_PASSWORD)
        .env("CREWDESK_LOG", "error");
    match ca {
        Some(ca) => command.env("SSL_CERT_FILE", ca),
        None => command.env("SSL_CERT_FILE", "/nonexistent/crewdesk-no-ca.pem"),
    };
    let out = command.output().expect("crewdesk runs");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), printed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldaps_and_starttls_are_read_over_a_verified_tls_connection() {
    let slapd = Slapd::start_tls(&format!(
        "{}{}",
        person("ada", "Ada", &[("mail", "ada@corp.example")]),
        person("bo", "Bo", &[])
    ))
    .await;
    let tls = slapd.tls.as_ref().expect("TLS configured");
    let base = format!("ou=people,{BASE}");
    let ldaps = ["--ldap-url", &tls.ldaps_url];
    let starttls = ["--ldap-url", slapd.url.as_str(), "--starttls"];
    for (name, how) in [("SECURE", &ldaps[..]), ("UPGRADED", &starttls[..])] {
        let db = common::process::sqlite_url("ldap-tls");
        let (added, printed) = cli(
            &db,
            None,
            &[
                &["directory", "add", name][..],
                how,
                &[
                    "--bind-dn",
                    ROOT_DN,
                    "--bind-password-env",
                    PASSWORD_VARIABLE,
                    "--base-dn",
                    &base,
                ],
            ]
            .concat(),
        );
        assert!(added, "{printed}");
        // A certificate nobody vouches for: refused, and said so; nothing is written.
        let (synced, printed) = cli(&db, None, &["directory", "sync"]);
        assert!(!synced, "{name}: {printed}");
        assert!(
            printed.contains("a certificate this server does not trust"),
            "{name}: {printed}"
        );
        // Its CA trusted: read over TLS.
        let (synced, printed) = cli(&db, Some(&tls.ca_file), &["directory", "sync"]);
        assert!(synced, "{name}: {printed}");
        assert!(
            printed.contains("created 2, updated 0, unchanged 0, flagged 0"),
            "{name}: {printed}"
        );
    }
}
