//! The HTTP listener. `axum::serve` sets no deadline on a connection that sends nothing, or
//! sends its request head a byte at a time, and no cap on open connections, so a few
//! thousand silent sockets held the server's file descriptors for good. Here every
//! connection is served over HTTP/1.1 by hyper with two bounds:
//! - the whole request head must arrive within `header_deadline` of the connection being
//!   ready for it; that also closes a keep-alive connection left idle that long;
//! - at most `max_connections` are open at once; more wait in the listen backlog until one
//!   ends.
//!
//! Each request carries its client's address (`ConnectInfo`), which the sign-in limits and
//! the audit log use: the peer's, or behind a trusted proxy the one it forwarded.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use ipnet::IpNet;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
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

/// The proxies whose `X-Forwarded-For` is believed; nobody else's is.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks.into())
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip.to_canonical()))
    }

    /// The client behind `peer`. From a trusted proxy, `X-Forwarded-For` is read from the
    /// right (the hop nearest to us) past every trusted proxy to the first address that is
    /// not one: that is the client. Anything unreadable there ends the walk at the last
    /// trusted hop, so a forged or broken header never yields an address of its choosing.
    pub fn client(&self, peer: SocketAddr, headers: &HeaderMap) -> SocketAddr {
        let at = |ip: IpAddr| SocketAddr::new(ip, peer.port());
        if !self.trusts(peer.ip()) {
            return peer;
        }
        let mut last = peer.ip();
        for value in headers.get_all("x-forwarded-for").iter().rev() {
            let Ok(value) = value.to_str() else {
                return at(last);
            };
            for hop in value.rsplit(',') {
                let Ok(ip) = hop.trim().parse::<IpAddr>() else {
                    return at(last);
                };
                last = ip.to_canonical();
                if !self.trusts(last) {
                    return at(last);
                }
            }
        }
        at(last)
    }
}

/// Serves `router` on `listener` until `stop`, then lets open connections finish (bounded by
/// `limits.drain`).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    proxies: TrustedProxies,
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
        let proxies = proxies.clone();
        let service = router
            .clone()
            .map_request(move |request: Request<Incoming>| {
                let mut request = request.map(Body::new);
                let client = proxies.client(peer, request.headers());
                request.extensions_mut().insert(ConnectInfo(client));
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn client(peer: &str, forwarded: &[&'static str]) -> IpAddr {
        let proxies = TrustedProxies::new(vec![
            "10.0.0.0/8".parse().unwrap(),
            "::1/128".parse().unwrap(),
        ]);
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", HeaderValue::from_static(value));
        }
        proxies.client(peer.parse().unwrap(), &headers).ip()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_client_is_the_first_untrusted_hop_from_the_right() {
        // An IPv4 proxy seen through an IPv6 socket, forwarding an IPv6 client.
        assert_eq!(
            client("[::ffff:10.0.0.5]:1", &["2001:db8::7"]),
            ip("2001:db8::7")
        );
        assert_eq!(
            client("[::1]:1", &["198.51.100.1, 10.0.0.9"]),
            ip("198.51.100.1")
        );
        // Several header lines read as one list, the last line nearest.
        assert_eq!(
            client("10.0.0.1:1", &["203.0.113.1", "10.0.0.9"]),
            ip("203.0.113.1")
        );
        // Only proxies of ours: the farthest of them.
        assert_eq!(
            client("10.0.0.1:1", &["10.0.0.2, 10.0.0.3"]),
            ip("10.0.0.2")
        );
        // No header, or a peer we do not trust: the peer.
        assert_eq!(client("10.0.0.1:1", &[]), ip("10.0.0.1"));
        assert_eq!(client("192.0.2.1:1", &["198.51.100.1"]), ip("192.0.2.1"));
        // An unreadable hop ends the walk at the last trusted one.
        assert_eq!(
            client("10.0.0.1:1", &["198.51.100.1, x, 10.0.0.4"]),
            ip("10.0.0.4")
        );
    }
}
