//! The roster as CSV from the console (`/roster.csv`): every attribute and UDF, the view's
//! filters, the exporter's reach, any size a page at a time, and cells a spreadsheet would
//! run as formulas made inert.

mod common;

use common::{signed_in, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};

async fn download(app: &TestApp, client: &reqwest::Client, query: &str) -> (u16, String, String) {
    let response = client
        .get(app.url(&format!("/roster.csv{query}")))
        .send()
        .await
        .expect("the export answers");
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, media, response.text().await.unwrap_or_default())
}

/// The CSV as rows of cells.
fn table(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}

on_both_backends! {
    async fn an_admin_exports_every_attribute_of_the_view_with_formulas_made_inert(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        let ctx = app::service::AuditContext::new(app::service::Source::Cli, None);
        let udf = app::domain::UdfColumn::parse("UDF_CHAR1").unwrap();
        let alias = app::domain::ShortText::parse("Badge").unwrap();
        app::service::reference::add_udf(&app.db, &app::service::Actor::operator(), &ctx, &udf, &alias).await.unwrap();
        let added = app.add_as_admin(&[
            ("name", "Ada, \"the\" Countess"),
            ("jobTitle", "=HYPERLINK(\"http://evil.example\")"),
            ("alias", "+1 trick"),
            ("email", "ada@example.com"),
            ("techSiteName", "London"),
            ("UDF_CHAR1", "B-7"),
            ("language", "zh-CN"),
        ]).await;
        assert!(added.is_success(), "{}", added.raw);
        app.add_as_admin(&[("name", "Bo"), ("techSiteName", "Paris")]).await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;

        let (status, media, text) = download(&app, &admin, "?q=countess").await;
        assert_eq!((status, media.as_str()), (200, "text/csv; charset=utf-8"), "{text}");
        let rows = table(&text);
        assert_eq!(rows.len(), 2, "{text}");
        let header = &rows[0];
        assert_eq!(&header[..3], ["id", "name", "alias"]);
        assert_eq!(header.last().map(String::as_str), Some("UDF_CHAR1"));
        let cell = |name: &str| rows[1][header.iter().position(|h| h == name).unwrap()].clone();
        assert_eq!(cell("name"), "Ada, \"the\" Countess");
        assert_eq!(cell("jobTitle"), "'=HYPERLINK(\"http://evil.example\")");
        assert_eq!(cell("alias"), "'+1 trick");
        assert_eq!((cell("techSiteName"), cell("UDF_CHAR1"), cell("language")), ("London".into(), "B-7".into(), "zh-CN".into()));
        assert!(text.contains("\r\n"), "lines end as RFC 4180 says");

        let (_, _, with_bom) = download(&app, &admin, "?bom=1").await;
        assert!(with_bom.starts_with('\u{feff}'), "{with_bom}");
        assert_eq!(table(&with_bom).len(), 4, "the admin, Ada and Bo: {with_bom}");
    }

    async fn a_site_admin_exports_only_its_reach_and_an_engineer_nothing(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        app.add_user("Sam", "sam", "Correct-Horse-Battery-9", &[("associateRols", "SDSiteAdmin"), ("techSiteName", "London")]).await;
        app.add_user("Eve", "eve", "Correct-Horse-Battery-9", &[("techSiteName", "Paris")]).await;
        app.add_as_admin(&[("name", "Lee"), ("techSiteName", "London")]).await;
        app.add_as_admin(&[("name", "Pia"), ("techSiteName", "Paris")]).await;

        let sam = signed_in(&app, "sam", "Correct-Horse-Battery-9").await;
        let (status, _, text) = download(&app, &sam, "").await;
        assert_eq!(status, 200, "{text}");
        let names: Vec<String> = table(&text).into_iter().skip(1).map(|r| r[1].clone()).collect();
        assert_eq!(names, ["Lee", "Sam"], "London's engineers, Sam included: {text}");

        let eve = signed_in(&app, "eve", "Correct-Horse-Battery-9").await;
        let (status, _, text) = download(&app, &eve, "").await;
        assert_eq!(status, 403, "{text}");
        assert!(!text.contains("Pia"), "{text}");
        // A stranger is sent to sign in.
        let (_, media, text) = download(&app, &app.new_client(), "").await;
        assert!(!media.starts_with("text/csv") && !text.contains("Lee"), "{media}: {text}");
    }

    async fn a_roster_of_many_pages_is_exported_whole_and_in_order(app: TestApp) {
        app.create_admin().await;
        app.add_many((0..1234).map(|i| format!("Engineer {i:05}"))).await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let (status, _, text) = download(&app, &admin, "?q=engineer").await;
        assert_eq!(status, 200);
        let rows = table(&text);
        assert_eq!(rows.len(), 1 + 1234);
        let names: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "in the view's order, each once");
        sorted.dedup();
        assert_eq!(sorted.len(), 1234);
        // A browser asks for it compressed, and gets the same file whole.
        for encoding in ["br", "gzip"] {
            let (_, csv) = common::get_compressed(&admin, &app.url("/roster.csv?q=engineer"), encoding).await;
            assert_eq!(table(&csv), rows, "{encoding}");
        }
    }
}
