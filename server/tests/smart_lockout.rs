//! Lockout is no denial of service: failed sign-ins are counted apart for addresses where
//! the account signed in successfully in the last 30 days and for everywhere else, so a
//! stranger's guesses lock the account out for strangers only, never for the integration's
//! own address. Clients are told apart through a trusted proxy, as in production.

mod common;

use app::service::lockout::MAX_FAILURES;
use common::{TestApp, ADMIN_LOGIN, ADMIN_PASSWORD, TECHNICIAN_SERVLET};

const INTEGRATION: &str = "198.51.100.10";
const STRANGER: &str = "203.0.113.66";
const OTHER_STRANGER: &str = "2001:db8:7::1";

async fn behind_proxy(backend: common::Backend, cache_seconds: u64) -> Option<TestApp> {
    TestApp::spawn_with(backend, move |s| {
        s.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()];
        s.credential_cache_ttl = std::time::Duration::from_secs(cache_seconds);
        // Guesses wait their turn rather than being turned away as busy.
        s.sign_in_limits.wait = std::time::Duration::from_secs(30);
    })
    .await
}

/// GetTechnician as the root admin with `password`, from `client` through the proxy.
async fn call_from(app: &TestApp, client: &str, password: &str) -> common::xml::Answer {
    let response = app
        .new_client()
        .post(app.url(TECHNICIAN_SERVLET))
        .header("x-forwarded-for", client)
        .form(&[
            ("operation", "GetTechnician"),
            ("username", ADMIN_LOGIN),
            ("password", password),
            ("userid", "1"),
        ])
        .send()
        .await
        .unwrap();
    common::xml::Answer::read(response).await
}

async fn strangers_lock_out_strangers_only(backend: common::Backend, cache_seconds: u64) {
    let Some(app) = behind_proxy(backend, cache_seconds).await else {
        return;
    };
    app.create_admin().await;
    // The integration signs in from its address: from now on that address is familiar.
    let first = call_from(&app, INTEGRATION, ADMIN_PASSWORD).await;
    assert!(first.is_success(), "{}", first.raw);
    // A stranger guesses, in parallel, more than the count allows.
    let guesses = futures::future::join_all((0..MAX_FAILURES + 5).map(|i| {
        let app = &app;
        async move { call_from(app, STRANGER, &format!("wrong-guess-{i}")).await }
    }))
    .await;
    let failed = guesses.iter().filter(|a| a.code() == "AUTH_FAILED").count();
    assert!(
        failed as i64 <= MAX_FAILURES,
        "{failed} guesses were checked"
    );
    // Strangers are locked out, even with the right password, from any unfamiliar address.
    for stranger in [STRANGER, OTHER_STRANGER] {
        let held = call_from(&app, stranger, ADMIN_PASSWORD).await;
        assert_eq!(held.code(), "RATE_LIMITED", "{stranger}: {}", held.raw);
    }
    // The integration's own address is not.
    for _ in 0..3 {
        let served = call_from(&app, INTEGRATION, ADMIN_PASSWORD).await;
        assert!(served.is_success(), "{}", served.raw);
    }
    // Guesses from a familiar address are still bounded: they lock that count out.
    for i in 0..MAX_FAILURES {
        let answer = call_from(&app, INTEGRATION, &format!("typo-{i}")).await;
        assert_eq!(answer.code(), "AUTH_FAILED", "{}", answer.raw);
    }
    let held = call_from(&app, INTEGRATION, ADMIN_PASSWORD).await;
    assert_eq!(held.code(), "RATE_LIMITED", "{}", held.raw);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_cannot_lock_an_integration_out_of_its_own_address_on_sqlite() {
    strangers_lock_out_strangers_only(common::Backend::Sqlite, 300).await;
    strangers_lock_out_strangers_only(common::Backend::Sqlite, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_cannot_lock_an_integration_out_of_its_own_address_on_postgres() {
    strangers_lock_out_strangers_only(common::Backend::Postgres, 300).await;
    strangers_lock_out_strangers_only(common::Backend::Postgres, 0).await;
}

/// The console's sign-in keeps the same two counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_sign_in_is_not_locked_out_by_strangers_either() {
    let app = behind_proxy(common::Backend::Sqlite, 0).await.unwrap();
    app.create_admin().await;
    let sign_in = |client: &'static str, password: &'static str| {
        let app = &app;
        async move {
            app.new_client()
                .post(app.url("/api/login"))
                .header("accept", "application/json")
                .header("x-forwarded-for", client)
                .form(&[("login", ADMIN_LOGIN), ("password", password)])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(sign_in(INTEGRATION, ADMIN_PASSWORD).await, 200);
    for _ in 0..MAX_FAILURES + 2 {
        assert!(matches!(
            sign_in(STRANGER, "wrong-password").await,
            401 | 429
        ));
    }
    assert_eq!(sign_in(STRANGER, ADMIN_PASSWORD).await, 429);
    assert_eq!(sign_in(INTEGRATION, ADMIN_PASSWORD).await, 200);
}
