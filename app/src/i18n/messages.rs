//! Messages that come from the server (parser errors, refusals, notes) in Simplified
//! Chinese. Each entry is an English pattern, where `{}` stands for a value, and its
//! translation, where `{0}`, `{1}`… place the values. Values that are words of ours (the
//! verbs of a refusal) are translated too; names stay as they are.

/// (English pattern, Chinese pattern)
const ZH: &[(&str, &str)] = &[
    // Sign-in and transport.
    ("Please sign in.", "请先登录。"),
    ("Please correct the highlighted fields.", "请修改标出的字段。"),
    ("Something went wrong on the server. It has been logged; please try again.", "服务器出错,已记录日志,请重试。"),
    ("The server could not be reached: {}", "无法连接服务器:{0}"),
    ("the user name or password is not correct", "用户名或密码不正确"),
    ("too many failed sign-ins for this account; try again in {} minutes", "该账号登录失败次数过多,请 {0} 分钟后再试"),
    ("directory authentication is not configured on this server", "服务器尚未配置目录认证"),
    ("the directory {} does not answer, so the password cannot be checked now; try again later", "目录 {0} 没有响应,暂时无法验证密码,请稍后再试"),
    ("only an SDAdmin or SDSiteAdmin may update technicians through the API; engineers change their own contact methods in the console", "只有 SDAdmin 或 SDSiteAdmin 可以通过 API 更新工程师;工程师请在控制台修改自己的联系方式"),
    ("too many failed sign-ins from your address; try again in {} minutes", "您的地址登录失败次数过多,请 {0} 分钟后再试"),
    ("the server is busy checking other sign-ins; try again in a moment", "服务器正忙于验证其他登录,请稍后再试"),
    // Field parsers.
    ("is required", "必填"),
    ("is longer than {} characters", "不能超过 {0} 个字符"),
    ("contains control characters", "不能包含控制字符"),
    ("may not contain '{}'", "不能包含“{0}”"),
    ("'default' is reserved for \"Not associated to any site\"", "“default”保留表示“未关联站点”"),
    ("needs exactly one @, as in name@example.com", "需要且只能有一个 @,如 name@example.com"),
    ("needs a name before the @ of at most 64 characters", "@ 前需要不超过 64 个字符的名称"),
    ("has a character not allowed before the @: '{}'", "@ 前含有不允许的字符:“{0}”"),
    ("may not start or end with a dot, or have two dots in a row, before the @", "@ 前不能以点开头或结尾,也不能有连续的点"),
    ("needs a domain such as example.com after the @", "@ 后需要域名,如 example.com"),
    ("has an invalid domain label '{}'", "域名部分“{0}”无效"),
    ("must start with + and the country code, e.g. +86 138 0013 8000", "必须以 + 和国家代码开头,如 +86 138 0013 8000"),
    ("must have 8 to 15 digits including the country code", "含国家代码须为 8 到 15 位数字"),
    ("may contain only digits, spaces, dashes, dots, brackets and a leading +; found '{}'", "只能包含数字、空格、短横线、点、括号和开头的 +;发现“{0}”"),
    ("must be a number such as 45 or 45.50", "必须是数字,如 45 或 45.50"),
    ("may have at most two decimal places", "最多两位小数"),
    ("may not be negative", "不能为负数"),
    ("must be at most 1000000", "不能超过 1000000"),
    ("must be true or false", "只能是 true 或 false"),
    ("may contain letters, digits and . _ - @ only; found '{}'", "只能包含字母、数字和 . _ - @;发现“{0}”"),
    ("must be at least 8 characters", "至少 8 个字符"),
    ("'{}' is not a role; use SDAdmin or SDSiteAdmin", "“{0}”不是角色;请用 SDAdmin 或 SDSiteAdmin"),
    ("must start with UDF_ followed by 1 to 40 capital letters, digits or _ (e.g. UDF_CHAR1)", "必须以 UDF_ 开头,后接 1 到 40 个大写字母、数字或 _(如 UDF_CHAR1)"),
    ("must be an https:// address", "必须是 https:// 地址"),
    ("must be a {} address, e.g. {}", "必须是{0}地址,如 {1}"),
    ("is needed to sign what is sent to this address", "向该地址发送的消息需要用它签名"),
    ("must be typed again when the address changes", "地址变更时须重新输入"),
    ("must be at least 16 characters for a signed webhook", "签名 Webhook 的密钥至少 16 个字符"),
    ("must be on a host this server posts to, named by its operator (--signed-webhook-allow)", "必须位于运营方(--signed-webhook-allow)允许推送的地址上"),
    ("must be a chat id (a number like -1001234567890) or a public @name", "必须是会话 ID(如 -1001234567890 的数字)或公开的 @名称"),
    ("must be on a host this server posts to: {}", "必须位于本服务器允许推送的主机上:{0}"),
    ("may not contain spaces or control characters", "不能包含空格或控制字符"),
    ("must be 8 to 200 characters", "须为 8 到 200 个字符"),
    ("must be at most 100 characters without control characters", "最多 100 个字符,且不能包含控制字符"),
    ("must be at most 1000 characters without control characters", "最多 1000 个字符,且不能包含控制字符"),
    // Technician rules.
    ("can be true only when the technician has an email address", "技术员有邮箱地址时才能设为 true"),
    ("can be true only with a loginName", "需要登录名才能设为 true"),
    ("needs a loginName", "需要登录名"),
    ("cannot be changed by an update", "不能通过修改操作更改"),
    ("cannot be cleared; a technician needs a name", "不能清空:技术员必须有姓名"),
    ("cannot be cleared while the technician approves purchase orders", "技术员审批采购订单时不能清空"),
    ("is a beta channel that is switched off; an SDAdmin switches it on under Settings", "该测试版通道未开启;SDAdmin 可在“设置”中开启"),
    ("'{}' is already taken in that domain", "“{0}”在该域中已被使用"),
    ("there is no site named '{}'", "没有名为“{0}”的站点"),
    ("there is no group '{}' (write groups as site-group)", "没有工作组“{0}”(格式为 站点-工作组)"),
    ("Site '{}' was not found, so the technician is not associated to any site.", "未找到站点“{0}”,该技术员未关联任何站点。"),
    ("Department '{}' was not found there, so the technician has no department and is not associated to any site.", "未找到部门“{0}”,该技术员没有部门,也未关联任何站点。"),
    ("The department belonged to the old site, so the technician now has no department.", "原部门属于旧站点,该技术员现在没有部门。"),
    ("'{}' was changed by someone else after you opened it. Reload to see the current values; nothing was saved.", "“{0}”在您打开后已被他人修改。请重新加载查看最新内容;本次未保存任何修改。"),
    ("'{}' was changed by someone else after you opened it. Reload and try again; nothing was deleted.", "“{0}”在您打开后已被他人修改。请重新加载后再试;未删除任何内容。"),
    ("The technician kept changing while this update was applied; try again.", "保存期间该技术员不断被修改,请重试。"),
    ("Nothing was changed: the request named no attribute to update.", "未做任何修改:请求中没有要修改的属性。"),
    ("No technician matches {}.", "没有符合 {0} 的技术员。"),
    ("There is no technician with id {}.", "没有 ID 为 {0} 的技术员。"),
    ("More than one technician has the {}; name the technician by login name or id instead. Nothing was changed.", "有多名技术员的{0}相同;请改用登录名或 ID 指定技术员。未做任何修改。"),
    // Permissions.
    ("only an SDAdmin or SDSiteAdmin may {} technicians", "只有 SDAdmin 或 SDSiteAdmin 可以{0}技术员"),
    ("only an SDAdmin or SDSiteAdmin may update technicians; engineers may change their own contact methods", "只有 SDAdmin 或 SDSiteAdmin 可以修改技术员;工程师只能修改自己的联系方式"),
    ("only an SDAdmin may grant roles", "只有 SDAdmin 可以授予角色"),
    ("only an SDAdmin may grant or remove roles", "只有 SDAdmin 可以授予或移除角色"),
    ("only an SDAdmin may change reference data", "只有 SDAdmin 可以修改基础数据"),
    ("only an SDAdmin may read the audit log", "只有 SDAdmin 可以查看审计日志"),
    ("only an SDAdmin may switch beta channels", "只有 SDAdmin 可以开关测试版通道"),
    ("only an SDAdmin may set passwords", "只有 SDAdmin 可以设置密码"),
    ("'{}' is an SDAdmin; only an SDAdmin may {} an SDAdmin", "“{0}”是 SDAdmin;只有 SDAdmin 可以{1} SDAdmin"),
    ("'{}' belongs to sites outside yours; an SDSiteAdmin may {} only technicians wholly within its sites", "“{0}”属于您管辖范围外的站点;SDSiteAdmin 只能{1}完全属于自己站点的技术员"),
    ("an SDSiteAdmin may add technicians only to its own sites (site, associated sites and groups)", "SDSiteAdmin 只能在自己的站点(站点、关联站点和工作组)中添加技术员"),
    ("an SDSiteAdmin may place technicians only within its own sites (site, associated sites and groups)", "SDSiteAdmin 只能把技术员安排在自己的站点(站点、关联站点和工作组)内"),
    ("'{}' is the last SDAdmin and cannot be deleted; grant SDAdmin to someone else first", "“{0}”是最后一名 SDAdmin,不能删除;请先将 SDAdmin 授予他人"),
    ("'{}' is the last SDAdmin; grant SDAdmin to someone else first", "“{0}”是最后一名 SDAdmin;请先将 SDAdmin 授予他人"),
    // Reference data and subscriptions.
    ("a site named '{}' already exists", "名为“{0}”的站点已存在"),
    ("the department '{}' already exists there", "该处已有部门“{0}”"),
    ("the group '{}' already exists in '{}'", "“{1}”中已有工作组“{0}”"),
    ("the field {} is already defined", "字段 {0} 已定义"),
    ("pick at least one method", "请至少选择一种方式"),
    ("{} cannot be subscribed: {}", "{0} 无法订阅:{1}"),
    ("SMS and voice need a valid mobile number", "短信和语音需要有效的手机号码"),
    ("email needs an email address", "邮件需要邮箱地址"),
    ("it needs a mobile number", "需要手机号码"),
    ("it needs an email address", "需要邮箱地址"),
    ("it is a beta channel that is switched off", "该测试版通道未开启"),
    ("it is already confirmed", "已确认"),
    // Directories.
    ("no directory is configured yet, so there is nothing to synchronize", "尚未配置目录服务,无可同步的内容"),
    ("only an SDAdmin may synchronize engineer info", "只有 SDAdmin 可以同步工程师信息"),
    ("only an SDAdmin may manage directories", "只有 SDAdmin 可以管理目录"),
    ("a directory named '{}' already exists", "名为“{0}”的目录已存在"),
    ("there is no directory named '{}'", "没有名为“{0}”的目录"),
    ("syncs are starting and ending faster than this one could begin; try again", "同步启动与结束过于频繁,本次未能开始,请重试"),
    ("must be 1 to 64 letters, digits, '.', '_' or '-' (it is the login domain)", "须为 1 到 64 个字母、数字、“.”、“_”或“-”(即登录域)"),
    ("must be the path of a CSV or JSON file on the server", "须为服务器上 CSV 或 JSON 文件的路径"),
    ("'{}' must start with ldap:// or ldaps://", "“{0}”须以 ldap:// 或 ldaps:// 开头"),
    ("'{}' must be a variable name like CORP_LDAP_PASSWORD", "“{0}”须为变量名,如 CORP_LDAP_PASSWORD"),
    ("'{}' is not a DN like dc=corp,dc=example", "“{0}”不是 DN,如 dc=corp,dc=example"),
    // Deliveries.
    ("only an SDAdmin may read the Message log", "只有 SDAdmin 可以查看消息日志"),
    ("only an SDAdmin may read the delivery log", "只有 SDAdmin 可以查看投递日志"),
    ("only an SDAdmin may retry a delivery", "只有 SDAdmin 可以重试投递"),
    ("no delivery {}", "没有投递 {0}"),
    ("delivery {} is {}, not dead: only a dead letter can be retried", "投递 {0} 的状态是 {1},不是失败:只有最终失败的投递可以重试"),
    ("delivery {} cannot be retried: its engineer was deleted", "投递 {0} 无法重试:该工程师已被删除"),
    ("delivery {} was retried by someone else a moment ago", "投递 {0} 刚刚已被他人重试"),
];

/// Our own words that appear as values inside messages.
const WORDS: &[(&str, &str)] = &[
    ("update", "修改"),
    ("edit", "编辑"),
    ("delete", "删除"),
    ("subscribe", "订阅"),
    ("add", "添加"),
    ("sms", "短信"),
    ("voice", "语音"),
    ("email", "邮件"),
    ("WeCom", "企业微信"),
    ("DingTalk", "钉钉"),
    ("Lark/Feishu", "飞书"),
];

/// The values `{}` stands for, if `message` has the shape of `pattern`.
fn captures(pattern: &str, message: &str) -> Option<Vec<String>> {
    let pieces: Vec<&str> = pattern.split("{}").collect();
    let mut rest = message.strip_prefix(pieces[0])?;
    let mut values = Vec::new();
    for (i, piece) in pieces.iter().enumerate().skip(1) {
        let last = i == pieces.len() - 1;
        let end = if last {
            if !rest.ends_with(piece) {
                return None;
            }
            rest.len() - piece.len()
        } else {
            rest.find(piece)?
        };
        values.push(rest[..end].to_owned());
        rest = &rest[end + piece.len()..];
    }
    (pieces.len() > 1 || rest.is_empty()).then_some(values)
}

/// A value placed in a message: one of our words, or a whole phrase of ours (the reason in
/// "sms cannot be subscribed: it needs a mobile number"), in Chinese; anything else as it is.
fn word(value: &str) -> String {
    WORDS
        .iter()
        .chain(ZH.iter().filter(|(en, _)| !en.contains("{}")))
        .find(|(en, _)| *en == value)
        .map_or_else(|| value.to_owned(), |(_, zh)| (*zh).to_owned())
}

/// `message` in Chinese, or as it is when no pattern fits. A message of several
/// `field: message` parts separated by `; ` is translated part by part.
pub fn to_chinese(message: &str) -> String {
    if let Some(done) = ZH.iter().find_map(|(en, zh)| {
        captures(en, message).map(|values| {
            values
                .iter()
                .enumerate()
                .fold((*zh).to_owned(), |out, (i, v)| {
                    out.replace(&format!("{{{i}}}"), &word(v))
                })
        })
    }) {
        return done;
    }
    if message.contains("; ") {
        return message
            .split("; ")
            .map(|part| match part.split_once(": ") {
                Some((field, text)) => format!("{field}:{}", to_chinese(text)),
                None => to_chinese(part),
            })
            .collect::<Vec<_>>()
            .join(";");
    }
    message.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;

    fn e<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<(), String> {
        r.map(|_| ()).map_err(|e| e.to_string())
    }

    fn cjk(text: &str) -> bool {
        text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn values_are_carried_over_and_our_words_translated() {
        assert_eq!(
            to_chinese("is longer than 40 characters"),
            "不能超过 40 个字符"
        );
        assert_eq!(
            to_chinese("'Ada' is an SDAdmin; only an SDAdmin may delete an SDAdmin"),
            "“Ada”是 SDAdmin;只有 SDAdmin 可以删除 SDAdmin"
        );
        assert_eq!(
            to_chinese("the group 'Net' already exists in 'London'"),
            "“London”中已有工作组“Net”"
        );
        assert_eq!(to_chinese("no such message"), "no such message");
    }

    /// The Subscribe dialog shows its refusals in words (it has no fields to mark).
    #[test]
    fn every_subscribe_refusal_is_translated() {
        for english in [
            "pick at least one method",
            "SMS and voice need a valid mobile number",
            "email needs an email address",
        ] {
            assert_ne!(to_chinese(english), english);
        }
        for reason in [
            Unavailable::NeedsMobile,
            Unavailable::NeedsEmail,
            Unavailable::BetaOff,
            Unavailable::AlreadyConfirmed,
        ] {
            let english = format!("sms cannot be subscribed: {}", reason.describe());
            let chinese = to_chinese(&english);
            assert!(chinese.contains("无法订阅"), "{chinese}");
            assert!(!chinese.contains(reason.describe()), "{chinese}");
        }
    }

    /// Every message a parser can produce has a translation.
    #[test]
    fn every_parser_message_is_translated() {
        let mut messages: Vec<String> = Vec::new();
        let mut add = |r: Result<(), String>| {
            if let Err(m) = r {
                messages.push(m);
            }
        };

        for raw in ["", "x".repeat(300).as_str(), "a\u{1}b", "a,b", "default"] {
            add(e(PersonName::parse(raw)));
            add(e(ShortText::parse(raw)));
            add(e(SiteName::parse(raw)));
        }
        for raw in [
            "nope",
            "@x.io",
            "a b@x.io",
            ".a@x.io",
            "a@",
            "a@-x.io",
            &format!("{}@x.io", "a".repeat(70)),
            &format!("a@{}.io", "x".repeat(260)),
        ] {
            add(e(Email::parse(raw)));
        }
        for raw in ["12", "+1 2", "+86 138x", "+1234567890123456"] {
            add(e(Phone::parse(raw)));
        }
        for raw in ["x", "1.234", "-1", "99999999"] {
            add(e(CostPerHour::parse(raw)));
        }
        for raw in ["a b", "", &"x".repeat(300)] {
            add(e(LoginName::parse(raw)));
        }
        add(e(Password::parse("short")));
        add(e(Role::parse_list("God")));
        add(e(flag::parse_flag("yes")));
        add(e(UdfColumn::parse("x")));
        let providers = WebhookHosts::default();
        let custom = WebhookHosts::parse(&["chat.example.com".to_owned()]).unwrap();
        add(e(parse_address(
            Channel::Telegram,
            "not a chat",
            &providers,
        )));
        for robot in Channel::with_contact_points()
            .map(|(c, _)| c)
            .filter(|c| *c != Channel::Telegram)
        {
            add(e(WebhookUrl::parse(robot, "http://x", &providers)));
            add(e(WebhookUrl::parse(
                robot,
                "https://example.com/x",
                &providers,
            )));
            add(e(WebhookUrl::parse(robot, "https://a b", &providers)));
            add(e(WebhookUrl::parse(
                robot,
                "https://example.com/x",
                &custom,
            )));
        }
        add(e(SigningSecret::parse("x")));
        add(e(SigningSecret::parse("a b c d e f")));
        for why in [
            Unavailable::NeedsMobile,
            Unavailable::NeedsEmail,
            Unavailable::BetaOff,
            Unavailable::AlreadyConfirmed,
        ] {
            messages.push(why.describe().to_owned());
        }
        assert!(messages.len() > 30);
        for message in messages {
            assert!(cjk(&to_chinese(&message)), "no translation for: {message}");
        }
    }
}
