//! API keys in the console: an SDAdmin creates one for an owner within scopes, sees it once
//! (on the page or through the server function, whichever comes first), and revokes it;
//! nobody else may do any of it.

mod common;

use common::{signed_in, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};
use serde_json::Value;

async fn api_status(app: &TestApp, key: &str) -> u16 {
    app.new_client()
        .get(app.url("/api/v1/technicians"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

on_both_backends! {
    async fn an_sdadmin_creates_a_key_sees_it_once_and_revokes_it(app: TestApp) {
        app.create_admin().await;
        app.add_user("Eve", "eve", "Correct-Horse-Battery-9", &[]).await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let form = [
            ("name", "provisioning"),
            ("owner", ADMIN_LOGIN),
            ("scope[technicians:read]", "true"),
            ("scope[technicians:write]", "false"),
        ];
        let (status, body) = app.server_fn(&admin, "create_api_key", &form).await;
        assert!(status < 400, "{status} {body}");

        // The page shows it once; after that nobody can read it again.
        let page = admin.get(app.url("/settings?key=created")).send().await.unwrap().text().await.unwrap();
        let key = page
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .find(|w| w.starts_with("cdk_") && w.len() == 68)
            .map(str::to_owned);
        let key = key.unwrap_or_else(|| panic!("the new key on the page: {page}"));
        let (_, again) = app.server_fn(&admin, "take_new_api_key", &[]).await;
        assert_eq!(again, "null", "shown once");
        let page = admin.get(app.url("/settings")).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains(&key) && page.contains("provisioning"), "{page}");
        assert_eq!(api_status(&app, &key).await, 200);

        let (_, listed) = app.server_fn(&admin, "api_keys", &[]).await;
        let listed: Value = serde_json::from_str(&listed).unwrap();
        let line = &listed.as_array().unwrap()[0];
        assert_eq!((line["name"].as_str(), line["owner"].as_str()), (Some("provisioning"), Some(ADMIN_LOGIN)));
        assert_eq!(line["scopes"], serde_json::json!(["TechniciansRead"]), "an unticked box is no scope");
        assert!(!listed.to_string().contains(&key));

        // A plain engineer may do none of it.
        let eve = signed_in(&app, "eve", "Correct-Horse-Battery-9").await;
        for (function, form) in [
            ("api_keys", vec![]),
            ("create_api_key", vec![("name", "mine"), ("owner", "eve"), ("scope[notify]", "true")]),
            ("revoke_api_key", vec![("name", "provisioning")]),
        ] {
            let (status, body) = app.server_fn(&eve, function, &form).await;
            assert_eq!(status, 403, "{function}: {body}");
        }
        assert_eq!(api_status(&app, &key).await, 200);

        let (status, body) = app.server_fn(&admin, "revoke_api_key", &[("name", "provisioning")]).await;
        assert!(status < 400, "{body}");
        assert_eq!(api_status(&app, &key).await, 401);
        let (status, body) = app.server_fn(&admin, "create_api_key", &[("name", "x"), ("owner", ""), ("scope[technicians:read]", "true")]).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("ScopeNeedsOwner"), "{body}");
    }
}
