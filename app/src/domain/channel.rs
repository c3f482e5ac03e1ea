//! The six ways a notification reaches an engineer.

use super::{Method, Robot};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    Sms,
    Voice,
    Email,
    WeCom,
    DingTalk,
    Lark,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Self::Sms,
        Self::Voice,
        Self::Email,
        Self::WeCom,
        Self::DingTalk,
        Self::Lark,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Voice => "voice",
            Self::Email => "email",
            Self::WeCom => "wecom",
            Self::DingTalk => "dingtalk",
            Self::Lark => "lark",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == raw)
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

    pub fn robot(self) -> Option<Robot> {
        match self {
            Self::WeCom => Some(Robot::WeCom),
            Self::DingTalk => Some(Robot::DingTalk),
            Self::Lark => Some(Robot::Lark),
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

impl From<Robot> for Channel {
    fn from(robot: Robot) -> Self {
        match robot {
            Robot::WeCom => Self::WeCom,
            Robot::DingTalk => Self::DingTalk,
            Robot::Lark => Self::Lark,
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
}
