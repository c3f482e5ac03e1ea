//! Email over SMTP with lettre on tokio and rustls: `smtp://host:port` (no TLS),
//! `smtp://…?tls=required` (STARTTLS), `smtps://…` (TLS), credentials in the URL.

use super::Provider;
use crate::notify::NotifySettings;
use app::service::outbox::Outcome;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl Smtp {
    /// The server of `--smtp-url`, if one is named, sending as `--mail-from`.
    pub fn from_settings(settings: &NotifySettings) -> anyhow::Result<Option<Self>> {
        let Some(url) = &settings.smtp_url else {
            return Ok(None);
        };
        let from = settings
            .mail_from
            .clone()
            .unwrap_or_else(|| "Crewdesk <crewdesk@localhost>".to_owned());
        Ok(Some(Self::new(
            url.expose_secret(),
            &from,
            settings.http_timeout,
        )?))
    }

    pub fn new(url: &str, from: &str, timeout: std::time::Duration) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("--smtp-url is not a usable SMTP URL: {e}"))?
            .timeout(Some(timeout))
            .build();
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("--mail-from '{from}' is not an address: {e}"))?;
        Ok(Self { transport, from })
    }
}

/// Whether a permanent refusal is about the recipient's mailbox (none such, moved, disabled)
/// rather than about us (relaying denied, a sender not ours, content, credentials): the
/// enhanced status says so (5.1.x, 5.2.1), or, without one, a 550 or 551 names the mailbox
/// or the user and nothing of ours.
pub fn mailbox_refused(e: &lettre::transport::smtp::Error) -> bool {
    let code = e.status().map(|c| c.to_string()).unwrap_or_default();
    refusal_is_the_mailboxes(&code, &e.to_string())
}

fn refusal_is_the_mailboxes(code: &str, text: &str) -> bool {
    let text = text.to_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .collect();
    let enhanced: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| w.starts_with("5.") && w.matches('.').count() == 2)
        .collect();
    if !enhanced.is_empty() {
        return enhanced
            .iter()
            .any(|w| w.starts_with("5.1.") || *w == "5.2.1");
    }
    matches!(code, "550" | "551")
        && ["mailbox", "user", "recipient"]
            .iter()
            .any(|w| text.contains(w))
        && !["relay", "sender", "spam", "policy", "auth", "content"]
            .iter()
            .any(|w| text.contains(w))
}

#[async_trait::async_trait]
impl Provider for Smtp {
    async fn send(&self, message: &super::Message<'_>) -> Outcome {
        let (claimed, text) = (message.claimed, message.text);
        let to: Mailbox = match message.address.parse() {
            Ok(to) => to,
            Err(e) => return Outcome::Failed(format!("the address cannot be mailed: {e}")),
        };
        let t = claimed.language.texts();
        let subject = if claimed.kind == "confirmation" {
            t.mail_subject_confirmation
        } else {
            t.mail_subject_notification
        };
        // The same delivery always has the same Message-ID, so a receiver can drop the
        // copy a retry after a lost answer would make.
        let id = hex::encode(&Sha256::digest(claimed.idempotency_key.as_bytes())[..16]);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{id}@crewdesk>")))
            .header(ContentType::TEXT_PLAIN)
            .body(text.to_owned());
        let message = match message {
            Ok(message) => message,
            Err(e) => return Outcome::Failed(format!("the message cannot be built: {e}")),
        };
        match self.transport.send(message).await {
            Ok(response) => Outcome::Delivered(format!(
                "SMTP {} {}",
                response.code(),
                response.message().collect::<Vec<_>>().join(" ")
            )),
            // The mailbox itself refused: the engineer's address is at fault. Any other
            // refusal is about us (relaying, sender, content, credentials).
            Err(e) if e.is_permanent() && mailbox_refused(&e) => {
                Outcome::Refused(format!("SMTP {e}"))
            }
            Err(e) if e.is_permanent() => Outcome::Failed(format!("SMTP {e}")),
            Err(e) => Outcome::Retry {
                answer: format!("SMTP {e}"),
                after_ms: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::refusal_is_the_mailboxes as mailbox;

    #[test]
    fn only_the_recipients_mailbox_refusing_is_the_contacts_fault() {
        assert!(mailbox(
            "550",
            "permanent error (550): 5.1.1 <bo@x>: user unknown"
        ));
        assert!(mailbox("550", "permanent error (550): Mailbox unavailable"));
        assert!(mailbox("551", "permanent error (551): user not local"));
        assert!(mailbox(
            "552",
            "permanent error (552): 5.2.1 mailbox disabled"
        ));
        assert!(!mailbox(
            "550",
            "permanent error (550): 5.7.1 relaying denied"
        ));
        assert!(!mailbox(
            "553",
            "permanent error (553): sender address not owned by user"
        ));
        assert!(!mailbox(
            "550",
            "permanent error (550): message refused as spam"
        ));
        assert!(!mailbox(
            "550",
            "permanent error (550): relay not permitted for this user"
        ));
        assert!(!mailbox(
            "535",
            "permanent error (535): 5.7.8 authentication failed"
        ));
        assert!(!mailbox("554", "permanent error (554): transaction failed"));
    }
}
