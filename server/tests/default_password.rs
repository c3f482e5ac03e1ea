//! The legacy default password (no `pwd`: the password is the login name) no longer opens
//! anything: the XML API refuses such an account with PASSWORD_CHANGE_REQUIRED, and the
//! console shows it the change-password page before any other. Every new password is
//! checked for strength.

mod common;

use common::{TestApp, TECHNICIAN_SERVLET};

const LEGACY: &str = "legacy.user";
const STRONG: &str = "granite-tulip-orbit-93";

async fn get_as(app: &TestApp, login: &str, password: &str) -> common::xml::Answer {
    app.servlet(
        TECHNICIAN_SERVLET,
        &[
            ("operation", "GetTechnician"),
            ("userid", "1"),
            ("username", login),
            ("password", password),
        ],
    )
    .await
}

/// A browser signed in as `login`, without following redirects.
async fn console(app: &TestApp, login: &str, password: &str) -> (reqwest::Client, u16) {
    let client = app.new_client();
    let status = client
        .post(app.url("/api/login"))
        .header("accept", "application/json")
        .form(&[("login", login), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    (client, status)
}

async fn change(
    client: &reqwest::Client,
    app: &TestApp,
    current: &str,
    new: &str,
    repeat: &str,
) -> (u16, String) {
    let response = client
        .post(app.url("/change-password"))
        .form(&[("current", current), ("new", new), ("repeat", repeat)])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

on_both_backends! {
    async fn an_account_on_the_legacy_default_password_must_change_it_first(app: TestApp) {
        app.create_admin().await;
        let added = app.add_as_admin(&[("name", "Legacy User"), ("loginName", LEGACY), ("enableLogin", "true")]).await;
        assert!(added.is_success(), "{}", added.raw);
        // The XML API: refused with its own code, and only with the right password.
        let refused = get_as(&app, LEGACY, LEGACY).await;
        assert_eq!(refused.code(), "PASSWORD_CHANGE_REQUIRED", "{}", refused.raw);
        assert!(refused.message.contains("console"), "{}", refused.raw);
        assert_eq!(get_as(&app, LEGACY, "not-the-password").await.code(), "AUTH_FAILED");
        // The console: signed in, but every page leads to the change-password page and
        // every server function is refused.
        let (browser, status) = console(&app, LEGACY, LEGACY).await;
        assert_eq!(status, 200);
        for page in ["/", "/settings", "/audit", "/engineers/1/edit"] {
            let response = browser.get(app.url(page)).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 303, "{page}");
            assert_eq!(response.headers()["location"], "/change-password", "{page}");
        }
        let (status, body) = app.server_fn(&browser, "current_user", &[]).await;
        assert_eq!(status, 403, "{body}");
        let page = browser.get(app.url("/change-password")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("still your login name"), "{page}");
        // Refusals: a cross-site post, a wrong current password, two different new ones, a
        // weak one, the login name again.
        let cross = browser.post(app.url("/change-password")).header("origin", "https://evil.example")
            .form(&[("current", LEGACY), ("new", STRONG), ("repeat", STRONG)]).send().await.unwrap();
        assert_eq!(cross.status().as_u16(), 403);
        let (status, page) = change(&browser, &app, "wrong-current-1", STRONG, STRONG).await;
        assert_eq!(status, 422);
        assert!(page.contains("is not your current password"), "{page}");
        let (status, page) = change(&browser, &app, LEGACY, STRONG, "something-else-77").await;
        assert_eq!(status, 422);
        assert!(page.contains("differ"), "{page}");
        let huge = "é".repeat(2_000);
        for weak in ["password1", "legacy.user", "legacy.user1", "", "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}", huge.as_str()] {
            let (status, page) = change(&browser, &app, LEGACY, weak, weak).await;
            assert_eq!(status, 422, "{weak}: {page}");
            assert!(page.contains("New password"), "{page}");
        }
        // The old password still stands after all that.
        assert_eq!(get_as(&app, LEGACY, LEGACY).await.code(), "PASSWORD_CHANGE_REQUIRED");
        // A strong one: the console opens, the API takes the new password and not the old.
        let (status, _) = change(&browser, &app, LEGACY, STRONG, STRONG).await;
        assert_eq!(status, 303);
        let home = browser.get(app.url("/")).send().await.unwrap();
        assert_eq!(home.status().as_u16(), 200);
        assert!(get_as(&app, LEGACY, STRONG).await.is_success());
        assert_eq!(get_as(&app, LEGACY, LEGACY).await.code(), "AUTH_FAILED");
        assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'technician.password'").await, 1);
    }

    async fn an_account_made_before_the_mark_is_marked_when_it_signs_in_with_its_login(app: TestApp) {
        app.create_admin().await;
        app.add_as_admin(&[("name", "Old Timer"), ("loginName", "old.timer"), ("enableLogin", "true")]).await;
        sqlx::query("UPDATE technicians SET must_change_password = 0").execute(app.db.writer()).await.unwrap();
        let refused = get_as(&app, "old.timer", "old.timer").await;
        assert_eq!(refused.code(), "PASSWORD_CHANGE_REQUIRED", "{}", refused.raw);
    }

    async fn a_weak_new_password_is_refused_with_advice(app: TestApp) {
        app.create_admin().await;
        for weak in ["password1", "qwertyuiop", "weak.user123", "Summer2024!"] {
            let answer = app.add_as_admin(&[("name", "Weak User"), ("loginName", "weak.user1"), ("pwd", weak)]).await;
            assert_eq!(answer.code(), "INVALID_INPUT", "{weak}: {}", answer.raw);
            assert!(answer.message.contains("pwd") && answer.message.contains("too easy to guess"), "{}", answer.raw);
        }
        assert_eq!(app.count("SELECT count(*) FROM technicians WHERE login_name = 'weak.user1'").await, 0, "nothing half-saved");
        let answer = app.add_as_admin(&[("name", "Weak User"), ("loginName", "weak.user1"), ("pwd", STRONG)]).await;
        assert!(answer.is_success(), "{}", answer.raw);
        // The operator's CLI checks it too.
        let (done, printed) = common::process::cli(&app, &["admin", "create", "--login", "root2", "--password", "password123"]);
        assert!(!done);
        assert!(printed.contains("--password is too easy to guess"), "{printed}");
    }
}
