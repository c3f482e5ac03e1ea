//! Each page renders on one thread of its own, start to end.
//!
//! Leptos spawns a render's resource fetchers and its Suspense effects as tasks of their
//! own (`any_spawner::Executor::spawn`). On the multi-threaded runtime those ran on other
//! worker threads, beside the render and after it: when the request's reactive owner was
//! disposed (the client left, the deadline fired, or the render ended while a fetcher still
//! ran), a task on another thread could read a value already gone, and panicked.
//!
//! Here a page's handler runs on a blocking-pool thread inside a `LocalSet` of its own, and
//! the executor puts every task spawned from that thread into the same set: the render and
//! all it spawned are polled on that one thread, never at the same time as each other, and
//! whatever is left when the render is done is dropped there, without running again. The
//! render keeps its own deadline, so a stalled page never holds its thread for good.

use axum::body::Body;
use axum::http::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::cell::Cell;
use std::time::Duration;

thread_local! {
    /// Set while this thread renders a page in its `LocalSet`.
    static RENDERING: Cell<bool> = const { Cell::new(false) };
}

/// Marks this thread as rendering until dropped (a panicking render too: the pool's
/// thread is reused).
struct Rendering;

impl Rendering {
    fn start() -> Self {
        RENDERING.with(|r| r.set(true));
        Self
    }
}

impl Drop for Rendering {
    fn drop(&mut self) {
        RENDERING.with(|r| r.set(false));
    }
}

/// The executor Leptos spawns with: into the page's `LocalSet` on a rendering thread, onto
/// the runtime elsewhere (server functions, start-up).
struct PerRenderExecutor;

impl any_spawner::CustomExecutor for PerRenderExecutor {
    fn spawn(&self, fut: any_spawner::PinnedFuture<()>) {
        if RENDERING.with(Cell::get) {
            tokio::task::spawn_local(fut);
        } else {
            tokio::spawn(fut);
        }
    }

    fn spawn_local(&self, fut: any_spawner::PinnedLocalFuture<()>) {
        tokio::task::spawn_local(fut);
    }

    fn poll_local(&self) {}
}

/// Makes Leptos spawn through [`PerRenderExecutor`]; called before the routes are built
/// (the first executor set wins, and leptos_axum would set tokio's).
pub fn install_executor() {
    if any_spawner::Executor::init_custom_executor(PerRenderExecutor).is_err() {
        tracing::debug!("the render executor was set already");
    }
}

/// How long a page's render may take on its thread: a little past the request deadline
/// (whose 408 the client gets first), it is stopped and what it still awaited is logged.
#[derive(Debug, Clone, Copy)]
pub struct Limit(Duration);

impl Limit {
    pub fn after(deadline: Duration) -> Self {
        Self(deadline + Duration::from_millis(200))
    }
}

/// Renders pages on a thread of their own; server functions and assets pass through.
pub async fn on_own_thread(
    axum::extract::State(limit): axum::extract::State<Limit>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let path = req.uri().path();
    if path.starts_with("/api/")
        || path.starts_with("/pkg/")
        || path == "/favicon.ico"
        || path == super::password::PATH
    {
        return next.run(req).await;
    }
    let path = path.to_owned();
    let runtime = tokio::runtime::Handle::current();
    let rendered = tokio::task::spawn_blocking(move || {
        let _rendering = Rendering::start();
        let local = tokio::task::LocalSet::new();
        let response = runtime.block_on(
            local.run_until(async { tokio::time::timeout(limit.0, next.run(req)).await }),
        );
        // Logged here: the client got its 408 already, and the handler awaiting this
        // thread was dropped with it.
        if response.is_err() {
            tracing::warn!(
                path = %super::edge::logged_path(&path),
                // Read before the leftovers are dropped (each takes its name off as it goes).
                awaiting = %app::ui::awaited::still_awaited().join(", "),
                "a page render ran past the request deadline and was stopped"
            );
        }
        // What the render left spawned is dropped here, on this thread, never polled again.
        drop(local);
        response
    })
    .await;
    match rendered {
        Ok(Ok(response)) => response,
        Ok(Err(_)) => axum::http::StatusCode::REQUEST_TIMEOUT.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page render failed");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
