//! GetTechnician over the servlet XML API: every attribute read back, never the password.

mod common;

use common::TECHNICIAN_SERVLET;

const GET: &str = "GetTechnician";

on_both_backends! {
    async fn every_attribute_is_read_back_in_the_api_order(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        server::cli::add_udf(&app.db, "UDF_CHAR1", "Badge").await.expect("udf");
        let added = app.add_as_admin(&[
            ("name", "Ada Lovelace"),
            ("employeeId", "E-1"),
            ("email", "ada@example.com"),
            ("phone", "+44 20 7946 0000"),
            ("mobile", "+86 138 0013 8000"),
            ("smsMailId", "ada@sms.example.com"),
            ("costPerHr", "12.5"),
            ("jobTitle", "Lead"),
            ("techSiteName", "London"),
            ("departmentName", "Ops"),
            ("associateSites", "Paris, London"),
            ("associateGroups", "Asia-Pacific-Core,London-Network"),
            ("associateRols", "SDSiteAdmin"),
            ("approvePurchaseOrder", "true"),
            ("enableLogin", "true"),
            ("loginName", "ada"),
            ("pwd", "ada-secret-pw"),
            ("userDomainName", "CORP"),
            ("UDF_CHAR1", "B-7"),
        ]).await;
        let id = added.userid.expect("added");
        let answer = app.admin_call(TECHNICIAN_SERVLET, GET, &[("techLoginName", "ada"), ("techDomainName", "CORP")]).await;
        assert!(answer.is_success(), "{}", answer.raw);
        assert_eq!(answer.userid, Some(id));
        let keys: Vec<&str> = answer.details.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, [
            "name", "alias", "employeeId", "email", "phone", "mobile", "smsMailId", "costPerHr",
            "jobTitle", "techSiteName", "departmentName", "associateSites", "associateGroups",
            "associateRols", "approvePurchaseOrder", "enableLogin", "loginName", "userDomainName",
            "language", "UDF_CHAR1",
        ]);
        let details = common::pairs_map(&answer);
        assert_eq!(details["costPerHr"], "12.50");
        assert_eq!(details["associateSites"], "Paris,London");
        assert_eq!(details["associateGroups"], "Asia-Pacific-Core,London-Network");
        assert_eq!(details["associateRols"], "SDSiteAdmin");
        assert_eq!(details["approvePurchaseOrder"], "true");
        assert_eq!(details["UDF_CHAR1"], "B-7");
        assert!(!answer.raw.contains("ada-secret-pw") && !answer.raw.contains("argon2"), "{}", answer.raw);
    }

    async fn a_technician_without_a_site_reads_back_default_and_no_department(app: TestApp) {
        app.create_admin().await;
        let id = app.add_as_admin(&[("name", "Nomad")]).await.userid.expect("added");
        let details = app.details_of(id).await;
        assert_eq!(details["techSiteName"], "default");
        assert_eq!(details["departmentName"], "");
        assert_eq!(details["enableLogin"], "false");
    }

    async fn a_plain_engineer_may_read_any_technician(app: TestApp) {
        app.create_admin().await;
        app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
        let answer = app.call_as("bob", "bob-lantern-quartz-9", TECHNICIAN_SERVLET, GET, &[("techLoginName", "root.admin")]).await;
        assert!(answer.is_success(), "{}", answer.raw);
        assert_eq!(common::pairs_map(&answer)["associateRols"], "SDAdmin");
    }

    async fn reading_follows_the_identification_rules(app: TestApp) {
        app.create_admin().await;
        app.add_as_admin(&[("name", "Sam")]).await;
        app.add_as_admin(&[("name", "Sam")]).await;
        let ambiguous = app.admin_call(TECHNICIAN_SERVLET, GET, &[("techUserName", "Sam")]).await;
        assert_eq!(ambiguous.code(), "AMBIGUOUS_TECHNICIAN");
        let missing = app.admin_call(TECHNICIAN_SERVLET, GET, &[("userid", "999999")]).await;
        assert_eq!(missing.code(), "TECHNICIAN_NOT_FOUND");
        let unnamed = app.admin_call(TECHNICIAN_SERVLET, GET, &[]).await;
        assert_eq!(unnamed.code(), "INVALID_INPUT");
    }

    async fn reading_needs_valid_credentials(app: TestApp) {
        app.create_admin().await;
        let answer = app.call_as("root.admin", "not-the-password", TECHNICIAN_SERVLET, GET, &[("userid", "1")]).await;
        assert_eq!(answer.code(), "AUTH_FAILED");
        assert!(answer.details.is_empty());
    }
}
