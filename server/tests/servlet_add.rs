//! AddTechnician over the servlet XML API.

mod common;

use common::{ADMIN_LOGIN, ADMIN_PASSWORD};

on_both_backends! {
    async fn adds_at_once_are_each_answered_alone_and_each_durable(app: TestApp) {
        app.create_admin().await;
        // 48 adds at once, the first 8 logins wanted twice: on SQLite they are committed in
        // batches, and a taken login must fail its own add only.
        let adds = (0..48).map(|i| {
            let app = &app;
            async move {
                let login = format!("crowd{}", i % 40);
                let name = format!("Crowd {i}");
                let email = format!("crowd{i}@example.com");
                let answer = app.add_as_admin(&[("name", &name), ("email", &email), ("loginName", &login)]).await;
                (i, login, answer)
            }
        });
        let answers = futures::future::join_all(adds).await;
        let mut won = std::collections::HashMap::new();
        for (i, login, answer) in &answers {
            if answer.is_success() {
                assert!(won.insert(login.clone(), *i).is_none(), "{login} was given twice");
                let id = answer.userid.expect("userid");
                let (name,): (String,) = sqlx::query_as("SELECT name FROM technicians WHERE id = $1")
                    .bind(id)
                    .fetch_one(app.db.reader())
                    .await
                    .unwrap();
                assert_eq!(name, format!("Crowd {i}"), "the answer's id is this add's engineer");
            } else {
                assert!(answer.message.contains("already taken"), "{}", answer.raw);
            }
        }
        assert_eq!(won.len(), 40, "every login went to exactly one add");
        assert_eq!(app.count("SELECT count(*) FROM technicians WHERE name LIKE 'Crowd %'").await, 40);
        assert_eq!(
            app.count("SELECT count(*) FROM audit_log a JOIN technicians t ON t.id = a.technician_id WHERE a.action = 'technician.add' AND t.name LIKE 'Crowd %'").await,
            40
        );
        assert_eq!(app.count("SELECT count(*) FROM subscriptions WHERE method = 'email' AND contact LIKE 'crowd%'").await, 40);
    }

    async fn an_add_the_database_refuses_fails_alone_among_adds_at_once(app: TestApp) {
        app.create_admin().await;
        // A trigger stands in for a failure no check foresees (say, a site deleted between
        // the lookup and the insert). On PostgreSQL such a failure spoils the transaction of
        // the adds committed with it; they must be written again, each on its own.
        let statements: &[&str] = match app.db.backend() {
            app::service::db::Backend::Sqlite => &["CREATE TRIGGER refuse BEFORE INSERT ON technicians \
                WHEN NEW.name LIKE 'Refused %' BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"],
            app::service::db::Backend::Postgres => &[
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN \
                 IF NEW.name LIKE 'Refused %' THEN RAISE EXCEPTION 'refused by a trigger'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER refuse BEFORE INSERT ON technicians FOR EACH ROW EXECUTE FUNCTION refuse()",
            ],
        };
        for statement in statements {
            sqlx::query(statement).execute(app.db.writer()).await.unwrap();
        }
        let adds = (0..40).map(|i| {
            let app = &app;
            async move {
                let name = if i % 7 == 3 { format!("Refused {i}") } else { format!("Accepted {i}") };
                let email = format!("batch{i}@example.com");
                (name.clone(), app.add_as_admin(&[("name", &name), ("email", &email)]).await)
            }
        });
        let answers = futures::future::join_all(adds).await;
        for (name, answer) in &answers {
            if name.starts_with("Refused") {
                assert!(!answer.is_success(), "{name}: {}", answer.raw);
                assert!(answer.userid.is_none());
            } else {
                assert!(answer.is_success(), "{name}: {}", answer.raw);
                let id = answer.userid.expect("userid");
                let (stored,): (String,) = sqlx::query_as("SELECT name FROM technicians WHERE id = $1")
                    .bind(id)
                    .fetch_one(app.db.reader())
                    .await
                    .unwrap();
                assert_eq!(&stored, name);
            }
        }
        assert_eq!(app.count("SELECT count(*) FROM technicians WHERE name LIKE 'Accepted %'").await, 34);
        assert_eq!(app.count("SELECT count(*) FROM technicians WHERE name LIKE 'Refused %'").await, 0);
        assert_eq!(
            app.count("SELECT count(*) FROM audit_log WHERE action = 'technician.add' AND source = 'xml'").await,
            34,
            "one audit row per engineer added, none for a refused one"
        );
        assert_eq!(app.count("SELECT count(*) FROM subscriptions WHERE contact LIKE 'batch%'").await, 34);
    }

    async fn adding_a_technician_answers_success_with_its_userid(app: TestApp) {
        app.create_admin().await;
        let answer = app.add_as_admin(&[("name", "Ada Lovelace"), ("email", "ada@example.com")]).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.content_type, "application/xml; charset=utf-8");
        assert_eq!(answer.operation, "AddTechnician");
        assert!(answer.is_success(), "{}", answer.raw);
        assert_eq!(answer.message, "Technician added successfully");
        let id = answer.userid.expect("userid on success");
        let name: (String,) = sqlx::query_as("SELECT name FROM technicians WHERE id = $1")
            .bind(id)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
        assert_eq!(name.0, "Ada Lovelace");
        assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE source = 'xml' AND action = 'technician.add'").await, 1);
    }

    async fn a_wrong_password_and_an_unknown_user_answer_alike(app: TestApp) {
        app.create_admin().await;
        let wrong = app
            .servlet("/servlets/TechnicianServlet", &[("operation", "AddTechnician"), ("username", ADMIN_LOGIN), ("password", "nope-nope"), ("name", "X")])
            .await;
        let unknown = app
            .servlet("/servlets/TechnicianServlet", &[("operation", "AddTechnician"), ("username", "ghost"), ("password", "nope-nope"), ("name", "X")])
            .await;
        assert_eq!(wrong.code(), "AUTH_FAILED");
        assert_eq!(unknown.code(), "AUTH_FAILED");
        assert_eq!(wrong.message, unknown.message);
        assert_eq!(app.count("SELECT count(*) FROM technicians").await, 1);
    }

    async fn ten_failures_hold_the_account_back_even_from_the_right_password(app: TestApp) {
        app.create_admin().await;
        for _ in 0..10 {
            let answer = app
                .servlet("/servlets/TechnicianServlet", &[("operation", "AddTechnician"), ("username", ADMIN_LOGIN), ("password", "wrong-password"), ("name", "X")])
                .await;
            assert_eq!(answer.code(), "AUTH_FAILED");
        }
        let answer = app.add_as_admin(&[("name", "Ada")]).await;
        assert_eq!(answer.code(), "RATE_LIMITED", "{}", answer.raw);
        let console = app.new_client();
        let response = app.sign_in(&console, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        assert!(common::said(&common::answer(response).await.1).contains("too many failed sign-ins"));
    }

    async fn a_plain_engineer_may_not_add_technicians(app: TestApp) {
        app.create_admin().await;
        let added = app.add_as_admin(&[("name", "Bob"), ("loginName", "bob"), ("pwd", "bob-lantern-quartz-9"), ("enableLogin", "true")]).await;
        assert!(added.is_success(), "{}", added.raw);
        let answer = app
            .servlet("/servlets/TechnicianServlet", &[("operation", "AddTechnician"), ("username", "bob"), ("password", "bob-lantern-quartz-9"), ("name", "Eve")])
            .await;
        assert_eq!(answer.code(), "NOT_AUTHORIZED", "{}", answer.raw);
    }

    async fn invalid_input_names_each_bad_field_and_saves_nothing(app: TestApp) {
        app.create_admin().await;
        let answer = app.add_as_admin(&[("name", "Ada"), ("email", "not-an-email"), ("costPerHr", "-4")]).await;
        assert_eq!(answer.code(), "INVALID_INPUT");
        assert!(answer.message.contains("email:"), "{}", answer.message);
        assert!(answer.message.contains("costPerHr:"), "{}", answer.message);
        assert_eq!(app.count("SELECT count(*) FROM technicians").await, 1);
    }

    async fn a_taken_login_name_answers_login_name_exists(app: TestApp) {
        app.create_admin().await;
        let first = app.add_as_admin(&[("name", "Ada"), ("loginName", "ada")]).await;
        assert!(first.is_success(), "{}", first.raw);
        let second = app.add_as_admin(&[("name", "Ada Two"), ("loginName", "ADA")]).await;
        assert_eq!(second.code(), "LOGIN_NAME_EXISTS");
        let other_domain = app.add_as_admin(&[("name", "Ada Corp"), ("loginName", "ada"), ("userDomainName", "CORP")]).await;
        assert!(other_domain.is_success(), "{}", other_domain.raw);
    }

    async fn two_simultaneous_adds_of_one_login_name_let_exactly_one_through(app: TestApp) {
        app.create_admin().await;
        let (a, b) = tokio::join!(
            app.add_as_admin(&[("name", "Twin A"), ("loginName", "twin")]),
            app.add_as_admin(&[("name", "Twin B"), ("loginName", "twin")]),
        );
        let successes = [&a, &b].iter().filter(|x| x.is_success()).count();
        assert_eq!(successes, 1, "{} / {}", a.raw, b.raw);
        assert!([a.code(), b.code()].contains(&"LOGIN_NAME_EXISTS"));
        assert_eq!(app.count("SELECT count(*) FROM technicians WHERE login_name = 'twin'").await, 1);
    }

    async fn an_unknown_site_or_department_still_adds_and_says_what_was_missing(app: TestApp) {
        app.create_admin().await;
        let answer = app.add_as_admin(&[("name", "Ada"), ("techSiteName", "Atlantis"), ("departmentName", "Sales")]).await;
        assert!(answer.is_success(), "{}", answer.raw);
        assert!(answer.message.contains("Atlantis"), "{}", answer.message);
        assert!(answer.message.contains("Sales"), "{}", answer.message);
        let site: (Option<i64>, Option<i64>) = sqlx::query_as("SELECT site_id, department_id FROM technicians WHERE id = $1")
            .bind(answer.userid.unwrap())
            .fetch_one(app.db.reader())
            .await
            .unwrap();
        assert_eq!(site, (None, None));
    }

    async fn a_body_over_64_kib_is_refused_with_the_envelope(app: TestApp) {
        let big = "x".repeat(70 * 1024);
        let answer = app.servlet("/servlets/TechnicianServlet", &[("operation", "AddTechnician"), ("name", &big)]).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.code(), "INVALID_INPUT");
        assert!(answer.message.contains("64 KiB"));
    }

    async fn an_unknown_operation_is_named_in_the_answer(app: TestApp) {
        app.create_admin().await;
        let answer = app
            .servlet("/servlets/TechnicianServlet", &[("operation", "FlyTechnician"), ("username", ADMIN_LOGIN), ("password", ADMIN_PASSWORD)])
            .await;
        assert_eq!(answer.code(), "UNKNOWN_OPERATION");
        assert!(answer.message.contains("FlyTechnician"));
    }

    async fn the_request_servlet_dispatches_on_target_url(app: TestApp) {
        app.create_admin().await;
        let answer = app
            .servlet("/servlets/RequestServlet", &[
                ("targetURL", "/servlets/TechnicianServlet"),
                ("operation", "AddTechnician"),
                ("username", ADMIN_LOGIN),
                ("password", ADMIN_PASSWORD),
                ("name", "Via Request"),
            ])
            .await;
        assert!(answer.is_success(), "{}", answer.raw);
    }

    async fn a_session_cookie_is_no_credential_on_the_servlets(app: TestApp) {
        app.create_admin().await;
        let console = app.new_client();
        let signed_in = app.sign_in(&console, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        assert!(signed_in.status().is_success());
        let response = console
            .post(app.url("/servlets/TechnicianServlet"))
            .form(&[("operation", "AddTechnician"), ("name", "Cookie Monster")])
            .send()
            .await
            .unwrap();
        let answer = common::xml::Answer::read(response).await;
        assert_eq!(answer.code(), "AUTH_FAILED");
    }

    async fn directory_authentication_fails_clearly_until_a_directory_is_configured(app: TestApp) {
        app.create_admin().await;
        let answer = app.add_as_admin(&[("logonDomainName", "AD_AUTH"), ("name", "X")]).await;
        assert_eq!(answer.code(), "AUTH_FAILED");
        assert!(answer.message.contains("directory"), "{}", answer.message);
    }
}

mod sample_forms {
    use super::common::{Backend, TestApp};

    #[tokio::test]
    async fn each_sample_form_posts_its_operation_to_the_request_servlet() {
        let app = TestApp::spawn(Backend::Sqlite).await.expect("SQLite");
        server::cli::add_udf(&app.db, "UDF_CHAR1", "Badge")
            .await
            .expect("udf");
        for (form, operation, target) in [
            (
                "add-technician",
                "AddTechnician",
                "/servlets/TechnicianServlet",
            ),
            (
                "update-technician",
                "UpdateTechnician",
                "/servlets/TechnicianServlet",
            ),
            (
                "get-technician",
                "GetTechnician",
                "/servlets/TechnicianServlet",
            ),
            (
                "delete-technician",
                "DeleteTechnician",
                "/servlets/TechnicianOperationServlet",
            ),
        ] {
            let response = app
                .client
                .get(app.url(&format!("/servlets/forms/{form}")))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{form}");
            let html = response.text().await.unwrap();
            assert!(
                html.contains(r#"action="/servlets/RequestServlet""#),
                "{form}"
            );
            assert!(
                html.contains(&format!(r#"name="operation" value="{operation}""#)),
                "{form}"
            );
            assert!(
                html.contains(&format!(r#"name="targetURL" value="{target}""#)),
                "{form}"
            );
            assert!(
                html.contains(r#"name="username""#) && html.contains(r#"name="logonDomainName""#),
                "{form}"
            );
        }
        let add = app
            .client
            .get(app.url("/servlets/forms/add-technician"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            add.contains(r#"name="UDF_CHAR1""#),
            "defined UDFs are on the add form"
        );
        let missing = app
            .client
            .get(app.url("/servlets/forms/fly-technician"))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
    }
}
