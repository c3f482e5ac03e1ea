//! A console setting cannot send the server's secrets away: an SDAdmin who points a
//! directory at a server of their own learns no environment variable, no stored bind
//! password and no user's password. Tried as an attacker would: raw console requests, an
//! unauthenticated sign-in, and a real listener on loopback that records every byte it is
//! sent (an LDAP bind carries its password in clear, so a canary would show).

mod common;

use app::domain::directory::{DirectoryName, Preset};
use app::service::directories::{self, BindPassword, LdapSource, NewDirectory, Source};
use app::service::{Actor, AuditContext};
use common::slapd::{person, Slapd, BASE, ROOT_DN, ROOT_PASSWORD};
use common::{ad_sign_in, signed_in, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};
use std::sync::{Arc, Mutex};
use tokio::io::AsyncReadExt as _;

const CANARY_VARIABLE: &str = "CREWDESK_TEST_SECRET_CANARY";
const CANARY: &str = "canary-4f1e9b0d-never-leaves";
const BIND_VARIABLE: &str = "CREWDESK_TEST_SECRETS_BIND_PASSWORD";

/// A TCP listener on loopback that keeps every byte any connection sends it and answers
/// nothing.
struct Recorder {
    url: String,
    seen: Arc<Mutex<Vec<u8>>>,
    connections: Arc<Mutex<usize>>,
}

impl Recorder {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ldap://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let (keep, count) = (seen.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                *count.lock().unwrap() += 1;
                let keep = keep.clone();
                tokio::spawn(async move {
                    let mut buffer = [0u8; 4096];
                    // Bounded: a connection is read for two seconds at most.
                    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(2);
                    while let Ok(Ok(n)) =
                        tokio::time::timeout_at(deadline, socket.read(&mut buffer)).await
                    {
                        if n == 0 {
                            break;
                        }
                        keep.lock().unwrap().extend_from_slice(&buffer[..n]);
                    }
                });
            }
        });
        Self {
            url,
            seen,
            connections,
        }
    }

    fn saw(&self, needle: &str) -> bool {
        let seen = self.seen.lock().unwrap();
        seen.windows(needle.len()).any(|w| w == needle.as_bytes())
    }

    fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }
}

/// The operator's CORP: a real slapd over plain LDAP, its bind password in a variable of the
/// server, plain LDAP allowed for it from the command line.
async fn operators_corp(app: &TestApp, slapd: &Slapd) {
    std::env::set_var(BIND_VARIABLE, ROOT_PASSWORD);
    let new = NewDirectory {
        name: DirectoryName::parse("CORP").unwrap(),
        source: Source::Ldap(LdapSource {
            url: slapd.url.clone(),
            starttls: false,
            bind_dn: ROOT_DN.to_owned(),
            password: BindPassword::Env(BIND_VARIABLE.to_owned()),
            base_dn: format!("ou=people,{BASE}"),
            filter: String::new(),
            allow_plain: true,
        }),
        preset: Preset::OpenLdap,
        mapping: Preset::OpenLdap.mapping(),
        typed_password: None,
    };
    directories::add(
        &app.db,
        &Actor::operator(),
        &AuditContext::new(app::service::Source::Cli, None),
        new,
        &app.state.secret_key,
        0,
    )
    .await
    .unwrap();
}

fn ldap_form<'a>(
    name: &'a str,
    url: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("form[name]", name),
        ("form[kind]", "ldap"),
        ("form[ldap_url]", url),
        ("form[bind_dn]", ROOT_DN),
        ("form[base_dn]", "ou=people,dc=corp,dc=example"),
        ("form[preset]", "openldap"),
    ];
    form.extend_from_slice(extra);
    form
}

on_both_backends! {
    async fn a_directory_added_in_the_console_cannot_read_a_server_variable(app: TestApp) {
        std::env::set_var(CANARY_VARIABLE, CANARY);
        app.create_admin().await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let recorder = Recorder::start().await;
        // The attack as it worked: name the variable, point at our listener. The console has
        // no such field any more, and the posted one is not read; asking for plain LDAP or
        // an allowance is not read either.
        let form = ldap_form("EVIL", &recorder.url, &[
            ("form[bind_password_env]", CANARY_VARIABLE),
            ("form[allow_plain_ldap]", "true"),
        ]);
        let (status, body) = app.server_fn(&admin, "add_directory", &form).await;
        assert!(status < 400, "{body}");
        let evil = directories::find(&app.db, "EVIL").await.unwrap().unwrap();
        let Source::Ldap(ldap) = &evil.source else { panic!("{evil:?}") };
        assert_eq!(ldap.password, BindPassword::Missing);
        assert!(!ldap.allow_plain);
        // An unauthenticated sign-in with that domain: refused before any connection, since
        // the directory is plain LDAP that the operator did not allow.
        let answer = ad_sign_in(&app, "anyone", "their-own-password", "EVIL").await;
        assert_eq!(answer.errorcode.as_deref(), Some("AUTH_FAILED"), "{answer:?}");
        assert!(answer.message.contains("plain LDAP"), "{answer:?}");
        // Even over StartTLS (where a connection is made) nothing but the StartTLS request
        // arrives: there is no password to send.
        let form = ldap_form("EVIL", &recorder.url, &[("form[starttls]", "true")]);
        let (status, body) = app.server_fn(&admin, "change_directory", &form).await;
        assert!(status < 400, "{body}");
        let answer = ad_sign_in(&app, "anyone", "their-own-password", "EVIL").await;
        assert_eq!(answer.errorcode.as_deref(), Some("AUTH_FAILED"), "{answer:?}");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(!recorder.saw(CANARY), "the canary reached the listener");
        assert!(!recorder.saw("their-own-password"));
        assert!(!recorder.saw(ROOT_DN), "no bind was attempted in clear");
    }

    async fn changing_a_directorys_connection_in_the_console_takes_no_password_along(app: TestApp) {
        app.create_admin().await;
        let slapd = Slapd::start(&[person("ada", "Ada", &[])].concat()).await;
        operators_corp(&app, &slapd).await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let recorder = Recorder::start().await;
        // The operator's CORP signs in and syncs over plain LDAP, as allowed.
        let synced = common::run_sync_with(&app).await.unwrap();
        assert_eq!(synced.created, 1, "{synced:?}");
        assert_eq!(ad_sign_in(&app, "ada", "ada-password", "CORP").await.errorcode, None);
        // Its password comes from the server's environment: a new URL without a password
        // typed is refused, and nothing changes.
        let (status, body) = app.server_fn(&admin, "change_directory", &ldap_form("CORP", &recorder.url, &[])).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("bind_password"), "{body}");
        let kept = directories::find(&app.db, "CORP").await.unwrap().unwrap();
        let Source::Ldap(ldap) = &kept.source else { panic!() };
        assert_eq!(ldap.url, slapd.url);
        // A server the operator did not list (--ldap-allow) is refused, password typed or
        // not: users' own passwords (AD_AUTH) would go there.
        for elsewhere in ["ldaps://evil.example", "ldap://localhost:389", "ldap://127.0.0.1@evil.example"] {
            let (status, body) = app.server_fn(&admin, "change_directory", &ldap_form("CORP", elsewhere, &[
                ("form[bind_password]", "typed-for-evil"),
            ])).await;
            assert_eq!(status, 422, "{elsewhere}: {body}");
            assert!(common::said(&body).contains("ldap_url") && common::said(&body).contains("--ldap-allow"), "{body}");
        }
        // The base DN or filter may change without the password: the password stays where
        // it was going.
        let (status, body) = app.server_fn(&admin, "change_directory", &ldap_form("CORP", &slapd.url, &[
            ("form[filter]", "(objectClass=inetOrgPerson)"),
        ])).await;
        assert!(status < 400, "{body}");
        assert_eq!(ad_sign_in(&app, "ada", "ada-password", "CORP").await.errorcode, None);
        // A new URL with a password typed: accepted, sealed, and the plain-LDAP allowance
        // (the operator's, for the old server) is gone, so the listener is sent nothing.
        let (status, body) = app.server_fn(&admin, "change_directory", &ldap_form("CORP", &recorder.url, &[
            ("form[bind_password]", "typed-bind-password"),
        ])).await;
        assert!(status < 400, "{body}");
        let moved = directories::find(&app.db, "CORP").await.unwrap().unwrap();
        let Source::Ldap(ldap) = &moved.source else { panic!() };
        assert!(matches!(ldap.password, BindPassword::Sealed(_)), "{ldap:?}");
        assert!(!ldap.allow_plain);
        let answer = ad_sign_in(&app, "ada", "ada-password", "CORP").await;
        assert_eq!(answer.errorcode.as_deref(), Some("AUTH_FAILED"));
        assert!(answer.message.contains("plain LDAP"), "{answer:?}");
        let failed = common::run_sync_with(&app).await.unwrap_err().to_string();
        assert!(failed.contains("plain ldap://"), "{failed}");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(recorder.connections(), 0, "nothing connected to the new server");
        assert!(!recorder.saw(ROOT_PASSWORD) && !recorder.saw("ada-password"));
    }

    async fn a_typed_bind_password_is_stored_sealed_and_never_shown_again(app: TestApp) {
        app.create_admin().await;
        let slapd = Slapd::start(&[person("ada", "Ada", &[]), person("bo", "Bo", &[])].concat()).await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let (status, body) = app.server_fn(&admin, "add_directory", &ldap_form("CORP", &slapd.url, &[
            ("form[bind_password]", ROOT_PASSWORD),
        ])).await;
        assert!(status < 400, "{body}");
        // Stored sealed: not in any column, not in the audit log, not in the listing or the
        // settings page.
        let (sealed,): (String,) = sqlx::query_as("SELECT bind_password_sealed FROM directories")
            .fetch_one(app.db.reader()).await.unwrap();
        assert!(sealed.starts_with("v1:") && !sealed.contains(ROOT_PASSWORD), "{sealed}");
        assert_eq!(app.count(&format!("SELECT count(*) FROM audit_log WHERE after_json LIKE '%{ROOT_PASSWORD}%' OR after_json LIKE '%{sealed}%'")).await, 0);
        let (_, listing) = app.server_fn(&admin, "directories", &[]).await;
        assert!(!listing.contains(ROOT_PASSWORD) && !listing.contains(&sealed), "{listing}");
        assert!(listing.contains("bind password stored"), "{listing}");
        let page = admin.get(app.url("/settings?edit=CORP")).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains(ROOT_PASSWORD) && !page.contains(&sealed));
        // The console cannot allow plain LDAP: the sync is refused and says how to allow it.
        let failed = common::run_sync_with(&app).await.unwrap_err().to_string();
        assert!(failed.contains("--allow-plain-ldap"), "{failed}");
        // The operator allows it: the sealed password binds.
        let (done, printed) = common::process::cli(&app, &["directory", "change", "CORP", "--allow-plain-ldap"]);
        assert!(done, "{printed}");
        let synced = common::run_sync_with(&app).await.unwrap();
        assert_eq!(synced.created, 2, "{synced:?}");
        // A change of mapping keeps the password; the plain allowance shows in the form.
        let (status, body) = app.server_fn(&admin, "change_directory", &ldap_form("CORP", &slapd.url, &[("form[map]", "title=cn")])).await;
        assert!(status < 400, "{body}");
        assert_eq!(common::run_sync_with(&app).await.unwrap().updated, 2);
        let page = admin.get(app.url("/settings?edit=CORP")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Plain LDAP (passwords in clear) allowed by the operator"), "{page}");
        // Under another key the sealed password does not open, and the sync says so.
        let mut other = app.access();
        other.key = std::sync::Arc::new(app::service::secret_box::SecretKey::generate().0);
        let ctx = AuditContext::new(app::service::Source::Sync, None);
        let (run, chosen) = app::service::sync::begin_run(&app.db, &app.clock, &Actor::operator(), &ctx, None).await.unwrap();
        let operator = Actor::operator();
        let runner = app::service::sync::Runner { db: &app.db, clock: &app.clock, source: &other, actor: &operator, ctx: &ctx };
        let failed = app::service::sync::run(&runner, run, &chosen).await.unwrap_err().to_string();
        assert!(failed.contains("does not open with this server's key"), "{failed}");
    }
}
