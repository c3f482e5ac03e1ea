//! Reference data and the audit log from the console.

mod common;

use common::{TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};
use serde_json::Value;

async fn signed_in(app: &TestApp, login: &str, password: &str) -> reqwest::Client {
    let client = app.new_client();
    assert!(
        app.sign_in(&client, login, password)
            .await
            .status()
            .as_u16()
            < 400
    );
    client
}

on_both_backends! {
    async fn an_sdadmin_adds_reference_data_and_everyone_reads_it(app: TestApp) {
        app.create_admin().await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        for (function, form) in [
            ("add_site", vec![("name", "Asia-Pacific")]),
            ("add_department", vec![("name", "Operations"), ("site", "Asia-Pacific")]),
            ("add_department", vec![("name", "Finance"), ("site", "")]),
            ("add_group", vec![("site", "Asia-Pacific"), ("name", "Network")]),
            ("add_udf", vec![("column", "UDF_CHAR1"), ("alias", "Badge")]),
        ] {
            let (status, body) = app.server_fn(&admin, function, &form).await;
            assert!(status < 400, "{function}: {body}");
        }
        app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
        let bob = signed_in(&app, "bob", "bob-lantern-quartz-9").await;
        let (_, body) = app.server_fn(&bob, "reference_data", &[]).await;
        let data: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(data["sites"][0]["name"], "Asia-Pacific");
        assert_eq!(data["departments"].as_array().unwrap().len(), 2);
        assert_eq!(data["groups"][0]["site"], "Asia-Pacific");
        assert_eq!(data["udfs"][0]["column"], "UDF_CHAR1");
        assert_eq!(data["editable"], false);
        let (_, body) = app.server_fn(&bob, "add_site", &[("name", "Mine")]).await;
        assert!(body.contains("Forbidden"), "{body}");
    }

    async fn bad_reference_data_is_a_field_error(app: TestApp) {
        app.create_admin().await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        app.server_fn(&admin, "add_site", &[("name", "London")]).await;
        for (function, form, field) in [
            ("add_site", vec![("name", "london")], "name"),
            ("add_site", vec![("name", "default")], "name"),
            ("add_udf", vec![("column", "badge"), ("alias", "Badge")], "column"),
            ("add_group", vec![("site", "London"), ("name", " ")], "name"),
        ] {
            let (_, body) = app.server_fn(&admin, function, &form).await;
            let error: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            assert_eq!(error["Invalid"][0]["field"], field, "{function} {form:?}: {body}");
        }
    }

    async fn a_refused_add_marks_its_field_without_javascript(app: TestApp) {
        app.create_admin().await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let page = common::post_without_script(&app, &admin, "add_udf", "/reference", &[
            ("column", "badge"),
            ("alias", "Badge"),
        ])
        .await;
        // The column field is marked and says why, as it is when the form is sent in place;
        // the other forms' fields are not.
        let column = page.split("id=\"udf-column\"").nth(1).and_then(|rest| rest.split("</small>").next()).unwrap_or_default();
        assert!(column.contains("aria-invalid=\"true\"") && column.contains("UDF_"), "{page}");
        let site = page.split("id=\"site-name\"").nth(1).and_then(|rest| rest.split("</small>").next()).unwrap_or_default();
        assert!(site.contains("aria-invalid=\"false\""), "{page}");
        assert_eq!(app.count("SELECT count(*) FROM udf_definitions").await, 0);
    }

    async fn the_audit_log_filters_by_technician_actor_and_source(app: TestApp) {
        app.create_admin().await;
        let ada = app.add_as_admin(&[("name", "Ada Lovelace"), ("email", "ada@example.com")]).await.userid.unwrap();
        app.admin_call(common::TECHNICIAN_SERVLET, "UpdateTechnician", &[("userid", &ada.to_string()), ("email", "ada@new.example.com")]).await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let entries = |body: String| -> Vec<Value> {
            let page: Value = serde_json::from_str(&body).unwrap();
            page["rows"].as_array().cloned().unwrap_or_default()
        };
        let (_, body) = app.server_fn(&admin, "audit_log", &[("query[technician]", &ada.to_string())]).await;
        let rows = entries(body);
        assert_eq!(rows.len(), 2, "add and update of Ada");
        assert_eq!(rows[0]["action"], "technician.update");
        assert_eq!(rows[0]["changes"][0]["key"], "email");
        assert_eq!(rows[0]["changes"][0]["before"], "ada@example.com");
        assert_eq!(rows[0]["source"], "xml");
        assert_eq!(rows[0]["remote_addr"], "127.0.0.1");
        let (_, body) = app.server_fn(&admin, "audit_log", &[("query[technician]", "lovelace")]).await;
        assert_eq!(entries(body).len(), 2);
        let (_, body) = app.server_fn(&admin, "audit_log", &[("query[source]", "cli")]).await;
        let cli = entries(body);
        assert!(!cli.is_empty() && cli.iter().all(|r| r["source"] == "cli"));
        let (_, body) = app.server_fn(&admin, "audit_log", &[("query[actor]", "nobody")]).await;
        assert!(entries(body).is_empty());
        let html = admin.get(app.url("/audit?technician=lovelace")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("ada@new.example.com"), "the page renders the entries");
    }

    async fn only_an_sdadmin_reads_the_audit_log(app: TestApp) {
        app.create_admin().await;
        app.add_user("Sia", "sia", "sia-lantern-quartz-9", &[("associateRols", "SDSiteAdmin")]).await;
        let sia = signed_in(&app, "sia", "sia-lantern-quartz-9").await;
        let (_, body) = app.server_fn(&sia, "audit_log", &[("query[page]", "1")]).await;
        assert!(body.contains("Forbidden"), "{body}");
    }
}
