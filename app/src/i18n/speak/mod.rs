//! Typed messages (field problems, refusals, notes) in the console's languages. English is
//! each type's `Display`, the words the XML and JSON APIs speak too; Chinese is a `match`
//! over every variant here, so a variant without a translation does not compile.

mod note;
mod outbound;
mod problem;
mod refusal;

use super::{Lang, ZH_CN};
use crate::api::AppError;
use crate::domain::{Channel, Criterion, TechnicianRef, Unavailable, Unusable};

/// A message that can be said in either language.
pub trait Speak: std::fmt::Display {
    fn chinese(&self) -> String;

    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::ZhCn => self.chinese(),
        }
    }
}

impl<T: Speak> Speak for &T {
    fn chinese(&self) -> String {
        (*self).chinese()
    }
}

impl Speak for AppError {
    fn chinese(&self) -> String {
        match self {
            Self::Unauthenticated => "请先登录。".into(),
            Self::Invalid(_) => "请修改标出的字段。".into(),
            Self::Internal => "服务器出错,已记录日志,请重试。".into(),
            Self::Transport(detail) => format!("无法连接服务器:{detail}"),
            Self::SignInFailed(r)
            | Self::TooManyAttempts(r)
            | Self::Forbidden(r)
            | Self::Conflict(r)
            | Self::NotFound(r) => r.chinese(),
        }
    }
}

impl Speak for crate::domain::import::Problem {
    fn chinese(&self) -> String {
        match self {
            Self::Field(p) => p.chinese(),
            Self::Refused(r) => r.chinese(),
        }
    }
}

/// A channel's name in Chinese, as the console labels it.
fn channel(c: Channel) -> &'static str {
    ZH_CN.channel(c)
}

fn unavailable(why: Unavailable) -> &'static str {
    match why {
        Unavailable::NeedsMobile => "需要手机号码",
        Unavailable::NeedsEmail => "需要邮箱地址",
        Unavailable::RepliedStop => "该号码已回复 STOP,须先回复 START",
        Unavailable::BetaOff => "该测试版通道未开启",
        Unavailable::AlreadyConfirmed => "已确认",
    }
}

fn unusable(why: Unusable) -> &'static str {
    match why {
        Unusable::NotConfirmed => "订阅尚未确认",
        Unusable::NoWebhook => "尚未配置 Webhook",
        Unusable::BetaOff => "该测试版通道已在“设置”中关闭",
    }
}

fn criterion(c: &Criterion) -> String {
    match c {
        Criterion::Login { name, domain } if domain.is_empty() => format!("登录名“{name}”"),
        Criterion::Login { name, domain } => format!("域“{domain}”中的登录名“{name}”"),
        Criterion::Email(email) => format!("邮箱“{email}”"),
        Criterion::Name(name) => format!("姓名“{name}”"),
        Criterion::Id(id) => format!("ID {id}"),
    }
}

fn technician_ref(target: &TechnicianRef) -> String {
    target
        .criteria()
        .iter()
        .map(criterion)
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{note, problem, refusal};

    fn cjk(text: &str) -> bool {
        text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    /// Says `message` in both languages: English is its own text, Chinese differs from it
    /// and is written in Chinese, and every value the English carries is carried over.
    fn both<T: Speak + std::fmt::Debug>(message: &T, values: &[&str]) {
        let en = message.say(Lang::En);
        let zh = message.say(Lang::ZhCn);
        assert_eq!(en, message.to_string());
        assert!(!en.is_empty() && !cjk(&en), "{message:?} in English: {en}");
        assert!(cjk(&zh), "{message:?} has no Chinese: {zh}");
        assert_ne!(en, zh);
        for value in values {
            if en.contains(value) {
                assert!(
                    zh.contains(value),
                    "{message:?} loses '{value}' in Chinese: {zh}"
                );
            }
        }
    }

    const VALUES: &[&str] = &[
        "Ada",
        "ada",
        "Paris",
        "Paris-Net",
        "CORP",
        "Ops",
        "40",
        "100",
        "200",
        "1000",
        "16",
        "7",
        "15",
        "30",
        "techLoginName",
        "userid",
        "ldap://evil",
        "fax",
    ];

    #[test]
    fn every_field_problem_is_said_in_both_languages() {
        let all = problem::samples();
        assert!(all.len() > 80, "{}", all.len());
        for p in &all {
            both(p, VALUES);
        }
    }

    #[test]
    fn every_refusal_is_said_in_both_languages() {
        let all = refusal::samples();
        assert!(all.len() > 60, "{}", all.len());
        for r in &all {
            if matches!(r, crate::domain::Refusal::DirectoryFailed { .. }) {
                // The directory's own words, which only it knows in another language.
                assert_eq!(r.say(Lang::ZhCn), "目录出错:connection refused");
                continue;
            }
            both(r, VALUES);
        }
    }

    #[test]
    fn every_note_is_said_in_both_languages() {
        let (notices, notes) = note::samples();
        for n in &notices {
            both(n, VALUES);
        }
        for n in &notes {
            if matches!(n, crate::domain::SyncNote::Earlier { .. }) {
                // Saved in English before notes had codes: shown as it was written.
                assert_eq!(n.say(Lang::ZhCn), n.to_string());
                continue;
            }
            both(n, VALUES);
        }
    }

    #[test]
    fn what_crewdesk_writes_to_an_engineer_is_said_in_both_languages() {
        use crate::domain::{Method, Outbound};
        let link = "https://crewdesk.example/confirm/abc";
        for methods in [
            vec![Method::Sms],
            vec![Method::Voice],
            vec![Method::Sms, Method::Voice],
            vec![Method::Email],
        ] {
            let confirmation = Outbound::Confirmation {
                methods,
                name: "Ada".into(),
                link: link.into(),
            };
            both(&confirmation, &["Ada", link]);
            // The link stands alone, so a phone or a mail reader links all of it.
            let zh = confirmation.say(Lang::ZhCn);
            assert!(zh.split_whitespace().any(|w| w == link), "{zh}");
        }
        let drill = Outbound::Drill {
            name: "Ada".into(),
            channel: Channel::Sms,
            by: "Root".into(),
            link: "{public_url}/ack/abc".into(),
        };
        both(&drill, &["Ada", "Root", "{public_url}/ack/abc"]);
        let zh = drill.say(Lang::ZhCn);
        assert!(
            zh.split_whitespace().any(|w| w == "{public_url}/ack/abc"),
            "{zh}"
        );
        let test = Outbound::Test {
            name: "Ada".into(),
            channel: Channel::Telegram,
            by: "Root".into(),
        };
        both(&test, &["Ada", "Root"]);
        assert_eq!(
            test.say(Lang::En),
            "Crewdesk test notification for Ada over telegram, sent by Root."
        );
    }

    #[test]
    fn an_app_error_is_said_through_its_refusal() {
        use crate::domain::{AdminTask, Refusal};
        let error = AppError::Forbidden(Refusal::AdminOnly {
            task: AdminTask::ReadAuditLog,
        });
        assert_eq!(
            error.say(Lang::En),
            "only an SDAdmin may read the audit log"
        );
        assert_eq!(error.say(Lang::ZhCn), "只有 SDAdmin 可以查看审计日志");
        for e in [
            AppError::Unauthenticated,
            AppError::Internal,
            AppError::Invalid(Default::default()),
            AppError::Transport("timed out".into()),
        ] {
            both(&e, &["timed out"]);
        }
    }

    #[test]
    fn a_field_problem_keeps_its_values_in_chinese() {
        use crate::domain::FieldProblem;
        assert_eq!(
            FieldProblem::TooLong { max: 40 }.say(Lang::ZhCn),
            "不能超过 40 个字符"
        );
        assert_eq!(
            FieldProblem::CannotSubscribe {
                channel: Channel::Sms,
                why: Unavailable::NeedsMobile
            }
            .say(Lang::ZhCn),
            "短信无法订阅:需要手机号码"
        );
    }
}
