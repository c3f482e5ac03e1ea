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
            Err(e) if e.is_permanent() => Outcome::Failed(format!("SMTP {e}")),
            Err(e) => Outcome::Retry {
                answer: format!("SMTP {e}"),
                after_ms: None,
            },
        }
    }
}
