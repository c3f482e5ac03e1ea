//! The ways a notification reaches an engineer, and what each needs from them.

use super::Method;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Channel {
    Sms,
    Voice,
    Email,
    WeCom,
    DingTalk,
    Lark,
    Slack,
    Teams,
    Telegram,
    Webhook,
}

/// What an engineer saves to be reached on a channel that is not one of their own fields:
/// its contact point's address, and the name of each form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactSpec {
    pub address: AddressKind,
    /// The form field (and error key) of the address.
    pub address_field: &'static str,
    /// The form field of the signing secret, for a channel that has one.
    pub secret_field: Option<&'static str>,
    /// Whether an address is unusable without its secret.
    pub secret_required: bool,
}

/// What a contact point's address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressKind {
    /// An https webhook: by default on one of these (host, path prefix) pairs, where a host
    /// that starts with `.` admits any name under it; `--webhook-allow` replaces them.
    Webhook(&'static [(&'static str, &'static str)]),
    /// A chat's id (a number, or a public `@name`) on the operator's own bot.
    ChatId,
    /// An address under one of the operator's `--signed-webhook-allow` prefixes, and only
    /// there: the chat robots' hosts and `--webhook-allow` do not apply.
    Signed,
}

impl Channel {
    pub const ALL: [Channel; 10] = [
        Self::Sms,
        Self::Voice,
        Self::Email,
        Self::WeCom,
        Self::DingTalk,
        Self::Lark,
        Self::Slack,
        Self::Teams,
        Self::Telegram,
        Self::Webhook,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Voice => "voice",
            Self::Email => "email",
            Self::WeCom => "wecom",
            Self::DingTalk => "dingtalk",
            Self::Lark => "lark",
            Self::Slack => "slack",
            Self::Teams => "teams",
            Self::Telegram => "telegram",
            Self::Webhook => "webhook",
        }
    }

    /// The provider's own name, as English messages (XML, JSON) write it.
    pub fn title(self) -> &'static str {
        match self {
            Self::Sms => "SMS",
            Self::Voice => "voice",
            Self::Email => "email",
            Self::WeCom => "WeCom",
            Self::DingTalk => "DingTalk",
            Self::Lark => "Lark/Feishu",
            Self::Slack => "Slack",
            Self::Teams => "Microsoft Teams",
            Self::Telegram => "Telegram",
            Self::Webhook => "signed webhook",
        }
    }

    /// What an engineer saves for this channel; `None` for the channels that reach an
    /// engineer's own confirmed mobile or email.
    pub fn contact(self) -> Option<ContactSpec> {
        let webhook = |field, endpoints, secret_field| ContactSpec {
            address: AddressKind::Webhook(endpoints),
            address_field: field,
            secret_field,
            secret_required: false,
        };
        match self {
            Self::Sms | Self::Voice | Self::Email => None,
            Self::WeCom => Some(webhook(
                "wecom_webhook",
                &[("qyapi.weixin.qq.com", "/cgi-bin/webhook/send")],
                None,
            )),
            Self::DingTalk => Some(webhook(
                "dingtalk_webhook",
                &[("oapi.dingtalk.com", "/robot/send")],
                Some("dingtalk_secret"),
            )),
            Self::Lark => Some(webhook(
                "lark_webhook",
                &[
                    ("open.feishu.cn", "/open-apis/bot/v2/hook/"),
                    ("open.larksuite.com", "/open-apis/bot/v2/hook/"),
                ],
                Some("lark_secret"),
            )),
            Self::Slack => Some(webhook(
                "slack_webhook",
                &[("hooks.slack.com", "/services/")],
                None,
            )),
            Self::Teams => Some(webhook(
                "teams_webhook",
                &[
                    (".logic.azure.com", "/workflows/"),
                    (
                        ".api.powerplatform.com",
                        "/powerautomate/automations/direct/workflows/",
                    ),
                ],
                None,
            )),
            Self::Telegram => Some(ContactSpec {
                address: AddressKind::ChatId,
                address_field: "telegram_chat_id",
                secret_field: None,
                secret_required: false,
            }),
            // An address the operator allows for it, signed with the contact's own secret.
            Self::Webhook => Some(ContactSpec {
                address: AddressKind::Signed,
                address_field: "webhook_url",
                secret_field: Some("webhook_secret"),
                secret_required: true,
            }),
        }
    }

    /// The channels reached by a contact point, in the order the console lists them.
    pub fn with_contact_points() -> impl Iterator<Item = (Channel, ContactSpec)> {
        Self::ALL
            .into_iter()
            .filter_map(|c| c.contact().map(|spec| (c, spec)))
    }

    /// Off until an SDAdmin switches it on (SPEC §4): voice and every contact-point channel.
    pub fn is_beta(self) -> bool {
        !matches!(self, Self::Sms | Self::Email)
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == raw)
    }

    /// `sms, voice, …`: what a message naming the channels lists.
    pub fn names() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }

    /// The subscription that must be confirmed before this channel is used.
    pub fn method(self) -> Option<Method> {
        match self {
            Self::Sms => Some(Method::Sms),
            Self::Voice => Some(Method::Voice),
            Self::Email => Some(Method::Email),
            _ => None,
        }
    }
}

impl From<Method> for Channel {
    fn from(method: Method) -> Self {
        match method {
            Method::Sms => Self::Sms,
            Method::Voice => Self::Voice,
            Method::Email => Self::Email,
        }
    }
}

/// A message an unconfigured provider kept instead of sending (the Message log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapturedMessage {
    /// `YYYY-MM-DD HH:MM:SS`, UTC.
    pub at: String,
    pub channel: String,
    pub recipient: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePage {
    pub rows: Vec<CapturedMessage>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_reads_back_its_own_name() {
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
        assert_eq!(Channel::parse("SMS"), None);
        assert_eq!(Channel::parse("fax"), None);
    }

    #[test]
    fn every_contact_field_names_its_own_channel_and_no_two_share_a_name() {
        let mut names = Vec::new();
        for (channel, spec) in Channel::with_contact_points() {
            assert!(spec.address_field.starts_with(channel.as_str()));
            names.push(spec.address_field);
            if let Some(secret) = spec.secret_field {
                assert!(secret.starts_with(channel.as_str()));
                names.push(secret);
            }
            assert!(channel.is_beta());
        }
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
    }
}
