//! `/api/v1/technicians` as a script sees it: scoped keys acting with their owner's reach,
//! ETags and If-Match, JSON Merge Patch, and RFC 9457 problems for every bad request.

mod common;

use app::domain::Scope;
use common::{TestApp, ADMIN_LOGIN, TECHNICIAN_SERVLET};
use serde_json::{json, Value};

struct Answer {
    status: u16,
    etag: Option<String>,
    location: Option<String>,
    media: String,
    body: Value,
}

/// One request to the API with `key`; `body` is (media type, text).
async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    key: Option<&str>,
    body: Option<(&str, String)>,
    if_match: Option<&str>,
) -> Answer {
    let mut request = app.new_client().request(method, app.url(path));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some((media, text)) = body {
        request = request.header("content-type", media).body(text);
    }
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    let response = request.send().await.expect("the API answers");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (etag, location) = (header("etag"), header("location"));
    let media = header("content-type").unwrap_or_default();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    Answer {
        status,
        etag,
        location,
        media,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

async fn get(app: &TestApp, path: &str, key: &str) -> Answer {
    call(app, reqwest::Method::GET, path, Some(key), None, None).await
}

async fn patch(app: &TestApp, id: i64, key: &str, body: Value, tag: Option<&str>) -> Answer {
    let body = Some(("application/merge-patch+json", body.to_string()));
    let path = format!("/api/v1/technicians/{id}");
    call(app, reqwest::Method::PATCH, &path, Some(key), body, tag).await
}

/// A problem answer's code, checking it is one.
fn code(answer: &Answer) -> &str {
    assert_eq!(answer.media, "application/problem+json", "{}", answer.body);
    assert_eq!(
        answer.body["status"].as_u64(),
        Some(u64::from(answer.status))
    );
    answer.body["code"].as_str().unwrap_or("")
}

const ALL: [Scope; 2] = [Scope::TechniciansRead, Scope::TechniciansWrite];

/// POST `body` to `path` with an `Idempotency-Key`: (status, replayed, body).
async fn post_once(
    app: &TestApp,
    path: &str,
    key: &str,
    chosen: &str,
    body: Value,
) -> (u16, bool, Value) {
    let response = app
        .new_client()
        .post(app.url(path))
        .bearer_auth(key)
        .header("idempotency-key", chosen)
        .json(&body)
        .send()
        .await
        .expect("the API answers");
    let status = response.status().as_u16();
    let replayed = response.headers().get("idempotent-replayed").is_some();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        replayed,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

on_both_backends! {
    async fn a_post_with_an_idempotency_key_is_done_once(app: TestApp) {
        app.create_admin().await;
        let key = common::api_key(&app, "ops", Some(ADMIN_LOGIN), &ALL).await;
        let path = "/api/v1/technicians";
        let (status, replayed, first) = post_once(&app, path, &key, "create-neo", json!({"name": "Neo"})).await;
        assert_eq!((status, replayed), (201, false), "{first}");
        let (status, replayed, again) = post_once(&app, path, &key, "create-neo", json!({"name": "Neo"})).await;
        assert_eq!((status, replayed), (201, true), "{again}");
        assert_eq!(again["id"], first["id"]);
        let (status, _, other) = post_once(&app, path, &key, "create-neo", json!({"name": "Trinity"})).await;
        assert_eq!((status, other["code"].as_str()), (422, Some("idempotency_key_reused")), "{other}");
        // A refused request did nothing: its key may carry the mended request.
        let (status, _, refused) = post_once(&app, path, &key, "mend", json!({"email": "x@example.com"})).await;
        assert_eq!(status, 422, "{refused}");
        let (status, _, mended) = post_once(&app, path, &key, "mend", json!({"name": "Morpheus"})).await;
        assert_eq!(status, 201, "{mended}");
        let (status, _, bad) = post_once(&app, path, &key, &"k".repeat(201), json!({"name": "X"})).await;
        assert_eq!((status, bad["code"].as_str()), (400, Some("idempotency_key")), "{bad}");
        // Ten at once with one key: one technician, every answer its creation or "ask again".
        let burst: Vec<_> = (0..10)
            .map(|_| post_once(&app, path, &key, "burst", json!({"name": "Tank"})))
            .collect();
        let answers = futures::future::join_all(burst).await;
        for (status, _, body) in &answers {
            assert!(*status == 201 || (*status == 409 && body["code"] == "idempotency_in_progress"), "{status} {body}");
        }
        assert_eq!(app.count("SELECT count(*) FROM technicians WHERE name = 'Tank'").await, 1);
        assert_eq!(app.count("SELECT count(*) FROM technicians WHERE name IN ('Neo', 'Trinity')").await, 1);
    }

    async fn a_key_reads_within_its_scopes_and_nothing_without_one(app: TestApp) {
        app.create_admin().await;
        let ada = app.add_as_admin(&[("name", "Ada Lovelace"), ("email", "ada@example.com")]).await.userid.unwrap();
        let reader = common::api_key(&app, "reader", Some(ADMIN_LOGIN), &[Scope::TechniciansRead]).await;
        let notifier = common::api_key(&app, "notifier", None, &[]).await;

        let listed = get(&app, "/api/v1/technicians?q=lovelace", &reader).await;
        assert_eq!(listed.status, 200, "{}", listed.body);
        let items = listed.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}", listed.body);
        assert_eq!((items[0]["id"].as_i64(), items[0]["email"].as_str()), (Some(ada), Some("ada@example.com")));

        let one = get(&app, &format!("/api/v1/technicians/{ada}"), &reader).await;
        assert_eq!(one.status, 200);
        assert_eq!(one.body["name"], "Ada Lovelace");
        assert_eq!(one.etag.as_deref(), Some(format!("\"{ada}.{}\"", one.body["version"]).as_str()));

        let refused = patch(&app, ada, &reader, json!({"jobTitle": "Lead"}), one.etag.as_deref()).await;
        assert_eq!((refused.status, code(&refused)), (403, "scope"));
        let refused = get(&app, "/api/v1/technicians", &notifier).await;
        assert_eq!((refused.status, code(&refused)), (403, "scope"));
        let anonymous = call(&app, reqwest::Method::GET, "/api/v1/technicians", None, None, None).await;
        assert_eq!((anonymous.status, code(&anonymous)), (401, "unauthorized"));
        let challenged = app.new_client().get(app.url("/api/v1/technicians")).send().await.unwrap();
        assert_eq!(challenged.headers()["www-authenticate"], "Bearer realm=\"crewdesk\"");
        let lower = app.new_client().get(app.url("/api/v1/technicians")).header("authorization", format!("bearer {reader}")).send().await.unwrap();
        assert_eq!(lower.status(), 200, "the scheme is case-insensitive");
        let missing = get(&app, "/api/v1/technicians/999999", &reader).await;
        assert_eq!((missing.status, code(&missing)), (404, "no_technician"));
        let nonsense = get(&app, "/api/v1/technicians?per_page=100000", &reader).await;
        assert_eq!((nonsense.status, code(&nonsense)), (422, "invalid"));
        let nowhere = get(&app, "/api/v1/engineers", &reader).await;
        assert_eq!((nowhere.status, code(&nowhere)), (404, "no_endpoint"));
        let put = call(&app, reqwest::Method::PUT, &format!("/api/v1/technicians/{ada}"), Some(&reader), None, None).await;
        assert_eq!((put.status, code(&put)), (405, "method_not_allowed"));
    }

    async fn a_patch_changes_only_what_it_names_and_only_the_version_it_read(app: TestApp) {
        app.create_admin().await;
        let ada = app.add_as_admin(&[("name", "Ada"), ("alias", "Countess"), ("jobTitle", "Analyst")]).await.userid.unwrap();
        let key = common::api_key(&app, "ops", Some(ADMIN_LOGIN), &ALL).await;
        let read = get(&app, &format!("/api/v1/technicians/{ada}"), &key).await;
        let tag = read.etag.clone().unwrap();

        let without = patch(&app, ada, &key, json!({"jobTitle": "Lead"}), None).await;
        assert_eq!((without.status, code(&without)), (428, "if_match_required"));
        let stale = patch(&app, ada, &key, json!({"jobTitle": "Lead"}), Some("\"999\"")).await;
        assert_eq!((stale.status, code(&stale)), (412, "stale_edit"));
        // A tag is this technician's exact version: not another's, not any, not weak.
        let other = app.add_as_admin(&[("name", "Bo")]).await.userid.unwrap();
        let others = get(&app, &format!("/api/v1/technicians/{other}"), &key).await.etag.unwrap();
        let weak = format!("W/{tag}");
        for wrong in [others.as_str(), "*", weak.as_str()] {
            let refused = patch(&app, ada, &key, json!({"jobTitle": "Lead"}), Some(wrong)).await;
            assert_eq!((refused.status, code(&refused)), (412, "stale_edit"), "{wrong}");
        }

        let done = patch(&app, ada, &key, json!({"jobTitle": "Lead", "alias": null, "language": "zh-CN"}), Some(&tag)).await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert_eq!((done.body["jobTitle"].as_str(), done.body["alias"].as_str()), (Some("Lead"), Some("")));
        assert_eq!(done.body["name"], "Ada", "what the patch did not name is kept");
        assert_eq!(done.body["language"], "zh-CN");
        assert_ne!(done.etag.as_deref(), Some(tag.as_str()));
        let again = patch(&app, ada, &key, json!({"jobTitle": "Chief"}), Some(&tag)).await;
        assert_eq!((again.status, code(&again)), (412, "stale_edit"));

        // Each bad request is a problem naming what is wrong, and changes nothing.
        let tag = done.etag.unwrap();
        let path = format!("/api/v1/technicians/{ada}");
        let raw = |media: &'static str, text: &'static str| {
            let (app, path, key, tag) = (&app, path.clone(), key.clone(), tag.clone());
            async move { call(app, reqwest::Method::PATCH, &path, Some(&key), Some((media, text.to_owned())), Some(&tag)).await }
        };
        let cases: Vec<(Answer, u16, &str)> = vec![
            (raw("text/plain", r#"{"jobTitle":"x"}"#).await, 415, "media_type"),
            (raw("application/json", r#"{"jobTitle":"#).await, 400, "malformed_json"),
            (raw("application/json", r#"["jobTitle"]"#).await, 400, "not_an_object"),
            (raw("application/json", r#"{"isAdmin":true}"#).await, 422, "invalid"),
            (raw("application/json", r#"{"jobTitle":{"a":1}}"#).await, 422, "invalid"),
            (raw("application/json", r#"{"email":"nope"}"#).await, 422, "invalid"),
            (raw("application/json", r#"{"name":"a\u0000b"}"#).await, 422, "invalid"),
            (raw("application/json", r#"{"loginName":"other"}"#).await, 422, "invalid"),
            (raw("application/json", r#"{"UDF_\u0000":"x"}"#).await, 422, "invalid"),
        ];
        for (answer, status, expected) in &cases {
            assert_eq!((answer.status, code(answer)), (*status, *expected), "{}", answer.body);
        }
        assert_eq!(cases[3].0.body["errors"][0]["code"], "unknown_attribute");
        assert_eq!(cases[3].0.body["errors"][0]["field"], "isAdmin");
        assert_eq!(cases[4].0.body["errors"][0]["code"], "not_a_string");
        assert_eq!(cases[5].0.body["errors"][0]["field"], "email");
        assert_eq!(cases[5].0.body["errors"][0]["code"], "email.at");
        assert_eq!(cases[6].0.body["errors"][0]["code"], "text.control");
        assert_eq!(cases[7].0.body["errors"][0]["code"], "not_updatable");
        assert_eq!(cases[8].0.body["errors"][0]["code"], "unknown_attribute");
        // Lists are bounded: each entry is looked up.
        let many = vec!["Nowhere-Team"; 300].join(",");
        let bounded = patch(&app, ada, &key, json!({"associateGroups": many}), Some(&tag)).await;
        assert_eq!((bounded.status, bounded.body["errors"][0]["code"].as_str()), (422, Some("too_many")), "{}", bounded.body);
        let huge = format!(r#"{{"jobTitle":"{}"}}"#, "x".repeat(70 * 1024));
        let too_large = call(&app, reqwest::Method::PATCH, &path, Some(&key), Some(("application/json", huge)), Some(&tag)).await;
        assert_eq!((too_large.status, code(&too_large)), (413, "too_large"));
        let after = get(&app, &path, &key).await;
        assert_eq!(after.etag.as_deref(), Some(tag.as_str()), "nothing was changed");
    }

    async fn a_site_admins_key_reaches_only_that_admins_sites(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        app.add_user("Sam", "sam", "Correct-Horse-Battery-9", &[("associateRols", "SDSiteAdmin"), ("techSiteName", "London")]).await;
        let paris = app.add_as_admin(&[("name", "Pia"), ("techSiteName", "Paris")]).await.userid.unwrap();
        let london = app.add_as_admin(&[("name", "Lee"), ("techSiteName", "London")]).await.userid.unwrap();
        let key = common::api_key(&app, "sam's", Some("sam"), &ALL).await;
        let tag = |id: i64| {
            let (app, key) = (&app, key.clone());
            async move { get(app, &format!("/api/v1/technicians/{id}"), &key).await.etag.unwrap() }
        };
        let outside = patch(&app, paris, &key, json!({"jobTitle": "Lead"}), Some(&tag(paris).await)).await;
        assert_eq!((outside.status, code(&outside)), (403, "outside_sites"));
        let deleted = call(&app, reqwest::Method::DELETE, &format!("/api/v1/technicians/{paris}"), Some(&key), None, Some(&tag(paris).await)).await;
        assert_eq!((deleted.status, code(&deleted)), (403, "outside_sites"));
        let inside = patch(&app, london, &key, json!({"jobTitle": "Lead"}), Some(&tag(london).await)).await;
        assert_eq!(inside.status, 200, "{}", inside.body);
        // The change is audited as the API's, naming the key beside its owner.
        let (source, actor): (String, String) = sqlx::query_as(
            "SELECT source, actor_name FROM audit_log WHERE technician_id = $1 AND action = 'technician.update'",
        )
        .bind(london)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
        assert_eq!((source.as_str(), actor.as_str()), ("api", "Sam (API key #1 sam's)"));

        // Sam loses the role: the key keeps Sam's reach, which is now only Sam's own contacts.
        let demoted = app.admin_call(TECHNICIAN_SERVLET, "UpdateTechnician", &[("techLoginName", "sam"), ("associateRols", "")]).await;
        assert!(demoted.is_success(), "{}", demoted.raw);
        let refused = patch(&app, london, &key, json!({"jobTitle": "Chief"}), Some(&tag(london).await)).await;
        assert_eq!((refused.status, code(&refused)), (403, "contacts_only"));
        // Sam is deleted: Sam's keys stop working at all, a notify key too.
        let notify = common::api_key(&app, "sam-notify", Some("sam"), &[Scope::Notify]).await;
        let gone = app.admin_call(common::OPERATION_SERVLET, "DeleteTechnician", &[("loginName", "sam")]).await;
        assert!(gone.is_success(), "{}", gone.raw);
        let dead = get(&app, &format!("/api/v1/technicians/{london}"), &key).await;
        assert_eq!((dead.status, code(&dead)), (401, "owner_gone"));
        let body = Some(("application/json", json!({"to": {"engineers": [london]}, "text": "x", "idempotency_key": "k"}).to_string()));
        let silent = call(&app, reqwest::Method::POST, "/api/v1/notifications", Some(&notify), body, None).await;
        assert_eq!((silent.status, code(&silent)), (401, "owner_gone"));
    }

    async fn a_technician_is_created_and_deleted_with_the_version_it_has(app: TestApp) {
        app.create_admin().await;
        let key = common::api_key(&app, "ops", Some(ADMIN_LOGIN), &ALL).await;
        let post = |media: &'static str, body: Value| {
            let (app, key) = (&app, key.clone());
            async move { call(app, reqwest::Method::POST, "/api/v1/technicians", Some(&key), Some((media, body.to_string())), None).await }
        };
        let created = post("application/json", json!({"name": "Neo", "email": "neo@example.com", "costPerHr": 12.5, "approvePurchaseOrder": true})).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.body["id"].as_i64().unwrap();
        assert_eq!(created.location.as_deref(), Some(format!("/api/v1/technicians/{id}").as_str()));
        assert_eq!((created.body["costPerHr"].as_str(), created.body["approvePurchaseOrder"].as_str()), (Some("12.50"), Some("true")));
        let wrong = post("application/x-www-form-urlencoded", json!({"name": "Neo"})).await;
        assert_eq!((wrong.status, code(&wrong)), (415, "media_type"));
        let nameless = post("application/json", json!({"email": "x@example.com"})).await;
        assert_eq!((nameless.status, code(&nameless)), (422, "invalid"));
        assert_eq!(nameless.body["errors"][0]["field"], "name");
        let taken = post("application/json", json!({"name": "Neo Two", "loginName": "root.admin"})).await;
        assert_eq!((taken.status, code(&taken)), (409, "login_taken"));

        let path = format!("/api/v1/technicians/{id}");
        let without = call(&app, reqwest::Method::DELETE, &path, Some(&key), None, None).await;
        assert_eq!((without.status, code(&without)), (428, "if_match_required"));
        let deleted = call(&app, reqwest::Method::DELETE, &path, Some(&key), None, created.etag.as_deref()).await;
        assert_eq!(deleted.status, 204);
        assert_eq!(get(&app, &path, &key).await.status, 404);
        assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE source = 'api' AND action IN ('technician.add', 'technician.delete')").await, 2);
    }
}
