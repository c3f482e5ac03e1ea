//! Synchronize Engineer Info from a directory file (SPEC §6): first sync, re-sync with
//! changes, a removed entry, a locally edited mobile kept, two syncs at once, and a sync
//! killed with `kill -9` and completed by the next.

mod common;

use app::domain::directory::{DirectoryName, Preset, SyncSummary};
use app::service::directories::{self, Source};
use app::service::sync::{self, SyncError};
use app::service::{Actor, AuditContext, Clock, Db};
use common::{TestApp, TECHNICIAN_SERVLET};

fn temp_file(tag: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join("crewdesk-directory-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!(
        "{tag}-{}-{}.csv",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

async fn add_directory(db: &Db, name: &str, path: &str) {
    directories::add(
        db,
        &Actor::operator(),
        &AuditContext::new(app::service::Source::Cli, None),
        new_directory(name, path),
        &common::test_access().key,
        app::service::now_ms(),
    )
    .await
    .unwrap();
}

fn new_directory(name: &str, path: &str) -> directories::NewDirectory {
    directories::NewDirectory {
        name: DirectoryName::parse(name).unwrap(),
        source: Source::File {
            path: path.to_owned(),
        },
        preset: Preset::OpenLdap,
        mapping: Preset::OpenLdap.mapping(),
        typed_password: None,
    }
}

async fn run_sync(db: &Db, clock: &Clock) -> Result<SyncSummary, SyncError> {
    common::run_sync_on(db, clock, &common::test_access()).await
}

async fn engineer(
    app: &TestApp,
    login: &str,
) -> (i64, String, Option<String>, Option<String>, i64) {
    sqlx::query_as(
        "SELECT id, name, mobile, email, directory_missing FROM technicians \
         WHERE login_domain = 'CORP' AND login_name = $1",
    )
    .bind(login)
    .fetch_one(app.db.reader())
    .await
    .unwrap()
}

const FIRST: &str = "uid,cn,mail,mobile,title,entryUUID\n\
ada,Ada Lovelace,ada@corp.example,+86 138 0013 8000,Engineer,u-ada\n\
bo,Bo,bo@corp.example,,,u-bo\n\
cy,Cy,,12,,u-cy\n";

on_both_backends! {
    async fn a_chinese_console_shows_the_sync_notes_in_chinese(app: TestApp) {
        app.create_admin().await;
        let path = temp_file("zh", "uid,cn,mail,mobile,title,entryUUID\n\
            ada,Ada,ada@corp.example,+86 138 0013 8000,Engineer,u-ada\n\
            cy,Cy,,12,,u-cy\n\
            ,,,,,\n");
        add_directory(&app.db, "CORP", &path).await;
        let run = run_sync(&app.db, &app.clock).await.unwrap();
        let admin = common::signed_in(&app, common::ADMIN_LOGIN, common::ADMIN_PASSWORD).await;
        let page = |lang: &'static str| {
            let request = admin.get(app.url(&format!("/?sync={}", run.id))).header("accept-language", lang);
            async move { request.send().await.unwrap().text().await.unwrap() }
        };
        let zh = page("zh-CN").await;
        assert!(zh.contains("Cy:未导入手机,因为它必须以 + 和国家代码开头"), "{zh}");
        assert!(zh.contains("一条记录:没有 ID"), "{zh}");
        assert!(!zh.contains("left out") && !zh.contains("an entry"), "{zh}");
        let en = page("en").await;
        assert!(en.contains("Cy: mobile left out, it must start with + and the country code"), "{en}");
        assert!(en.contains("an entry: it has no id"), "{en}");
    }

    async fn a_directory_file_feeds_the_roster_and_keeps_local_edits(app: TestApp) {
        app.create_admin().await;
        let path = temp_file("first", FIRST);
        add_directory(&app.db, "CORP", &path).await;
        let first = run_sync(&app.db, &app.clock).await.unwrap();
        assert_eq!(first.line(), "created 3, updated 0, unchanged 0, flagged 0", "{first:?}");
        assert!(first.lists.notes.iter().any(|n| n.to_string().starts_with("Cy: mobile left out")), "{:?}", first.lists.notes);
        let (ada, name, mobile, _, _) = engineer(&app, "ada").await;
        assert_eq!((name.as_str(), mobile.as_deref()), ("Ada Lovelace", Some("+86 138 0013 8000")));
        // New contacts start subscriptions as an edit does.
        assert_eq!(app.count(&format!("SELECT count(*) FROM subscriptions WHERE technician_id = {ada} AND state = 'pending'")).await, 2, "SMS and email");
        assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE source = 'sync' AND action = 'technician.add'").await, 3);
        let login_enabled = app.count("SELECT count(*) FROM technicians WHERE login_domain = 'CORP' AND login_enabled = 1").await;
        assert_eq!(login_enabled, 3);

        // Ada's mobile is edited here; then the directory changes hers too, renames Bo,
        // loses Cy and gains Dan.
        let edited = app.admin_call(TECHNICIAN_SERVLET, "UpdateTechnician", &[("userid", &ada.to_string()), ("mobile", "+86 139 0000 0001")]).await;
        assert!(edited.is_success(), "{edited:?}");
        std::fs::write(&path, "uid,cn,mail,mobile,title,entryUUID\n\
            ada,Ada Lovelace,ada@corp.example,+86 137 0000 0002,Engineer,u-ada\n\
            bo,Bo Chen,bo@corp.example,,,u-bo\n\
            dan,Dan,,,,u-dan\n").unwrap();
        let second = run_sync(&app.db, &app.clock).await.unwrap();
        assert_eq!(second.line(), "created 1, updated 1, unchanged 1, flagged 1", "{second:?}");
        assert_eq!(second.lists.updated, ["Bo Chen"]);
        assert_eq!(second.lists.flagged, ["Cy"]);
        assert!(second.lists.notes.iter().any(|n| n.to_string().contains("Ada Lovelace: mobile was edited here")), "{:?}", second.lists.notes);
        assert_eq!(engineer(&app, "ada").await.2.as_deref(), Some("+86 139 0000 0001"), "the local edit is kept");
        assert_eq!(engineer(&app, "cy").await.4, 1, "gone entries are flagged, not deleted");
        // The table shows it, and filters by it.
        let admin = common::signed_in(&app, common::ADMIN_LOGIN, common::ADMIN_PASSWORD).await;
        let names = |body: String| -> Vec<String> {
            let page: serde_json::Value = serde_json::from_str(&body).unwrap();
            page["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_owned()).collect()
        };
        let (_, body) = app.server_fn(&admin, "list_technicians", &[("query[directory]", "missing")]).await;
        assert_eq!(names(body), ["Cy"]);
        let (_, body) = app.server_fn(&admin, "list_technicians", &[("query[directory]", "synced")]).await;
        assert_eq!(names(body), ["Ada Lovelace", "Bo Chen", "Dan"]);
        let (_, body) = app.server_fn(&admin, "list_technicians", &[("query[directory]", "x' OR 1=1 --")]).await;
        assert_eq!(names(body).len(), 5, "an unknown filter shows everyone");
        let html = admin.get(app.url("/?dir=missing")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("gone from CORP"), "{html}");

        // Nothing changed: nothing is written again, and Cy is not flagged twice.
        let third = run_sync(&app.db, &app.clock).await.unwrap();
        assert_eq!(third.line(), "created 0, updated 0, unchanged 3, flagged 0", "{third:?}");
        // Cy comes back: unflagged.
        std::fs::write(&path, FIRST).unwrap();
        let fourth = run_sync(&app.db, &app.clock).await.unwrap();
        assert_eq!(engineer(&app, "cy").await.4, 0);
        assert_eq!(fourth.flagged, 1, "Dan is gone now: {fourth:?}");
        assert_eq!(app.count("SELECT count(*) FROM technicians WHERE login_domain = 'CORP'").await, 4);
    }

    async fn logins_are_adopted_swapped_and_never_doubled(app: TestApp) {
        app.create_admin().await;
        // Eve was typed in before the directory existed: the directory adopts her.
        let eve = app.add_as_admin(&[("name", "Eve"), ("loginName", "eve"), ("userDomainName", "CORP")]).await.userid.unwrap();
        let path = temp_file("logins", "uid,cn,entryUUID\nhal,Hal,u-hal\nivy,Ivy,u-ivy\njo,Jo,u-jo\n\
            eve,Eve Adopted,u-eve\n\
            fay,Fay,u-fay\n\
            fay,Fay Two,u-fay2\n\
            gus,Gus,u-fay\n\
            jo,Jo Again,u-jo2\n");
        add_directory(&app.db, "CORP", &path).await;
        let first = run_sync(&app.db, &app.clock).await.unwrap();
        // Fay Two wants Fay's login and Jo Again wants Jo's: skipped, saying why. The
        // second u-fay renames the engineer the first one made.
        assert_eq!(first.line(), "created 4, updated 2, unchanged 0, flagged 0", "{first:?}");
        assert_eq!(first.skipped, 2, "{first:?}");
        assert!(first.lists.skipped.iter().any(|s| s.to_string().contains("Fay Two: the login 'fay' belongs to another engineer of CORP")), "{:?}", first.lists.skipped);
        assert!(first.lists.skipped.iter().any(|s| s.to_string().starts_with("Jo Again: the login 'jo'")), "{:?}", first.lists.skipped);
        assert_eq!(engineer(&app, "eve").await.0, eve, "adopted, not doubled");
        assert_eq!(engineer(&app, "eve").await.1, "Eve Adopted");
        assert_eq!(engineer(&app, "gus").await.1, "Gus");
        assert_eq!(app.count("SELECT count(*) FROM technicians WHERE login_domain = 'CORP'").await, 5);
        // Ivy gives up her login and Hal takes it, in one batch, in that order.
        std::fs::write(&path, "uid,cn,entryUUID\nivo,Ivy,u-ivy\nivy,Hal,u-hal\njo,Jo,u-jo\neve,Eve Adopted,u-eve\ngus,Gus,u-fay\n").unwrap();
        let second = run_sync(&app.db, &app.clock).await.unwrap();
        assert_eq!(second.line(), "created 0, updated 2, unchanged 3, flagged 0", "{second:?}");
        assert_eq!(second.skipped, 0, "{second:?}");
        assert_eq!(engineer(&app, "ivy").await.1, "Hal");
        assert_eq!(engineer(&app, "ivo").await.1, "Ivy");
        // Every change is in the audit log, each engineer's own.
        assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE source = 'sync' AND action = 'technician.update'").await, 4);
        assert_eq!(app.count(&format!("SELECT count(*) FROM audit_log WHERE technician_id = {eve} AND action = 'technician.update' AND after_json LIKE '%Eve Adopted%' AND before_json LIKE '%\"Eve\"%'")).await, 1);
    }

    async fn a_sync_holds_the_rules_every_other_writer_holds(app: TestApp) {
        app.create_admin().await;
        // Gil approves purchase orders, so Gil keeps an email; Ada has an alias typed here.
        let added = app.add_as_admin(&[("name", "Gil"), ("loginName", "gil"), ("userDomainName", "CORP"),
            ("email", "gil@corp.example"), ("approvePurchaseOrder", "true")]).await;
        assert!(added.is_success(), "{added:?}");
        let path = temp_file("rules", "uid,cn,mail,entryUUID\ngil,Gil,gil@corp.example,u-gil\nada,Ada,ada@corp.example,u-ada\n");
        add_directory(&app.db, "CORP", &path).await;
        let first = run_sync(&app.db, &app.clock).await.unwrap();
        assert_eq!(first.line(), "created 1, updated 1, unchanged 0, flagged 0", "{first:?}");
        let (ada, ..) = engineer(&app, "ada").await;
        let aliased = app.admin_call(TECHNICIAN_SERVLET, "UpdateTechnician", &[("userid", &ada.to_string()), ("alias", "Countess")]).await;
        assert!(aliased.is_success(), "{aliased:?}");
        // The directory drops Gil's email (which it gave) and renames Ada.
        std::fs::write(&path, "uid,cn,mail,entryUUID\ngil,Gil,,u-gil\nada,Ada King,ada@corp.example,u-ada\n").unwrap();
        let second = run_sync(&app.db, &app.clock).await.unwrap();
        assert_eq!(second.lists.updated, ["Ada King"], "{second:?}");
        assert_eq!(engineer(&app, "gil").await.3.as_deref(), Some("gil@corp.example"), "an approver keeps an email");
        assert!(second.lists.notes.iter().any(|n| n.to_string().contains("Gil: email kept")), "{:?}", second.lists.notes);
        // What the sync writes is searchable as what an edit writes: the alias typed here too.
        let admin = common::signed_in(&app, common::ADMIN_LOGIN, common::ADMIN_PASSWORD).await;
        for term in ["countess", "ada king"] {
            let (_, body) = app.server_fn(&admin, "list_technicians", &[("query[search]", term)]).await;
            let page: serde_json::Value = serde_json::from_str(&body).unwrap();
            let names: Vec<&str> = page["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
            assert_eq!(names, ["Ada King"], "{term}");
        }
    }

    async fn one_sync_runs_at_a_time_and_a_dead_ones_is_taken_over(app: TestApp) {
        app.create_admin().await;
        add_directory(&app.db, "CORP", &temp_file("two", FIRST)).await;
        let ctx = AuditContext::new(app::service::Source::Sync, None);
        let operator = Actor::operator();
        let (first, _) = sync::begin_run(&app.db, &app.clock, &operator, &ctx, None).await.unwrap();
        // Two more asked at once while it runs: both are told which one is running.
        let (a, b) = tokio::join!(
            sync::begin_run(&app.db, &app.clock, &operator, &ctx, None),
            sync::begin_run(&app.db, &app.clock, &operator, &ctx, None)
        );
        for other in [a, b] {
            assert!(matches!(other, Err(SyncError::Running(id)) if id == first), "{other:?}");
        }
        // Its process dies (no heartbeat for a minute): the next sync ends it and runs.
        app.clock.advance(sync_stale_ms() + 1);
        let summary = run_sync(&app.db, &app.clock).await.unwrap();
        assert_eq!(summary.created, 3);
        let (state, error): (String, Option<String>) = sqlx::query_as("SELECT state, error FROM sync_runs WHERE id = $1")
            .bind(first).fetch_one(app.db.reader()).await.unwrap();
        assert_eq!(state, "failed");
        assert!(error.unwrap_or_default().contains("interrupted"));
    }

    async fn a_directory_slow_to_answer_keeps_its_run_alive(app: TestApp) {
        app.create_admin().await;
        // A named pipe: reading it waits until something writes to it.
        let path = std::env::temp_dir().join(format!("crewdesk-slow-{}-{}", std::process::id(), rand::random::<u32>()));
        assert!(std::process::Command::new("mkfifo").arg(&path).status().unwrap().success());
        let path = path.display().to_string();
        add_directory(&app.db, "CORP", &path).await;
        let ctx = AuditContext::new(app::service::Source::Sync, None);
        let (run, chosen) = sync::begin_run(&app.db, &app.clock, &Actor::operator(), &ctx, None).await.unwrap();
        let (db, clock, mapping) = (app.db.clone(), app.clock.clone(), chosen[0].mapping.clone());
        let reader = {
            let path = path.clone();
            tokio::spawn(async move {
                sync::while_alive(&db, &clock, run, std::time::Duration::from_millis(20), server::directory::file::read(&path, std::path::Path::new("/"), &mapping)).await
            })
        };
        // Longer than a dead run is given passes while the directory says nothing.
        app.clock.advance(sync_stale_ms() + 1);
        let advanced = app.clock.now();
        for _ in 0..250 {
            let (beat,): (i64,) = sqlx::query_as("SELECT heartbeat_at FROM sync_runs WHERE id = $1")
                .bind(run).fetch_one(app.db.reader()).await.unwrap();
            if beat >= advanced {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let other = sync::begin_run(&app.db, &app.clock, &Actor::operator(), &ctx, None).await;
        assert!(matches!(other, Err(SyncError::Running(id)) if id == run), "{other:?}");
        let writer = std::thread::spawn(move || std::fs::write(&path, FIRST));
        let entries = reader.await.unwrap().unwrap().unwrap();
        writer.join().unwrap().unwrap();
        assert_eq!(entries.len(), 3);
    }

    async fn bad_directories_fail_clearly_and_flag_nobody(app: TestApp) {
        app.create_admin().await;
        let path = temp_file("bad", FIRST);
        add_directory(&app.db, "CORP", &path).await;
        run_sync(&app.db, &app.clock).await.unwrap();
        for broken in ["", "[{\"uid\": ", "nothing,useful\n1,2\n"] {
            std::fs::write(&path, broken).unwrap();
            let err = run_sync(&app.db, &app.clock).await.unwrap_err().to_string();
            assert!(err.contains("the directory file"), "{err}");
        }
        std::fs::remove_file(&path).unwrap();
        let err = run_sync(&app.db, &app.clock).await.unwrap_err().to_string();
        assert!(err.contains("cannot be read"), "{err}");
        assert_eq!(app.count("SELECT count(*) FROM technicians WHERE directory_missing = 1").await, 0);
        assert_eq!(app.count("SELECT count(*) FROM sync_runs WHERE state = 'failed'").await, 4);
        // Hostile entries are skipped or trimmed, never half-written.
        std::fs::write(&path, "uid,cn,mobile,entryUUID\n\
            x y,Eve,,u-e\n\
            ,,,\n\
            z,\"\u{0}bad\",,u-z\n\
            ok,Okay,+86 138 0013 8001,u-ok\n").unwrap();
        let summary = run_sync(&app.db, &app.clock).await.unwrap();
        assert_eq!(summary.skipped, 2, "{summary:?}");
        assert!(summary.lists.notes.iter().any(|n| n.to_string().starts_with("Eve: login left out")), "{:?}", summary.lists.notes);
        // The first file's three engineers are gone from it now.
        assert_eq!(summary.flagged, 3, "{summary:?}");
        // Directory names are login domains; two of one name are refused.
        let again = directories::add(&app.db, &Actor::operator(), &AuditContext::new(app::service::Source::Cli, None),
            new_directory("corp", &path), &common::test_access().key, 0).await;
        assert!(again.unwrap_err().to_string().contains("already exists"));
    }
}

mod console {
    use super::*;
    use common::{signed_in, ADMIN_LOGIN, ADMIN_PASSWORD};
    use serde_json::Value;

    on_both_backends! {
        async fn the_button_syncs_in_the_background_and_the_page_shows_how_it_went(app: TestApp) {
            app.create_admin().await;
            let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
            let (status, body) = app.server_fn(&admin, "start_sync", &[]).await;
            assert_eq!(status, 409, "{body}");
            assert!(common::said(&body).contains("no directory is configured"), "{body}");
            add_directory(&app.db, "CORP", &temp_file("console", FIRST)).await;
            // A sync is running already: the button joins it instead of starting another.
            let ctx = AuditContext::new(app::service::Source::Sync, None);
            let (running, chosen) = sync::begin_run(&app.db, &app.clock, &Actor::operator(), &ctx, None).await.unwrap();
            let (status, body) = app.server_fn(&admin, "start_sync", &[]).await;
            assert!(status < 400, "{body}");
            assert_eq!(body.trim(), running.to_string());
            let (_, body) = app.server_fn(&admin, "sync_status", &[]).await;
            let shown: Value = serde_json::from_str(&body).unwrap();
            assert_eq!((shown["id"].as_i64(), shown["state"].as_str()), (Some(running), Some("running")), "a reload finds it");
            // Before the directory has been read there is nothing to count yet.
            let html = admin.get(app.url(&format!("/?sync={running}"))).send().await.unwrap().text().await.unwrap();
            assert!(html.contains("Reading the directory…"), "{html}");
            assert!(!html.contains("0 of 0 entries"), "{html}");
            let (access, operator) = (common::test_access(), Actor::operator());
            let runner = sync::Runner { db: &app.db, clock: &app.clock, source: &access, actor: &operator, ctx: &ctx };
            sync::run(&runner, running, &chosen).await.unwrap();
            // Now the button starts a new one, which runs on its own.
            let (status, body) = app.server_fn(&admin, "start_sync", &[]).await;
            assert!(status < 400, "{body}");
            let id: i64 = body.trim().parse().unwrap();
            assert_ne!(id, running);
            let mut state = String::new();
            for _ in 0..200 {
                let (_, body) = app.server_fn(&admin, "sync_status", &[("id", &id.to_string())]).await;
                let shown: Value = serde_json::from_str(&body).unwrap();
                state = shown["state"].as_str().unwrap_or("").to_owned();
                if state != "running" {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            }
            assert_eq!(state, "done");
            let html = admin.get(app.url(&format!("/?sync={id}"))).send().await.unwrap().text().await.unwrap();
            assert!(html.contains("Synchronized: created 0, updated 0, unchanged 3, flagged 0"), "{html}");
            assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE source = 'sync'").await, 3, "the first run's adds");
            // Fifty presses at once: each is answered with a run, no two runs overlap (one
            // running row at most), and every run ends done.
            let presses = futures::future::join_all((0..50).map(|_| app.server_fn(&admin, "start_sync", &[]))).await;
            assert!(presses.iter().all(|(status, _)| *status < 400), "{presses:?}");
            for _ in 0..200 {
                if app.count("SELECT count(*) FROM sync_runs WHERE running = 1").await == 0 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            }
            assert_eq!(app.count("SELECT count(*) FROM sync_runs WHERE state <> 'done'").await, 0);
            assert_eq!(app.count("SELECT count(*) FROM technicians WHERE login_domain = 'CORP'").await, 3, "nothing doubled");
            // A plain engineer is refused and shown nothing.
            app.add_user("Bob", "bob", "bob-lantern-quartz-9", &[]).await;
            let bob = signed_in(&app, "bob", "bob-lantern-quartz-9").await;
            let (status, body) = app.server_fn(&bob, "start_sync", &[]).await;
            assert!(status >= 400 && body.contains("Forbidden"), "{status} {body}");
            let (_, body) = app.server_fn(&bob, "sync_status", &[("id", &id.to_string())]).await;
            assert_eq!(body.trim(), "null");
        }
    }
}

mod settings {
    use super::*;
    use common::{signed_in, ADMIN_LOGIN, ADMIN_PASSWORD};
    use serde_json::Value;

    on_both_backends! {
        async fn the_console_names_directory_files_only_inside_the_directory_folder(app: TestApp) {
            app.create_admin().await;
            let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
            let save = |file: String| {
                let admin = admin.clone();
                let app = &app;
                async move {
                    app.server_fn(&admin, "add_directory", &[
                        ("form[name]", "CORP"), ("form[kind]", "file"), ("form[file]", &file), ("form[preset]", "openldap"),
                    ]).await
                }
            };
            // Anything that is not a plain name inside the folder is refused as it is typed.
            for outside in ["/etc/passwd", "/dev/zero", "/proc/self/environ", "../corp.csv", "a/../../etc/passwd",
                            "./corp.csv", "C:\\corp.csv", "\\\\server\\share\\x.csv", "x//y.csv"] {
                let (status, body) = save(outside.to_owned()).await;
                assert_eq!(status, 422, "{outside}: {body}");
                assert!(common::said(&body).contains("directory folder"), "{outside}: {body}");
            }
            assert_eq!(app.count("SELECT count(*) FROM directories").await, 0);
            // A link inside the folder that leads out of it, a missing file, a folder: saved
            // (they are names inside the folder), and the sync says only that the file cannot
            // be read there: a missing file and a forbidden one read alike.
            std::os::unix::fs::symlink("/etc/passwd", app.directory_root.join("passwd.csv")).unwrap();
            std::os::unix::fs::symlink("/dev/zero", app.directory_root.join("zero.csv")).unwrap();
            std::fs::create_dir(app.directory_root.join("folder.csv")).unwrap();
            let mut said = Vec::new();
            for name in ["passwd.csv", "zero.csv", "missing.csv", "folder.csv"] {
                let (status, body) = save(name.to_owned()).await;
                assert!(status < 400, "{name}: {body}");
                let failed = common::run_sync_with(&app).await.unwrap_err().to_string();
                assert!(!failed.contains("root:") && !failed.contains("No such file") && !failed.contains("denied"), "{failed}");
                said.push(failed.replace(name, "NAME"));
                app.server_fn(&admin, "remove_directory", &[("name", "CORP")]).await;
            }
            assert_eq!(said[0], said[1], "{said:?}");
            assert_eq!(said[0], said[2], "{said:?}");
            assert!(said[3].contains("not a regular file"), "{said:?}");
            assert_eq!(app.count("SELECT count(*) FROM technicians WHERE login_domain = 'CORP'").await, 0);
            // A file in the folder is read.
            std::fs::write(app.directory_root.join("corp.csv"), FIRST).unwrap();
            let (status, body) = save("corp.csv".to_owned()).await;
            assert!(status < 400, "{body}");
            assert_eq!(common::run_sync_with(&app).await.unwrap().created, 3);
            // The operator's absolute path stays as it is when the console changes the
            // mapping; the console cannot move it elsewhere.
            let elsewhere = temp_file("operator", FIRST);
            let mut operator = super::new_directory("OPS", &elsewhere);
            operator.mapping = Preset::OpenLdap.mapping();
            directories::add(&app.db, &Actor::operator(), &AuditContext::new(app::service::Source::Cli, None),
                operator, &app.state.secret_key, 0).await.unwrap();
            let change = |file: String, map: &'static str| {
                let admin = admin.clone();
                let app = &app;
                async move {
                    app.server_fn(&admin, "change_directory", &[
                        ("form[name]", "OPS"), ("form[kind]", "file"), ("form[file]", &file), ("form[preset]", "openldap"), ("form[map]", map),
                    ]).await
                }
            };
            let (status, body) = change(elsewhere.clone(), "title=mail").await;
            assert!(status < 400, "{body}");
            let (status, body) = change("/etc/passwd".to_owned(), "").await;
            assert_eq!(status, 422, "{body}");
            let (path,): (String,) = sqlx::query_as("SELECT file_path FROM directories WHERE name = 'OPS'")
                .fetch_one(app.db.reader()).await.unwrap();
            assert_eq!(path, elsewhere);
        }

        async fn an_admin_adds_and_removes_directories_in_the_settings(app: TestApp) {
            app.create_admin().await;
            let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
            std::fs::write(app.directory_root.join("corp.csv"), FIRST).unwrap();
            let path = "corp.csv".to_owned();
            let fields = |e: &str| -> Vec<String> {
                let v: Value = serde_json::from_str(e).unwrap_or(Value::Null);
                v["Invalid"].as_array().map(|a| a.iter().map(|f| f["field"].as_str().unwrap_or("").to_owned()).collect()).unwrap_or_default()
            };
            // Every bad field is named; nothing is saved.
            let (status, body) = app.server_fn(&admin, "add_directory", &[
                ("form[name]", "a b"), ("form[kind]", "ldap"), ("form[ldap_url]", "http://x"),
                ("form[bind_dn]", "admin"), ("form[base_dn]", "dc=corp"),
                ("form[filter]", "uid=*"), ("form[preset]", "novell"), ("form[map]", "fax=x"),
            ]).await;
            assert_eq!(status, 422, "{body}");
            assert_eq!(fields(&body), ["name", "preset", "ldap_url", "bind_dn", "filter"], "{body}");
            let (status, body) = app.server_fn(&admin, "add_directory", &[("form[name]", "CORP"), ("form[kind]", "file"), ("form[file]", "")]).await;
            assert_eq!(status, 422, "{body}");
            assert_eq!(fields(&body), ["file"]);
            // Huge, multibyte, control characters, an unknown kind: each named, none saved.
            let long = "é".repeat(10_000);
            let hostile: [(&str, &str, &str, &str); 4] = [
                (long.as_str(), "file", "/tmp/x.csv", "name"),
                ("CORP", "file", "/tmp/x\u{0}.csv", "file"),
                ("CORP", "smb", "", "kind"),
                ("CO\u{7}RP", "ldap", "", "name"),
            ];
            for (name, kind, file, field) in hostile {
                let (status, body) = app.server_fn(&admin, "add_directory", &[("form[name]", name), ("form[kind]", kind), ("form[file]", file)]).await;
                assert_eq!(status, 422, "{body:.200}");
                assert_eq!(fields(&body).first().map(String::as_str), Some(field), "{body:.300}");
            }
            assert_eq!(app.count("SELECT count(*) FROM directories").await, 0);
            let (status, body) = app.server_fn(&admin, "add_directory", &[
                ("form[name]", "CORP"), ("form[kind]", "file"), ("form[file]", &path), ("form[preset]", "openldap"),
                ("form[map]", "mobile=pager,\n title = title"),
            ]).await;
            assert!(status < 400, "{body}");
            let (status, body) = app.server_fn(&admin, "add_directory", &[("form[name]", "corp"), ("form[kind]", "file"), ("form[file]", &path)]).await;
            assert_eq!(status, 409, "{body}");
            let (_, body) = app.server_fn(&admin, "directories", &[]).await;
            let list: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(list[0]["name"], "CORP");
            assert!(list[0]["mapping"].to_string().contains(r#"["mobile","pager"]"#), "{list}");
            let html = admin.get(app.url("/settings")).send().await.unwrap().text().await.unwrap();
            assert!(html.contains("Directories") && html.contains(&path), "{html}");
            // Edit: the form comes filled in, with the changes to the preset as they were typed.
            let html = admin.get(app.url("/settings?edit=corp")).send().await.unwrap().text().await.unwrap();
            assert!(html.contains("Change directory CORP"), "{html}");
            assert!(html.contains("value=\"mobile=pager\""), "{html}");
            // A bad change names its field and changes nothing.
            let (status, body) = app.server_fn(&admin, "change_directory", &[
                ("form[name]", "CORP"), ("form[kind]", "file"), ("form[file]", &path), ("form[preset]", "openldap"), ("form[map]", "pager"),
            ]).await;
            assert_eq!(status, 422, "{body}");
            assert_eq!(fields(&body), ["map"]);
            let (status, body) = app.server_fn(&admin, "change_directory", &[
                ("form[name]", "NOPE"), ("form[kind]", "file"), ("form[file]", &path),
                ("form[preset]", "openldap"),
            ]).await;
            assert_eq!(status, 404, "{body}");
            // Changed in place: a new mapping, the same directory, the same engineers.
            common::run_sync_with(&app).await.unwrap();
            let (status, body) = app.server_fn(&admin, "change_directory", &[
                ("form[name]", "corp"), ("form[kind]", "file"), ("form[file]", &path), ("form[preset]", "openldap"),
                ("form[map]", "title=mail"),
            ]).await;
            assert!(status < 400, "{body}");
            let (_, body) = app.server_fn(&admin, "directories", &[]).await;
            let list: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(list[0]["name"], "CORP", "the name stays");
            assert!(list[0]["mapping"].to_string().contains(r#"["title","mail"]"#), "{list}");
            assert!(list[0]["mapping"].to_string().contains(r#"["mobile","mobile"]"#), "{list}");
            let again = common::run_sync_with(&app).await.unwrap();
            assert_eq!(again.line(), "created 0, updated 2, unchanged 1, flagged 0", "{again:?}");
            let title: (Option<String>,) = sqlx::query_as("SELECT job_title FROM technicians WHERE login_name = 'ada'")
                .fetch_one(app.db.reader()).await.unwrap();
            assert_eq!(title.0.as_deref(), Some("ada@corp.example"), "read through the new mapping");
            assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'directory.change' AND after_json LIKE '%title=mail%'").await, 1);
            let (status, body) = app.server_fn(&admin, "remove_directory", &[("name", "CORP")]).await;
            assert!(status < 400, "{body}");
            assert_eq!(app.count("SELECT count(*) FROM directories").await, 0);
            assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action IN ('directory.add', 'directory.remove')").await, 2);
        }
    }
}

fn sync_stale_ms() -> i64 {
    app::service::sync::STALE_MS
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_midway_leaves_the_roster_whole_and_the_next_completes_it() {
    use common::process::{create_admin, sqlite_url};
    let url = sqlite_url("sync-kill");
    create_admin(&url);
    let mut text = String::from("uid,cn,mail,entryUUID\n");
    for i in 0..12_000 {
        text.push_str(&format!("user{i},Engineer {i},,id-{i}\n"));
    }
    let path = temp_file("kill", &text);
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_crewdesk"))
            .args(["--database-url", &url])
            .args(args)
            .env("CREWDESK_LOG", "error")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("crewdesk runs")
    };
    let mut added = cli(&["directory", "add", "CORP", "--file", &path]);
    assert!(added.wait().unwrap().success());
    let db = Db::connect(&url).await.unwrap();
    let mut running = cli(&["directory", "sync"]);
    // Kill it once some batches are in and others are not.
    let mut processed = 0;
    for _ in 0..1500 {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT processed FROM sync_runs WHERE running = 1")
                .fetch_optional(db.reader())
                .await
                .unwrap();
        processed = row.map_or(0, |r| r.0);
        if processed > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(processed > 0, "the sync never got going");
    let _ = std::process::Command::new("kill")
        .args(["-9", &running.id().to_string()])
        .status();
    let _ = running.wait();
    // Whole batches only: the run's counters and the roster agree.
    let (counted, state): (i64, String) =
        sqlx::query_as("SELECT created, state FROM sync_runs ORDER BY id DESC LIMIT 1")
            .fetch_one(db.reader())
            .await
            .unwrap();
    let engineers = count(
        &db,
        "SELECT count(*) FROM technicians WHERE login_domain = 'CORP'",
    )
    .await;
    assert_eq!(engineers, counted, "every batch is all or nothing");
    assert!(engineers < 12_000, "killed midway ({engineers})");
    assert_eq!(state, "running", "it never got to say it ended");
    // A minute on (the dead run's heartbeat has stopped), the next sync completes it.
    let clock = Clock::default();
    clock.advance(sync_stale_ms() + 1);
    let summary = run_sync(&db, &clock).await.unwrap();
    assert_eq!(summary.created + summary.unchanged, 12_000, "{summary:?}");
    assert_eq!(summary.created, 12_000 - engineers);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM technicians WHERE login_domain = 'CORP'"
        )
        .await,
        12_000
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(DISTINCT directory_id) FROM technicians WHERE login_domain = 'CORP'"
        )
        .await,
        12_000
    );
}

async fn count(db: &Db, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db.reader()).await.unwrap();
    n
}
