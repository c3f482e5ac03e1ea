//! Whatever is posted to the servlets, the answer is HTTP 200 with a well-formed envelope
//! carrying a published error code: never a 5xx, a stack trace or broken XML.

mod common;

use common::{xml, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

const PATHS: [&str; 3] = [
    "/servlets/TechnicianServlet",
    "/servlets/TechnicianOperationServlet",
    "/servlets/RequestServlet",
];

const CODES: [&str; 10] = [
    "AUTH_FAILED",
    "NOT_AUTHORIZED",
    "SITE_RESTRICTED",
    "LOGIN_NAME_EXISTS",
    "AMBIGUOUS_TECHNICIAN",
    "TECHNICIAN_NOT_FOUND",
    "PROTECTED_ADMIN",
    "INVALID_INPUT",
    "UNKNOWN_OPERATION",
    "RATE_LIMITED",
];

const ATTRIBUTES: [&str; 30] = [
    "name",
    "alias",
    "employeeId",
    "email",
    "phone",
    "mobile",
    "smsMailId",
    "costPerHr",
    "jobTitle",
    "techSiteName",
    "departmentName",
    "associateSites",
    "associateGroups",
    "associateRols",
    "associateRoles",
    "approvePurchaseOrder",
    "enableLogin",
    "loginName",
    "pwd",
    "userDomainName",
    "techLoginName",
    "techDomainName",
    "techEmailId",
    "techUserName",
    "userid",
    "domainName",
    "emailId",
    "targetURL",
    "UDF_CHAR1",
    "logonDomainName",
];

#[derive(Debug, Clone)]
struct Posted {
    path: &'static str,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

/// Arbitrary bytes under an arbitrary content type.
fn raw_bytes() -> impl Strategy<Value = Posted> {
    (
        prop::sample::select(PATHS.to_vec()),
        prop::option::of(prop::sample::select(vec![
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=X",
            "multipart/form-data",
            "text/plain",
            "application/xml",
        ])),
        prop::collection::vec(any::<u8>(), 0..1024),
    )
        .prop_map(|(path, content_type, body)| Posted {
            path,
            content_type,
            body,
        })
}

/// A form with the admin's credentials, a real operation and attributes with arbitrary text,
/// so the requests reach the parsers and the rules, not only authentication.
fn authenticated_form() -> impl Strategy<Value = Posted> {
    let operation = prop::sample::select(vec![
        "AddTechnician",
        "UpdateTechnician",
        "GetTechnician",
        "DeleteTechnician",
        "",
        "addtechnician",
    ]);
    let attribute = (prop::sample::select(ATTRIBUTES.to_vec()), any::<String>());
    (
        prop::sample::select(PATHS.to_vec()),
        operation,
        prop::collection::vec(attribute, 0..12),
    )
        .prop_map(|(path, operation, attributes)| {
            let mut form = form_urlencoded::Serializer::new(String::new());
            form.append_pair("username", ADMIN_LOGIN);
            form.append_pair("password", ADMIN_PASSWORD);
            form.append_pair("operation", operation);
            for (name, value) in &attributes {
                form.append_pair(name, value);
            }
            Posted {
                path,
                content_type: Some("application/x-www-form-urlencoded"),
                body: form.finish().into_bytes(),
            }
        })
}

/// Text that stresses byte handling: long runs of multi-byte characters, combining marks,
/// control characters and plain ASCII, up to a few hundred characters.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\PC]{0,400}",
        (
            prop::sample::select(vec!["张", "é", "🦀", "\u{301}", "\0", "\\", "%", "&", "<"]),
            0..400usize
        )
            .prop_map(|(unit, n)| unit.repeat(n)),
    ]
}

/// Every parameter arbitrary, credentials included: what an unauthenticated stranger sends.
fn any_credentials() -> impl Strategy<Value = Posted> {
    let names = vec![
        "username",
        "password",
        "DOMAIN_NAME",
        "logonDomainName",
        "operation",
        "targetURL",
        "name",
        "userid",
    ];
    (
        prop::sample::select(PATHS.to_vec()),
        prop::collection::vec((prop::sample::select(names), hostile_text()), 0..10),
    )
        .prop_map(|(path, pairs)| {
            let mut form = form_urlencoded::Serializer::new(String::new());
            for (name, value) in &pairs {
                form.append_pair(name, value);
            }
            Posted {
                path,
                content_type: Some("application/x-www-form-urlencoded"),
                body: form.finish().into_bytes(),
            }
        })
}

fn xml_chars_only(text: &str) -> bool {
    text.chars().all(|c| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    })
}

async fn post(app: &TestApp, posted: &Posted) -> Result<(u16, String, String), reqwest::Error> {
    let mut request = app
        .client
        .post(app.url(posted.path))
        .body(posted.body.clone());
    if let Some(content_type) = posted.content_type {
        request = request.header("content-type", content_type);
    }
    xml::parts(request.send().await?).await
}

fn check(status: u16, content_type: &str, raw: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(status, 200, "{}", raw);
    prop_assert_eq!(content_type, "application/xml; charset=utf-8");
    prop_assert!(
        xml_chars_only(raw),
        "a character XML 1.0 forbids: {:?}",
        raw
    );
    let answer = xml::parse(raw).map_err(|e| TestCaseError::fail(format!("{e}: {raw}")))?;
    match answer.operationstatus.as_str() {
        "Success" => prop_assert!(answer.userid.is_some(), "{}", raw),
        "Failure" => {
            let code = answer.errorcode.clone().unwrap_or_default();
            prop_assert!(CODES.contains(&code.as_str()), "code {:?}: {}", code, raw);
            prop_assert!(!answer.message.is_empty(), "{}", raw);
        }
        other => prop_assert!(false, "operationstatus {:?}: {}", other, raw),
    }
    Ok(())
}

fn run_cases(app: &TestApp, strategy: impl Strategy<Value = Posted>, cases: u32) {
    let handle = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = tokio::task::block_in_place(|| {
        runner.run(&strategy, |posted| {
            let (status, content_type, raw) = handle
                .block_on(post(app, &posted))
                .map_err(|e| TestCaseError::fail(format!("no answer: {e}")))?;
            check(status, &content_type, &raw)
        })
    });
    if let Err(err) = result {
        panic!("{err}");
    }
}

on_both_backends! {
    async fn any_bytes_get_a_well_formed_envelope(app: TestApp) {
        app.create_admin().await;
        run_cases(&app, raw_bytes(), 96);
    }

    async fn any_credentials_get_a_well_formed_envelope(app: TestApp) {
        app.create_admin().await;
        run_cases(&app, any_credentials(), 64);
    }

    async fn any_console_sign_in_gets_an_answer(app: TestApp) {
        app.create_admin().await;
        let handle = tokio::runtime::Handle::current();
        let mut runner = TestRunner::new(Config { cases: 48, failure_persistence: None, ..Config::default() });
        let strategy = (hostile_text(), hostile_text(), hostile_text());
        let result = tokio::task::block_in_place(|| {
            runner.run(&strategy, |(login, password, domain)| {
                let response = handle
                    .block_on(
                        app.new_client()
                            .post(app.url("/api/login"))
                            .header("accept", "application/json")
                            .form(&[("login", &login), ("password", &password), ("domain", &domain)])
                            .send(),
                    )
                    .map_err(|e| TestCaseError::fail(format!("no answer: {e}")))?;
                let status = response.status().as_u16();
                prop_assert!(matches!(status, 401 | 429), "status {}", status);
                Ok(())
            })
        });
        if let Err(err) = result {
            panic!("{err}");
        }
    }

    async fn any_authenticated_form_gets_a_well_formed_envelope(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        server::cli::add_udf(&app.db, "UDF_CHAR1", "Badge").await.expect("udf");
        run_cases(&app, authenticated_form(), 128);
    }
}
