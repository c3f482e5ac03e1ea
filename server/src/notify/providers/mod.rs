//! One provider per channel, each in its own file, all behind one trait: given a message,
//! deliver it and answer how that went (delivered, later, never) with the provider's own
//! answer as text. [`Registry::build`] makes them once from the `serve` options; a channel
//! without a provider captures its messages into the Message log.

pub mod dingtalk;
pub mod gateway;
pub mod lark;
pub mod robot;
pub mod slack;
pub mod smtp;
pub mod teams;
pub mod telegram;
pub mod webhook;
pub mod wecom;

use super::outbound::{Allowlist, Outbound};
use super::NotifySettings;
use app::domain::Channel;
use app::service::outbox::{Claimed, Outcome, RobotLimit};
use std::collections::HashMap;
use std::sync::Arc;

/// Where a channel's messages go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The recipient written with the delivery (a number, an address).
    Recipient,
    /// The engineer's contact point for the channel, read when the message is sent, so a
    /// webhook removed in between is never posted to.
    ContactPoint,
}

/// What a provider is handed: the delivery, its text as sent, and where it goes. `Debug`
/// shows neither the address (a webhook is a credential) nor the secret.
pub struct Message<'a> {
    pub claimed: &'a Claimed,
    pub text: &'a str,
    /// The recipient, or the contact point's address (a webhook URL, a chat id).
    pub address: &'a str,
    /// The contact point's secret, opened, when it has one.
    pub secret: Option<&'a str>,
    pub now_ms: i64,
}

impl std::fmt::Debug for Message<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Message")
            .field("delivery", &self.claimed.id)
            .field("channel", &self.claimed.channel)
            .finish_non_exhaustive()
    }
}

/// A way to send one channel's messages.
#[async_trait::async_trait]
pub trait Provider: Send + Sync + std::fmt::Debug {
    fn reach(&self) -> Reach {
        Reach::Recipient
    }

    /// How many messages one address may be sent; the workers keep to it across instances.
    fn limit(&self) -> Option<RobotLimit> {
        None
    }

    async fn send(&self, message: &Message<'_>) -> Outcome;
}

/// The providers of this server, by channel.
#[derive(Debug, Default)]
pub struct Registry {
    providers: HashMap<Channel, Arc<dyn Provider>>,
}

impl Registry {
    pub fn build(settings: &NotifySettings) -> anyhow::Result<Self> {
        // The robots' allowlist is for what engineers may save; the gateway is the
        // operator's own setting and is trusted on it alone, never added to that list.
        let allow = Allowlist::parse(&settings.webhook_allow).map_err(|e| anyhow::anyhow!(e))?;
        let http = Outbound::new(allow, settings.http_timeout)?;
        let mut registry = Self::default();
        if let Some(gateway) = gateway::Gateway::from_settings(settings)? {
            let gateway = Arc::new(gateway);
            registry.add(Channel::Sms, gateway.clone());
            registry.add(Channel::Voice, gateway);
        }
        if let Some(smtp) = smtp::Smtp::from_settings(settings)? {
            registry.add(Channel::Email, Arc::new(smtp));
        }
        registry.add(Channel::WeCom, Arc::new(wecom::WeCom::new(http.clone())));
        registry.add(
            Channel::DingTalk,
            Arc::new(dingtalk::DingTalk::new(http.clone())),
        );
        registry.add(Channel::Lark, Arc::new(lark::Lark::new(http.clone())));
        registry.add(Channel::Slack, Arc::new(slack::Slack::new(http.clone())));
        registry.add(Channel::Teams, Arc::new(teams::Teams::new(http.clone())));
        registry.add(Channel::Webhook, Arc::new(webhook::Webhook::new(settings)?));
        if let Some(telegram) = telegram::Telegram::from_settings(settings)? {
            registry.add(Channel::Telegram, Arc::new(telegram));
        }
        Ok(registry)
    }

    fn add(&mut self, channel: Channel, provider: Arc<dyn Provider>) {
        self.providers.insert(channel, provider);
    }

    /// The provider of `channel`; `None`: its messages are captured.
    pub fn get(&self, channel: Channel) -> Option<&dyn Provider> {
        self.providers.get(&channel).map(|p| &**p)
    }
}
