//! The reachability view: per site and group, who can be reached on which channel, from
//! confirmations made through real links and contacts delivery found failing; the roster
//! warns of places nobody can be phoned in.

#[macro_use]
mod common;

use app::domain::{Channel, PlaceKind, ReachQuery, ReachRow, ReachView, Standing};
use app::service::{reachability, Actor};
use common::{signed_in, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};

/// Confirms the subscription whose link was captured for `recipient` (the `n`th message).
async fn confirm(app: &TestApp, recipient: &str, n: i64) {
    let text = common::captured_to(app, recipient, n).await;
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/confirm/"))
        .expect("a link")
        .replace("{public_url}", &app.url(""));
    let link = if link.starts_with("http") {
        link
    } else {
        app.url(&link)
    };
    let status = app.new_client().post(&link).send().await.unwrap().status();
    assert_eq!(status, 200, "{link}");
}

async fn view(app: &TestApp, query: ReachQuery) -> ReachView {
    reachability::view(&app.db, &Actor::operator(), query, app.clock.now())
        .await
        .expect("the view")
}

fn row<'a>(view: &'a ReachView, kind: PlaceKind, name: &str) -> &'a ReachRow {
    view.rows
        .iter()
        .find(|r| r.kind == kind && r.name == name)
        .unwrap_or_else(|| panic!("no row {name} in {:?}", view.rows))
}

/// (engineers, reachable, partly, unreachable)
fn counts(row: &ReachRow) -> (i64, i64, i64, i64) {
    (row.engineers, row.reachable, row.partly, row.unreachable)
}

on_both_backends! {
    async fn the_view_counts_who_can_be_reached_where_and_the_roster_warns_of_silent_places(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        // London: Ana confirms SMS; Cy confirms SMS but leaves email unconfirmed; Bo only
        // has an unconfirmed email. Paris: Di set up nothing.
        let london = [("techSiteName", "London"), ("associateGroups", "London-Network")];
        let mut ana = vec![("name", "Ana"), ("mobile", "+86 138 0013 8000")];
        ana.extend_from_slice(&london);
        let ana = app.add_as_admin(&ana).await.userid.unwrap();
        confirm(&app, "+8613800138000", 1).await;
        let mut cy = vec![("name", "Cy"), ("mobile", "+86 138 0013 8002"), ("email", "cy@example.com")];
        cy.extend_from_slice(&london);
        app.add_as_admin(&cy).await.userid.unwrap();
        confirm(&app, "+8613800138002", 1).await;
        app.add_as_admin(&[("name", "Bo"), ("email", "bo@example.com"), ("techSiteName", "London")]).await.userid.unwrap();
        app.add_as_admin(&[("name", "Di"), ("techSiteName", "Paris")]).await.userid.unwrap();

        let all = view(&app, ReachQuery::default()).await;
        assert_eq!(counts(row(&all, PlaceKind::Site, "London")), (3, 1, 1, 1));
        assert_eq!(counts(row(&all, PlaceKind::Site, "Paris")), (1, 0, 0, 1));
        assert_eq!(counts(row(&all, PlaceKind::Group, "Network")), (2, 1, 1, 0));
        let sms = all.channels.iter().position(|c| *c == Channel::Sms).unwrap();
        assert_eq!(row(&all, PlaceKind::Site, "London").by_channel[sms], 2);
        assert!(!row(&all, PlaceKind::Site, "London").no_phone);
        assert!(row(&all, PlaceKind::Site, "Paris").no_phone);
        let names: Vec<&str> = all.unreachable.iter().map(|u| u.name.as_str()).collect();
        // The root admin, in no site, set up nothing either.
        assert_eq!(names, ["Bo", "Di", "Root Admin"]);
        assert_eq!(all.unreachable_total, 3);
        assert_eq!(counts(row(&all, PlaceKind::Site, "")), (1, 0, 0, 1));
        let bo = &all.unreachable[0];
        assert_eq!(bo.why, vec![(Channel::Email, Standing::Pending)]);

        // One channel: on SMS, London has two, and Bo is set up on nothing there.
        let by_sms = view(&app, ReachQuery { channel: Some(Channel::Sms), ..ReachQuery::default() }).await;
        assert_eq!(counts(row(&by_sms, PlaceKind::Site, "London")), (3, 2, 0, 1));
        // One group: its engineers only.
        let group = all.groups.iter().find(|g| g.name == "Network").unwrap().id;
        let network = view(&app, ReachQuery { group: Some(group), ..ReachQuery::default() }).await;
        assert!(network.rows.iter().all(|r| r.kind == PlaceKind::Group), "{:?}", network.rows);
        assert_eq!(network.unreachable_total, 0);

        // Delivery finds Ana's number failing: she is no longer reachable, and London
        // still has Cy by phone.
        sqlx::query("INSERT INTO contact_health (technician_id, channel, failing, failing_since, answer, last_failure_at) VALUES ($1, 'sms', 1, $2, 'HTTP 400 invalid number', $2)")
            .bind(ana)
            .bind(app.clock.now())
            .execute(app.db.writer())
            .await
            .unwrap();
        let after = view(&app, ReachQuery::default()).await;
        assert_eq!(counts(row(&after, PlaceKind::Site, "London")), (3, 0, 1, 2));
        assert_eq!(after.unreachable[0].name, "Ana");
        assert_eq!(after.unreachable[0].why, vec![(Channel::Sms, Standing::Failing)]);

        // The pages: the chart and table for an admin, the roster's warning naming Paris.
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let html = admin.get(app.url("/reachability")).send().await.unwrap().text().await.unwrap();
        for expected in ["<svg", "reach-chart-title", "London", "Network", "nobody by SMS or voice", "/engineers/", "Counted at"] {
            assert!(html.contains(expected), "{expected} missing in {html}");
        }
        // The console counts from the instance's snapshot: a change shows once it is read
        // again (the refresher does that every few seconds while someone looks).
        app.add_as_admin(&[("name", "Fe"), ("techSiteName", "Paris")]).await.userid.unwrap();
        let paris = |html: &str| html.contains("Not reachable (5)");
        assert!(!paris(&admin.get(app.url("/reachability")).send().await.unwrap().text().await.unwrap()));
        app.state.reach.refresh(&app.db, app.clock.now()).await.unwrap();
        let html = admin.get(app.url("/reachability")).send().await.unwrap().text().await.unwrap();
        assert!(paris(&html), "{html}");
        let roster = admin.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(roster.contains("Nobody can be reached by SMS or voice in: Paris"), "{roster}");
        let zh = admin.get(app.url("/reachability")).header("accept-language", "zh-CN").send().await.unwrap().text().await.unwrap();
        assert!(zh.contains("当前可联络的工程师"), "{zh}");
        // Filters that name nothing, overflow or carry markup are no filter, or an empty view;
        // never an error page, and nothing of them comes back as markup.
        for query in [
            "site=-1&group=0",
            "site=99999999999999999999999&group=-9223372036854775808",
            "channel=%3Cscript%3Ealert(1)%3C%2Fscript%3E&site=%27%20OR%201%3D1",
            "site=%00&group=%FF%FE&channel=sms%00",
        ] {
            let response = admin.get(app.url(&format!("/reachability?{query}"))).send().await.unwrap();
            assert_eq!(response.status(), 200, "{query}");
            let html = response.text().await.unwrap();
            assert!(html.contains("<h1") && !html.contains("role=\"alert\"") && !html.contains("<script>alert"), "{query}: {html}");
        }

        // A site admin sees their own site only; a plain engineer, nothing.
        app.add_user("Sia", "sia", "sia-lantern-quartz-9", &[("associateRols", "SDSiteAdmin"), ("techSiteName", "Paris")]).await;
        let sia = signed_in(&app, "sia", "sia-lantern-quartz-9").await;
        let html = sia.get(app.url("/reachability")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Paris") && !html.contains("London"), "{html}");
        app.add_user("Eve", "eve", "eve-lantern-quartz-9", &[]).await;
        let eve = signed_in(&app, "eve", "eve-lantern-quartz-9").await;
        let html = eve.get(app.url("/reachability")).send().await.unwrap().text().await.unwrap();
        assert!(!html.contains("<svg") && html.contains("role=\"alert\""), "{html}");
        let roster = eve.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(!roster.contains("Nobody can be reached"), "{roster}");
    }

    async fn the_counts_are_read_again_only_when_something_they_count_changed(app: TestApp) {
        use reachability::{ReachCache, MAX_AGE_MS, REFRESH_MS};
        app.create_admin().await;
        app.seed_reference_data().await;
        app.add_as_admin(&[("name", "Ana"), ("techSiteName", "London")]).await.userid.unwrap();
        // A cache of its own, driven by hand (the app's refresher drives the console's).
        let cache = ReachCache::default();
        let operator = Actor::operator();
        let t0 = app.clock.now();
        let look = |at: i64| {
            let (cache, db, operator) = (&cache, &app.db, &operator);
            async move {
                reachability::view_cached(cache, db, operator, ReachQuery::default(), at).await.unwrap()
            }
        };
        let london = |v: &ReachView| row(v, PlaceKind::Site, "London").engineers;
        assert_eq!(london(&look(t0).await), 1);

        // PostgreSQL reads once more after the first read (a writer there moves the mark
        // before it commits), SQLite does not.
        let postgres = app.db.backend() == app::service::db::Backend::Postgres;
        assert!(!cache.refresh_if_due(&app.db, t0 + REFRESH_MS / 2).await.unwrap(), "too soon");
        let t0 = t0 + REFRESH_MS;
        assert_eq!(cache.refresh_if_due(&app.db, t0).await.unwrap(), postgres);
        // Nothing changed: not read again, and the counts say they are true now.
        assert!(!cache.refresh_if_due(&app.db, t0 + REFRESH_MS).await.unwrap());
        let unchanged = look(t0 + REFRESH_MS).await;
        assert_eq!(unchanged.as_of, app::domain::audit::utc_text(t0 + REFRESH_MS));

        // An engineer joins London: read again at the refresher's next look (on PostgreSQL
        // once more after it), then not again.
        let bo = app.add_as_admin(&[("name", "Bo"), ("mobile", "+86 138 0013 8001"), ("techSiteName", "London")]).await.userid.unwrap();
        assert_eq!(london(&look(t0 + REFRESH_MS).await), 1, "the snapshot is not read on a view");
        assert!(!cache.refresh_if_due(&app.db, t0 + REFRESH_MS + 1).await.unwrap(), "too soon");
        assert!(cache.refresh_if_due(&app.db, t0 + 2 * REFRESH_MS).await.unwrap());
        assert_eq!(london(&look(t0 + 2 * REFRESH_MS).await), 2);
        assert_eq!(cache.refresh_if_due(&app.db, t0 + 3 * REFRESH_MS).await.unwrap(), postgres);
        assert!(!cache.refresh_if_due(&app.db, t0 + 4 * REFRESH_MS).await.unwrap());

        // Bo confirms his number (a subscription changes, as with every STOP and expiry).
        let sms = |v: &ReachView| {
            let i = v.channels.iter().position(|c| *c == Channel::Sms).unwrap();
            row(v, PlaceKind::Site, "London").by_channel[i]
        };
        assert_eq!(sms(&look(t0 + 4 * REFRESH_MS).await), 0);
        confirm(&app, "+8613800138001", 1).await;
        assert!(cache.refresh_if_due(&app.db, t0 + 5 * REFRESH_MS).await.unwrap());
        assert_eq!(sms(&look(t0 + 5 * REFRESH_MS).await), 1);
        assert_eq!(cache.refresh_if_due(&app.db, t0 + 6 * REFRESH_MS).await.unwrap(), postgres);

        // A change nothing is counted by leaves the mark alone: an engineer's job title, a second
        // delivery to a number that took the first. A number found failing moves it, and so
        // does an engineer moving site.
        let t0 = t0 + 6 * REFRESH_MS;
        let delivered = |at: i64| {
            sqlx::query(
                "INSERT INTO contact_health (technician_id, channel, last_success_at) VALUES ($1, 'sms', $2) \
                 ON CONFLICT (technician_id, channel) DO UPDATE SET failing = 0, last_success_at = excluded.last_success_at",
            )
            .bind(bo)
            .bind(at)
            .execute(app.db.writer())
        };
        delivered(t0).await.unwrap();
        assert!(cache.refresh_if_due(&app.db, t0 + REFRESH_MS).await.unwrap(), "a first delivery");
        assert_eq!(cache.refresh_if_due(&app.db, t0 + 2 * REFRESH_MS).await.unwrap(), postgres);
        delivered(t0 + 60_000).await.unwrap();
        let titled = app.admin_call(common::TECHNICIAN_SERVLET, "UpdateTechnician", &[("userid", &bo.to_string()), ("jobTitle", "Lead")]).await;
        assert!(titled.is_success(), "{titled:?}");
        assert!(!cache.refresh_if_due(&app.db, t0 + 3 * REFRESH_MS).await.unwrap(), "nothing counted changed");
        sqlx::query("UPDATE contact_health SET failing = 1 WHERE technician_id = $1")
            .bind(bo)
            .execute(app.db.writer())
            .await
            .unwrap();
        assert!(cache.refresh_if_due(&app.db, t0 + 4 * REFRESH_MS).await.unwrap(), "failing");
        assert_eq!(sms(&look(t0 + 4 * REFRESH_MS).await), 0);
        assert_eq!(cache.refresh_if_due(&app.db, t0 + 5 * REFRESH_MS).await.unwrap(), postgres);
        let moved = app.admin_call(common::TECHNICIAN_SERVLET, "UpdateTechnician", &[("userid", &bo.to_string()), ("techSiteName", "Paris")]).await;
        assert!(moved.is_success(), "{moved:?}");
        assert!(cache.refresh_if_due(&app.db, t0 + 6 * REFRESH_MS).await.unwrap(), "a move");
        assert_eq!(london(&look(t0 + 6 * REFRESH_MS).await), 1);

        // Unchanged for MAX_AGE_MS: read again all the same (a robot's last delivery ages).
        let late = t0 + 6 * REFRESH_MS + MAX_AGE_MS;
        look(late).await;
        assert!(cache.refresh_if_due(&app.db, late).await.unwrap());
        // Nobody looked for five minutes: the refresher rests, whatever changed.
        app.add_as_admin(&[("name", "Cy"), ("techSiteName", "London")]).await.userid.unwrap();
        assert!(!cache.refresh_if_due(&app.db, late + MAX_AGE_MS).await.unwrap());
    }
}
