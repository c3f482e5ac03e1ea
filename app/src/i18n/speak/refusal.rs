//! Refusals in Chinese.

use super::{channel, criterion, technician_ref, Speak};
use crate::domain::{AdminTask, Channel, Refusal, Verb};

fn verb(v: Verb) -> &'static str {
    match v {
        Verb::Add => "添加",
        Verb::Edit => "编辑",
        Verb::Update => "修改",
        Verb::Delete => "删除",
        Verb::Subscribe => "订阅",
        Verb::SendTestTo => "发送测试通知给",
        Verb::Export => "导出",
        Verb::Import => "导入",
        Verb::CheckReachabilityOf => "统计可联络的",
    }
}

fn task(t: AdminTask) -> &'static str {
    match t {
        AdminTask::ChangeReferenceData => "修改基础数据",
        AdminTask::ManageDirectories => "管理目录",
        AdminTask::Synchronize => "同步工程师信息",
        AdminTask::AddInBulk => "批量添加工程师",
        AdminTask::ReadMessageLog => "查看消息日志",
        AdminTask::ReadDeliveryLog => "查看投递日志",
        AdminTask::RetryDelivery => "重试投递",
        AdminTask::ReadAuditLog => "查看审计日志",
        AdminTask::RunDrills => "进行可达性演练",
        AdminTask::SwitchBetaChannels => "开关测试版通道",
        AdminTask::SetPasswords => "设置密码",
        AdminTask::GrantRoles => "授予角色",
        AdminTask::GrantOrRemoveRoles => "授予或移除角色",
        AdminTask::ManageApiKeys => "管理 API 密钥",
    }
}

/// How a confirmation went out: by email, else by SMS.
fn confirmed_by(c: Channel) -> &'static str {
    channel(if c == Channel::Email {
        Channel::Email
    } else {
        Channel::Sms
    })
}

fn delivery_status(status: &str) -> &str {
    match status {
        "queued" => "排队中",
        "sending" => "发送中",
        "retrying" => "等待重试",
        "delivered" => "已送达",
        "cancelled" => "已取消",
        other => other,
    }
}

impl Speak for Refusal {
    fn chinese(&self) -> String {
        use Refusal as R;
        match self {
            R::WrongCredentials => "用户名或密码不正确".into(),
            R::AccountHeldBack { minutes } => {
                format!("该账号登录失败次数过多,请 {minutes} 分钟后再试")
            }
            R::AddressThrottled { minutes } => {
                format!("您的地址登录失败次数过多,请 {minutes} 分钟后再试")
            }
            R::SignInBusy => "服务器正忙于验证其他登录,请稍后再试".into(),
            R::DirectorySignInOff => "服务器尚未配置目录认证".into(),
            R::DirectoryDown { directory } => {
                format!("目录 {directory} 没有响应,暂时无法验证密码,请稍后再试")
            }
            R::PlainLdap { directory } => format!(
                "目录 {directory} 通过未加密的 LDAP 访问,密码会以明文传输;在其改用 TLS 或运营方允许之前,拒绝目录登录"
            ),
            R::MustChangePassword => "请先设置新密码:您的密码仍是登录名".into(),
            R::NoAccount { login } => format!("没有账号“{login}”"),
            R::AccountGone => "该账号已无法登录".into(),
            R::AdminOnly { task: t } => format!("只有 SDAdmin 可以{}", task(*t)),
            R::AdminsOnly { verb: v } => {
                format!("只有 SDAdmin 或 SDSiteAdmin 可以{}技术员", verb(*v))
            }
            R::ApiUpdateAdminsOnly => {
                "只有 SDAdmin 或 SDSiteAdmin 可以通过 API 更新工程师;工程师请在控制台修改自己的联系方式"
                    .into()
            }
            R::ContactsOnly => {
                "只有 SDAdmin 或 SDSiteAdmin 可以修改技术员;工程师只能修改自己的联系方式".into()
            }
            R::ProtectedAdmin { name, verb: v } => {
                format!("“{name}”是 SDAdmin;只有 SDAdmin 可以{} SDAdmin", verb(*v))
            }
            R::OutsideSites { name, verb: v } => format!(
                "“{name}”属于您管辖范围外的站点;SDSiteAdmin 只能{}完全属于自己站点的技术员",
                verb(*v)
            ),
            R::AddOutsideSites => {
                "SDSiteAdmin 只能在自己的站点(站点、关联站点和工作组)中添加技术员".into()
            }
            R::PlaceOutsideSites => {
                "SDSiteAdmin 只能把技术员安排在自己的站点(站点、关联站点和工作组)内".into()
            }
            R::LastAdminDelete { name } => {
                format!("“{name}”是最后一名 SDAdmin,不能删除;请先将 SDAdmin 授予他人")
            }
            R::LastAdmin { name } => format!("“{name}”是最后一名 SDAdmin;请先将 SDAdmin 授予他人"),
            R::OperatorOnly => "只有运营方可以指定服务器环境变量或允许未加密的 LDAP".into(),
            R::NoTechnicianWithId { id } => format!("没有 ID 为 {id} 的技术员。"),
            R::NoTechnicianMatches { target } => {
                format!("没有符合 {} 的技术员。", technician_ref(target))
            }
            R::Ambiguous { criterion: c } => format!(
                "有多名技术员的{}相同;请改用登录名或 ID 指定技术员。未做任何修改。",
                criterion(c)
            ),
            R::NoSite { site } => format!("没有名为“{site}”的站点"),
            R::NoDirectory { name } => format!("没有名为“{name}”的目录"),
            R::DirectoryRemoved { name } => format!("目录“{name}”已被他人删除"),
            R::NoDirectoryConfigured => "尚未配置目录服务,无可同步的内容".into(),
            R::NoSync { run } => format!("没有同步任务 {run}"),
            R::NoNotification { id } => format!("没有用此密钥创建的通知 {id}"),
            R::NoApiKey { name } => format!("没有名为“{name}”的有效 API 密钥"),
            R::NoDelivery { id } => format!("没有投递 {id}"),
            R::NoSuchImport => "没有这个导入:上传的文件只为上传它的管理员保留一天".into(),
            R::NoDrill { id } => format!("没有演练 {id}"),
            R::NoSuchPlace => "没有这个站点或工作组".into(),
            R::DrillTooSoon { place, minutes } => {
                format!("{place} 在一小时内已进行过演练;请 {minutes} 分钟后再试")
            }
            R::DrillTooLarge {
                place,
                messages,
                max,
            } => format!("{place} 的演练将发送 {messages} 条消息;一次演练最多 {max} 条:请选择工作组"),
            R::DrillReachesNobody { place } => {
                format!("{place} 中没有任何人可通过任何通道联络:无可演练")
            }
            R::ImportNotWaiting => "该导入不在等待应用:已应用、正在应用或已被拒绝".into(),
            R::ImportNotYours => "只有上传该文件的管理员可以应用它".into(),
            R::StaleEdit { name } => format!(
                "“{name}”在您打开后已被他人修改。请重新加载查看最新内容;本次未保存任何修改。"
            ),
            R::StaleDelete { name } => {
                format!("“{name}”在您打开后已被他人修改。请重新加载后再试;未删除任何内容。")
            }
            R::KeptChanging => "保存期间该技术员不断被修改,请重试。".into(),
            R::ContactsChanged => "订阅期间联系方式已被修改;未发送任何消息,请重试".into(),
            R::DirectoryExists { name } => format!("名为“{name}”的目录已存在"),
            R::SyncRace => "同步启动与结束过于频繁,本次未能开始,请重试".into(),
            R::DirectoryFailed { detail } => format!("目录出错:{detail}"),
            R::NotificationPending => "该通知正在创建中,请稍后再查询".into(),
            R::ApiKeyExists { name } => {
                format!("名为“{name}”的 API 密钥已存在;请先吊销它或换一个名称")
            }
            R::DeliveryNotDead { id, status } => format!(
                "投递 {id} 的状态是{},不是失败:只有最终失败的投递可以重试",
                delivery_status(status)
            ),
            R::DeliveryOrphaned { id } => format!("投递 {id} 无法重试:该工程师已被删除"),
            R::DeliveryRetried { id } => format!("投递 {id} 刚刚已被他人重试"),
            R::TestTooSoon { channel: c, seconds } => format!(
                "刚刚已通过{}发送过测试,请等待 {seconds} 秒后再发送",
                channel(*c)
            ),
            R::ConfirmationTooSoon { channel: c, seconds } => format!(
                "刚刚已通过{}发送过确认消息,请等待 {seconds} 秒后再发送",
                confirmed_by(*c)
            ),
            R::ConfirmationsPerHour { channel: c, count } => format!(
                "过去一小时内已通过{}发送 {count} 条确认消息,请稍后再试",
                confirmed_by(*c)
            ),
        }
    }
}
