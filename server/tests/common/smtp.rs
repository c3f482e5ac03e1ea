//! A real SMTP server on loopback (mailin-embedded) that keeps every message it receives.

use mailin_embedded::{response, Handler, Response, Server, SslConfig};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Default)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

#[derive(Clone)]
struct Keep {
    received: Arc<Mutex<Vec<Mail>>>,
    current: Mail,
    /// While set, every recipient is answered 550 (no such mailbox).
    refuse: Arc<AtomicBool>,
}

impl Handler for Keep {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        self.current = Mail {
            from: from.to_owned(),
            ..Mail::default()
        };
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        if self.refuse.load(Ordering::SeqCst) {
            return response::NO_MAILBOX;
        }
        self.current.to.push(to.to_owned());
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.push_str(&String::from_utf8_lossy(buf));
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Ok(mut received) = self.received.lock() {
            received.push(std::mem::take(&mut self.current));
        }
        response::OK
    }
}

/// Starts the server on a free loopback port; answers the port and the received mail.
pub fn start() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let (port, received, _) = start_switchable();
    (port, received)
}

/// [`start`], with a switch that makes it answer every recipient 550 while it is on.
pub fn start_switchable() -> (u16, Arc<Mutex<Vec<Mail>>>, Arc<AtomicBool>) {
    let refuse = Arc::new(AtomicBool::new(false));
    let received = Arc::new(Mutex::new(Vec::new()));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("smtp bind");
    let port = listener.local_addr().expect("smtp address").port();
    let mut server = Server::new(Keep {
        received: received.clone(),
        current: Mail::default(),
        refuse: refuse.clone(),
    });
    server
        .with_name("smtp.crewdesk.test")
        .with_ssl(SslConfig::None)
        .expect("no TLS")
        .with_num_threads(2)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (port, received, refuse)
}

/// The body as a reader sees it: soft line breaks joined, `=XX` decoded.
pub fn quoted_printable(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
