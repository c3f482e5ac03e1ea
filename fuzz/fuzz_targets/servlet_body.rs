//! A servlet request's body under any content type: decoding it into parameters, then every
//! parse the operations make of them (add, update, get/delete targets), must answer or refuse,
//! never panic.
#![no_main]

use app::domain::{NewTechnician, TechnicianPatch};
use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use server::servlet::{add, params::Params, update};
use std::sync::OnceLock;

const CONTENT_TYPES: [&str; 5] = [
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=X",
    "multipart/form-data; boundary=",
    "text/plain",
    "",
];

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    // A second split puts some bytes in the query string too.
    let cut = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
    let (query, body) = rest.split_at(cut);
    let query: String = String::from_utf8_lossy(query)
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .collect();
    let uri = format!("/servlets/TechnicianServlet?{query}");
    let Ok(request) = Request::post(uri.as_str())
        .header(
            "content-type",
            CONTENT_TYPES[usize::from(choice) % CONTENT_TYPES.len()],
        )
        .body(Body::from(body.to_vec()))
    else {
        return;
    };
    let Ok(params) = runtime().block_on(Params::read(request)) else {
        return;
    };
    let _ = NewTechnician::try_from(add::form(&params));
    let _ = TechnicianPatch::try_from(add::form(&params));
    let _ = update::target(&params);
});
