//! UpdateTechnician over the servlet XML API: identification, partial updates and reach.

mod common;

use common::{TestApp, TECHNICIAN_SERVLET};

const UPDATE: &str = "UpdateTechnician";

async fn update(app: &TestApp, pairs: &[(&str, &str)]) -> common::xml::Answer {
    app.admin_call(TECHNICIAN_SERVLET, UPDATE, pairs).await
}

async fn add(app: &TestApp, pairs: &[(&str, &str)]) -> i64 {
    let answer = app.add_as_admin(pairs).await;
    assert!(answer.is_success(), "{}", answer.raw);
    answer.userid.expect("userid")
}

on_both_backends! {
    async fn only_the_attributes_present_change_and_the_change_is_audited(app: TestApp) {
        app.create_admin().await;
        let id = add(&app, &[("name", "Ada"), ("loginName", "ada"), ("email", "ada@example.com"), ("phone", "+44 20 7946 0000")]).await;
        let answer = update(&app, &[("techLoginName", "ada"), ("email", "ada@new.example.com")]).await;
        assert!(answer.is_success(), "{}", answer.raw);
        assert_eq!(answer.message, "Technician updated successfully");
        assert_eq!(answer.userid, Some(id));
        let details = app.details_of(id).await;
        assert_eq!(details["email"], "ada@new.example.com");
        assert_eq!(details["phone"], "+44 20 7946 0000");
        assert_eq!(details["name"], "Ada");
        let (before, after): (String, String) = sqlx::query_as(
            "SELECT before_json, after_json FROM audit_log WHERE action = 'technician.update' AND source = 'xml'",
        )
        .fetch_one(app.db.reader())
        .await
        .unwrap();
        assert!(before.contains("ada@example.com") && after.contains("ada@new.example.com"), "{before} {after}");
    }

    async fn an_attribute_sent_empty_clears_it_but_the_name_cannot_be_cleared(app: TestApp) {
        app.create_admin().await;
        let id = add(&app, &[("name", "Ada"), ("jobTitle", "Lead"), ("mobile", "+86 138 0013 8000")]).await;
        let cleared = update(&app, &[("userid", &id.to_string()), ("jobTitle", ""), ("mobile", "")]).await;
        assert!(cleared.is_success(), "{}", cleared.raw);
        let details = app.details_of(id).await;
        assert_eq!(details["jobTitle"], "");
        assert_eq!(details["mobile"], "");
        let refused = update(&app, &[("userid", &id.to_string()), ("name", "")]).await;
        assert_eq!(refused.code(), "INVALID_INPUT");
        assert!(refused.message.contains("name:"), "{}", refused.message);
        assert_eq!(app.details_of(id).await["name"], "Ada");
    }

    async fn the_login_name_is_matched_within_its_domain(app: TestApp) {
        app.create_admin().await;
        let local = add(&app, &[("name", "Local Ada"), ("loginName", "ada")]).await;
        let corp = add(&app, &[("name", "Corp Ada"), ("loginName", "ada"), ("userDomainName", "CORP")]).await;
        let answer = update(&app, &[("techLoginName", "ada"), ("techDomainName", "CORP"), ("jobTitle", "Corp")]).await;
        assert_eq!(answer.userid, Some(corp), "{}", answer.raw);
        // No techDomainName: the empty domain.
        let answer = update(&app, &[("techLoginName", "ada"), ("jobTitle", "Local")]).await;
        assert_eq!(answer.userid, Some(local), "{}", answer.raw);
        assert_eq!(app.details_of(corp).await["jobTitle"], "Corp");
        assert_eq!(app.details_of(local).await["jobTitle"], "Local");
    }

    async fn identification_falls_back_from_login_to_email_to_name_to_userid(app: TestApp) {
        app.create_admin().await;
        let by_email = add(&app, &[("name", "Emma"), ("email", "emma@example.com")]).await;
        let by_name = add(&app, &[("name", "Nora")]).await;
        let by_id = add(&app, &[("name", "Ida")]).await;
        let a = update(&app, &[("techLoginName", "nobody"), ("techEmailId", "EMMA@example.com"), ("jobTitle", "e")]).await;
        assert_eq!(a.userid, Some(by_email), "{}", a.raw);
        let b = update(&app, &[("techEmailId", "none@example.com"), ("techUserName", "nora"), ("jobTitle", "n")]).await;
        assert_eq!(b.userid, Some(by_name), "{}", b.raw);
        let c = update(&app, &[("techUserName", "Nobody"), ("userid", &by_id.to_string()), ("jobTitle", "i")]).await;
        assert_eq!(c.userid, Some(by_id), "{}", c.raw);
    }

    async fn an_email_or_name_that_matches_two_technicians_changes_nothing(app: TestApp) {
        app.create_admin().await;
        let a = add(&app, &[("name", "Sam"), ("email", "team@example.com")]).await;
        let b = add(&app, &[("name", "Sam"), ("email", "team@example.com")]).await;
        for pairs in [
            [("techEmailId", "team@example.com"), ("jobTitle", "Changed")],
            [("techUserName", "Sam"), ("jobTitle", "Changed")],
        ] {
            let answer = update(&app, &pairs).await;
            assert_eq!(answer.code(), "AMBIGUOUS_TECHNICIAN", "{}", answer.raw);
        }
        assert_eq!(app.details_of(a).await["jobTitle"], "");
        assert_eq!(app.details_of(b).await["jobTitle"], "");
    }

    async fn no_match_answers_technician_not_found(app: TestApp) {
        app.create_admin().await;
        let answer = update(&app, &[("techLoginName", "ghost"), ("techEmailId", "ghost@example.com"), ("jobTitle", "x")]).await;
        assert_eq!(answer.code(), "TECHNICIAN_NOT_FOUND");
        assert!(answer.message.contains("ghost@example.com"), "{}", answer.message);
    }

    async fn a_request_that_names_no_technician_is_invalid_input(app: TestApp) {
        app.create_admin().await;
        let answer = update(&app, &[("jobTitle", "x")]).await;
        assert_eq!(answer.code(), "INVALID_INPUT");
        let answer = update(&app, &[("userid", "seven"), ("jobTitle", "x")]).await;
        assert_eq!(answer.code(), "INVALID_INPUT");
        assert!(answer.message.contains("userid"), "{}", answer.message);
    }

    async fn login_details_and_purchase_approval_cannot_be_changed(app: TestApp) {
        app.create_admin().await;
        let id = add(&app, &[("name", "Ada"), ("loginName", "ada"), ("email", "ada@example.com")]).await;
        for attribute in ["loginName", "pwd", "enableLogin", "userDomainName", "approvePurchaseOrder"] {
            let answer = update(&app, &[("userid", &id.to_string()), (attribute, "true"), ("jobTitle", "x")]).await;
            assert_eq!(answer.code(), "INVALID_INPUT", "{attribute}: {}", answer.raw);
            assert!(answer.message.contains(attribute), "{}", answer.message);
        }
        let details = app.details_of(id).await;
        assert_eq!(details["jobTitle"], "");
        assert_eq!(details["loginName"], "ada");
    }

    async fn bad_values_are_named_and_nothing_is_half_saved(app: TestApp) {
        app.create_admin().await;
        let id = add(&app, &[("name", "Ada")]).await;
        let answer = update(&app, &[("userid", &id.to_string()), ("jobTitle", "Lead"), ("email", "nope"), ("costPerHr", "-1")]).await;
        assert_eq!(answer.code(), "INVALID_INPUT");
        assert!(answer.message.contains("email:") && answer.message.contains("costPerHr:"), "{}", answer.message);
        assert_eq!(app.details_of(id).await["jobTitle"], "");
    }

    async fn unknown_attributes_are_ignored_and_names_are_case_sensitive(app: TestApp) {
        app.create_admin().await;
        let id = add(&app, &[("name", "Ada"), ("email", "ada@example.com")]).await;
        let answer = update(&app, &[("userid", &id.to_string()), ("Email", "other@example.com"), ("favouriteColour", "teal"), ("jobTitle", "Lead")]).await;
        assert!(answer.is_success(), "{}", answer.raw);
        let details = app.details_of(id).await;
        assert_eq!(details["email"], "ada@example.com");
        assert_eq!(details["jobTitle"], "Lead");
    }

    async fn an_unknown_site_moves_the_technician_to_not_associated_and_says_so(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        let id = add(&app, &[("name", "Ada"), ("techSiteName", "London"), ("departmentName", "Ops")]).await;
        let answer = update(&app, &[("userid", &id.to_string()), ("techSiteName", "Atlantis")]).await;
        assert!(answer.is_success(), "{}", answer.raw);
        assert!(answer.message.contains("Atlantis"), "{}", answer.message);
        assert!(answer.message.contains("department"), "{}", answer.message);
        let details = app.details_of(id).await;
        assert_eq!(details["techSiteName"], "default");
        assert_eq!(details["departmentName"], "");
    }

    async fn sites_groups_and_udfs_are_replaced_when_given(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        server::cli::add_udf(&app.db, "UDF_CHAR1", "Badge").await.expect("udf");
        let id = add(&app, &[("name", "Ada"), ("associateSites", "London"), ("associateGroups", "London-Network"), ("UDF_CHAR1", "B-1")]).await;
        let answer = update(&app, &[("userid", &id.to_string()), ("associateSites", "Paris,Asia-Pacific"), ("associateGroups", "Asia-Pacific-Core"), ("UDF_CHAR1", "B-2")]).await;
        assert!(answer.is_success(), "{}", answer.raw);
        let details = app.details_of(id).await;
        assert_eq!(details["associateSites"], "Paris,Asia-Pacific");
        assert_eq!(details["associateGroups"], "Asia-Pacific-Core");
        assert_eq!(details["UDF_CHAR1"], "B-2");
        let cleared = update(&app, &[("userid", &id.to_string()), ("associateSites", "default"), ("UDF_CHAR1", "")]).await;
        assert!(cleared.is_success(), "{}", cleared.raw);
        let details = app.details_of(id).await;
        assert_eq!(details["associateSites"], "");
        // A cleared UDF is listed empty, as every defined UDF is.
        assert_eq!(details["UDF_CHAR1"], "");
        assert_eq!(details["associateGroups"], "Asia-Pacific-Core");
    }

    async fn a_plain_engineer_may_not_update(app: TestApp) {
        app.create_admin().await;
        app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
        let target = add(&app, &[("name", "Ada")]).await;
        let answer = app.call_as("bob", "bob-lantern-quartz-9", TECHNICIAN_SERVLET, UPDATE, &[("userid", &target.to_string()), ("jobTitle", "x")]).await;
        assert_eq!(answer.code(), "NOT_AUTHORIZED", "{}", answer.raw);
    }

    async fn a_site_admin_updates_only_within_its_sites(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        app.add_user("Sia", "sia", "sia-lantern-quartz-9", &[("associateRols", "SDSiteAdmin"), ("techSiteName", "London")]).await;
        let mine = add(&app, &[("name", "Mine"), ("techSiteName", "London")]).await;
        let theirs = add(&app, &[("name", "Theirs"), ("techSiteName", "Paris")]).await;
        let nowhere = add(&app, &[("name", "Nowhere")]).await;
        let call = |pairs: Vec<(&'static str, String)>| {
            let app = &app;
            async move {
                let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.call_as("sia", "sia-lantern-quartz-9", TECHNICIAN_SERVLET, UPDATE, &pairs).await
            }
        };
        let ok = call(vec![("userid", mine.to_string()), ("jobTitle", "Mine".into())]).await;
        assert!(ok.is_success(), "{}", ok.raw);
        for target in [theirs, nowhere] {
            let answer = call(vec![("userid", target.to_string()), ("jobTitle", "x".into())]).await;
            assert_eq!(answer.code(), "SITE_RESTRICTED", "{}", answer.raw);
        }
        let moved = call(vec![("userid", mine.to_string()), ("techSiteName", "Paris".into())]).await;
        assert_eq!(moved.code(), "SITE_RESTRICTED", "{}", moved.raw);
        let widened = call(vec![("userid", mine.to_string()), ("associateSites", "London,Paris".into())]).await;
        assert_eq!(widened.code(), "SITE_RESTRICTED", "{}", widened.raw);
        let roles = call(vec![("userid", mine.to_string()), ("associateRols", "SDSiteAdmin".into())]).await;
        assert_eq!(roles.code(), "NOT_AUTHORIZED", "{}", roles.raw);
        let details = app.details_of(mine).await;
        assert_eq!(details["techSiteName"], "London");
        assert_eq!(details["associateRols"], "");
    }

    async fn a_site_admin_may_not_update_an_sdadmin(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        app.add_user("Sia", "sia", "sia-lantern-quartz-9", &[("associateRols", "SDSiteAdmin"), ("techSiteName", "London")]).await;
        let boss = add(&app, &[("name", "Boss"), ("associateRols", "SDAdmin"), ("techSiteName", "London")]).await;
        let answer = app.call_as("sia", "sia-lantern-quartz-9", TECHNICIAN_SERVLET, UPDATE, &[("userid", &boss.to_string()), ("email", "boss@evil.example")]).await;
        assert_eq!(answer.code(), "PROTECTED_ADMIN", "{}", answer.raw);
    }

    async fn the_last_sdadmin_keeps_the_role(app: TestApp) {
        let admin = app.create_admin().await;
        let answer = update(&app, &[("userid", &admin.to_string()), ("associateRols", "SDSiteAdmin")]).await;
        assert_eq!(answer.code(), "PROTECTED_ADMIN", "{}", answer.raw);
        let second = add(&app, &[("name", "Second"), ("associateRols", "SDAdmin")]).await;
        let answer = update(&app, &[("userid", &second.to_string()), ("associateRols", "")]).await;
        assert!(answer.is_success(), "{}", answer.raw);
        assert_eq!(app.details_of(second).await["associateRols"], "");
    }

    async fn concurrent_updates_of_different_attributes_both_land(app: TestApp) {
        app.create_admin().await;
        let id = add(&app, &[("name", "Ada")]).await;
        let id_text = id.to_string();
        let first = [("userid", id_text.as_str()), ("jobTitle", "Lead")];
        let second = [("userid", id_text.as_str()), ("employeeId", "E-7")];
        let (a, b) = tokio::join!(update(&app, &first), update(&app, &second));
        assert!(a.is_success() && b.is_success(), "{} / {}", a.raw, b.raw);
        let details = app.details_of(id).await;
        assert_eq!((details["jobTitle"].as_str(), details["employeeId"].as_str()), ("Lead", "E-7"));
    }
}
