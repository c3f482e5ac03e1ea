//! DeleteTechnician over the servlet XML API: identification, protected admins and reach.

mod common;

use common::{TestApp, OPERATION_SERVLET, TECHNICIAN_SERVLET};

const DELETE: &str = "DeleteTechnician";

async fn delete(app: &TestApp, pairs: &[(&str, &str)]) -> common::xml::Answer {
    app.admin_call(OPERATION_SERVLET, DELETE, pairs).await
}

async fn add(app: &TestApp, pairs: &[(&str, &str)]) -> i64 {
    let answer = app.add_as_admin(pairs).await;
    assert!(answer.is_success(), "{}", answer.raw);
    answer.userid.expect("userid")
}

async fn exists(app: &TestApp, id: i64) -> bool {
    app.count(&format!("SELECT count(*) FROM technicians WHERE id = {id}"))
        .await
        == 1
}

on_both_backends! {
    async fn deleting_by_login_name_and_domain_removes_the_technician_and_is_audited(app: TestApp) {
        app.create_admin().await;
        let local = add(&app, &[("name", "Local Ada"), ("loginName", "ada")]).await;
        let corp = add(&app, &[("name", "Corp Ada"), ("loginName", "ada"), ("userDomainName", "CORP")]).await;
        let answer = delete(&app, &[("loginName", "ada"), ("domainName", "CORP")]).await;
        assert!(answer.is_success(), "{}", answer.raw);
        assert_eq!(answer.message, "Technician deleted successfully");
        assert_eq!(answer.userid, Some(corp));
        assert!(!exists(&app, corp).await);
        assert!(exists(&app, local).await);
        let (before,): (String,) = sqlx::query_as(
            "SELECT before_json FROM audit_log WHERE action = 'technician.delete' AND source = 'xml'",
        )
        .fetch_one(app.db.reader())
        .await
        .unwrap();
        assert!(before.contains("Corp Ada"), "{before}");
    }

    async fn identification_falls_back_from_login_to_email_to_name_to_userid(app: TestApp) {
        app.create_admin().await;
        let by_email = add(&app, &[("name", "Emma"), ("email", "emma@example.com")]).await;
        let by_name = add(&app, &[("name", "Nora")]).await;
        let by_id = add(&app, &[("name", "Ida")]).await;
        let a = delete(&app, &[("loginName", "nobody"), ("emailId", "emma@example.com")]).await;
        assert_eq!(a.userid, Some(by_email), "{}", a.raw);
        let b = delete(&app, &[("emailId", "none@example.com"), ("name", "Nora")]).await;
        assert_eq!(b.userid, Some(by_name), "{}", b.raw);
        let c = delete(&app, &[("name", "Nobody"), ("userid", &by_id.to_string())]).await;
        assert_eq!(c.userid, Some(by_id), "{}", c.raw);
        assert_eq!(app.count("SELECT count(*) FROM technicians").await, 1);
    }

    async fn an_ambiguous_name_deletes_nobody(app: TestApp) {
        app.create_admin().await;
        add(&app, &[("name", "Sam")]).await;
        add(&app, &[("name", "Sam")]).await;
        let answer = delete(&app, &[("name", "Sam")]).await;
        assert_eq!(answer.code(), "AMBIGUOUS_TECHNICIAN");
        assert_eq!(app.count("SELECT count(*) FROM technicians WHERE name = 'Sam'").await, 2);
        let missing = delete(&app, &[("name", "Nobody")]).await;
        assert_eq!(missing.code(), "TECHNICIAN_NOT_FOUND");
    }

    async fn an_sdadmin_is_deleted_only_by_an_sdadmin(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        app.add_user("Sia", "sia", "sia-lantern-quartz-9", &[("associateRols", "SDSiteAdmin"), ("techSiteName", "London")]).await;
        let boss = add(&app, &[("name", "Boss"), ("associateRols", "SDAdmin"), ("techSiteName", "London")]).await;
        let refused = app.call_as("sia", "sia-lantern-quartz-9", OPERATION_SERVLET, DELETE, &[("userid", &boss.to_string())]).await;
        assert_eq!(refused.code(), "PROTECTED_ADMIN", "{}", refused.raw);
        assert!(exists(&app, boss).await);
        let allowed = delete(&app, &[("userid", &boss.to_string())]).await;
        assert!(allowed.is_success(), "{}", allowed.raw);
    }

    async fn the_last_sdadmin_can_never_be_deleted(app: TestApp) {
        let admin = app.create_admin().await;
        let answer = delete(&app, &[("userid", &admin.to_string())]).await;
        assert_eq!(answer.code(), "PROTECTED_ADMIN", "{}", answer.raw);
        assert!(answer.message.contains("last SDAdmin"), "{}", answer.message);
        assert!(exists(&app, admin).await);
    }

    async fn two_admins_deleting_each_other_at_once_leave_one(app: TestApp) {
        let root = app.create_admin().await;
        let other = app.add_user("Other", "other.admin", "other-password", &[("associateRols", "SDAdmin")]).await;
        let root_text = root.to_string();
        let other_text = other.to_string();
        let by_root = [("userid", other_text.as_str())];
        let by_other = [("userid", root_text.as_str())];
        let (a, b) = tokio::join!(
            delete(&app, &by_root),
            app.call_as("other.admin", "other-password", OPERATION_SERVLET, DELETE, &by_other),
        );
        let successes = [&a, &b].iter().filter(|x| x.is_success()).count();
        assert!(successes <= 1, "{} / {}", a.raw, b.raw);
        assert_eq!(
            app.count("SELECT count(*) FROM technician_roles WHERE role = 'SDAdmin'").await,
            1,
            "{} / {}",
            a.raw,
            b.raw
        );
    }

    async fn a_site_admin_deletes_only_within_its_sites(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        app.add_user("Sia", "sia", "sia-lantern-quartz-9", &[("associateRols", "SDSiteAdmin"), ("techSiteName", "London")]).await;
        let mine = add(&app, &[("name", "Mine"), ("techSiteName", "London")]).await;
        let straddling = add(&app, &[("name", "Both"), ("techSiteName", "London"), ("associateSites", "Paris")]).await;
        let nowhere = add(&app, &[("name", "Nowhere")]).await;
        for target in [straddling, nowhere] {
            let answer = app.call_as("sia", "sia-lantern-quartz-9", OPERATION_SERVLET, DELETE, &[("userid", &target.to_string())]).await;
            assert_eq!(answer.code(), "SITE_RESTRICTED", "{}", answer.raw);
            assert!(exists(&app, target).await);
        }
        let answer = app.call_as("sia", "sia-lantern-quartz-9", OPERATION_SERVLET, DELETE, &[("userid", &mine.to_string())]).await;
        assert!(answer.is_success(), "{}", answer.raw);
        assert!(!exists(&app, mine).await);
    }

    async fn a_plain_engineer_may_not_delete(app: TestApp) {
        app.create_admin().await;
        app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
        let target = add(&app, &[("name", "Ada")]).await;
        let answer = app.call_as("bob", "bob-lantern-quartz-9", OPERATION_SERVLET, DELETE, &[("userid", &target.to_string())]).await;
        assert_eq!(answer.code(), "NOT_AUTHORIZED", "{}", answer.raw);
        assert!(exists(&app, target).await);
    }

    async fn delete_lives_on_the_operation_servlet_only(app: TestApp) {
        app.create_admin().await;
        let target = add(&app, &[("name", "Ada")]).await;
        let answer = app.admin_call(TECHNICIAN_SERVLET, DELETE, &[("userid", &target.to_string())]).await;
        assert_eq!(answer.code(), "UNKNOWN_OPERATION");
        let via_request = app
            .servlet("/servlets/RequestServlet", &[
                ("targetURL", OPERATION_SERVLET),
                ("operation", DELETE),
                ("username", common::ADMIN_LOGIN),
                ("password", common::ADMIN_PASSWORD),
                ("userid", &target.to_string()),
            ])
            .await;
        assert!(via_request.is_success(), "{}", via_request.raw);
    }

    async fn a_deleted_technician_can_no_longer_authenticate(app: TestApp) {
        app.create_admin().await;
        let bob = app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
        let read = app.call_as("bob", "bob-lantern-quartz-9", TECHNICIAN_SERVLET, "GetTechnician", &[("userid", &bob.to_string())]).await;
        assert!(read.is_success(), "{}", read.raw);
        assert!(delete(&app, &[("loginName", "bob")]).await.is_success());
        let after = app.call_as("bob", "bob-lantern-quartz-9", TECHNICIAN_SERVLET, "GetTechnician", &[("userid", "1")]).await;
        assert_eq!(after.code(), "AUTH_FAILED", "{}", after.raw);
    }
}
