//! Field problems in Chinese.

use super::{channel, unavailable, unusable, Speak};
use crate::domain::cost::CostError;
use crate::domain::directory::DirectoryError;
use crate::domain::email::EmailError;
use crate::domain::flag::FlagError;
use crate::domain::login::{LoginError, PasswordError};
use crate::domain::names::TextError;
use crate::domain::phone::PhoneError;
use crate::domain::role::RoleError;
use crate::domain::udf::UdfError;
use crate::domain::webhook::{SecretError, WebhookError};
use crate::domain::FieldProblem;

impl Speak for FieldProblem {
    fn chinese(&self) -> String {
        use FieldProblem as P;
        match self {
            P::Text(e) => e.chinese(),
            P::Email(e) => e.chinese(),
            P::Phone(e) => e.chinese(),
            P::Cost(e) => e.chinese(),
            P::Login(e) => e.chinese(),
            P::Password(e) => e.chinese(),
            P::Role(e) => e.chinese(),
            P::Flag(e) => e.chinese(),
            P::Udf(e) => e.chinese(),
            P::Directory(e) => e.chinese(),
            P::Address(e) => e.chinese(),
            P::Secret(e) => e.chinese(),
            P::Required => "必填".into(),
            P::TooLong { max } => format!("不能超过 {max} 个字符"),
            P::TooMany { max } => format!("不能超过 {max} 项"),
            P::PlainText { max } => format!("最多 {max} 个字符,且不能包含控制字符"),
            P::PlainTextBetween { min, max } => {
                format!("须为 {min} 到 {max} 个字符,且不能包含控制字符")
            }
            P::TooManyBytes { max } => format!("不能超过 {max} 字节"),
            P::ApproverNeedsEmail => "技术员有邮箱地址时才能设为 true".into(),
            P::EmailNeededByApprover => "技术员审批采购订单时不能清空".into(),
            P::LoginNeedsName => "需要登录名才能设为 true".into(),
            P::PasswordNeedsLogin => "需要登录名".into(),
            P::NotUpdatable => "不能通过修改操作更改".into(),
            P::NameNeeded => "不能清空:技术员必须有姓名".into(),
            P::LoginTaken { login } => format!("“{login}”在该域中已被使用"),
            P::NoSuchSite { site } => format!("没有名为“{site}”的站点"),
            P::NoSuchGroup { group } => format!("没有工作组“{group}”(格式为 站点-工作组)"),
            P::BetaChannelOff => "该测试版通道未开启;SDAdmin 可在“设置”中开启".into(),
            P::SignedSecretShort { min } => format!("签名 Webhook 的密钥至少 {min} 个字符"),
            P::SecretRetype => "地址变更时须重新输入".into(),
            P::SecretNeeded => "向该地址发送的消息需要用它签名".into(),
            P::NotAnId => "必须是技术员 ID(正整数)".into(),
            P::NoTechnicianNamed {
                login,
                email,
                name,
                id,
            } => format!("请用 {login}、{email}、{name} 或 {id} 指定技术员"),
            P::NotALanguage { given } => format!("“{given}”不是语言;请用 en 或 zh-CN"),
            P::NotCurrentPassword => "不是您当前的密码".into(),
            P::PasswordReused => "不能与登录名或当前密码相同".into(),
            // The estimator's advice is English only; in Chinese, what to do instead.
            P::WeakPassword { .. } => "太容易被猜到:请多加一两个不常见的词".into(),
            P::NoMethod => "请至少选择一种方式".into(),
            P::CannotSubscribe { channel: c, why } => {
                format!("{}无法订阅:{}", channel(*c), unavailable(*why))
            }
            P::CannotTest { channel: c, why } => {
                format!("{}无法测试:{}", channel(*c), unusable(*why))
            }
            P::NotAnEngineerId { given } => format!("{given} 不是工程师 ID"),
            P::NotIdOrLogin { given } => format!("{given} 既不是 ID 也不是登录名"),
            P::NoSuchEngineer { engineer } => format!("没有工程师 {engineer}"),
            P::LoginInSeveralDomains { engineer } => {
                format!("{engineer} 是多个域中工程师的登录名;请使用 ID")
            }
            P::ScopeNeedsOwner => "没有所有者的密钥只能发送通知;请用 --owner 指定所有者".into(),
            P::SiteExists { name } => format!("名为“{name}”的站点已存在"),
            P::DepartmentExists { name } => format!("该处已有部门“{name}”"),
            P::GroupExists { name, site } => format!("“{site}”中已有工作组“{name}”"),
            P::UdfExists { column } => format!("字段 {column} 已定义"),
            P::NotAChannel { given: None } => {
                format!("不是以下通道之一:{}", crate::domain::Channel::names())
            }
            P::NotAChannel { given: Some(raw) } => {
                format!(
                    "“{raw}”不是以下通道之一:{}",
                    crate::domain::Channel::names()
                )
            }
            P::NoRecipient => "请至少指定一名工程师或一个工作组".into(),
            P::TooManyRecipients { max } => format!("工程师和工作组合计不能超过 {max} 个"),
            P::NoChannel => "省略则使用所有可用通道,否则至少指定一个".into(),
            P::LdapScheme { url } => format!("“{url}”须以 ldap:// 或 ldaps:// 开头"),
            P::LdapNoHost { url } => format!("“{url}”没有主机名"),
            P::StartTlsOnLdaps => "仅用于 ldap://;ldaps:// 本身已是 TLS".into(),
            P::NotADn { value } => format!("“{value}”不是 DN,如 dc=corp,dc=example"),
            P::NotAFilter { filter } => format!("“{filter}”须为括号中的 LDAP 过滤条件"),
            P::NotAMapping { entry } => format!("“{entry}”须为 字段=属性"),
            P::NotAFilePath => "须为服务器上 CSV 或 JSON 文件的路径".into(),
            P::FileOutsideFolder => {
                "须为服务器目录文件夹中 CSV 或 JSON 文件的名称(开头不能是 /、.. 或盘符)".into()
            }
            P::NotAKind => "须为 file 或 ldap".into(),
            P::LdapNotAllowed { url } => {
                format!("“{url}”不是本服务器可以访问的目录服务器:由运营方用 --ldap-allow 列出")
            }
            P::BindPasswordRetype => {
                "请输入绑定密码:连接已变更,而该目录的密码来自服务器环境变量".into()
            }
            P::NoColumns => "是空的:第一行必须写出列名,如同导出的文件".into(),
            P::NotCsvText => "不是 UTF-8 文本的 CSV 文件".into(),
            P::UnknownColumns { columns } => {
                format!("含有 Crewdesk 不认识的列:{columns}(请使用导出文件的列名)")
            }
            P::ColumnTwice { column } => format!("列“{column}”出现了两次"),
            P::TooManyRows { max } => format!("超过 {max} 行,请拆分"),
            P::FileTooLarge { max_mb } => format!("大于 {max_mb} MB,请拆分"),
            P::CellCount { expected, found } => {
                format!("有 {found} 个单元格,而表头有 {expected} 列")
            }
            P::NotText => "不是 UTF-8 文本".into(),
            P::SameEngineerAsRow { row } => format!("与第 {row} 行是同一位工程师"),
            P::TooManyColumns { max } => format!("超过 {max} 列"),
            P::PasswordColumn => {
                "含有 pwd 列:上传的文件不保存密码;请用命令行导入密码,或在控制台中设置".into()
            }
        }
    }
}

impl Speak for TextError {
    fn chinese(&self) -> String {
        match self {
            Self::Empty => "必填".into(),
            Self::TooLong(max) => format!("不能超过 {max} 个字符"),
            Self::Control => "不能包含控制字符".into(),
            Self::Forbidden(c) => format!("不能包含“{c}”"),
            Self::Reserved => "“default”保留表示“未关联站点”".into(),
        }
    }
}

impl Speak for EmailError {
    fn chinese(&self) -> String {
        match self {
            Self::Empty => "必填".into(),
            Self::TooLong => "不能超过 254 个字符".into(),
            Self::At => "需要且只能有一个 @,如 name@example.com".into(),
            Self::LocalLength => "@ 前需要不超过 64 个字符的名称".into(),
            Self::LocalChar(c) => format!("@ 前含有不允许的字符:“{c}”"),
            Self::LocalDots => "@ 前不能以点开头或结尾,也不能有连续的点".into(),
            Self::Domain => "@ 后需要域名,如 example.com".into(),
            Self::Label(label) => format!("域名部分“{label}”无效"),
        }
    }
}

impl Speak for PhoneError {
    fn chinese(&self) -> String {
        match self {
            Self::Empty => "必填".into(),
            Self::Char(c) => format!("只能包含数字、空格、短横线、点、括号和开头的 +;发现“{c}”"),
            Self::CountryCode => "必须以 + 和国家代码开头,如 +86 138 0013 8000".into(),
            Self::Length => "含国家代码须为 8 到 15 位数字".into(),
            Self::TooLong => "不能超过 40 个字符".into(),
        }
    }
}

impl Speak for CostError {
    fn chinese(&self) -> String {
        match self {
            Self::NotANumber => "必须是数字,如 45 或 45.50".into(),
            Self::Negative => "不能为负数".into(),
            Self::Precision => "最多两位小数".into(),
            Self::TooLarge => "不能超过 1000000".into(),
        }
    }
}

impl Speak for LoginError {
    fn chinese(&self) -> String {
        match self {
            Self::Empty => "必填".into(),
            Self::TooLong => "不能超过 64 个字符".into(),
            Self::Char(c) => format!("只能包含字母、数字和 . _ - @;发现“{c}”"),
        }
    }
}

impl Speak for PasswordError {
    fn chinese(&self) -> String {
        match self {
            Self::TooShort => "至少 8 个字符".into(),
            Self::TooLong => "不能超过 1024 个字符".into(),
        }
    }
}

impl Speak for RoleError {
    fn chinese(&self) -> String {
        format!("“{}”不是角色;请用 SDAdmin 或 SDSiteAdmin", self.0)
    }
}

impl Speak for FlagError {
    fn chinese(&self) -> String {
        "只能是 true 或 false".into()
    }
}

impl Speak for UdfError {
    fn chinese(&self) -> String {
        match self {
            Self::Shape => {
                "必须以 UDF_ 开头,后接 1 到 40 个大写字母、数字或 _(如 UDF_CHAR1)".into()
            }
        }
    }
}

impl Speak for DirectoryError {
    fn chinese(&self) -> String {
        match self {
            Self::BadName => "须为 1 到 64 个字母、数字、“.”、“_”或“-”(即登录域)".into(),
            Self::BadPreset(p) => format!("“{p}”不是预设;请用 openldap 或 ad"),
            Self::BadAttribute(a) => {
                format!("属性名“{a}”只能包含字母、数字、“-”和“;”(最多 64 个字符)")
            }
            Self::BadField(f) => format!(
                "“{f}”不是字段;可映射 id、login、name、email、mobile、phone、title、employee_id 或 department"
            ),
        }
    }
}

impl Speak for WebhookError {
    fn chinese(&self) -> String {
        match self {
            Self::NotHttps => "必须是 https:// 地址".into(),
            Self::WrongHost {
                channel: c,
                example,
            } => {
                format!("必须是{}地址,如 https://{example}…", channel(*c))
            }
            Self::NoHosts => "必须位于运营方(--signed-webhook-allow)允许推送的地址上".into(),
            Self::NotAChat => "必须是会话 ID(如 -1001234567890 的数字)或公开的 @名称".into(),
            Self::Whitespace => "不能包含空格或控制字符".into(),
            Self::TooLong => "不能超过 1000 个字符".into(),
            Self::NotAllowed { hosts } => format!("必须位于本服务器允许推送的主机上:{hosts}"),
        }
    }
}

impl Speak for SecretError {
    fn chinese(&self) -> String {
        match self {
            Self::Whitespace => "不能包含空格或控制字符".into(),
            Self::Length => "须为 8 到 200 个字符".into(),
        }
    }
}
