//! `/api/v1` beyond technicians: reference data listed for any reading key and added by an
//! SDAdmin's, and Synchronize Engineer Info started and followed by a `directories:sync` key.

mod common;

use app::domain::Scope;
use common::{TestApp, ADMIN_LOGIN};
use serde_json::{json, Value};

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app
        .new_client()
        .request(method, app.url(path))
        .bearer_auth(key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the API answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get(app: &TestApp, path: &str, key: &str) -> (u16, Value) {
    send(app, reqwest::Method::GET, path, key, None).await
}

async fn post(app: &TestApp, path: &str, key: &str, body: Value) -> (u16, Value) {
    send(app, reqwest::Method::POST, path, key, Some(body)).await
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    i["name"]
                        .as_str()
                        .or(i["column"].as_str())
                        .unwrap_or("")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

const ALL: [Scope; 3] = [
    Scope::TechniciansRead,
    Scope::TechniciansWrite,
    Scope::DirectoriesSync,
];

on_both_backends! {
    async fn reference_data_is_listed_for_readers_and_added_by_an_sdadmins_key(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        app.add_user("Sam", "sam", "Correct-Horse-Battery-9", &[("associateRols", "SDSiteAdmin"), ("techSiteName", "London")]).await;
        let admin = common::api_key(&app, "admin", Some(ADMIN_LOGIN), &ALL).await;
        let sam = common::api_key(&app, "sam", Some("sam"), &ALL).await;

        let (status, sites) = get(&app, "/api/v1/sites", &sam).await;
        assert_eq!(status, 200, "{sites}");
        assert_eq!(names(&sites), ["Asia", "Asia-Pacific", "London", "Paris"]);
        let (_, groups) = get(&app, "/api/v1/groups", &sam).await;
        assert_eq!(names(&groups), ["Core", "Network"]);

        let (status, site) = post(&app, "/api/v1/sites", &admin, json!({"name": "Beijing", "language": "zh-CN"})).await;
        assert_eq!(status, 201, "{site}");
        assert_eq!(site["language"], "zh-CN");
        let (status, body) = post(&app, "/api/v1/departments", &admin, json!({"name": "Ops", "site": "Beijing"})).await;
        assert_eq!(status, 201, "{body}");
        let (status, body) = post(&app, "/api/v1/groups", &admin, json!({"site": "Beijing", "name": "NOC"})).await;
        assert_eq!(status, 201, "{body}");
        let (status, body) = post(&app, "/api/v1/udfs", &admin, json!({"column": "UDF_CHAR1", "alias": "Badge"})).await;
        assert_eq!(status, 201, "{body}");
        let (_, udfs) = get(&app, "/api/v1/udfs", &sam).await;
        assert_eq!(names(&udfs), ["UDF_CHAR1"]);

        // Refusals, each with its code; nothing is half-added.
        let (status, body) = post(&app, "/api/v1/sites", &sam, json!({"name": "Tokyo"})).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("admin_only")), "{body}");
        let (status, body) = post(&app, "/api/v1/sites", &admin, json!({"name": "beijing"})).await;
        assert_eq!((status, body["errors"][0]["code"].as_str()), (422, Some("site_exists")), "{body}");
        let (status, body) = post(&app, "/api/v1/sites", &admin, json!({"name": "Oslo", "language": "fr", "mayor": "x"})).await;
        assert_eq!(status, 422, "{body}");
        let codes: Vec<&str> = body["errors"].as_array().unwrap().iter().filter_map(|e| e["code"].as_str()).collect();
        assert!(codes.contains(&"unknown_attribute") && codes.contains(&"not_a_language"), "{body}");
        let (status, body) = post(&app, "/api/v1/groups", &admin, json!({"site": "Nowhere", "name": "X"})).await;
        assert_eq!((status, body["code"].as_str()), (404, Some("no_site")), "{body}");
        let (status, body) = post(&app, "/api/v1/udfs", &admin, json!({"column": 7, "alias": "x"})).await;
        assert_eq!((status, body["errors"][0]["code"].as_str()), (422, Some("not_a_string")), "{body}");
        assert_eq!(app.count("SELECT count(*) FROM sites WHERE name IN ('Tokyo', 'Oslo')").await, 0);
    }

    async fn a_technicians_contact_methods_are_read_requested_and_tested_within_reach(app: TestApp) {
        app.create_admin().await;
        let ada = app.add_as_admin(&[("name", "Ada"), ("mobile", "+86 138 0013 8000")]).await.userid.unwrap();
        app.add_user("Eve", "eve", "Correct-Horse-Battery-9", &[]).await;
        let admin = common::api_key(&app, "admin", Some(ADMIN_LOGIN), &ALL).await;
        let eve = common::api_key(&app, "eve", Some("eve"), &ALL).await;

        let (status, subs) = get(&app, &format!("/api/v1/technicians/{ada}/subscriptions"), &admin).await;
        assert_eq!(status, 200, "{subs}");
        let sms = subs["items"].as_array().unwrap().iter().find(|i| i["method"] == "sms").unwrap().clone();
        assert_eq!(sms["state"], "pending", "adding a mobile asked for its confirmation: {subs}");
        let (status, points) = get(&app, &format!("/api/v1/technicians/{ada}/contact-points"), &admin).await;
        assert_eq!((status, points["items"].as_array().map(Vec::len)), (200, Some(0)), "{points}");

        let path = format!("/api/v1/technicians/{ada}/subscriptions");
        let (status, body) = post(&app, &path, &admin, json!({"methods": ["email"]})).await;
        assert_eq!((status, body["errors"][0]["code"].as_str()), (422, Some("cannot_subscribe")), "{body}");
        let (status, body) = post(&app, &path, &admin, json!({"methods": ["fax"]})).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("methods")), "{body}");
        let test = format!("/api/v1/technicians/{ada}/test");
        let (status, body) = post(&app, &test, &admin, json!({"channel": "sms"})).await;
        assert_eq!((status, body["errors"][0]["code"].as_str()), (422, Some("cannot_test")), "{body}");
        let (status, body) = post(&app, &test, &admin, json!({"channel": "pigeon"})).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("channel")), "{body}");

        // A plain engineer's key reaches nobody else's contact methods.
        for path in [format!("/api/v1/technicians/{ada}/contact-points"), format!("/api/v1/technicians/{ada}/subscriptions")] {
            let (status, body) = get(&app, &path, &eve).await;
            assert_eq!((status, body["code"].as_str()), (403, Some("admins_only")), "{path}: {body}");
        }
        let (status, body) = post(&app, &test, &eve, json!({"channel": "sms"})).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(app.count("SELECT count(*) FROM notifications WHERE kind = 'test'").await, 0);
    }

    async fn a_sync_key_starts_a_directorys_sync_and_follows_it(app: TestApp) {
        app.create_admin().await;
        let path = std::env::temp_dir().join(format!("crewdesk-api-sync-{}-{}.csv", std::process::id(), rand::random::<u32>()));
        std::fs::write(&path, "uid,cn,mail,mobile,entryUUID\nada,Ada,ada@corp.example,12,u-ada\nbo,Bo,,,u-bo\n").unwrap();
        let new = app::service::directories::NewDirectory {
            name: app::domain::directory::DirectoryName::parse("CORP").unwrap(),
            source: app::service::directories::Source::File { path: path.display().to_string() },
            preset: app::domain::directory::Preset::OpenLdap,
            mapping: app::domain::directory::Preset::OpenLdap.mapping(),
            typed_password: None,
        };
        let ctx = app::service::AuditContext::new(app::service::Source::Cli, None);
        app::service::directories::add(&app.db, &app::service::Actor::operator(), &ctx, new, &common::test_access().key, app.clock.now()).await.unwrap();
        let key = common::api_key(&app, "sync", Some(ADMIN_LOGIN), &[Scope::DirectoriesSync]).await;
        let reader = common::api_key(&app, "reader", Some(ADMIN_LOGIN), &[Scope::TechniciansRead]).await;

        let (status, body) = post(&app, "/api/v1/directories/CORP/sync", &reader, json!({})).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("scope")), "{body}");
        let (status, body) = post(&app, "/api/v1/directories/NOPE/sync", &key, json!({})).await;
        assert_eq!((status, body["code"].as_str()), (404, Some("no_directory")), "{body}");
        let (status, body) = post(&app, "/api/v1/directories/CORP/sync", &key, json!({})).await;
        assert_eq!(status, 202, "{body}");
        let run = body["id"].as_i64().unwrap();
        let mut last = Value::Null;
        for _ in 0..200 {
            let (_, run) = get(&app, &format!("/api/v1/sync-runs/{run}"), &key).await;
            if run["state"] != "running" {
                last = run;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert_eq!((last["state"].as_str(), last["created"].as_i64()), (Some("done"), Some(2)), "{last}");
        let note = &last["lists"]["notes"][0];
        assert_eq!(note["code"], "field_left_out", "{last}");
        assert!(note["detail"].as_str().unwrap().starts_with("Ada: mobile left out"), "{last}");
        let (status, body) = get(&app, "/api/v1/sync-runs/987654", &key).await;
        assert_eq!((status, body["code"].as_str()), (404, Some("no_sync")), "{body}");
    }
}
