//! The console over HTTP: sign-in, the roster page, and the add-technician server function.

mod common;

use common::{TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("crewdesk_session="))
        .map(|c| c.split(';').next().unwrap_or("").to_owned())
}

on_both_backends! {
    async fn the_roster_needs_a_signed_in_technician(app: TestApp) {
        let response = app.client.get(app.url("/")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(response.headers()["location"], "/login");
        let login = app.client.get(app.url("/login")).send().await.unwrap();
        assert_eq!(login.status().as_u16(), 200);
        assert!(login.text().await.unwrap().contains("Sign in"));
    }

    async fn signing_in_rotates_the_session_and_shows_the_roster(app: TestApp) {
        app.create_admin().await;
        let client = app.new_client();
        // A session that exists before sign-in (here: a failed attempt) must not survive it.
        let _ = client.get(app.url("/login")).send().await.unwrap();
        let response = app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        assert!(response.status().is_success(), "{}", response.status());
        let cookie = session_cookie(&response).expect("a session cookie at sign-in");
        let raw = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(raw.contains("HttpOnly"), "{raw}");
        assert!(raw.contains("SameSite=Lax"), "{raw}");
        let again = app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let rotated = session_cookie(&again).expect("a new session cookie");
        assert_ne!(cookie, rotated, "the session id changes at every sign-in");
        let page = client.get(app.url("/")).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("O&amp;M Engineer Management"), "{html}");
        assert!(html.contains("Root Admin"));
    }

    async fn a_wrong_password_is_refused_without_saying_which_part_was_wrong(app: TestApp) {
        app.create_admin().await;
        let client = app.new_client();
        let response = app.sign_in(&client, ADMIN_LOGIN, "not-the-password").await;
        let (_, body) = common::answer(response).await;
        assert!(common::said(&body).contains("user name or password is not correct"), "{body}");
        let page = client.get(app.url("/")).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 303);
    }

    async fn the_sign_in_page_is_a_plain_form_that_keeps_what_was_typed_when_refused(app: TestApp) {
        app.create_admin().await;
        let client = app.new_client();
        let page = client.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("name=\"password\""), "{page}");
        assert!(
            !page.contains("modulepreload") && !page.contains("type=\"module\""),
            "the sign-in page runs no code: {page}"
        );
        assert!(
            page.contains("<link rel=\"prefetch\" href=\"/pkg/crewdesk_bg.wasm\">"),
            "it fetches the code for the next page: {page}"
        );
        // Posted as a browser posts a form: refused, back to the page with the error, the
        // login name and domain as typed, the password empty and focused.
        let refused = |login: String, domain: &'static str| {
            let client = client.clone();
            let url = app.url("/api/login");
            let referer = app.url("/login");
            async move {
                let posted = client
                    .post(url)
                    .header("accept", "text/html,application/xhtml+xml")
                    .header("referer", referer)
                    .form(&[("login", login.as_str()), ("password", "not-the-password"), ("domain", domain)])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(posted.status().as_u16(), 302, "{login:?}");
                posted.headers()["location"].to_str().unwrap().to_owned()
            }
        };
        let location = refused(ADMIN_LOGIN.to_owned(), "").await;
        assert!(location.starts_with("/login?login="), "{location}");
        let html = client.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
        assert_eq!(html.matches("role=\"alert\"").count(), 1, "{html}");
        assert!(html.contains("user name or password is not correct"), "{html}");
        assert!(html.contains(&format!("value=\"{ADMIN_LOGIN}\"")), "{html}");
        assert!(html.contains("current-password\" required autofocus"), "{html}");
        // Whatever was typed comes back as text, never as markup or another parameter.
        let location = refused("<b>x</b>&__err=e30=\"".to_owned(), "corp&login=admin").await;
        let html = client.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
        assert_eq!(html.matches("role=\"alert\"").count(), 1, "{html}");
        assert!(html.contains("value=\"&lt;b&gt;x&lt;/b&gt;&amp;__err=e30=&quot;\""), "{html}");
        assert!(html.contains("value=\"corp&amp;login=admin\""), "{html}");
        // A login too long for an address is not carried; the error still is.
        let location = refused("x".repeat(5_000), "").await;
        assert!(location.len() < 1_000, "{location}");
        let html = client.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("user name or password is not correct"), "{html}");
        // The right password signs in and lands on the roster.
        let posted = client
            .post(app.url("/api/login"))
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", app.url(&location))
            .form(&[("login", ADMIN_LOGIN), ("password", ADMIN_PASSWORD), ("domain", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(posted.headers()["location"], "/");
        let roster = client.get(app.url("/")).send().await.unwrap();
        assert_eq!(roster.status().as_u16(), 200);
        assert!(roster.text().await.unwrap().contains("crewdesk_bg.wasm"));
    }

    async fn pages_that_only_show_run_no_code_and_fetch_it_unrun_and_the_others_run_it(app: TestApp) {
        app.create_admin().await;
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        for (path, heading, loads_code) in [
            ("/audit?source=cli", "Audit log", false),
            ("/messages?page=2", "Message log", false),
            ("/", "O&amp;M Engineer Management", true),
            ("/settings", "Settings", true),
            ("/reference", "Reference data", true),
            ("/deliveries", "Delivery log", true),
            ("/engineers/new", "Add technician", true),
        ] {
            let page = client.get(app.url(path)).send().await.unwrap();
            assert_eq!(page.status().as_u16(), 200, "{path}");
            let html = page.text().await.unwrap();
            assert!(html.contains(heading), "{path}: {html}");
            assert_eq!(html.contains("rel=\"modulepreload\""), loads_code, "{path}");
            assert_eq!(html.contains("rel=\"prefetch\""), !loads_code, "{path}");
        }
    }

    async fn pages_go_compressed_to_a_browser_that_accepts_it_and_plain_to_one_that_does_not(app: TestApp) {
        app.create_admin().await;
        for i in 0..25 {
            app.add_user(&format!("Engineer {i}"), &format!("engineer{i}"), "lantern-quartz-9", &[]).await;
        }
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let plain = client.get(app.url("/")).send().await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none());
        let plain = plain.text().await.unwrap();
        assert!(plain.contains("Engineer 24"), "{plain}");
        for encoding in ["br", "gzip"] {
            let (sent, page) = common::get_compressed(&client, &app.url("/"), encoding).await;
            // The same page (its render differs only in per-request ids), in a fraction of it.
            assert!(page.contains("Engineer 24") && page.contains("</html>"), "{page}");
            assert!(sent.len() * 5 < plain.len(), "{encoding}: {} of {}", sent.len(), plain.len());
        }
        // A refusal long enough to be worth compressing keeps its status and reads as itself:
        // its body is read on the way out to give it that status.
        let id = app.add_user("Ada Lovelace of the Analytical Engine Society", "ada.long", "lantern-quartz-9", &[]).await;
        let refused = client
            .post(app.url("/api/update_engineer"))
            .header("accept-encoding", "br")
            .form(&[("id", id.to_string().as_str()), ("version", "0"), ("back", "/"), ("form[technician][jobTitle]", "Lead")])
            .send()
            .await
            .unwrap();
        assert!(refused.headers().get("content-encoding").is_none());
        let (status, body) = common::answer(refused).await;
        assert_eq!(status, 409, "{body}");
        assert!(common::said(&body).contains("changed by someone else"), "{body}");
    }

    async fn a_cross_site_server_function_call_is_refused(app: TestApp) {
        app.create_admin().await;
        let client = app.new_client();
        let response = client
            .post(app.url("/api/login"))
            .header("origin", "http://evil.example")
            .form(&[("login", ADMIN_LOGIN), ("password", ADMIN_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 403);
        let response = client
            .post(app.url("/api/login"))
            .header("sec-fetch-site", "cross-site")
            .form(&[("login", ADMIN_LOGIN), ("password", ADMIN_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 403);
    }

    async fn an_admin_adds_a_technician_from_the_console_and_finds_it_by_search(app: TestApp) {
        app.create_admin().await;
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let (status, body) = app
            .server_fn(&client, "add_technician", &[("form[name]", "Grace Hopper"), ("form[mobile]", "+1 415 555 2671")])
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = app.server_fn(&client, "list_technicians", &[("query[search]", "hopper"), ("query[page]", "1")]).await;
        assert_eq!(status, 200, "{body}");
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(page["total"], 1);
        assert_eq!(page["rows"][0]["name"], "Grace Hopper");
        assert_eq!(page["rows"][0]["mobile"], "+1 415 555 2671");
        assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE source = 'console' AND action = 'technician.add'").await, 1);
        let html = client.get(app.url("/?q=grace")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Grace Hopper"), "{html}");
    }

    async fn a_technician_added_with_remarks_shows_them_without_javascript(app: TestApp) {
        app.create_admin().await;
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        // A form post from a browser without JavaScript: the site is unknown, so the
        // technician is added with a remark, and the form's page comes back with it.
        let posted = client
            .post(app.url("/api/add_technician"))
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", app.url("/engineers/new"))
            .form(&[("form[name]", "Ada Remark"), ("form[techSiteName]", "Atlantis")])
            .send()
            .await
            .unwrap();
        assert!(posted.status().is_redirection(), "{}", posted.status());
        let location = posted.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("/engineers/new?added="), "{location}");
        // A link made by someone else shows nothing: the remarks wait in this session only.
        let other = app.new_client();
        app.sign_in(&other, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let page = other.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("with these remarks"), "{page}");
        for wrong in ["/engineers/new?added=999999", "/engineers/new?added=%E6%9D%8E", "/engineers/new?added="] {
            let page = client.get(app.url(wrong)).send().await.unwrap();
            assert_eq!(page.status(), 200, "{wrong}");
            assert!(!page.text().await.unwrap().contains("with these remarks"), "{wrong}");
        }
        let page = client.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Technician added, with these remarks:"), "{page}");
        assert!(page.contains("Site &#x27;Atlantis&#x27; was not found") || page.contains("Site 'Atlantis' was not found"), "{page}");
        assert_eq!(app.count("SELECT count(*) FROM technicians WHERE name = 'Ada Remark'").await, 1);
        // Shown once.
        let again = client.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
        assert!(!again.contains("with these remarks"), "{again}");
    }

    async fn pages_carry_their_islands_and_not_the_data_they_were_rendered_from(app: TestApp) {
        app.create_admin().await;
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let id = app.add_as_admin(&[("name", "Ida Island"), ("email", "ida@example.com")]).await.userid.unwrap();
        let roster = client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(roster.contains("Ida Island"), "{roster}");
        // The browser hydrates islands only: the roster's rows are HTML, not data again.
        assert!(!roster.contains("__RESOLVED_RESOURCES["), "{roster}");
        assert!(roster.contains("leptos-island"), "the page's forms island: {roster}");
        let dialog = client.get(app.url(&format!("/engineers/{id}/edit"))).send().await.unwrap().text().await.unwrap();
        for island in ["DialogKeys_", "LiveChecks_", "PostedForms_"] {
            assert!(dialog.contains(&format!("data-component=\"{island}")), "{island}: {dialog}");
        }
        assert!(!dialog.contains("__RESOLVED_RESOURCES["), "{dialog}");
    }

    async fn a_bad_email_from_the_console_comes_back_as_a_field_error(app: TestApp) {
        app.create_admin().await;
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let (status, body) = app
            .server_fn(&client, "add_technician", &[("form[name]", "Bad Mail"), ("form[email]", "bad@")])
            .await;
        assert_eq!(status, 422, "{body}");
        let error: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["Invalid"][0]["field"], "email", "{body}");
        assert_eq!(app.count("SELECT count(*) FROM technicians").await, 1);
    }

    async fn server_functions_need_a_session(app: TestApp) {
        let (status, body) = app.server_fn(&app.new_client(), "list_technicians", &[("query[search]", ""), ("query[page]", "1")]).await;
        assert_ne!(status, 200);
        assert!(body.contains("Unauthenticated"), "{body}");
    }

    async fn the_roster_pages_through_many_engineers(app: TestApp) {
        app.create_admin().await;
        for i in 0..30 {
            let name = format!("Engineer {i:02}");
            assert!(app.add_as_admin(&[("name", &name)]).await.is_success());
        }
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let (_, body) = app.server_fn(&client, "list_technicians", &[("query[search]", "engineer"), ("query[page]", "2")]).await;
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(page["total"], 30);
        assert_eq!(page["rows"].as_array().unwrap().len(), 5);
        assert_eq!(page["rows"][0]["name"], "Engineer 25");
    }

    async fn signing_out_ends_the_session(app: TestApp) {
        app.create_admin().await;
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let (status, _) = app.server_fn(&client, "logout", &[]).await;
        assert!(status < 400);
        let page = client.get(app.url("/")).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 303);
    }
}

#[tokio::test]
async fn health_answers_once_the_server_accepts_requests() {
    let app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    let response = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

/// Every server finds the console's routes as it is built, by rendering the app with all
/// data loading held back, and that hold is process-wide. A page of another server in the
/// same process whose data started loading during that moment once waited forever, and the
/// request deadline answered it empty after 30 s. Here pages are read while the console is
/// built again and again beside them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_answer_in_full_while_another_console_is_built_in_the_same_process() {
    let app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    app.create_admin().await;
    let client = common::signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let state = app.state.clone();
    let building = tokio::task::spawn_blocking(move || {
        let options = leptos::prelude::LeptosOptions::builder()
            .output_name("crewdesk")
            .build();
        for _ in 0..150 {
            drop(server::web::console_router(
                options.clone(),
                &server::web::assets::Built::default(),
                state.clone(),
                false,
                std::time::Duration::from_secs(30),
            ));
        }
    });
    let mut readers = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let (client, url) = (client.clone(), app.url("/"));
        let built = building.abort_handle();
        readers.spawn(async move {
            let mut read = 0;
            // Bounded: at least 20 pages, then until the building stops, at most 400.
            while read < 20 || (!built.is_finished() && read < 400) {
                let page = client.get(&url).send().await.unwrap();
                let status = page.status().as_u16();
                let html = page.text().await.unwrap();
                assert!(
                    status == 200 && html.contains("Root Admin"),
                    "page {read}: {status} {html}"
                );
                read += 1;
            }
        });
    }
    readers.join_all().await;
    building.await.unwrap();
}
