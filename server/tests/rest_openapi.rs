//! The API describes itself: `/api/v1/openapi.json` is an OpenAPI 3.1 document of every
//! operation the server answers (schemathesis checks the answers against it in the test
//! command), readable without a key.

mod common;

use common::TestApp;
use serde_json::Value;

on_both_backends! {
    async fn the_openapi_document_lists_every_operation_and_each_is_served(app: TestApp) {
        let client = reqwest::Client::new();
        let answer = client.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 200);
        assert_eq!(answer.headers()["content-type"], "application/json");
        let doc: Value = answer.json().await.unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
        assert_eq!(doc["components"]["securitySchemes"]["key"]["scheme"], "bearer");
        let paths = doc["paths"].as_object().unwrap();
        let mut operations = Vec::new();
        for (path, item) in paths {
            for method in ["get", "post", "patch", "delete"] {
                if let Some(op) = item.get(method) {
                    operations.push((method.to_uppercase(), path.clone()));
                    // Every operation documents the problems it can answer.
                    for status in ["401", "403", "422", "429"] {
                        assert_eq!(
                            op["responses"][status]["content"]["application/problem+json"]["schema"]["$ref"],
                            "#/components/schemas/Problem",
                            "{method} {path} {status}"
                        );
                    }
                }
            }
        }
        for expected in [
            ("GET", "/api/v1/technicians"), ("POST", "/api/v1/technicians"),
            ("GET", "/api/v1/technicians/{id}"), ("PATCH", "/api/v1/technicians/{id}"),
            ("DELETE", "/api/v1/technicians/{id}"), ("GET", "/api/v1/technicians/{id}/contact-points"),
            ("GET", "/api/v1/technicians/{id}/subscriptions"), ("POST", "/api/v1/technicians/{id}/subscriptions"),
            ("POST", "/api/v1/technicians/{id}/test"), ("GET", "/api/v1/sites"), ("POST", "/api/v1/sites"),
            ("GET", "/api/v1/departments"), ("POST", "/api/v1/departments"), ("GET", "/api/v1/groups"),
            ("POST", "/api/v1/groups"), ("GET", "/api/v1/udfs"), ("POST", "/api/v1/udfs"),
            ("POST", "/api/v1/directories/{name}/sync"), ("GET", "/api/v1/sync-runs/{id}"),
            ("POST", "/api/v1/notifications"), ("GET", "/api/v1/notifications/{id}"),
        ] {
            assert!(operations.contains(&(expected.0.to_owned(), expected.1.to_owned())), "{expected:?} in {operations:?}");
        }
        // Each documented operation is a real one: without a key it asks for one (401), where
        // an address the server does not answer is a 404.
        for (method, path) in &operations {
            let url = app.url(&path.replace("{id}", "1").replace("{name}", "CORP"));
            let answer = client
                .request(method.parse().unwrap(), url)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status().as_u16(), 401, "{method} {path}");
            let problem: Value = answer.json().await.unwrap();
            assert_eq!(problem["code"], "unauthorized");
        }
        // The schemas are the answers' own: a technician and a page of them.
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["TechnicianPage"]["properties"]["next"]["type"], serde_json::json!(["string", "null"]));
        assert!(schemas["Problem"]["required"].as_array().unwrap().contains(&Value::from("code")));
    }
}

#[tokio::test]
async fn the_reference_page_loads_its_bundle_from_this_server_only() {
    let app = TestApp::spawn(common::Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let answer = reqwest::get(app.url("/api/docs")).await.unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let policy = answer.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("script-src 'self'") && !policy.contains("unsafe-eval"),
        "{policy}"
    );
    let page = answer.text().await.unwrap();
    assert!(
        page.contains("/api/docs/assets/swagger-ui-bundle.js"),
        "{page}"
    );
    assert!(
        !page.contains("http://") && !page.contains("https://") && !page.contains("<script>"),
        "no other host, no inline script: {page}"
    );
    let init = reqwest::get(app.url("/api/docs/init.js"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(init.contains("/api/v1/openapi.json"), "{init}");
}
