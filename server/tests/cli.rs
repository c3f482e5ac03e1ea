//! The operator contract: the `crewdesk` binary's subcommands and their one-line failures.

use std::process::Command;

fn crewdesk(db: &str, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_crewdesk"))
        .arg("--database-url")
        .arg(db)
        .args(args)
        .env_remove("CREWDESK_ADMIN_PASSWORD")
        .env("CREWDESK_LOG", "error")
        // From the top of the source tree, as scripts/run.sh runs it.
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("crewdesk runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

fn fresh_db(tag: &str) -> String {
    let dir = std::env::temp_dir().join("crewdesk-cli-tests");
    format!(
        "sqlite:{}/{}-{}-{}.db",
        dir.display(),
        tag,
        std::process::id(),
        rand::random::<u32>()
    )
}

#[test]
fn reference_data_and_an_admin_are_created_from_the_command_line() {
    let db = fresh_db("ok");
    assert!(crewdesk(&db, &["migrate"]).0);
    let (ok, out, err) = crewdesk(&db, &["site", "add", "Asia-Pacific"]);
    assert!(ok, "{err}");
    assert!(out.contains("Asia-Pacific"));
    assert!(
        crewdesk(
            &db,
            &["department", "add", "Operations", "--site", "Asia-Pacific"]
        )
        .0
    );
    assert!(crewdesk(&db, &["department", "add", "Finance"]).0);
    assert!(crewdesk(&db, &["group", "add", "Asia-Pacific", "Network"]).0);
    let (ok, out, err) = crewdesk(
        &db,
        &[
            "admin",
            "create",
            "--login",
            "ops",
            "--password",
            "long-enough-1",
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("Created SDAdmin 'ops'"), "{out}");
    let (ok, out, err) = crewdesk(&db, &["udf", "add", "UDF_CHAR1", "Badge number"]);
    assert!(ok, "{err}");
    assert!(out.contains("UDF_CHAR1"), "{out}");
    // The roster as CSV: a header and the one engineer, with the UDF column.
    let (ok, csv, err) = crewdesk(&db, &["roster", "export", "--bom"]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert!(csv.starts_with('\u{feff}') && lines.len() == 2, "{csv}");
    assert!(
        lines[0].starts_with("id,name,") && lines[0].ends_with(",UDF_CHAR1"),
        "{csv}"
    );
    assert!(lines[1].contains(",ops,"), "{csv}");
    let (ok, csv, _) = crewdesk(&db, &["roster", "export", "--q", "nobody-matches"]);
    assert!(ok && csv.lines().count() == 1, "{csv}");
}

#[test]
fn bad_input_fails_with_one_line_and_a_non_zero_exit() {
    let db = fresh_db("bad");
    assert!(crewdesk(&db, &["site", "add", "Beijing"]).0);
    let cases: &[(&[&str], &str)] = &[
        (&["site", "add", "Beijing"], "already exists"),
        (&["site", "add", "default"], "reserved"),
        (&["site", "add", "a,b"], "may not contain ','"),
        (
            &["department", "add", "Ops", "--site", "Nowhere"],
            "no site named 'Nowhere'",
        ),
        (
            &["group", "add", "Nowhere", "Net"],
            "no site named 'Nowhere'",
        ),
        (
            &[
                "admin",
                "create",
                "--login",
                "x y",
                "--password",
                "long-enough-1",
            ],
            "--login",
        ),
        (
            &["admin", "create", "--login", "ops", "--password", "short"],
            "at least 8",
        ),
        (&["udf", "add", "char1", "Badge"], "UDF_"),
        (&["udf", "add", "UDF_CHAR2", " "], "alias"),
    ];
    for (args, fragment) in cases {
        let (ok, _, err) = crewdesk(&db, args);
        assert!(!ok, "{args:?} should fail");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(fragment), "{args:?}: {err}");
    }
    assert!(crewdesk(&db, &["udf", "add", "UDF_CHAR1", "Badge"]).0);
    let (ok, _, err) = crewdesk(&db, &["udf", "add", "UDF_CHAR1", "Again"]);
    assert!(!ok);
    assert!(err.contains("already defined"), "{err}");
    let (ok, _, err) = crewdesk("mysql://nowhere", &["migrate"]);
    assert!(!ok);
    assert!(err.contains("sqlite:PATH"), "{err}");
}

#[test]
fn serve_refuses_notification_settings_that_cannot_work() {
    let db = fresh_db("serve-bad");
    let cases: &[(&[&str], &str)] = &[
        (
            &["--delivery-lease", "5", "--provider-timeout", "10"],
            "--delivery-lease (5 s) must be longer than --provider-timeout (10 s)",
        ),
        (
            &["--webhook-allow", "ftp://robots.example"],
            "--webhook-allow 'ftp://robots.example'",
        ),
        (
            &["--webhook-allow", "https://robots.example/hook"],
            "names a path",
        ),
        (&["--public-url", "javascript:alert(1)"], "--public-url"),
    ];
    for (options, fragment) in cases {
        let mut args = vec!["serve", "--addr", "127.0.0.1:0"];
        args.extend_from_slice(options);
        let (ok, _, err) = crewdesk(&db, &args);
        assert!(!ok, "{args:?} should fail");
        assert!(err.contains(fragment), "{args:?}: {err}");
    }
    // Out of range is refused by the option itself.
    let (ok, _, err) = crewdesk(
        &db,
        &["serve", "--addr", "127.0.0.1:0", "--delivery-lease", "0"],
    );
    assert!(!ok && err.contains("--delivery-lease"), "{err}");
    for bad in ["not-an-address", "10.0.0.0/33", "300.1.1.1"] {
        let option = format!("--trusted-proxy={bad}");
        let (ok, _, err) = crewdesk(&db, &["serve", "--addr", "127.0.0.1:0", &option]);
        assert!(
            !ok && err.contains("not an address or a network"),
            "{bad}: {err}"
        );
    }
    for bad in ["0", "-1", "many"] {
        let option = format!("--max-connections={bad}");
        let (ok, _, err) = crewdesk(&db, &["serve", "--addr", "127.0.0.1:0", &option]);
        assert!(!ok && err.contains("--max-connections"), "{bad}: {err}");
    }
}

#[test]
fn demo_data_is_ready_to_sign_in_with() {
    let db = fresh_db("demo");
    let (ok, out, err) = crewdesk(&db, &["demo"]);
    assert!(ok, "{err}");
    assert!(out.contains("Sign in as: admin / "), "{out}");
    // Running it again keeps the roster and issues a new password.
    let (ok, again, _) = crewdesk(&db, &["demo"]);
    assert!(ok);
    assert_ne!(out, again);
    // The demo directory makes Synchronize Engineer Info work on first run.
    assert!(out.contains("Directory CORP reads"), "{out}");
    let (ok, synced, err) = crewdesk(&db, &["directory", "sync"]);
    assert!(ok, "{err}");
    assert_eq!(
        synced.trim(),
        "created 10, updated 0, unchanged 0, flagged 0"
    );
}

#[test]
fn api_keys_are_created_listed_and_revoked_and_shown_only_once() {
    let db = fresh_db("apikey");
    let (ok, key, err) = crewdesk(&db, &["apikey", "create", "monitoring"]);
    assert!(ok, "{err}");
    let key = key.trim();
    assert!(key.starts_with("cdk_") && key.len() == 68, "{key}");
    assert!(err.contains("only this once"), "{err}");
    let (ok, _, err) = crewdesk(&db, &["apikey", "create", "monitoring"]);
    assert!(
        !ok && err.contains("exists already") && err.lines().count() == 1,
        "{err}"
    );
    let (ok, list, _) = crewdesk(&db, &["apikey", "list"]);
    assert!(
        ok && list.contains("monitoring") && list.contains("live"),
        "{list}"
    );
    assert!(
        !list.contains(key),
        "the key itself is never shown again: {list}"
    );
    let (ok, out, err) = crewdesk(&db, &["apikey", "revoke", "monitoring"]);
    assert!(ok && out.contains("Revoked"), "{err}");
    let (ok, _, err) = crewdesk(&db, &["apikey", "revoke", "monitoring"]);
    assert!(!ok && err.contains("no live API key"), "{err}");
    let (ok, _, err) = crewdesk(&db, &["apikey", "create", "bad\u{7}name"]);
    assert!(!ok && err.contains("control characters"), "{err}");

    // A key for the roster has an owner; the list says whose and what it may do.
    let (ok, _, err) = crewdesk(
        &db,
        &["apikey", "create", "roster", "--scope", "technicians:read"],
    );
    assert!(!ok && err.contains("may only notify"), "{err}");
    let (ok, _, err) = crewdesk(
        &db,
        &[
            "apikey", "create", "roster", "--owner", "ops", "--scope", "root",
        ],
    );
    assert!(
        !ok && err.contains("is not a scope") && err.lines().count() == 1,
        "{err}"
    );
    let (ok, _, err) = crewdesk(
        &db,
        &[
            "apikey",
            "create",
            "roster",
            "--owner",
            "nobody",
            "--scope",
            "technicians:read",
        ],
    );
    assert!(!ok && err.contains("no account 'nobody'"), "{err}");
    let admin = [
        "admin",
        "create",
        "--login",
        "ops",
        "--password",
        "long-enough-1",
    ];
    assert!(crewdesk(&db, &admin).0);
    let (ok, _, err) = crewdesk(
        &db,
        &[
            "apikey",
            "create",
            "roster",
            "--owner",
            "ops",
            "--scope",
            "technicians:read",
            "--scope",
            "technicians:write",
        ],
    );
    assert!(ok, "{err}");
    let (_, list, _) = crewdesk(&db, &["apikey", "list"]);
    let line = list
        .lines()
        .find(|l| l.starts_with("roster"))
        .unwrap_or_default();
    assert!(
        line.contains("technicians:read technicians:write") && line.contains("owner ops"),
        "{list}"
    );
}

#[test]
fn directories_are_added_listed_synced_and_removed_from_the_command_line() {
    let db = fresh_db("directory");
    let (ok, _, err) = crewdesk(&db, &["directory", "sync"]);
    assert!(!ok && err.contains("no directory is configured"), "{err}");
    let file = std::env::temp_dir().join(format!("crewdesk-cli-dir-{}.json", std::process::id()));
    std::fs::write(
        &file,
        r#"[{"uid":"ada","cn":"Ada Lovelace","entryUUID":"1"},{"uid":"bo","cn":"Bo","entryUUID":"2"}]"#,
    )
    .unwrap();
    let path = file.display().to_string();
    let (ok, out, err) = crewdesk(&db, &["directory", "add", "CORP", "--file", &path]);
    assert!(ok, "{err}");
    assert!(out.contains("Added directory 'CORP'"), "{out}");
    let cases: &[(&[&str], &str)] = &[
        (
            &["directory", "add", "corp", "--file", &path],
            "already exists",
        ),
        (
            &["directory", "add", "a b", "--file", &path],
            "NAME must be",
        ),
        (
            &[
                "directory",
                "add",
                "X",
                "--file",
                &path,
                "--preset",
                "novell",
            ],
            "--preset",
        ),
        (
            &[
                "directory",
                "add",
                "X",
                "--file",
                &path,
                "--map",
                "fax=pager",
            ],
            "--map",
        ),
        (
            &["directory", "add", "X", "--file", &path, "--map", "mobile"],
            "FIELD=ATTRIBUTE",
        ),
        (&["directory", "sync", "NOPE"], "no directory named 'NOPE'"),
        (
            &["directory", "remove", "NOPE"],
            "no directory named 'NOPE'",
        ),
    ];
    for (args, fragment) in cases {
        let (ok, _, err) = crewdesk(&db, args);
        assert!(!ok, "{args:?} should fail");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(fragment), "{args:?}: {err}");
    }
    let (ok, out, err) = crewdesk(&db, &["directory", "sync"]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "created 2, updated 0, unchanged 0, flagged 0");
    let (_, out, _) = crewdesk(&db, &["directory", "sync", "corp"]);
    assert_eq!(out.trim(), "created 0, updated 0, unchanged 2, flagged 0");
    let (_, out, _) = crewdesk(&db, &["directory", "list"]);
    assert!(out.starts_with("CORP\tfile "), "{out}");
    assert!(crewdesk(&db, &["directory", "remove", "CORP"]).0);
    let (_, out, _) = crewdesk(&db, &["directory", "list"]);
    assert!(out.contains("No directories"), "{out}");
}

#[test]
fn an_ldap_directory_is_added_with_checked_settings_and_no_stored_password() {
    let db = fresh_db("ldap");
    let good = [
        "--ldap-url",
        "ldap://127.0.0.1:1389",
        "--bind-dn",
        "cn=crewdesk,dc=corp,dc=example",
        "--bind-password-env",
        "CORP_LDAP_PASSWORD",
        "--base-dn",
        "ou=people,dc=corp,dc=example",
    ];
    let with = |name: &str, change: &[(&str, &str)], extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = vec!["directory".into(), "add".into(), name.into()];
        for pair in good.chunks(2) {
            let value = change
                .iter()
                .find(|(k, _)| *k == pair[0])
                .map_or(pair[1], |(_, v)| *v);
            args.push(pair[0].into());
            args.push(value.into());
        }
        args.extend(extra.iter().map(|e| (*e).to_owned()));
        args
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            with("L", &[("--ldap-url", "http://x")], &[]),
            "must start with ldap://",
        ),
        (
            with("L", &[("--ldap-url", "ldap://")], &[]),
            "names no host",
        ),
        (
            with("L", &[("--bind-password-env", "lower case")], &[]),
            "variable name",
        ),
        (with("L", &[("--base-dn", "people")], &[]), "not a DN"),
        (with("L", &[], &["--filter", "uid=*"]), "in parentheses"),
        (
            with("L", &[("--ldap-url", "ldaps://x")], &["--starttls"]),
            "TLS already",
        ),
        (with("L", &[], &["--file", "x.csv"]), "--file"),
        (
            vec![
                "directory".into(),
                "add".into(),
                "L".into(),
                "--ldap-url".into(),
                "ldap://x".into(),
            ],
            "--bind-dn",
        ),
    ];
    for (args, fragment) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, _, err) = crewdesk(&db, &args);
        assert!(!ok, "{args:?} should fail");
        assert!(err.contains(fragment), "{args:?}: {err}");
    }
    let args = with("CORP", &[], &["--preset", "ad", "--starttls"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, out, err) = crewdesk(&db, &args);
    assert!(ok, "{err}");
    assert!(out.contains("ldap://127.0.0.1:1389 +StartTLS ou=people,dc=corp,dc=example (password from $CORP_LDAP_PASSWORD)"), "{out}");
    // Nothing secret is kept: the variable is not even read when adding.
    let (_, list, _) = crewdesk(&db, &["directory", "list"]);
    assert!(
        list.contains("CORP\tldap://") && list.ends_with("\tad\n"),
        "{list}"
    );
}

#[tokio::test]
async fn demo_fills_a_new_database_with_a_large_roster_and_refuses_an_old_one() {
    let db = fresh_db("demo-many");
    let (ok, out, err) = crewdesk(&db, &["demo", "--engineers", "1200"]);
    assert!(ok, "{err}");
    assert!(out.contains("Added 1200 generated engineers"), "{out}");
    assert!(out.contains("cannot sign in"), "{out}");
    let pool = app::service::Db::connect(&db).await.unwrap();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            let (n,): (i64,) = sqlx::query_as(sql).fetch_one(pool.reader()).await.unwrap();
            n
        }
    };
    // The 36 demo engineers, the admin and the 1,200, each audited; none can sign in.
    assert_eq!(count("SELECT count(*) FROM technicians").await, 1237);
    assert_eq!(
        count("SELECT count(*) FROM audit_log WHERE action = 'technician.add'").await,
        1237
    );
    assert_eq!(
        count("SELECT count(*) FROM technicians WHERE login_enabled = 1 AND name LIKE '% %' AND name GLOB '*[0-9]'").await,
        0
    );

    let (ok, _, err) = crewdesk(&db, &["demo", "--engineers", "5"]);
    assert!(!ok);
    assert!(err.contains("the roster is not empty"), "{err}");
    assert_eq!(count("SELECT count(*) FROM technicians").await, 1237);
    for bad in ["0", "-3", "lots", "1000001", "1e3"] {
        let arg = format!("--engineers={bad}");
        let (ok, _, err) = crewdesk(&fresh_db("demo-bad"), &["demo", &arg]);
        assert!(!ok, "--engineers {bad} was taken");
        assert!(err.contains("--engineers"), "{bad}: {err}");
    }
}

#[test]
fn a_roster_csv_is_previewed_then_applied_with_each_row_s_outcome() {
    let db = fresh_db("import");
    assert!(crewdesk(&db, &["migrate"]).0);
    assert!(crewdesk(&db, &["site", "add", "London"]).0);
    let dir = std::env::temp_dir().join("crewdesk-cli-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("import-{}.csv", rand::random::<u32>()));
    std::fs::write(
        &file,
        "name,email,techSiteName\r\nAda,ada@example.com,London\r\nBad,not-an-address,London\r\n",
    )
    .unwrap();
    let path = file.display().to_string();

    // A preview: each row's outcome on standard output, the counts as the failure.
    let (ok, report, err) = crewdesk(&db, &["roster", "import", &path]);
    assert!(!ok, "a row with a problem fails the command");
    assert!(
        report.starts_with("row,outcome,id,field,problem,code\r\n2,create,,,,"),
        "{report}"
    );
    assert!(report.contains("3,error,,email,"), "{report}");
    assert!(
        err.contains("1 to create") && err.contains("1 with problems") && err.contains("--apply"),
        "{err}"
    );
    let (_, listed, _) = crewdesk(&db, &["roster", "export"]);
    assert!(
        !listed.contains("Ada"),
        "a preview changes nothing: {listed}"
    );

    // Applied: the good row is created, the bad one changes nothing.
    let (ok, report, err) = crewdesk(&db, &["roster", "import", &path, "--apply"]);
    assert!(!ok);
    assert!(
        err.contains("1 created") && err.contains("1 with problems"),
        "{err}"
    );
    assert!(report.contains("\r\n2,create,1,"), "{report}");
    let (_, listed, _) = crewdesk(&db, &["roster", "export"]);
    assert!(
        listed.contains("Ada") && !listed.contains("Bad"),
        "{listed}"
    );

    // A file that is not a roster is refused whole, with why.
    std::fs::write(&file, "Name,Emial\nAda,x\n").unwrap();
    let (ok, _, err) = crewdesk(&db, &["roster", "import", &path]);
    assert!(!ok);
    assert!(
        err.contains("names columns Crewdesk does not know: Name, Emial"),
        "{err}"
    );
    let (ok, _, err) = crewdesk(&db, &["roster", "import", "/nonexistent/roster.csv"]);
    assert!(!ok && err.contains("/nonexistent/roster.csv"), "{err}");

    // Ada's email was asked to be confirmed when she was imported: the ledger says so.
    let (ok, ledger, err) = crewdesk(&db, &["consent", "export"]);
    assert!(ok, "{err}");
    assert!(
        ledger.starts_with("at,engineerId,engineer,method,address,event,how,actor,from\r\n"),
        "{ledger}"
    );
    assert!(
        ledger.contains(",1,Ada,email,ada@example.com,requested,contact changed,,\r\n"),
        "{ledger}"
    );
}
