//! The XML API remembers verified credentials for a few minutes; these tests pin down that the
//! memory never outlives what it stands for.

mod common;

use app::service::{auth, Actor};
use common::{TestApp, TECHNICIAN_SERVLET};

const GET: &str = "GetTechnician";

async fn read_as(app: &TestApp, login: &str, password: &str) -> common::xml::Answer {
    app.call_as(
        login,
        password,
        TECHNICIAN_SERVLET,
        GET,
        &[("techLoginName", "bob")],
    )
    .await
}

on_both_backends! {
    async fn a_changed_password_stops_working_at_once(app: TestApp) {
        app.create_admin().await;
        app.add_user("Bob", "bob", "bob-password", &[]).await;
        assert!(read_as(&app, "bob", "bob-password").await.is_success());
        assert!(read_as(&app, "bob", "bob-password").await.is_success());
        auth::set_password(&app.db, &Actor::operator(), &server::operator::cli_context(), "bob", "", "bob-new-password")
            .await
            .expect("password set");
        assert_eq!(read_as(&app, "bob", "bob-password").await.code(), "AUTH_FAILED");
        assert!(read_as(&app, "bob", "bob-new-password").await.is_success());
    }

    async fn a_remembered_credential_still_obeys_the_lockout(app: TestApp) {
        app.create_admin().await;
        app.add_user("Bob", "bob", "bob-password", &[]).await;
        assert!(read_as(&app, "bob", "bob-password").await.is_success());
        for _ in 0..10 {
            assert_eq!(read_as(&app, "bob", "wrong-password").await.code(), "AUTH_FAILED");
        }
        assert_eq!(read_as(&app, "bob", "bob-password").await.code(), "RATE_LIMITED");
    }

    async fn a_remembered_success_clears_earlier_failures(app: TestApp) {
        app.create_admin().await;
        app.add_user("Bob", "bob", "bob-password", &[]).await;
        assert!(read_as(&app, "bob", "bob-password").await.is_success());
        for _ in 0..9 {
            read_as(&app, "bob", "wrong-password").await;
        }
        assert!(read_as(&app, "bob", "bob-password").await.is_success());
        // The count started again: nine more failures do not lock the account.
        for _ in 0..9 {
            read_as(&app, "bob", "wrong-password").await;
        }
        assert!(read_as(&app, "bob", "bob-password").await.is_success());
    }
}
