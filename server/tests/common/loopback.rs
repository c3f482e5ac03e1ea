//! A real HTTP server on loopback standing in for an SMS gateway or a chat robot: it records
//! every request and answers from a script, then with a default answer.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Recorded {
    pub uri: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Recorded {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    /// Waits this long before answering (a hanging provider).
    pub delay: Duration,
}

impl Answer {
    pub fn new(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.to_owned(),
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// Decides each answer from the request; `None` falls back to the script.
pub type Judge = Arc<dyn Fn(&Recorded) -> Option<Answer> + Send + Sync>;

#[derive(Clone)]
struct Shared {
    requests: Arc<Mutex<Vec<Recorded>>>,
    script: Arc<Mutex<VecDeque<Answer>>>,
    default: Answer,
    judge: Option<Judge>,
}

pub struct Loopback {
    pub addr: SocketAddr,
    shared: Shared,
}

impl Loopback {
    pub async fn start(default: Answer) -> Self {
        Self::start_judging(default, None).await
    }

    pub async fn start_judging(default: Answer, judge: Option<Judge>) -> Self {
        let shared = Shared {
            requests: Arc::default(),
            script: Arc::default(),
            default,
            judge,
        };
        let router = axum::Router::new()
            .fallback(answer)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("loopback bind");
        let addr = listener.local_addr().expect("loopback address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self { addr, shared }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The allowlist entry that lets Crewdesk post here.
    pub fn allow_entry(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn then(&self, answer: Answer) {
        self.shared.script.lock().expect("script").push_back(answer);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().expect("requests").clone()
    }

    /// Waits (a bounded while) for at least `n` requests.
    pub async fn wait_for(&self, n: usize) -> Vec<Recorded> {
        for _ in 0..300 {
            if self.requests().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.requests()
    }
}

async fn answer(
    State(shared): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let recorded = Recorded {
        uri: uri.to_string(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let judged = shared.judge.as_ref().and_then(|judge| judge(&recorded));
    shared.requests.lock().expect("requests").push(recorded);
    let answer = judged
        .or_else(|| shared.script.lock().expect("script").pop_front())
        .unwrap_or_else(|| shared.default.clone());
    tokio::time::sleep(answer.delay).await;
    let mut response = (
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        answer.body,
    )
        .into_response();
    for (name, value) in answer.headers {
        if let Ok(value) = value.parse() {
            response.headers_mut().insert(name, value);
        }
    }
    response
}
