//! The language of what Crewdesk writes to an engineer: the engineer's own (console and XML
//! attribute `language`), else the site's, else English; confirmations and test
//! notifications follow it, over a real SMTP server too.

mod common;

use base64::Engine;
use common::{signed_in, TestApp, ADMIN_LOGIN, ADMIN_PASSWORD, TECHNICIAN_SERVLET};

/// The texts queued for engineer `id`, oldest first, with their language.
async fn texts_to(app: &TestApp, id: i64) -> Vec<(String, Option<String>)> {
    sqlx::query_as(
        "SELECT n.text, n.language FROM notifications n JOIN deliveries d \
         ON d.notification_id = n.id WHERE d.technician_id = $1 ORDER BY n.id",
    )
    .bind(id)
    .fetch_all(app.db.reader())
    .await
    .unwrap()
}

fn cjk(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn link_in(text: &str) -> String {
    text.split_whitespace()
        .find(|w| w.contains("/confirm/"))
        .expect("a confirmation link")
        .to_owned()
}

/// A header's value with its RFC 2047 `=?utf-8?b?…?=` words decoded.
fn header(mail: &str, name: &str) -> String {
    let head = mail.split("\r\n\r\n").next().unwrap_or("");
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let value = unfolded
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or("")
        .to_owned();
    // Space between two encoded words is not part of the text; any other space is.
    let mut out = String::new();
    let mut last_encoded = false;
    for (i, word) in value.split(' ').enumerate() {
        let encoded = word
            .to_ascii_lowercase()
            .strip_prefix("=?utf-8?b?")
            .and_then(|_| word.get(10..word.len().saturating_sub(2)))
            .map(|b64| {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap_or_default();
                String::from_utf8_lossy(&bytes).into_owned()
            });
        if i > 0 && !(last_encoded && encoded.is_some()) {
            out.push(' ');
        }
        last_encoded = encoded.is_some();
        out.push_str(&encoded.unwrap_or_else(|| word.to_owned()));
    }
    out
}

/// The body of a single-part mail as its reader sees it (base64 or quoted-printable).
fn body(mail: &str) -> String {
    let (_, raw) = mail.split_once("\r\n\r\n").unwrap_or(("", mail));
    match header(mail, "Content-Transfer-Encoding")
        .to_ascii_lowercase()
        .as_str()
    {
        "base64" => {
            let joined: String = raw.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(joined.trim_end_matches('.'))
                .unwrap_or_default();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        "quoted-printable" => common::smtp::quoted_printable(raw),
        _ => raw.to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmation_to_an_engineer_set_to_chinese_arrives_in_chinese_over_real_smtp() {
    let (port, received) = common::smtp::start();
    let app = TestApp::spawn_with(common::Backend::Sqlite, move |s| {
        s.notify.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
        s.notify.mail_from = Some("Crewdesk <noreply@crewdesk.test>".into());
    })
    .await
    .unwrap();
    app.create_admin().await;
    let added = app
        .add_as_admin(&[
            ("name", "Li Wei"),
            ("email", "li@example.com"),
            ("language", "zh-CN"),
        ])
        .await;
    assert!(added.is_success(), "{}", added.raw);
    app.wait_for_count(
        "SELECT count(*) FROM deliveries WHERE status = 'delivered'",
        1,
    )
    .await;
    let mails = received.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    assert_eq!(
        header(&mails[0].data, "Subject"),
        "请确认您的 Crewdesk 邮件通知"
    );
    let text = body(&mails[0].data);
    assert!(
        text.contains("Crewdesk:请确认为 Li Wei 开通邮件通知"),
        "{text}"
    );
    assert!(!text.contains("confirm email notifications"), "{text}");
    // The link in the Chinese mail confirms as the English one does.
    let link = link_in(&text);
    let confirmed = app.new_client().post(&link).send().await.unwrap();
    assert_eq!(confirmed.status(), 200, "{link}");
    assert_eq!(
        app.count("SELECT count(*) FROM subscriptions WHERE state = 'confirmed'")
            .await,
        1
    );
}

on_both_backends! {
    async fn an_engineer_without_a_language_takes_the_sites_and_a_site_without_one_english(app: TestApp) {
        app.create_admin().await;
        app.seed_reference_data().await;
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let (status, body) = app.server_fn(&admin, "set_site_language", &[("site", "paris"), ("language", "zh-CN")]).await;
        assert!(status < 400, "{status} {body}");
        let add = |name: &'static str, site: &'static str, language: Option<&'static str>| {
            let app = &app;
            async move {
                let mut pairs = vec![("name", name), ("mobile", "+86 138 0013 8000"), ("techSiteName", site)];
                pairs.extend(language.map(|l| ("language", l)));
                let answer = app.add_as_admin(&pairs).await;
                assert!(answer.is_success(), "{}", answer.raw);
                answer.userid.unwrap()
            }
        };
        let at_paris = add("Ana", "Paris", None).await;
        let chose_english = add("Ben", "Paris", Some("en")).await;
        let at_london = add("Cai", "London", None).await;
        let chose_chinese = add("Dou", "default", Some("zh-cn")).await;
        for (id, chinese) in [(at_paris, true), (chose_english, false), (at_london, false), (chose_chinese, true)] {
            let texts = texts_to(&app, id).await;
            assert_eq!(texts.len(), 1, "{texts:?}");
            let (text, language) = &texts[0];
            assert_eq!(cjk(text), chinese, "{id}: {text}");
            assert_eq!(language.as_deref(), Some(if chinese { "zh-CN" } else { "en" }));
        }
        // GetTechnician shows what the engineer chose, not what is used.
        assert_eq!(app.details_of(at_paris).await["language"], "");
        assert_eq!(app.details_of(chose_chinese).await["language"], "zh-CN");

        // The site back to English: Ana's next confirmation is English.
        let (status, _) = app.server_fn(&admin, "set_site_language", &[("site", "Paris"), ("language", "")]).await;
        assert!(status < 400);
        app.clock.advance(120_000);
        let changed = app.admin_call(TECHNICIAN_SERVLET, "UpdateTechnician", &[("userid", &at_paris.to_string()), ("mobile", "+86 139 0000 0001")]).await;
        assert!(changed.is_success(), "{}", changed.raw);
        let texts = texts_to(&app, at_paris).await;
        assert!(!cjk(&texts.last().unwrap().0), "{texts:?}");
    }

    async fn the_language_is_checked_kept_and_cleared_like_any_attribute(app: TestApp) {
        app.create_admin().await;
        let refused = app.add_as_admin(&[("name", "Eve"), ("language", "fr")]).await;
        assert!(!refused.is_success());
        assert!(refused.raw.contains("language: &apos;fr&apos; is not a language; use en or zh-CN") || refused.raw.contains("language: 'fr' is not a language; use en or zh-CN"), "{}", refused.raw);
        assert_eq!(app.count("SELECT count(*) FROM technicians WHERE name = 'Eve'").await, 0, "nothing half-saved");

        let id = app.add_user("Eve", "eve", "Correct-Horse-Battery-9", &[("language", "zh-CN")]).await;
        let id_text = id.to_string();
        // An update that does not name it keeps it; an empty one clears it.
        let kept = app.admin_call(TECHNICIAN_SERVLET, "UpdateTechnician", &[("userid", &id_text), ("jobTitle", "Lead")]).await;
        assert!(kept.is_success(), "{}", kept.raw);
        assert_eq!(app.details_of(id).await["language"], "zh-CN");
        let hostile = app.admin_call(TECHNICIAN_SERVLET, "UpdateTechnician", &[("userid", &id_text), ("language", "zh-CN\u{0}<x>")]).await;
        assert!(!hostile.is_success(), "{}", hostile.raw);
        assert_eq!(app.details_of(id).await["language"], "zh-CN");
        let cleared = app.admin_call(TECHNICIAN_SERVLET, "UpdateTechnician", &[("userid", &id_text), ("language", "")]).await;
        assert!(cleared.is_success(), "{}", cleared.raw);
        assert_eq!(app.details_of(id).await["language"], "");

        // An engineer chooses their own language in the console, as a contact method.
        let eve = signed_in(&app, "eve", "Correct-Horse-Battery-9").await;
        let (version,): (i64,) = sqlx::query_as("SELECT version FROM technicians WHERE id = $1").bind(id).fetch_one(app.db.reader()).await.unwrap();
        let version = version.to_string();
        let (status, body) = app.server_fn(&eve, "update_engineer", &[("id", &id_text), ("version", &version), ("back", "/"), ("form[technician][language]", "zh-CN")]).await;
        assert!(status < 400, "{status} {body}");
        assert_eq!(app.details_of(id).await["language"], "zh-CN");
        let (status, body) = app.server_fn(&eve, "update_engineer", &[("id", &id_text), ("version", "0"), ("back", "/"), ("form[technician][language]", "klingon")]).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("NotALanguage"), "{body}");

        // A site's language is an SDAdmin's to set.
        app.seed_reference_data().await;
        let (status, body) = app.server_fn(&eve, "set_site_language", &[("site", "Paris"), ("language", "zh-CN")]).await;
        assert_eq!(status, 403, "{body}");
        let admin = signed_in(&app, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let (status, body) = app.server_fn(&admin, "set_site_language", &[("site", "Paris"), ("language", "fr")]).await;
        assert_eq!(status, 422, "{body}");
        let (status, body) = app.server_fn(&admin, "set_site_language", &[("site", "Nowhere"), ("language", "en")]).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(app.count("SELECT count(*) FROM sites WHERE language IS NOT NULL").await, 0);
        assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'site.language'").await, 0);
    }

    async fn a_test_notification_is_written_in_the_engineers_language(app: TestApp) {
        app.create_admin().await;
        let id = app.add_user("Fu", "fu", "Correct-Horse-Battery-9", &[("mobile", "+86 138 0013 8000"), ("language", "zh-CN")]).await;
        // What the phone receives: in Chinese, with a link that confirms.
        let sms = common::captured_to(&app, "+8613800138000", 1).await;
        assert!(sms.starts_with("Crewdesk:请确认为 Fu 开通短信通知"), "{sms}");
        let link = link_in(&sms);
        assert_eq!(app.new_client().post(&link).send().await.unwrap().status(), 200, "{link}");
        let fu = signed_in(&app, "fu", "Correct-Horse-Battery-9").await;
        let (status, body) = app.server_fn(&fu, "send_test_notification", &[("id", &id.to_string()), ("channel", "sms")]).await;
        assert!(status < 400, "{status} {body}");
        let sms = common::captured_to(&app, "+8613800138000", 2).await;
        assert_eq!(sms, "Crewdesk 测试通知:发给 Fu,经由短信,由 Fu 发送。");
    }
}
