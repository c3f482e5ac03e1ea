//! The console's Edit, Delete, Subscribe and Settings server functions: every permission is
//! decided by the service, whatever the buttons show.

mod common;

use common::{enable_beta, post_without_script, signed_in, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};
use serde_json::Value;

async fn version_of(app: &TestApp, id: i64) -> String {
    let (version,): (i64,) = sqlx::query_as("SELECT version FROM technicians WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    version.to_string()
}

/// Calls update_engineer with `fields` as `form[...]` pairs.
async fn update(
    app: &TestApp,
    client: &reqwest::Client,
    id: i64,
    version: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let id = id.to_string();
    let mut form: Vec<(String, String)> = vec![
        ("id".into(), id),
        ("version".into(), version.to_owned()),
        ("back".into(), "/".into()),
    ];
    for (k, v) in fields {
        form.push(((*k).to_owned(), (*v).to_owned()));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.server_fn(client, "update_engineer", &pairs).await
}

/// `error` as the no-JavaScript error redirect carries it: postcard in URL-safe base64.
fn base64_url(error: &app::api::AppError) -> String {
    use base64::Engine;
    let bytes = postcard::to_allocvec(error).unwrap();
    base64::engine::general_purpose::URL_SAFE.encode(bytes)
}

fn error(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or(Value::Null)
}

async fn detail(app: &TestApp, id: i64, key: &str) -> String {
    app.details_of(id).await[key].clone()
}

on_both_backends! {
    async fn an_admin_edits_every_field_and_a_bad_email_is_a_field_error(app: TestApp) {
        app.create_admin().await;
        let id = app.add_user("Ada", "ada", "ada-lantern-quartz-9", &[("email", "ada@example.com")]).await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let version = version_of(&app, id).await;
        let (status, body) = update(&app, &admin, id, &version, &[("form[technician][email]", "bad@"), ("form[technician][jobTitle]", "Lead")]).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(error(&body)["Invalid"][0]["field"], "email", "{body}");
        assert_eq!(detail(&app, id, "jobTitle").await, "");
        let (status, body) = update(&app, &admin, id, &version, &[("form[technician][email]", "ada@new.example.com"), ("form[technician][jobTitle]", "Lead")]).await;
        assert!(status < 400, "{body}");
        assert_eq!(detail(&app, id, "email").await, "ada@new.example.com");
        assert_eq!(detail(&app, id, "jobTitle").await, "Lead");
        assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE source = 'console' AND action = 'technician.update'").await, 1);
    }

    async fn a_stale_edit_is_refused_and_changes_nothing(app: TestApp) {
        app.create_admin().await;
        let id = app.add_user("Ada", "ada", "ada-lantern-quartz-9", &[]).await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let opened_with = version_of(&app, id).await;
        let (status, _) = update(&app, &admin, id, &opened_with, &[("form[technician][jobTitle]", "First")]).await;
        assert!(status < 400);
        let (status, body) = update(&app, &admin, id, &opened_with, &[("form[technician][jobTitle]", "Second")]).await;
        assert_eq!(status, 409, "{body}");
        assert!(common::said(&body).contains("changed by someone else"), "{body}");
        assert_eq!(detail(&app, id, "jobTitle").await, "First");
    }

    async fn a_form_refused_without_javascript_shows_its_error_once(app: TestApp) {
        app.create_admin().await;
        let id = app.add_user("Ada", "ada", "ada-lantern-quartz-9", &[]).await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        // The roster under the Edit dialog also has the Synchronize form; Settings has the
        // beta channels and the directories' forms. Only the form posted shows the error.
        let dialog = format!("/engineers/{id}/edit");
        let html = post_without_script(&app, &admin, "update_engineer", &dialog, &[
            ("id", &id.to_string()), ("version", "0"), ("back", "/"), ("form[technician][jobTitle]", "Lead"),
        ]).await;
        assert_eq!(html.matches("role=\"alert\"").count(), 1, "{html}");
        assert_eq!(html.matches("was changed by someone else").count(), 1, "{html}");
        // The Subscribe dialog has two forms: subscribe, and send a test notification.
        let html = post_without_script(&app, &admin, "subscribe", &format!("/engineers/{id}/subscribe"), &[
            ("id", &id.to_string()), ("back", "/"), ("email", "true"),
        ]).await;
        assert_eq!(html.matches("role=\"alert\"").count(), 1, "{html}");
        // The dialog has no fields to mark, so it says what was refused.
        assert_eq!(html.matches("email cannot be subscribed: it needs an email address").count(), 1, "{html}");
        let html = post_without_script(&app, &admin, "add_directory", "/settings", &[
            ("form[name]", ""), ("form[kind]", "file"), ("form[file]", ""),
        ]).await;
        assert_eq!(html.matches("role=\"alert\"").count(), 1, "{html}");
        assert_eq!(detail(&app, id, "jobTitle").await, "");
        // An error in the address is shown only to the browser it was sent to: anyone could
        // link to an address with a text of their choosing. Forged, broken, foreign or huge,
        // the address loses it (the rest of the query kept) and the page shows no alert.
        let script = base64_url(&app::api::AppError::Transport("Your account is locked: call +1 555 0100 <script>alert(1)</script>".into()));
        let huge = "A".repeat(5_000);
        for query in [
            "__path=/api/start_sync&__err=%%%not-base64",
            "__path=/api/start_sync&__err=bm90IGpzb24",
            &format!("__path=/api/start_sync&__err={script}"),
            &format!("__path=/api/start_sync&__err={huge}"),
            &format!("__path={huge}&__err={script}"),
            &format!("__path=/api/start_sync&__err={script}&__err={script}"),
            "__err=&__path=",
            "__err",
        ] {
            let page = admin.get(app.url(&format!("/?q=Ada&{query}"))).send().await.unwrap();
            assert_eq!(page.status().as_u16(), 303, "{query}");
            assert_eq!(page.headers()["location"], "/?q=Ada", "{query}");
            let html = admin.get(app.url("/?q=Ada")).send().await.unwrap().text().await.unwrap();
            assert_eq!(html.matches("role=\"alert\"").count(), 0, "{query}: {html}");
            assert!(!html.contains("call +1 555 0100"), "{query}: {html}");
        }
        // A real refusal's address, handed to another browser, is no error there either.
        let posted = admin
            .post(app.url("/api/update_engineer"))
            .header("accept", "text/html")
            .header("referer", app.url(&format!("/engineers/{id}/edit")))
            .form(&[("id", id.to_string().as_str()), ("version", "0"), ("back", "/")])
            .send()
            .await
            .unwrap();
        let location = posted.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.contains("__err="), "{location}");
        let other = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let page = other.get(&location).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 303);
        assert_eq!(page.headers()["location"], format!("/engineers/{id}/edit").as_str());
        let page = admin.get(&location).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let html = page.text().await.unwrap();
        assert_eq!(html.matches("role=\"alert\"").count(), 1, "{html}");
    }

    async fn an_engineer_edits_only_their_own_contact_methods(app: TestApp) {
        app.create_admin().await;
        let bob = app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
        let other = app.add_user("Eve", "eve", "eve-lantern-quartz-9", &[]).await;
        let client = signed_in(&app, "bob", "bob-lantern-quartz-9").await;
        let (status, body) = update(&app, &client, bob, &version_of(&app, bob).await, &[("form[technician][mobile]", "+86 138 0013 8000"), ("form[technician][alias]", "Bobby")]).await;
        assert!(status < 400, "{body}");
        assert_eq!(detail(&app, bob, "mobile").await, "+86 138 0013 8000");
        let (status, body) = update(&app, &client, bob, &version_of(&app, bob).await, &[("form[technician][jobTitle]", "CEO")]).await;
        assert_eq!(error(&body)["Forbidden"].as_str().map(|_| status), Some(403), "{body}");
        let (_, body) = update(&app, &client, other, &version_of(&app, other).await, &[("form[technician][mobile]", "+86 138 0013 8001")]).await;
        assert!(error(&body).get("Forbidden").is_some(), "{body}");
        assert_eq!(detail(&app, other, "mobile").await, "");
    }

    async fn a_site_admin_edits_and_deletes_only_within_its_sites(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        app.add_user("Sia", "sia", "sia-lantern-quartz-9", &[("associateRols", "SDSiteAdmin"), ("techSiteName", "London")]).await;
        let theirs = app.add_as_admin(&[("name", "Theirs"), ("techSiteName", "Paris")]).await.userid.unwrap();
        let client = signed_in(&app, "sia", "sia-lantern-quartz-9").await;
        let (_, body) = update(&app, &client, theirs, &version_of(&app, theirs).await, &[("form[technician][jobTitle]", "x")]).await;
        assert!(error(&body).get("Forbidden").is_some(), "{body}");
        let version = version_of(&app, theirs).await;
        let (_, body) = app.server_fn(&client, "delete_engineer", &[("id", &theirs.to_string()), ("version", &version), ("back", "/")]).await;
        assert!(error(&body).get("Forbidden").is_some(), "{body}");
        assert_eq!(app.count(&format!("SELECT count(*) FROM technicians WHERE id = {theirs}")).await, 1);
    }

    async fn deleting_the_last_sdadmin_is_refused_with_the_reason(app: TestApp) {
        let admin_id = app.create_admin().await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let version = version_of(&app, admin_id).await;
        let (_, body) = app.server_fn(&admin, "delete_engineer", &[("id", &admin_id.to_string()), ("version", &version), ("back", "/")]).await;
        assert!(common::said(&body).contains("last SDAdmin"), "{body}");
        let bob = app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
        let version = version_of(&app, bob).await;
        let (status, body) = app.server_fn(&admin, "delete_engineer", &[("id", &bob.to_string()), ("version", &version), ("back", "/?q=b")]).await;
        assert!(status < 400, "{body}");
        assert_eq!(app.count(&format!("SELECT count(*) FROM technicians WHERE id = {bob}")).await, 0);
    }

    async fn credentials_are_stored_masked_in_views_and_gated_by_beta(app: TestApp) {
        app.create_admin().await;
        let id = app.add_user("Ada", "ada", "ada-lantern-quartz-9", &[]).await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let hook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=topsecret9876";
        let (_, body) = update(&app, &admin, id, &version_of(&app, id).await, &[("form[contact][wecom_webhook]", hook)]).await;
        assert!(common::said(&body).contains("beta"), "{body}");
        enable_beta(&app).await;
        let (status, body) = update(&app, &admin, id, &version_of(&app, id).await, &[("form[contact][wecom_webhook]", hook), ("form[contact][dingtalk_secret]", "SECsecretvalue1234")]).await;
        assert!(status < 400, "{body}");
        let (_, view) = app.server_fn(&admin, "edit_view", &[("id", &id.to_string())]).await;
        assert!(!view.contains("topsecret") && !view.contains("SECsecret"), "{view}");
        assert!(view.contains("9876") && view.contains("1234"), "{view}");
        let (audit,): (String,) = sqlx::query_as("SELECT after_json FROM audit_log WHERE action = 'technician.update'")
            .fetch_one(app.db.reader()).await.unwrap();
        assert!(!audit.contains("topsecret") && audit.contains("wecomWebhook"), "{audit}");
        // The signing secret is stored sealed: nothing in the database reads as it.
        assert_eq!(app.count("SELECT count(*) FROM contact_points WHERE secret LIKE '%SECsecret%' OR unsealed_secret IS NOT NULL").await, 0);
        assert_eq!(app.count("SELECT count(*) FROM contact_points WHERE channel = 'dingtalk' AND secret LIKE 'v1:%'").await, 1);
        // Left empty, the credential stays; ticking remove clears it.
        let (status, _) = update(&app, &admin, id, &version_of(&app, id).await, &[("form[contact][wecom_webhook]", "")]).await;
        assert!(status < 400);
        assert_eq!(app.count(&format!("SELECT count(*) FROM contact_points WHERE technician_id = {id} AND channel = 'wecom' AND address IS NOT NULL")).await, 1);
        let (status, _) = update(&app, &admin, id, &version_of(&app, id).await, &[("form[contact][remove_wecom_webhook]", "true")]).await;
        assert!(status < 400);
        assert_eq!(app.count(&format!("SELECT count(*) FROM contact_points WHERE technician_id = {id} AND channel = 'wecom' AND address IS NOT NULL")).await, 0);
    }

    async fn subscribing_marks_methods_pending_and_refuses_what_is_unavailable(app: TestApp) {
        app.create_admin().await;
        let id = app.add_user("Ada", "ada", "ada-lantern-quartz-9", &[("mobile", "+86 138 0013 8000")]).await;
        let client = signed_in(&app, "ada", "ada-lantern-quartz-9").await;
        let (_, body) = app.server_fn(&client, "subscribe", &[("id", &id.to_string()), ("back", "/"), ("email", "true")]).await;
        assert!(common::said(&body).contains("email address"), "{body}");
        let (_, body) = app.server_fn(&client, "subscribe", &[("id", &id.to_string()), ("back", "/"), ("voice", "true")]).await;
        assert!(common::said(&body).contains("beta"), "{body}");
        let (_, body) = app.server_fn(&client, "subscribe", &[("id", &id.to_string()), ("back", "/")]).await;
        assert!(error(&body)["Invalid"].is_array(), "{body}");
        // Saving the mobile started SMS already; asking again at once is too soon.
        let (status, body) = app.server_fn(&client, "subscribe", &[("id", &id.to_string()), ("back", "/"), ("sms", "true")]).await;
        assert_eq!(status, 429, "{body}");
        let (_, view) = app.server_fn(&client, "subscribe_view", &[("id", &id.to_string())]).await;
        let view: Value = serde_json::from_str(&view).unwrap();
        assert_eq!(view["options"][0]["state"], "Pending", "{view}");
        app.clock.advance(61_000);
        let (status, body) = app.server_fn(&client, "subscribe", &[("id", &id.to_string()), ("back", "/"), ("sms", "true")]).await;
        assert!(status < 400, "{body}");
        let (hash, contact): (String, String) = sqlx::query_as("SELECT token_hash, contact FROM subscriptions WHERE technician_id = $1 AND method = 'sms'")
            .bind(id).fetch_one(app.db.reader()).await.unwrap();
        assert_eq!((hash.len(), contact.as_str()), (64, "+8613800138000"));
        // A new mobile replaces the subscription made for the old one.
        update(&app, &client, id, &version_of(&app, id).await, &[("form[technician][mobile]", "+86 138 0013 8999")]).await;
        let (new_hash, contact): (String, String) = sqlx::query_as("SELECT token_hash, contact FROM subscriptions WHERE technician_id = $1 AND method = 'sms'")
            .bind(id).fetch_one(app.db.reader()).await.unwrap();
        assert_eq!(contact, "+8613800138999");
        assert_ne!(new_hash, hash);
    }

    async fn only_an_sdadmin_switches_beta_channels(app: TestApp) {
        app.create_admin().await;
        app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
        let bob = signed_in(&app, "bob", "bob-lantern-quartz-9").await;
        let (_, body) = app.server_fn(&bob, "save_beta_channels", &[("on[voice]", "true")]).await;
        assert!(error(&body).get("Forbidden").is_some(), "{body}");
        enable_beta(&app).await;
        let (_, body) = app.server_fn(&bob, "beta_channels", &[]).await;
        let beta: Value = serde_json::from_str(&body).unwrap();
        let on = beta.as_array().expect("the channels switched on");
        for channel in ["Voice", "WeCom", "Slack", "Teams", "Telegram"] {
            assert!(on.contains(&Value::from(channel)), "{channel}: {body}");
        }
        assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'settings.beta'").await, 1);
    }

    async fn the_table_filters_by_site_role_and_subscription_and_sorts(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        let london = app.add_as_admin(&[("name", "Zed"), ("techSiteName", "London"), ("mobile", "+86 138 0013 8000")]).await.userid.unwrap();
        app.add_as_admin(&[("name", "Amy"), ("techSiteName", "Paris")]).await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        app.server_fn(&admin, "subscribe", &[("id", &london.to_string()), ("back", "/"), ("sms", "true")]).await;
        let (site_id,): (i64,) = sqlx::query_as("SELECT id FROM sites WHERE name = 'London'").fetch_one(app.db.reader()).await.unwrap();
        let names = |body: String| -> Vec<String> {
            let page: Value = serde_json::from_str(&body).unwrap();
            page["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_owned()).collect()
        };
        let (_, body) = app.server_fn(&admin, "list_technicians", &[("query[site]", &site_id.to_string())]).await;
        assert_eq!(names(body), ["Zed"]);
        let (_, body) = app.server_fn(&admin, "list_technicians", &[("query[role]", "SDAdmin")]).await;
        assert_eq!(names(body), ["Root Admin"]);
        let (_, body) = app.server_fn(&admin, "list_technicians", &[("query[state]", "pending")]).await;
        assert_eq!(names(body), ["Zed"]);
        let (_, body) = app.server_fn(&admin, "list_technicians", &[("query[sort]", "Name"), ("query[descending]", "true")]).await;
        assert_eq!(names(body), ["Zed", "Root Admin", "Amy"]);
    }

    async fn the_console_speaks_chinese_when_asked(app: TestApp) {
        app.create_admin().await;
        let client = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let html = client.get(app.url("/")).header("accept-language", "zh-CN,zh;q=0.9").send().await.unwrap().text().await.unwrap();
        assert!(html.contains("<html lang=\"zh-CN\"") && html.contains("运维工程师管理"), "{html}");
        let switched = client.get(app.url("/lang/en?back=/%3Fq%3Dx")).send().await.unwrap();
        assert_eq!(switched.status().as_u16(), 303);
        assert_eq!(switched.headers()["location"], "/?q=x");
        let cookie = switched.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.starts_with("crewdesk_lang=en"), "{cookie}");
        let html = client.get(app.url("/")).header("accept-language", "zh-CN").send().await.unwrap().text().await.unwrap();
        assert!(html.contains("O&amp;M Engineer Management") || html.contains("O&M Engineer Management"), "{html}");
        let evil = client.get(app.url("/lang/en?back=//evil.example")).send().await.unwrap();
        assert_eq!(evil.headers()["location"], "/");
    }

    async fn search_looks_in_name_alias_login_email_and_mobile_and_follows_edits(app: TestApp) {
        app.create_admin().await;
        let id = app.add_user("Ada Lovelace", "countess", "ada-lantern-quartz-9", &[("alias", "Enchantress"), ("email", "ada@Analytical.example"), ("mobile", "+44 20 7946 0123")]).await;
        app.add_as_admin(&[("name", "Charles Babbage")]).await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let found = |body: String| -> Vec<String> {
            let page: Value = serde_json::from_str(&body).unwrap();
            page["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_owned()).collect()
        };
        for term in ["LOVELACE", "enchant", "countess", "analytical", "7946 0123"] {
            let (_, body) = app.server_fn(&admin, "list_technicians", &[("query[search]", term)]).await;
            assert_eq!(found(body), ["Ada Lovelace"], "{term}");
        }
        // A term does not match across two fields.
        let (_, body) = app.server_fn(&admin, "list_technicians", &[("query[search]", "enchantress countess")]).await;
        assert!(found(body).is_empty());
        update(&app, &admin, id, &version_of(&app, id).await, &[("form[technician][email]", "ada@engine.example")]).await;
        let (_, body) = app.server_fn(&admin, "list_technicians", &[("query[search]", "engine.example")]).await;
        assert_eq!(found(body), ["Ada Lovelace"]);
        let (_, body) = app.server_fn(&admin, "list_technicians", &[("query[search]", "analytical")]).await;
        assert!(found(body).is_empty());
        // Past the last page the total is still right.
        let (_, body) = app.server_fn(&admin, "list_technicians", &[("query[page]", "9")]).await;
        let page: Value = serde_json::from_str(&body).unwrap();
        assert_eq!((page["total"].as_i64(), page["rows"].as_array().map(Vec::len)), (Some(3), Some(0)));
    }

    async fn a_plain_engineer_is_refused_every_function_that_acts_on_others(app: TestApp) {
        app.create_admin().await;
        app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
        let eve = app.add_user("Eve", "eve", "eve-lantern-quartz-9", &[("mobile", "+86 138 0013 8000")]).await.to_string();
        let bob = signed_in(&app, "bob", "bob-lantern-quartz-9").await;
        let version = version_of(&app, eve.parse().unwrap()).await;
        let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("add_technician", vec![("form[name]", "Mallory")]),
            ("edit_view", vec![("id", &eve)]),
            ("update_engineer", vec![("id", &eve), ("version", &version), ("back", "/"), ("form[technician][mobile]", "")]),
            ("delete_engineer", vec![("id", &eve), ("version", &version), ("back", "/")]),
            ("subscribe_view", vec![("id", &eve)]),
            ("subscribe", vec![("id", &eve), ("back", "/"), ("sms", "true")]),
            ("add_site", vec![("name", "Mine")]),
            ("add_department", vec![("name", "Mine"), ("site", "")]),
            ("add_group", vec![("site", "Mine"), ("name", "Mine")]),
            ("add_udf", vec![("column", "UDF_MINE"), ("alias", "Mine")]),
            ("audit_log", vec![("query[page]", "1")]),
            ("save_beta_channels", vec![("on[voice]", "true")]),
            ("send_test_notification", vec![("id", &eve), ("channel", "sms")]),
            ("messages", vec![("page", "1")]),
            ("deliveries", vec![("status", ""), ("page", "1")]),
            ("retry_delivery", vec![("id", "1"), ("back", "/deliveries")]),
            ("start_sync", vec![]),
            ("directories", vec![]),
            ("add_directory", vec![("form[name]", "MINE"), ("form[kind]", "file"), ("form[file]", "/etc/passwd")]),
            ("remove_directory", vec![("name", "CORP")]),
        ];
        for (function, form) in cases {
            let (status, body) = app.server_fn(&bob, function, &form).await;
            assert!(status >= 400 && error(&body).get("Forbidden").is_some(), "{function}: {status} {body}");
        }
        assert_eq!(app.count("SELECT count(*) FROM technicians").await, 3);
        // Only the confirmation that saving Eve's mobile started.
        assert_eq!(app.count("SELECT count(*) FROM notifications").await, 1);
        assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'subscription.request'").await, 0);
        assert_eq!(detail(&app, eve.parse().unwrap(), "mobile").await, "+86 138 0013 8000");
    }
}

mod failing {
    use super::*;

    on_both_backends! {
        async fn a_channel_is_failing_when_delivery_found_its_contact_failing_not_when_a_message_died(app: TestApp) {
            app.create_admin().await;
            let id = app.add_as_admin(&[("name", "Fay")]).await.userid.unwrap();
            let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
            let failing = |body: String| -> Value {
                let page: Value = serde_json::from_str(&body).unwrap();
                page["rows"][0]["channels"]["failing"].clone()
            };
            // A dead message may be the provider's doing (a bad gateway token, an outage).
            let (n,): (i64,) = sqlx::query_as("INSERT INTO notifications (kind, text, created_at) VALUES ('api', 'x', 0) RETURNING id")
                .fetch_one(app.db.writer()).await.unwrap();
            sqlx::query("INSERT INTO deliveries (notification_id, technician_id, channel, recipient, idempotency_key, status, attempts, next_attempt_at, created_at, updated_at) VALUES ($1, $2, 'slack', 'x', 'a', 'dead', 1, 0, 10, 10)")
                .bind(n).bind(id).execute(app.db.writer()).await.unwrap();
            let (_, body) = app.server_fn(&admin, "list_technicians", &[("query[search]", "Fay")]).await;
            assert_eq!(failing(body), serde_json::json!([]));
            // What delivery learnt about the contact itself is what the chip says.
            for channel in ["slack", "email"] {
                sqlx::query("INSERT INTO contact_health (technician_id, channel, failing, failing_since, answer, last_failure_at) VALUES ($1, $2, 1, 10, 'HTTP 404 no_service', 10)")
                    .bind(id).bind(channel).execute(app.db.writer()).await.unwrap();
            }
            let (_, body) = app.server_fn(&admin, "list_technicians", &[("query[search]", "Fay")]).await;
            assert_eq!(failing(body), serde_json::json!(["Email", "Slack"]));
            sqlx::query("UPDATE contact_health SET failing = 0 WHERE channel = 'slack'").execute(app.db.writer()).await.unwrap();
            let (_, body) = app.server_fn(&admin, "list_technicians", &[("query[search]", "Fay")]).await;
            assert_eq!(failing(body), serde_json::json!(["Email"]));
        }
    }
}
