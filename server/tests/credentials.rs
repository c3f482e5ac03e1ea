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
        app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
        assert!(read_as(&app, "bob", "bob-lantern-quartz-9").await.is_success());
        assert!(read_as(&app, "bob", "bob-lantern-quartz-9").await.is_success());
        auth::set_password(&app.db, &Actor::operator(), &server::operator::cli_context(), "bob", "", "bob-new-password")
            .await
            .expect("password set");
        assert_eq!(read_as(&app, "bob", "bob-lantern-quartz-9").await.code(), "AUTH_FAILED");
        assert!(read_as(&app, "bob", "bob-new-password").await.is_success());
    }

    async fn a_remembered_credential_still_obeys_the_lockout(app: TestApp) {
        app.create_admin().await;
        app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
        assert!(read_as(&app, "bob", "bob-lantern-quartz-9").await.is_success());
        for _ in 0..10 {
            assert_eq!(read_as(&app, "bob", "wrong-password").await.code(), "AUTH_FAILED");
        }
        assert_eq!(read_as(&app, "bob", "bob-lantern-quartz-9").await.code(), "RATE_LIMITED");
    }

    async fn a_remembered_success_clears_earlier_failures(app: TestApp) {
        app.create_admin().await;
        app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
        assert!(read_as(&app, "bob", "bob-lantern-quartz-9").await.is_success());
        for _ in 0..9 {
            read_as(&app, "bob", "wrong-password").await;
        }
        assert!(read_as(&app, "bob", "bob-lantern-quartz-9").await.is_success());
        // The count started again: nine more failures do not lock the account.
        for _ in 0..9 {
            read_as(&app, "bob", "wrong-password").await;
        }
        assert!(read_as(&app, "bob", "bob-lantern-quartz-9").await.is_success());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_connections_with_one_new_credential_pay_for_one_check() {
    // One check at a time and a short wait: twenty checks would leave most requests "busy".
    let app = TestApp::spawn_with(common::Backend::Sqlite, |s| {
        s.sign_in_limits.concurrent_checks = 1;
        s.sign_in_limits.wait = std::time::Duration::from_millis(300);
    })
    .await
    .unwrap();
    app.create_admin().await;
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let client = app.new_client();
            let url = app.url(TECHNICIAN_SERVLET);
            tokio::spawn(async move {
                let response = client
                    .post(url)
                    .form(&[
                        ("operation", GET),
                        ("username", common::ADMIN_LOGIN),
                        ("password", common::ADMIN_PASSWORD),
                        ("userid", "1"),
                    ])
                    .send()
                    .await
                    .expect("answered");
                common::xml::Answer::read(response).await
            })
        })
        .collect();
    for call in calls {
        let answer = call.await.expect("call");
        assert!(answer.is_success(), "{}", answer.raw);
    }
}
