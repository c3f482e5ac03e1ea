//! What Crewdesk writes to an engineer, in Chinese.

use super::{channel, Speak};
use crate::domain::outbound::{Confirming, Outbound};

impl Speak for Outbound {
    fn chinese(&self) -> String {
        match self {
            Self::Confirmation {
                methods,
                name,
                link,
            } => {
                let what = match Confirming::of(methods) {
                    Confirming::SmsAndVoice => "短信和语音",
                    Confirming::Voice => "语音",
                    Confirming::Email => "邮件",
                    Confirming::Sms => "短信",
                };
                // Spaces around the link, so no reader takes a character of the text for
                // part of it.
                format!(
                    "Crewdesk:请确认为 {name} 开通{what}通知: {link} (48 小时内有效;如非本人操作,请忽略本消息)"
                )
            }
            Self::Test {
                name,
                channel: c,
                by,
            } => format!(
                "Crewdesk 测试通知:发给 {name},经由{},由 {by} 发送。",
                channel(*c)
            ),
            Self::Drill {
                name,
                channel: c,
                by,
                link,
            } => format!(
                "Crewdesk 可达性演练:发给 {name},经由{},由 {by} 发起。请点击确认收到: {link} (24 小时内有效)",
                channel(*c)
            ),
        }
    }
}
