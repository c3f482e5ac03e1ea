//! The HTTP listener. `axum::serve` sets no deadline on a connection that sends nothing, or
//! sends its request head a byte at a time, and no cap on open connections, so a few
//! thousand silent sockets held the server's file descriptors for good. Here every
//! connection is served over HTTP/1.1 by hyper with two bounds:
//! - the whole request head must arrive within `header_deadline` of the connection being
//!   ready for it; that also closes a keep-alive connection left idle that long;
//! - at most `max_connections` are open at once; more wait in the listen backlog until one
//!   ends.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A request head not complete by then closes the connection (nothing to answer yet).
    pub header_deadline: Duration,
    pub max_connections: u32,
    /// After the stop signal, how long connections may finish what they are answering.
    pub drain: Duration,
}

/// Serves `router` on `listener` until `stop`, then lets open connections finish (bounded by
/// `limits.drain`).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) {
    let max = limits.max_connections.max(1);
    let slots = Arc::new(Semaphore::new(max as usize));
    let (closing, closed) = watch::channel(());
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_deadline);
    let mut stop = pin!(stop);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            () = &mut stop => break,
        };
        let Ok(slot) = slot else { break };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                pause_after_accept_error(&e).await;
                continue;
            }
        };
        // Leptos streams a page in several writes: without TCP_NODELAY, Nagle's algorithm
        // and delayed ACKs hold each page back by about 40 ms on keep-alive connections.
        let _ = stream.set_nodelay(true);
        let service = router
            .clone()
            .map_request(move |request: Request<Incoming>| {
                let mut request = request.map(Body::new);
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let mut closed = closed.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let mut connection = pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, %peer, "connection ended");
                    }
                }
                _ = closed.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    drop(listener);
    let _ = closing.send(());
    let all = slots.acquire_many(max);
    if tokio::time::timeout(limits.drain, all).await.is_err() {
        tracing::warn!("stopping with connections still open after the drain deadline");
    }
}

/// A failed accept: a connection that went away before it was taken is nothing; anything
/// else (out of file descriptors) is logged and retried after a pause, not in a hot loop.
async fn pause_after_accept_error(error: &std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accepting a connection failed; trying again in a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
