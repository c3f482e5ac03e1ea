//! The whole servlet path on a real SQLite database: any body after an administrator's
//! credentials (so requests reach the rules and the writes) is answered HTTP 200 with an
//! envelope, never a panic and never an internal error.
#![no_main]

use app::service::AppState;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use std::net::SocketAddr;
use std::sync::OnceLock;
use tower::ServiceExt;

const PATHS: [&str; 3] = [
    "/servlets/TechnicianServlet",
    "/servlets/TechnicianOperationServlet",
    "/servlets/RequestServlet",
];

struct World {
    runtime: tokio::runtime::Runtime,
    state: AppState,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let dir = std::env::temp_dir().join(format!("crewdesk-fuzz-{}", std::process::id()));
        let url = format!("sqlite:{}/fuzz.db", dir.display());
        let state = runtime.block_on(async {
            let mut settings = server::Settings::new(url);
            settings.addr = SocketAddr::from(([127, 0, 0, 1], 0));
            let app = server::Application::build(settings).await.expect("app");
            server::operator::create_admin(&app.state().db, "fuzz.admin", "fuzz-password-1", "", None)
                .await
                .expect("admin");
            app.state().clone()
        });
        World { runtime, state }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, body)) = data.split_first() else {
        return;
    };
    let world = world();
    let mut form = Vec::new();
    if choice & 1 == 0 {
        form.extend_from_slice(b"username=fuzz.admin&password=fuzz-password-1&");
    }
    form.extend_from_slice(body);
    let path = PATHS[usize::from(choice >> 1) % PATHS.len()];
    let mut request = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .expect("request");
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    let router = server::servlet::router(world.state.clone());
    let (status, text) = world.runtime.block_on(async move {
        let response = router.oneshot(request).await.expect("infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        (status, String::from_utf8(bytes.to_vec()).expect("UTF-8 answer"))
    });
    assert_eq!(status.as_u16(), 200, "{text}");
    assert!(text.contains("<operationstatus>"), "{text}");
    assert!(!text.contains("INTERNAL_ERROR"), "{text}");
});
