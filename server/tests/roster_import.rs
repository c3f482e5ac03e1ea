//! The roster read back from CSV: rows matched by login and domain, else email; previewed
//! row by row with the field and the problem; applied through the XML API's add and update,
//! so a row in error changes nothing and the same file applied twice changes nothing more.

mod common;

use app::domain::import::{Counts, Problem, RowReport, Verdict};
use app::domain::FieldProblem;
use app::service::technicians::import;
use app::service::{Actor, AuditContext, Source};
use common::TestApp;

fn sheet(text: &[u8]) -> import::Sheet {
    server::roster_csv::read(text).expect("a readable file")
}

async fn preview(app: &TestApp, actor: &Actor, text: &str) -> Vec<RowReport> {
    import::preview(&app.db, actor, &sheet(text.as_bytes()))
        .await
        .expect("the preview runs")
}

async fn apply(app: &TestApp, actor: &Actor, text: &str) -> Vec<RowReport> {
    let ctx = AuditContext::new(Source::Cli, None);
    import::apply(
        &app.db,
        &app.state.secret_key,
        actor,
        &ctx,
        &sheet(text.as_bytes()),
    )
    .await
    .expect("the import runs")
}

/// The fields and problems of each row in error, by row.
fn errors(reports: &[RowReport]) -> Vec<(usize, Vec<(String, Problem)>)> {
    reports
        .iter()
        .filter_map(|r| match &r.verdict {
            Verdict::Error { problems } => Some((
                r.row,
                problems
                    .iter()
                    .map(|p| (p.field.clone(), p.problem.clone()))
                    .collect(),
            )),
            _ => None,
        })
        .collect()
}

fn counts(reports: &[RowReport]) -> (usize, usize, usize, usize) {
    let c = Counts::of(reports);
    (c.create, c.update, c.unchanged, c.error)
}

/// Every engineer as the export writes it.
async fn export(app: &TestApp) -> String {
    let query = server::roster_csv::query(|_| None);
    let (mut out, mut export) =
        server::roster_csv::start(&app.db, &Actor::operator(), &query, true)
            .await
            .expect("the export starts");
    while let Some(rows) = export.next_rows().await.expect("a page of the export") {
        out.extend(server::roster_csv::lines(&rows));
    }
    String::from_utf8(out).expect("UTF-8")
}

/// A multipart form with one file, as a browser posts the upload.
fn multipart(name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "crewdesk-test-boundary-7";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

on_both_backends! {
    async fn ten_thousand_rows_with_fifty_bad_ones_preview_fifty_errors_and_apply_the_rest(app: TestApp) {
        app.seed_reference_data().await;
        // Matched by email. (A login would cost each add an argon2id hash of its first
        // password, as it does any add.)
        let mut text = String::from("name,email,techSiteName,jobTitle,costPerHr\r\n");
        for i in 0..10_000 {
            // Every 200th row has a cost with a comma: 50 rows in all.
            let cost = if i % 200 == 7 { "\"12,50\"" } else { "12.50" };
            text.push_str(&format!("Engineer {i},eng{i}@example.com,London,Field engineer,{cost}\r\n"));
        }
        let operator = Actor::operator();
        let started = std::time::Instant::now();
        let reports = preview(&app, &operator, &text).await;
        eprintln!("preview {:?}", started.elapsed());
        assert_eq!(counts(&reports), (9_950, 0, 0, 50));
        let bad = errors(&reports);
        assert_eq!(bad.len(), 50);
        for (n, (row, problems)) in bad.iter().enumerate() {
            // Row 2 is the first engineer (the header is row 1).
            assert_eq!(*row, 200 * n + 7 + 2, "{problems:?}");
            assert!(matches!(problems.as_slice(), [(field, Problem::Field(FieldProblem::Cost(_)))] if field == "costPerHr"), "{problems:?}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM technicians").await, 0, "a preview writes nothing");

        let audited = app.count("SELECT COUNT(*) FROM audit_log").await;
        let started = std::time::Instant::now();
        let applied = apply(&app, &operator, &text).await;
        eprintln!("apply {:?}", started.elapsed());
        assert_eq!(counts(&applied), (9_950, 0, 0, 50));
        assert!(applied.iter().all(|r| !matches!(r.verdict, Verdict::Create { id: None })), "every created row has its id");
        assert_eq!(app.count("SELECT COUNT(*) FROM technicians").await, 9_950);
        assert_eq!(app.count("SELECT COUNT(*) FROM technicians WHERE email = 'eng7@example.com'").await, 0, "a row in error changes nothing");
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await - audited, 9_950, "each engineer's add is audited as any add is");
        let audited = app.count("SELECT COUNT(*) FROM audit_log").await;

        // The same file again: nothing to do, and applying it changes nothing.
        let started = std::time::Instant::now();
        let again = apply(&app, &operator, &text).await;
        eprintln!("again {:?}", started.elapsed());
        assert_eq!(counts(&again), (0, 0, 9_950, 50));
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audited);
        assert_eq!(app.count("SELECT COUNT(*) FROM technicians WHERE version > 1").await, 0);
    }

    async fn an_export_imported_again_changes_nothing_and_an_edited_cell_updates_only_its_engineer(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        let ctx = AuditContext::new(Source::Cli, None);
        let udf = app::domain::UdfColumn::parse("UDF_CHAR1").unwrap();
        let alias = app::domain::ShortText::parse("Badge").unwrap();
        app::service::reference::add_udf(&app.db, &Actor::operator(), &ctx, &udf, &alias).await.unwrap();
        let added = app.add_as_admin(&[
            ("name", "Ada, \"the\" Countess"),
            ("jobTitle", "=cmd|' /C calc'!A0"),
            ("alias", "-dash"),
            ("email", "ada@example.com"),
            ("mobile", "+44 7700 900001"),
            ("phone", "+44 20 7946 0000"),
            ("costPerHr", "12.5"),
            ("techSiteName", "London"),
            ("associateSites", "Paris"),
            ("associateGroups", "London-Network"),
            ("associateRols", "SDSiteAdmin"),
            ("loginName", "ada"),
            ("pwd", "Correct-Horse-Battery-9"),
            ("enableLogin", "true"),
            ("UDF_CHAR1", "B-7\nsecond line"),
            ("language", "zh-CN"),
        ]).await;
        assert!(added.is_success(), "{}", added.raw);
        app.add_as_admin(&[("name", "Bo"), ("email", "bo@example.com")]).await;
        let text = export(&app).await;
        assert!(text.contains("'=cmd|"), "a formula is exported as text: {text}");

        let reports = preview(&app, &Actor::operator(), &text).await;
        assert_eq!(counts(&reports), (0, 0, 3, 0), "{:?}", errors(&reports));

        // Bo's job title is typed in the spreadsheet: only Bo is updated.
        let edited = text.replace("Bo,", "Bo the Builder,");
        let reports = apply(&app, &Actor::operator(), &edited).await;
        assert_eq!(counts(&reports), (0, 1, 2, 0), "{:?}", errors(&reports));
        assert_eq!(app.count("SELECT COUNT(*) FROM technicians WHERE name = 'Bo the Builder' AND version = 2").await, 1);
        let ada = app.details_of(added.userid.unwrap()).await;
        assert_eq!(ada["jobTitle"], "=cmd|' /C calc'!A0", "the formula's quote is taken off on the way back");
        assert_eq!(ada["UDF_CHAR1"], "B-7\nsecond line");
    }

    async fn excel_s_file_with_a_bom_crlf_and_quoted_newlines_is_read_as_written(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        let ctx = AuditContext::new(Source::Cli, None);
        let udf = app::domain::UdfColumn::parse("UDF_CHAR1").unwrap();
        let alias = app::domain::ShortText::parse("Notes").unwrap();
        app::service::reference::add_udf(&app.db, &Actor::operator(), &ctx, &udf, &alias).await.unwrap();
        let text = "\u{feff}name,email,UDF_CHAR1,techSiteName\r\n\
                    \"Lovelace, Ada\",ada@example.com,\"first line\nsecond, with \"\"quotes\"\"\",London\r\n\
                    ,,,\r\n\
                    Grace Hopper,grace@example.com,,Paris\r\n";
        let reports = apply(&app, &Actor::operator(), text).await;
        assert_eq!(counts(&reports), (2, 0, 0, 0), "{:?}", errors(&reports));
        assert_eq!(reports.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 4], "the blank row is skipped, rows keep their numbers");
        let ada = app.details_of(reports[0].verdict.id().unwrap()).await;
        assert_eq!(ada["name"], "Lovelace, Ada");
        assert_eq!(ada["UDF_CHAR1"], "first line\nsecond, with \"quotes\"");
        assert_eq!(ada["techSiteName"], "London");
    }

    async fn a_hostile_file_is_answered_row_by_row_or_refused_whole(app: TestApp) {
        app.seed_reference_data().await;
        let operator = Actor::operator();
        // A 10 MB cell, a row that is not UTF-8, a row with too few cells, two rows for one
        // engineer, a formula: each row answered on its own.
        let mut text = Vec::new();
        text.extend_from_slice(b"name,email,jobTitle\n");
        text.extend_from_slice(b"Big,big@example.com,");
        text.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
        text.extend_from_slice(b"\nLatin \xe9,latin@example.com,Tech\n");
        text.extend_from_slice(b"Short,short@example.com\n");
        text.extend_from_slice(b"Twin,twin@example.com,Tech\n");
        text.extend_from_slice(b"Twin again,TWIN@example.com,Tech\n");
        text.extend_from_slice(b"Formula,formula@example.com,=cmd|' /C calc'!A0\n");
        let reports = import::preview(&app.db, &operator, &sheet(&text)).await.expect("the preview runs");
        let bad = errors(&reports);
        let fields: Vec<(usize, Vec<String>)> = bad.iter().map(|(row, p)| (*row, p.iter().map(|(f, _)| f.clone()).collect())).collect();
        assert_eq!(fields, [(2, vec!["jobTitle".to_owned()]), (3, vec![String::new()]), (4, vec![String::new()]), (6, vec!["email".to_owned()])]);
        assert!(matches!(bad[1].1[0].1, Problem::Field(FieldProblem::NotText)));
        assert!(matches!(bad[2].1[0].1, Problem::Field(FieldProblem::CellCount { expected: 3, found: 2 })));
        assert!(matches!(bad[3].1[0].1, Problem::Field(FieldProblem::SameEngineerAsRow { row: 5 })));
        assert_eq!(counts(&reports), (2, 0, 0, 4));

        // Refused whole, with what is wrong with the file.
        assert_eq!(server::roster_csv::read(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").err(), Some(FieldProblem::NotCsvText));
        assert_eq!(server::roster_csv::read(b"").err(), Some(FieldProblem::NoColumns));
        assert_eq!(server::roster_csv::read(b"\xff\xfen\0a\0m\0e\0").err(), Some(FieldProblem::NotCsvText));
        let unknown = import::preview(&app.db, &operator, &sheet(b"name,Emial,password\nAda,a@example.com,x\n")).await;
        let Err(app::service::ServiceError::Invalid(problems)) = unknown else { panic!("unknown columns are refused: {unknown:?}") };
        assert_eq!(problems.0[0].problem, FieldProblem::UnknownColumns { columns: "Emial, password".into() });
        assert_eq!(app.count("SELECT COUNT(*) FROM technicians").await, 0);
    }

    async fn a_site_admin_imports_within_its_sites_and_an_engineer_not_at_all(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        let sam = app.add_user("Sam", "sam", "Correct-Horse-Battery-9", &[("associateRols", "SDSiteAdmin"), ("techSiteName", "London")]).await;
        let eve = app.add_user("Eve", "eve", "Correct-Horse-Battery-9", &[("techSiteName", "Paris"), ("email", "eve@example.com")]).await;
        app.add_as_admin(&[("name", "Lee"), ("techSiteName", "London"), ("email", "lee@example.com")]).await;
        let sam = app::service::auth::load_actor(&app.db, sam).await.unwrap().unwrap();
        let text = "name,email,techSiteName,associateRols\n\
                    Lee Updated,lee@example.com,London,\n\
                    Eve Moved,eve@example.com,London,\n\
                    New Paris,new@example.com,Paris,\n\
                    New London,newer@example.com,London,SDAdmin\n\
                    Kim,kim@example.com,London,\n";
        let reports = apply(&app, &sam, text).await;
        let bad = errors(&reports);
        let rows: Vec<usize> = bad.iter().map(|(row, _)| *row).collect();
        assert_eq!(rows, [3, 4, 5], "{bad:?}");
        assert!(bad.iter().all(|(_, p)| matches!(p.as_slice(), [(f, Problem::Refused(_))] if f.is_empty())), "{bad:?}");
        assert_eq!(counts(&reports), (1, 1, 0, 3));
        assert_eq!(app.details_of(eve).await["name"], "Eve", "another site's engineer is untouched");

        let plain = app::service::auth::load_actor(&app.db, eve).await.unwrap().unwrap();
        let refused = import::preview(&app.db, &plain, &sheet(b"name\nX\n")).await;
        assert!(matches!(refused, Err(app::service::ServiceError::NotAuthorized(_))), "{refused:?}");
    }

    async fn a_mobile_changed_by_an_import_cancels_its_subscriptions_as_an_edit_does(app: TestApp) {
        app.create_admin().await;
        let id = app.add_as_admin(&[("name", "Ada"), ("email", "ada@example.com"), ("mobile", "+44 7700 900001")]).await.userid.unwrap();
        sqlx::query("UPDATE subscriptions SET state = 'confirmed', confirmed_at = 0 WHERE technician_id = $1 AND method = 'sms'")
            .bind(id).execute(app.db.writer()).await.unwrap();
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM subscriptions WHERE technician_id = {id} AND state = 'confirmed'")).await, 1);
        let reports = apply(&app, &Actor::operator(), "name,email,mobile,loginName\nAda,ada@example.com,+44 7700 900002,ada\n").await;
        assert_eq!(counts(&reports), (0, 0, 0, 1), "the login cannot be given by an import's update: {:?}", errors(&reports));
        assert!(matches!(&errors(&reports)[0].1[..], [(f, Problem::Field(FieldProblem::NotUpdatable))] if f == "loginName"));
        let reports = apply(&app, &Actor::operator(), "name,email,mobile\nAda,ada@example.com,+44 7700 900002\n").await;
        assert_eq!(counts(&reports), (0, 1, 0, 0), "{:?}", errors(&reports));
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM subscriptions WHERE technician_id = {id} AND state = 'confirmed'")).await, 0);
    }

    async fn the_console_upload_is_for_administrators_and_applied_only_by_its_uploader(app: TestApp) {
        use app::service::roster_imports;
        let root = app.create_admin().await;
        app.seed_reference_data().await;
        let sam = app.add_user("Sam", "sam", "Correct-Horse-Battery-9", &[("associateRols", "SDSiteAdmin"), ("techSiteName", "London")]).await;
        app.add_user("Eve", "eve", "Correct-Horse-Battery-9", &[("techSiteName", "London")]).await;
        let file = b"name,email,techSiteName\nKim,kim@example.com,London\n";

        // A plain engineer is refused before the file is read; another site's form too.
        let eve = common::signed_in(&app, "eve", "Correct-Horse-Battery-9").await;
        let (kind, body) = multipart("team.csv", file);
        let answer = eve.post(app.url("/roster/import")).header("content-type", &kind).body(body.clone()).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 403);
        let admin = common::signed_in(&app, common::ADMIN_LOGIN, common::ADMIN_PASSWORD).await;
        let answer = admin.post(app.url("/roster/import")).header("content-type", &kind)
            .header("origin", "https://evil.example").body(body.clone()).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 403);
        assert_eq!(app.count("SELECT count(*) FROM roster_imports").await, 0);

        // The site admin's upload: previewed, seen by an SDAdmin, applied only by Sam.
        let sam_client = common::signed_in(&app, "sam", "Correct-Horse-Battery-9").await;
        let answer = sam_client.post(app.url("/roster/import")).header("content-type", &kind).body(body).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 303);
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        let id: i64 = location.rsplit('=').next().unwrap().parse().unwrap();
        let root = app::service::auth::load_actor(&app.db, root).await.unwrap().unwrap();
        let sam = app::service::auth::load_actor(&app.db, sam).await.unwrap().unwrap();
        let ctx = AuditContext::new(Source::Console, None);
        let view = roster_imports::view(&app.db, &root, id).await.unwrap();
        assert_eq!(view.counts.create, 1);
        let by_admin = roster_imports::start_apply(&app.db, app.state.secret_key.clone(), &root, &ctx, id).await;
        assert!(matches!(by_admin, Err(app::service::ServiceError::NotAuthorized(app::domain::Refusal::ImportNotYours))), "{by_admin:?}");
        roster_imports::start_apply(&app.db, app.state.secret_key.clone(), &sam, &ctx, id).await.unwrap();
        assert_eq!(app.wait_for_count("SELECT count(*) FROM technicians WHERE name = 'Kim'", 1).await, 1);

        // Passwords are never kept in an upload; a header too wide is refused before anything.
        let with_pwd = roster_imports::upload(&app.db, &root, "p.csv", Ok(sheet(b"name,loginName,pwd\nLee,lee,Correct-Horse-Battery-9\n"))).await.unwrap();
        let view = roster_imports::view(&app.db, &root, with_pwd).await.unwrap();
        assert_eq!((view.state, view.problems), (app::domain::import::ImportState::Refused, vec![FieldProblem::PasswordColumn]));
        let (sheet_text,): (Option<String>,) = sqlx::query_as("SELECT sheet FROM roster_imports WHERE id = $1").bind(with_pwd).fetch_one(app.db.reader()).await.unwrap();
        assert_eq!(sheet_text, None);
        let wide = (0..300).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",");
        assert_eq!(server::roster_csv::read(wide.as_bytes()).err(), Some(FieldProblem::TooManyColumns { max: 200 }));
        let twice = import::preview(&app.db, &root, &sheet(format!("name,{}\n", vec!["id"; 150].join(",")).as_bytes())).await;
        let Err(app::service::ServiceError::Invalid(problems)) = twice else { panic!("{twice:?}") };
        assert_eq!(problems.0.len(), 10, "a column named again and again is said ten times at most");
    }
}
