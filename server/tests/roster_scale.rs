//! The roster at scale: a total counted up to a cap and said so, pages read from the sort's
//! index that match a full sort, a search through the trigram index that follows every write,
//! and any text in the search box answered.

mod common;

use app::domain::{PersonName, Phone};
use app::service::audit::{AuditContext, Source};
use app::service::technicians::{add_generated, Generated, COUNT_CAP};
use app::service::Actor;
use common::{TestApp, ADMIN_LOGIN, ADMIN_PASSWORD, OPERATION_SERVLET, TECHNICIAN_SERVLET};
use serde_json::Value;

async fn page(app: &TestApp, client: &reqwest::Client, pairs: &[(&str, &str)]) -> Value {
    let (status, body) = app.server_fn(client, "list_technicians", pairs).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn names(page: &Value) -> Vec<String> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn search(app: &TestApp, client: &reqwest::Client, text: &str) -> Vec<String> {
    names(
        &page(
            app,
            client,
            &[("query[search]", text), ("query[page]", "1")],
        )
        .await,
    )
}

on_both_backends! {
    async fn a_roster_past_the_count_cap_says_more_than_and_still_pages_to_the_end(app: TestApp) {
        app.create_admin().await;
        let extra = 51;
        let count = usize::try_from(COUNT_CAP).unwrap() + extra - 1;
        app.add_many((0..count).map(|i| format!("Engineer {i:05}"))).await;
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;

        let first = page(&app, &client, &[("query[page]", "1")]).await;
        assert_eq!(first["total"], COUNT_CAP);
        assert_eq!(first["total_is_floor"], true);
        assert_eq!(first["has_next"], true);
        assert_eq!(names(&first)[0], "Engineer 00000");
        let html = client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("More than 10000 engineers · page 1"), "the page says the count is a floor");
        assert!(html.contains("rel=\"next\""));

        // Every engineer and the admin: the last page holds what is left, and says how many
        // were seen once the count is known.
        let everyone = count + 1;
        let last = everyone.div_ceil(25);
        let tail = page(&app, &client, &[("query[page]", &last.to_string())]).await;
        assert_eq!(names(&tail).len(), everyone - (last - 1) * 25);
        assert_eq!(tail["has_next"], false);
        assert_eq!(tail["total"], i64::try_from(everyone).unwrap());
        assert_eq!(tail["total_is_floor"], false, "the last page knows the whole count");
        let html = client.get(app.url(&format!("/?page={last}"))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(&format!("{everyone} engineers · page {last} of {last}")), "the last page says the exact count");
        assert!(!html.contains("rel=\"next\""), "no next link after the last page");
        // Past the end: nothing, no error, and no way further.
        for far in ["4294967295", "99999"] {
            let beyond = page(&app, &client, &[("query[page]", far)]).await;
            assert!(names(&beyond).is_empty());
            assert_eq!(beyond["has_next"], false);
            assert_eq!(beyond["total"], COUNT_CAP, "still more than the cap, as far as it knows");
        }
        assert!(html.contains("rel=\"prev\""));

        // A deep page is the same slice a full sort gives.
        let mut all: Vec<String> = (0..count).map(|i| format!("Engineer {i:05}")).collect();
        all.push("Root Admin".into());
        all.sort_by_key(|n| n.to_lowercase());
        let deep = page(&app, &client, &[("query[page]", "300")]).await;
        assert_eq!(names(&deep), all[299 * 25..300 * 25].to_vec());
        let backwards = page(&app, &client, &[("query[page]", "2"), ("query[descending]", "true")]).await;
        let mut reversed = all.clone();
        reversed.reverse();
        assert_eq!(names(&backwards), reversed[25..50].to_vec());

        // A filtered count under the cap is exact.
        let some = page(&app, &client, &[("query[search]", "engineer 0999"), ("query[page]", "1")]).await;
        assert_eq!(some["total"], 10);
        assert_eq!(some["total_is_floor"], false);
        assert_eq!(some["has_next"], false);
    }

    async fn search_finds_any_part_of_a_name_and_follows_every_write(app: TestApp) {
        app.create_admin().await;
        for (name, email) in [("Wei Zhang 42", "wei@ops.example.com"), ("Zhang Li", "li@ops.example.com"), ("Anna Müller", "anna@ops.example.com")] {
            assert!(app.add_as_admin(&[("name", name), ("email", email), ("loginName", &name.replace(' ', "."))]).await.is_success());
        }
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        assert_eq!(search(&app, &client, "zhang 42").await, ["Wei Zhang 42"]);
        assert_eq!(search(&app, &client, "ZHANG").await, ["Wei Zhang 42", "Zhang Li"]);
        assert_eq!(search(&app, &client, "MÜLL").await, ["Anna Müller"]);
        assert_eq!(search(&app, &client, "ül").await, ["Anna Müller"], "two letters still search");
        assert_eq!(search(&app, &client, "li@ops").await, ["Zhang Li"], "email is searched");
        assert_eq!(search(&app, &client, "g 4").await, ["Wei Zhang 42"]);

        // An update moves the engineer in the index, a delete takes it out.
        let answer = app.admin_call(TECHNICIAN_SERVLET, "UpdateTechnician", &[("techLoginName", "Zhang.Li"), ("name", "Li Wang")]).await;
        assert!(answer.is_success(), "{}", answer.raw);
        assert!(search(&app, &client, "zhang li").await.is_empty(), "the old name is gone from the index");
        assert_eq!(search(&app, &client, "li wang").await, ["Li Wang"]);
        let answer = app.admin_call(OPERATION_SERVLET, "DeleteTechnician", &[("loginName", "Wei.Zhang.42")]).await;
        assert!(answer.is_success(), "{}", answer.raw);
        assert!(search(&app, &client, "zhang 42").await.is_empty());
    }

    async fn any_text_in_the_search_box_is_answered_as_text(app: TestApp) {
        app.create_admin().await;
        for name in ["Ops \"Night\" Shift", "100% Uptime", "Under_Score", "Back\\Slash", "Star*Gazer", "Near(By)"] {
            assert!(app.add_as_admin(&[("name", name)]).await.is_success());
        }
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        for (text, expected) in [
            ("\"night\"", vec!["Ops \"Night\" Shift"]),
            ("\"", vec!["Ops \"Night\" Shift"]),
            ("0%", vec!["100% Uptime"]),
            ("% u", vec!["100% Uptime"]),
            ("r_s", vec!["Under_Score"]),
            ("k\\s", vec!["Back\\Slash"]),
            ("r*g", vec!["Star*Gazer"]),
            ("near(", vec!["Near(By)"]),
            ("AND OR NOT", vec![]),
            ("*", vec!["Star*Gazer"]),
            ("'; DROP TABLE technicians; --", vec![]),
            ("\u{0}\u{7}\u{202e}", vec![]),
        ] {
            assert_eq!(search(&app, &client, text).await, expected, "search for {text:?}");
        }
        let long = "x".repeat(5_000);
        assert!(search(&app, &client, &long).await.is_empty());
        // A site filter that is not a number matches nothing instead of everything.
        let odd = page(&app, &client, &[("query[site]", "1 OR 1=1"), ("query[page]", "1")]).await;
        assert_eq!(odd["total"], 0);
    }

    async fn a_dialog_opened_by_its_address_renders_every_time_under_parallel_load(app: TestApp) {
        app.create_admin().await;
        let answer = app.add_as_admin(&[("name", "Evelyn Boyd"), ("email", "evelyn@example.com")]).await;
        let id = answer.userid.expect("userid");
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        // The table and the dialog are separate lazy routes rendered together on the server.
        let pages = (0..60).map(|i| {
            let path = match i % 3 {
                0 => format!("/engineers/{id}/subscribe?q=Evelyn"),
                1 => format!("/engineers/{id}/edit?q=Evelyn&sort=login"),
                _ => format!("/engineers/{id}/delete"),
            };
            let (client, url) = (client.clone(), app.url(&path));
            async move {
                let response = client.get(url).send().await.unwrap();
                (path, response.status().as_u16(), response.text().await.unwrap())
            }
        });
        for (path, status, html) in futures::future::join_all(pages).await {
            assert_eq!(status, 200, "{path}");
            assert!(html.contains("role=\"dialog\""), "{path}: no dialog");
            assert!(html.contains("table class=\"roster\""), "{path}: no table behind it: {}", &html[html.len().saturating_sub(1500)..]);
        }
    }

    async fn the_phone_in_generated_engineers_is_stored_as_shown(app: TestApp) {
        app.create_admin().await;
        let ctx = AuditContext::new(Source::Cli, None);
        let engineers = vec![Generated {
            name: PersonName::parse("Generated One").unwrap(),
            login: None,
            email: None,
            mobile: Some(Phone::parse("+86 139 0000 0001").unwrap()),
            job_title: None,
            site_id: None,
            department_id: None,
        }];
        add_generated(&app.db, &Actor::operator(), &ctx, &engineers).await.unwrap();
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let found = page(&app, &client, &[("query[search]", "0000 0001"), ("query[page]", "1")]).await;
        assert_eq!(names(&found), ["Generated One"]);
        assert_eq!(app.count("SELECT count(*) FROM audit_log a JOIN technicians t ON t.id = a.technician_id \
            WHERE a.action = 'technician.add' AND a.source = 'cli' AND t.name = 'Generated One' AND a.after_json LIKE '%139 0000 0001%'").await, 1);
        assert_eq!(app.count("SELECT count(*) FROM subscriptions").await, 0, "no confirmations for generated engineers");
    }

    async fn next_and_previous_walk_every_sort_from_row_to_row_and_skip_nobody(app: TestApp) {
        use app::domain::LoginName;
        app.create_admin().await;
        app.seed_reference_data().await;
        let sites: Vec<(i64,)> = sqlx::query_as("SELECT id FROM sites ORDER BY id")
            .fetch_all(app.db.reader()).await.unwrap();
        // Names and logins repeat, some have no login or site, and every one was added in the
        // same instant: each sort has ties that only the id can break.
        let engineers: Vec<Generated> = (0..130)
            .map(|i| Generated {
                name: PersonName::parse(&format!("Engineer {:02}", i % 40)).unwrap(),
                login: (i % 3 != 0).then(|| LoginName::parse(&format!("login{:02}.{i}", i % 7)).unwrap()),
                email: None,
                mobile: None,
                job_title: None,
                site_id: (i % 5 != 0).then(|| sites[i % sites.len()].0),
                department_id: None,
            })
            .collect();
        let ctx = AuditContext::new(Source::Cli, None);
        add_generated(&app.db, &Actor::operator(), &ctx, &engineers).await.unwrap();
        let everyone = engineers.len() + 1;
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let ids = |page: &Value| -> Vec<i64> {
            page["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
        };

        for sort in ["Name", "Login", "Site", "Updated"] {
            for descending in ["false", "true"] {
                let at = |page: u32, cursor: Option<(&'static str, String)>| {
                    let mut pairs = vec![
                        ("query[sort]", sort.to_owned()),
                        ("query[descending]", descending.to_owned()),
                        ("query[page]", page.to_string()),
                    ];
                    if let Some((name, value)) = cursor {
                        pairs.push((name, value));
                    }
                    pairs
                };
                let fetch = |pairs: Vec<(&'static str, String)>| {
                    let (app, client) = (&app, &client);
                    async move {
                        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                        page(app, client, &pairs).await
                    }
                };
                // Page by page by number: the reference order.
                let mut by_number = Vec::new();
                for n in 1..=everyone.div_ceil(25) {
                    by_number.push(ids(&fetch(at(u32::try_from(n).unwrap(), None)).await));
                }
                // Forwards by Next's cursor.
                let mut pages = vec![fetch(at(1, None)).await];
                while let Some(cursor) = pages.last().unwrap()["next_cursor"].as_str().map(str::to_owned) {
                    let n = u32::try_from(pages.len()).unwrap() + 1;
                    assert!(n <= 10, "{sort} {descending}: Next never ends");
                    pages.push(fetch(at(n, Some(("query[after]", cursor)))).await);
                }
                let forwards: Vec<Vec<i64>> = pages.iter().map(ids).collect();
                assert_eq!(forwards, by_number, "{sort} descending={descending}: Next walks the sort");
                assert_eq!(pages.last().unwrap()["has_next"], false);
                assert_eq!(pages.last().unwrap()["total"], i64::try_from(everyone).unwrap());
                // Backwards by Previous's cursor, from the last page to the first.
                let mut page_now = pages.pop().unwrap();
                let mut n = u32::try_from(pages.len()).unwrap() + 1;
                let mut backwards = vec![ids(&page_now)];
                while let Some(cursor) = page_now["prev_cursor"].as_str().map(str::to_owned) {
                    n -= 1;
                    page_now = fetch(at(n, Some(("query[before]", cursor)))).await;
                    assert_eq!(page_now["page"], n, "{sort}: the page number follows");
                    assert_eq!(page_now["has_next"], true);
                    backwards.push(ids(&page_now));
                }
                backwards.reverse();
                assert_eq!(backwards, by_number, "{sort} descending={descending}: Previous walks back");
                assert_eq!(page_now["page"], 1);
                assert!(page_now["prev_cursor"].is_null());
            }
        }

        // The Next link of the rendered page carries the cursor, and following it shows the
        // rows after the last one shown, even when one shown before it is deleted meanwhile.
        let html = client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        let next = html.split("rel=\"next\"").next().unwrap();
        let href = next.rsplit("href=\"").next().unwrap().split('"').next().unwrap().replace("&amp;", "&");
        assert!(href.starts_with("/?page=2&after="), "{href}");
        let first = page(&app, &client, &[("query[page]", "1")]).await;
        let second = page(&app, &client, &[("query[page]", "2")]).await;
        let gone = ids(&first)[3];
        app::service::technicians::delete_technician(&app.db, &Actor::operator(), &ctx, &app::domain::TechnicianRef::by_id(gone), None)
            .await
            .unwrap();
        let followed = client.get(app.url(&href)).send().await.unwrap().text().await.unwrap();
        let name_of = |row: &Value| row["name"].as_str().unwrap().to_owned();
        let first_of_second = name_of(&second["rows"][0]);
        assert!(followed.contains(&first_of_second), "page 2 still starts where page 1 ended");
        assert!(followed.contains("· page 2 of"), "and still calls itself page 2");

        // A cursor that does not fit is no cursor: the page number alone decides.
        let by_number = ids(&page(&app, &client, &[("query[page]", "2")]).await);
        for (sort, name, cursor) in [
            ("name", "query[after]", "nonsense"),
            ("name", "query[after]", ":"),
            ("name", "query[before]", "99999999999999999999999:x"),
            ("Updated", "query[after]", "5:not a time"),
            ("Updated", "query[before]", "-1:"),
        ] {
            let sort_value = if sort == "Updated" { "Updated" } else { "Name" };
            let answer = page(&app, &client, &[("query[page]", "2"), ("query[sort]", sort_value), (name, cursor)]).await;
            if sort == "name" {
                assert_eq!(ids(&answer), by_number, "{cursor:?}");
            } else {
                assert_eq!(answer["rows"].as_array().unwrap().len(), 25, "{cursor:?}");
            }
        }
        // Any text in a cursor is a value, never SQL; a cursor past the end shows nothing.
        for cursor in ["1:'; DROP TABLE technicians; --", "0:\u{0}\u{202e}", "1:\"", "1:%_\\"] {
            let answer = page(&app, &client, &[("query[page]", "2"), ("query[after]", cursor)]).await;
            assert!(ids(&answer).len() <= 25, "{cursor:?}");
        }
        let past_the_end = format!("1:{}", "z".repeat(5_000));
        let answer = page(&app, &client, &[("query[page]", "2"), ("query[after]", &past_the_end)]).await;
        assert!(ids(&answer).is_empty());
        assert_eq!(answer["has_next"], false);
        assert_eq!(app.count("SELECT count(*) FROM technicians").await, i64::try_from(everyone).unwrap() - 1);
    }

    async fn the_site_sort_follows_moves_renames_and_deleted_sites(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        for (name, login, site) in [("Sorted A", "sorted.a", "Paris"), ("Sorted B", "sorted.b", "London"), ("Sorted C", "sorted.c", ""), ("Sorted D", "sorted.d", "Asia")] {
            let answer = app.add_as_admin(&[("name", name), ("loginName", login), ("techSiteName", site)]).await;
            assert!(answer.is_success(), "{}", answer.raw);
        }
        let client = app.new_client();
        app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let by_site = || async {
            names(&page(&app, &client, &[("query[search]", "Sorted"), ("query[sort]", "Site"), ("query[page]", "1")]).await)
        };
        assert_eq!(by_site().await, ["Sorted C", "Sorted D", "Sorted B", "Sorted A"], "no site first, then Asia, London, Paris");

        let answer = app.admin_call(TECHNICIAN_SERVLET, "UpdateTechnician", &[("techLoginName", "sorted.a"), ("techSiteName", "Asia")]).await;
        assert!(answer.is_success(), "{}", answer.raw);
        assert_eq!(by_site().await, ["Sorted C", "Sorted A", "Sorted D", "Sorted B"], "a moved engineer sorts under its new site");

        // No screen renames or deletes a site; the sort holds if the database does it.
        sqlx::query("UPDATE sites SET name = 'Zagreb' WHERE name = 'London'").execute(app.db.writer()).await.unwrap();
        assert_eq!(by_site().await, ["Sorted C", "Sorted A", "Sorted D", "Sorted B"]);
        sqlx::query("UPDATE sites SET name = 'Aachen' WHERE name = 'Zagreb'").execute(app.db.writer()).await.unwrap();
        assert_eq!(by_site().await, ["Sorted C", "Sorted B", "Sorted A", "Sorted D"], "a renamed site moves its engineers");
        sqlx::query("DELETE FROM sites WHERE name = 'Asia'").execute(app.db.writer()).await.unwrap();
        assert_eq!(by_site().await, ["Sorted A", "Sorted C", "Sorted D", "Sorted B"], "engineers of a deleted site have none");
        let (site,): (Option<String>,) = sqlx::query_as("SELECT s.name FROM technicians t LEFT JOIN sites s ON s.id = t.site_id WHERE t.name = 'Sorted B'")
            .fetch_one(app.db.reader()).await.unwrap();
        assert_eq!(site.as_deref(), Some("Aachen"));
    }
}
