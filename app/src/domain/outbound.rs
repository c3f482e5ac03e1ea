//! What Crewdesk itself writes to an engineer (a confirmation link, a test notification), as
//! a value rendered in the engineer's language when it is queued. English is the `Display`.

use super::channel::Channel;
use super::roster::Method;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Outbound {
    #[error(
        "Crewdesk: confirm {} notifications for {name}: {link} (valid for 48 hours; ignore this message if you did not expect it)",
        Self::english_methods(methods)
    )]
    Confirmation {
        methods: Vec<Method>,
        /// The engineer's name, cut to fit a message.
        name: String,
        link: String,
    },
    #[error("Crewdesk test notification for {name} over {}, sent by {by}.", channel.as_str())]
    Test {
        name: String,
        channel: Channel,
        by: String,
    },
    #[error(
        "Crewdesk reachability drill for {name} over {}, started by {by}: please acknowledge {link} (valid for 24 hours).",
        channel.as_str()
    )]
    Drill {
        name: String,
        channel: Channel,
        by: String,
        link: String,
    },
}

/// Which methods a confirmation is for, as one phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirming {
    SmsAndVoice,
    Voice,
    Email,
    Sms,
}

impl Confirming {
    pub fn of(methods: &[Method]) -> Self {
        match methods {
            [Method::Sms, Method::Voice] | [Method::Voice, Method::Sms] => Self::SmsAndVoice,
            [Method::Voice] => Self::Voice,
            [Method::Email] => Self::Email,
            _ => Self::Sms,
        }
    }
}

impl Outbound {
    fn english_methods(methods: &[Method]) -> &'static str {
        match Confirming::of(methods) {
            Confirming::SmsAndVoice => "SMS and voice",
            Confirming::Voice => "voice",
            Confirming::Email => "email",
            Confirming::Sms => "SMS",
        }
    }
}
