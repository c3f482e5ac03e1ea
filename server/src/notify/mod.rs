//! Delivery workers: claim due deliveries from the outbox, send each with its provider, and
//! record how it ended (SPEC §4). A provider that is not configured captures its messages
//! into the Message log instead, so the embedded default works end to end.

pub mod outbound;
pub mod providers;

use app::service::confirmations::PUBLIC_URL;
use app::service::contact_points;
use app::service::outbox::{self, Claimed, Outcome, Retries};
use app::service::AppState;
use providers::{Message, Reach};
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

/// The `serve` options of SPEC §7 about notifications, and how the workers pace themselves.
#[derive(Clone)]
pub struct NotifySettings {
    /// The address in confirmation links; `None`: `http://` + the listen address.
    pub public_url: Option<String>,
    pub smtp_url: Option<SecretString>,
    pub mail_from: Option<String>,
    pub sms_gateway_url: Option<String>,
    pub sms_gateway_token: Option<SecretString>,
    /// The operator's Telegram bot; without one, Telegram messages go to the Message log.
    pub telegram_bot_token: Option<SecretString>,
    /// The Bot API's address (`https://api.telegram.org` when not set).
    pub telegram_api_url: Option<String>,
    /// Replaces the provider host allowlist when not empty.
    pub webhook_allow: Vec<String>,
    /// Where signed webhooks may point: URL prefixes (`--signed-webhook-allow`).
    pub signed_webhook_allow: Vec<String>,
    pub retries: Retries,
    /// Worker loops in this instance; zero leaves everything queued (for another instance).
    pub workers: usize,
    /// Deliveries one loop claims at once.
    pub batch: i64,
    pub lease: Duration,
    /// How often an idle loop looks for work another instance queued.
    pub poll: Duration,
    pub http_timeout: Duration,
    /// Confirmations and tests the whole server sends by SMS, and by voice, in an hour;
    /// more are held until the hour allows them (`send_limits`).
    pub sms_budget_per_hour: i64,
    pub voice_budget_per_hour: i64,
}

impl Default for NotifySettings {
    fn default() -> Self {
        Self {
            public_url: None,
            smtp_url: None,
            mail_from: None,
            sms_gateway_url: None,
            sms_gateway_token: None,
            telegram_bot_token: None,
            telegram_api_url: None,
            webhook_allow: Vec::new(),
            signed_webhook_allow: Vec::new(),
            retries: Retries::default(),
            workers: 2,
            batch: 100,
            lease: Duration::from_secs(60),
            poll: Duration::from_millis(500),
            http_timeout: Duration::from_secs(10),
            sms_budget_per_hour: app::service::send_limits::DEFAULT_SMS_BUDGET,
            voice_budget_per_hour: app::service::send_limits::DEFAULT_VOICE_BUDGET,
        }
    }
}

impl std::fmt::Debug for NotifySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotifySettings")
            .field("public_url", &self.public_url)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "(set)"))
            .field("mail_from", &self.mail_from)
            .field("sms_gateway_url", &self.sms_gateway_url)
            .field(
                "sms_gateway_token",
                &self.sms_gateway_token.as_ref().map(|_| "(set)"),
            )
            .field(
                "telegram_bot_token",
                &self.telegram_bot_token.as_ref().map(|_| "(set)"),
            )
            .field("telegram_api_url", &self.telegram_api_url)
            .field("webhook_allow", &self.webhook_allow)
            .field("signed_webhook_allow", &self.signed_webhook_allow)
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

/// A transport error without the URL, which may carry a robot's token.
pub fn describe(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_request() {
        "the request failed"
    } else {
        "the exchange failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    if cause.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {cause}")
    }
}

/// The providers and what every message goes through before one of them sends it.
#[derive(Debug)]
pub struct Senders {
    public_url: String,
    providers: providers::Registry,
}

impl Senders {
    pub fn new(settings: &NotifySettings, public_url: String) -> anyhow::Result<Self> {
        Ok(Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
            providers: providers::Registry::build(settings)?,
        })
    }

    /// The text as it is sent: confirmation and acknowledgement links get this server's
    /// public address.
    fn render(&self, claimed: &Claimed) -> String {
        if matches!(claimed.kind.as_str(), "confirmation" | "drill") {
            claimed.text.replace(PUBLIC_URL, &self.public_url)
        } else {
            claimed.text.clone()
        }
    }

    pub async fn send(&self, state: &AppState, claimed: &Claimed) -> Outcome {
        let text = self.render(claimed);
        let Some(provider) = self.providers.get(claimed.channel) else {
            return Outcome::Captured(text);
        };
        let now_ms = state.clock.now();
        let (address, secret) = match provider.reach() {
            Reach::Recipient => (claimed.recipient.clone(), None),
            Reach::ContactPoint => match contact_point(state, claimed).await {
                Ok(found) => found,
                Err(ended) => return ended,
            },
        };
        if let Some(limit) = provider.limit() {
            // The limit is the address's: two engineers sharing a group's robot share it too.
            let key = hex::encode(Sha256::digest(address.as_bytes()));
            match outbox::reserve_robot_send(&state.db, &key, limit, now_ms).await {
                Ok(None) => {}
                Ok(Some(until)) => return Outcome::Deferred { until },
                Err(e) => {
                    return Outcome::Retry {
                        answer: format!("the rate limit could not be checked: {e}"),
                        after_ms: None,
                    }
                }
            }
        }
        let message = Message {
            claimed,
            text: &text,
            address: &address,
            secret: secret.as_deref(),
            now_ms,
        };
        provider.send(&message).await
    }
}

/// The engineer's contact point for the delivery's channel as it is now.
async fn contact_point(
    state: &AppState,
    claimed: &Claimed,
) -> Result<(String, Option<String>), Outcome> {
    let Some(technician) = claimed.technician_id else {
        return Err(Outcome::Cancelled("the engineer was deleted".into()));
    };
    let channel = claimed.channel;
    match contact_points::for_sending(&state.db, &state.secret_key, technician, channel).await {
        Ok(Some(address)) => Ok(address),
        Ok(None) => Err(Outcome::Cancelled(format!(
            "the engineer has no {} address any more",
            channel.title()
        ))),
        Err(e) => Err(Outcome::Retry {
            answer: format!("the database could not be read: {e}"),
            after_ms: None,
        }),
    }
}

/// A name for this worker that no other worker, here or in another instance, shares.
fn worker_name(index: usize) -> String {
    format!(
        "{}-{:08x}-{index}",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// Starts the delivery loops of this instance.
pub fn spawn(state: AppState, settings: &NotifySettings, public_url: String) -> anyhow::Result<()> {
    let senders = Arc::new(Senders::new(settings, public_url)?);
    for index in 0..settings.workers {
        tokio::spawn(run(
            state.clone(),
            senders.clone(),
            settings.clone(),
            worker_name(index),
        ));
    }
    Ok(())
}

async fn run(state: AppState, senders: Arc<Senders>, settings: NotifySettings, worker: String) {
    let lease_ms = i64::try_from(settings.lease.as_millis()).unwrap_or(60_000);
    loop {
        // Registered before the claim, so a wake-up between the claim and the wait is kept.
        let ready = state.db.outbox_ready().notified();
        let claimed = match outbox::claim(
            &state.db,
            &worker,
            settings.batch,
            lease_ms,
            state.clock.now(),
        )
        .await
        {
            Ok(claimed) => claimed,
            Err(e) => {
                tracing::error!(error = %e, worker, "claiming deliveries failed");
                tokio::time::sleep(settings.poll).await;
                continue;
            }
        };
        if claimed.is_empty() {
            tokio::select! {
                () = ready => {}
                () = tokio::time::sleep(settings.poll) => {}
            }
            continue;
        }
        let results: Vec<(Claimed, Outcome)> =
            futures::future::join_all(claimed.into_iter().map(|c| {
                let senders = &senders;
                let state = &state;
                let settings = &settings;
                async move {
                    // However many steps a provider takes (SMTP has several), one message
                    // never outlasts the provider timeout, so it is recorded within the lease.
                    let outcome =
                        tokio::time::timeout(settings.http_timeout, senders.send(state, &c))
                            .await
                            .unwrap_or_else(|_| Outcome::Retry {
                                answer: "the provider timed out".into(),
                                after_ms: None,
                            });
                    (c, outcome)
                }
            }))
            .await;
        for (claimed, outcome) in &results {
            log_attempt(claimed, outcome);
        }
        if let Err(e) = outbox::finish(
            &state.db,
            &worker,
            settings.retries,
            &results,
            state.clock.now(),
        )
        .await
        {
            // The leases run out and another loop takes the rows over.
            tracing::error!(error = %e, worker, "recording deliveries failed");
            tokio::time::sleep(settings.poll).await;
        }
    }
}

/// One line per attempt: the delivery, the channel and how it ended; never the text, the
/// address or a webhook.
fn log_attempt(claimed: &Claimed, outcome: &Outcome) {
    let (result, answer) = match outcome {
        Outcome::Delivered(a) => ("delivered", a.as_str()),
        Outcome::Captured(_) => ("captured", ""),
        Outcome::Retry { answer, .. } => ("retry", answer.as_str()),
        Outcome::Failed(a) => ("failed", a.as_str()),
        Outcome::Refused(a) => ("refused", a.as_str()),
        Outcome::Deferred { .. } => ("deferred", "robot rate limit"),
        Outcome::Cancelled(a) => ("cancelled", a.as_str()),
    };
    // The provider's answer may echo the message or be a whole page: its start only.
    let answer: String = answer.chars().take(200).collect();
    tracing::info!(
        delivery = claimed.id,
        channel = claimed.channel.as_str(),
        attempt = claimed.attempt,
        result,
        answer,
        "delivery attempt"
    );
}
