//! The sample HTML forms: a person can try every operation of the XML API from a browser.
//! Each posts to `/servlets/RequestServlet` with the hidden `targetURL` and `operation`, as
//! the legacy product's sample forms did.

use super::{TECHNICIAN_OPERATION_SERVLET, TECHNICIAN_SERVLET};
use app::service::{reference, AppState};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

/// One input: the attribute, its label, and how it is entered.
type Field = (&'static str, &'static str, Kind);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Password,
    Flag,
}

const TECHNICIAN_FIELDS: &[Field] = &[
    ("name", "Name", Kind::Text),
    ("alias", "Alias", Kind::Text),
    ("employeeId", "Employee ID", Kind::Text),
    ("email", "Email", Kind::Text),
    ("phone", "Phone", Kind::Text),
    ("mobile", "Mobile", Kind::Text),
    ("smsMailId", "SMS mail ID", Kind::Text),
    ("costPerHr", "Cost per hour", Kind::Text),
    ("jobTitle", "Job title", Kind::Text),
    (
        "language",
        "Language of messages (en, zh-CN; blank = the site's)",
        Kind::Text,
    ),
    ("departmentName", "Department", Kind::Text),
    (
        "techSiteName",
        "Site (default = not associated)",
        Kind::Text,
    ),
    (
        "associateSites",
        "Associated sites (comma-separated)",
        Kind::Text,
    ),
    (
        "associateGroups",
        "Associated groups (site-group, comma-separated)",
        Kind::Text,
    ),
];

const ADD_ONLY_FIELDS: &[Field] = &[
    ("associateRols", "Roles (SDAdmin, SDSiteAdmin)", Kind::Text),
    (
        "approvePurchaseOrder",
        "Approves purchase orders",
        Kind::Flag,
    ),
    ("enableLogin", "Login enabled", Kind::Flag),
    ("loginName", "Login name", Kind::Text),
    ("pwd", "Password (default: the login name)", Kind::Password),
    ("userDomainName", "Login domain", Kind::Text),
];

const UPDATE_TARGET: &[Field] = &[
    ("techLoginName", "Login name", Kind::Text),
    ("techDomainName", "Login domain", Kind::Text),
    ("techEmailId", "Email", Kind::Text),
    ("techUserName", "Name", Kind::Text),
    ("userid", "Technician ID", Kind::Text),
];

const DELETE_TARGET: &[Field] = &[
    ("loginName", "Login name", Kind::Text),
    ("domainName", "Login domain", Kind::Text),
    ("emailId", "Email", Kind::Text),
    ("name", "Name", Kind::Text),
    ("userid", "Technician ID", Kind::Text),
];

struct Sample {
    title: &'static str,
    operation: &'static str,
    target: &'static str,
    intro: &'static str,
    sections: Vec<(&'static str, &'static [Field])>,
    udfs: bool,
    /// Empty fields are left out on submit (an empty attribute would clear it).
    skip_empty: bool,
}

fn sample(which: &str) -> Option<Sample> {
    let identify =
        "The technician is found by login name and domain, else email, else name, else ID.";
    Some(match which {
        "add-technician" => Sample {
            title: "Add technician",
            operation: "AddTechnician",
            target: TECHNICIAN_SERVLET,
            intro: "Adds a technician; only Name is required.",
            sections: vec![("Technician", TECHNICIAN_FIELDS), ("Roles and sign-in", ADD_ONLY_FIELDS)],
            udfs: true,
            skip_empty: false,
        },
        "update-technician" => Sample {
            title: "Update technician",
            operation: "UpdateTechnician",
            target: TECHNICIAN_SERVLET,
            intro: "Changes only the fields you fill in. Tick “clear” to empty a field. Login details and purchase approval cannot be changed here.",
            sections: vec![("Which technician", UPDATE_TARGET), ("New values", TECHNICIAN_FIELDS)],
            udfs: true,
            skip_empty: true,
        },
        "get-technician" => Sample {
            title: "Get technician",
            operation: "GetTechnician",
            target: TECHNICIAN_SERVLET,
            intro: identify,
            sections: vec![("Which technician", UPDATE_TARGET)],
            udfs: false,
            skip_empty: true,
        },
        "delete-technician" => Sample {
            title: "Delete technician",
            operation: "DeleteTechnician",
            target: TECHNICIAN_OPERATION_SERVLET,
            intro: identify,
            sections: vec![("Which technician", DELETE_TARGET)],
            udfs: false,
            skip_empty: true,
        },
        _ => return None,
    })
}

const SAMPLES: [&str; 4] = [
    "add-technician",
    "update-technician",
    "get-technician",
    "delete-technician",
];

fn input(out: &mut String, name: &str, label: &str, kind: Kind, clearable: bool) {
    let id = format!("f-{}", crate::web::escape_html(name));
    let control = match kind {
        Kind::Text => format!(
            r#"<input id="{id}" name="{}" type="text">"#,
            crate::web::escape_html(name)
        ),
        Kind::Password => format!(
            r#"<input id="{id}" name="{}" type="password" autocomplete="new-password">"#,
            crate::web::escape_html(name)
        ),
        Kind::Flag => format!(
            r#"<select id="{id}" name="{}"><option value="">(default: false)</option><option>true</option><option>false</option></select>"#,
            crate::web::escape_html(name)
        ),
    };
    let clear = if clearable {
        format!(
            r#" <label class="clear"><input type="checkbox" data-clear="{}"> clear</label>"#,
            crate::web::escape_html(name)
        )
    } else {
        String::new()
    };
    out.push_str(&format!(
        r#"<p><label for="{id}">{} <code>{}</code></label> {control}{clear}</p>"#,
        crate::web::escape_html(label),
        crate::web::escape_html(name)
    ));
}

/// Drops empty fields unless their "clear" box is ticked. Without JavaScript every field is
/// sent, which the page says. Served as a file of its own, so the page's policy allows no
/// inline script.
const SKIP_EMPTY_SCRIPT: &str = r#"
document.querySelector('form').addEventListener('submit', function (event) {
  var form = event.target;
  form.querySelectorAll('input[type=text], input[type=password], select').forEach(function (el) {
    var clear = form.querySelector('input[data-clear="' + el.name + '"]');
    if (el.value === '' && !(clear && clear.checked)) { el.disabled = true; }
  });
  setTimeout(function () {
    form.querySelectorAll('[disabled]').forEach(function (el) { el.disabled = false; });
  }, 0);
});
"#;

/// The policy of the sample pages: their own stylesheet block, the one script file, and
/// forms that post here only.
const FORMS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; \
    form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

pub const SCRIPT_PATH: &str = "/servlets/forms.js";

pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SKIP_EMPTY_SCRIPT,
    )
        .into_response()
}

fn page(sample: &Sample, udfs: &[(String, String)]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} · Crewdesk XML API</title><style>body{{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}}label{{display:inline-block;min-width:22rem}}label.clear{{min-width:0;color:#555}}input,select{{padding:.3rem;min-width:14rem}}fieldset{{margin:1rem 0}}</style></head><body><h1>{title}</h1><p>{intro}</p>"#,
        title = crate::web::escape_html(sample.title),
        intro = crate::web::escape_html(sample.intro)
    ));
    if sample.skip_empty {
        out.push_str("<noscript><p><strong>Without JavaScript every field is sent, and an empty field clears that attribute.</strong></p></noscript>");
    }
    out.push_str(&format!(
        r#"<form method="post" action="/servlets/RequestServlet"><input type="hidden" name="targetURL" value="{}"><input type="hidden" name="operation" value="{}">"#,
        crate::web::escape_html(sample.target),
        crate::web::escape_html(sample.operation)
    ));
    out.push_str("<fieldset><legend>Your credentials</legend>");
    input(&mut out, "username", "Login name", Kind::Text, false);
    input(&mut out, "password", "Password", Kind::Password, false);
    input(&mut out, "DOMAIN_NAME", "Domain", Kind::Text, false);
    out.push_str(r#"<p><label for="f-logonDomainName">Authentication <code>logonDomainName</code></label> <select id="f-logonDomainName" name="logonDomainName"><option value="Local Authentication">Local Authentication</option><option value="AD_AUTH">AD_AUTH (directory)</option></select></p></fieldset>"#);
    let clearable = sample.operation == "UpdateTechnician";
    for (legend, fields) in &sample.sections {
        out.push_str(&format!(
            "<fieldset><legend>{}</legend>",
            crate::web::escape_html(legend)
        ));
        let in_target = *legend == "Which technician";
        for (name, label, kind) in fields.iter() {
            input(&mut out, name, label, *kind, clearable && !in_target);
        }
        out.push_str("</fieldset>");
    }
    if sample.udfs && !udfs.is_empty() {
        out.push_str("<fieldset><legend>User-defined fields</legend>");
        for (column, alias) in udfs {
            input(&mut out, column, alias, Kind::Text, clearable);
        }
        out.push_str("</fieldset>");
    }
    out.push_str(&format!(
        r#"<p><button type="submit">{}</button></p></form>"#,
        crate::web::escape_html(sample.title)
    ));
    if sample.skip_empty {
        out.push_str(&format!(r#"<script src="{SCRIPT_PATH}"></script>"#));
    }
    out.push_str(r#"<p><a href="/servlets/forms">All sample forms</a></p></body></html>"#);
    out
}

pub async fn index() -> Response {
    let mut out = String::from(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Crewdesk XML API · sample forms</title></head><body><h1>XML API sample forms</h1><ul>"#,
    );
    for which in SAMPLES {
        if let Some(sample) = sample(which) {
            out.push_str(&format!(
                r#"<li><a href="/servlets/forms/{which}">{}</a></li>"#,
                crate::web::escape_html(sample.title)
            ));
        }
    }
    out.push_str("</ul></body></html>");
    ([(header::CONTENT_SECURITY_POLICY, FORMS_CSP)], Html(out)).into_response()
}

pub async fn form(State(state): State<AppState>, Path(which): Path<String>) -> Response {
    let Some(sample) = sample(&which) else {
        return (StatusCode::NOT_FOUND, "There is no such sample form.").into_response();
    };
    let udfs = if sample.udfs {
        match reference::list_udfs(&state.db).await {
            Ok(udfs) => udfs.into_iter().map(|u| (u.column, u.alias)).collect(),
            Err(err) => {
                tracing::error!(error = ?err, "reading UDF definitions for a sample form");
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, FORMS_CSP),
        ],
        Html(page(&sample, &udfs)),
    )
        .into_response()
}
