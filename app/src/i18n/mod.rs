//! The console in English and Simplified Chinese. Every string the UI shows is a field of
//! `Texts`; the macro builds both tables from one list, so a missing translation does not
//! compile. The language comes from the `crewdesk_lang` cookie (the switcher sets it), else
//! from `Accept-Language`; the server writes it into `<html lang>`, where hydration reads it.

use serde::{Deserialize, Serialize};

pub mod speak;
pub use speak::Speak;

pub const LANG_COOKIE: &str = "crewdesk_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhCn => "zh-CN",
        }
    }

    /// The language's own name, as the switcher shows it.
    pub fn name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::ZhCn => "简体中文",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_lowercase();
        if code == "en" || code.starts_with("en-") {
            Some(Self::En)
        } else if code == "zh" || code.starts_with("zh-") {
            Some(Self::ZhCn)
        } else {
            None
        }
    }

    /// A language an engineer or a site is set to, exactly as the API writes it (`en`,
    /// `zh-CN`, in any case).
    pub fn parse_setting(code: &str) -> Result<Self, crate::domain::FieldProblem> {
        let code = code.trim();
        Self::ALL
            .into_iter()
            .find(|lang| lang.code().eq_ignore_ascii_case(code))
            .ok_or_else(|| crate::domain::FieldProblem::NotALanguage {
                given: code.chars().take(40).collect(),
            })
    }

    /// The first supported language in `Accept-Language`, by quality then order.
    pub fn from_accept_language(header: &str) -> Self {
        let mut offers: Vec<(f32, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let lang = Self::parse(pieces.next()?)?;
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, i, lang))
            })
            .collect();
        offers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        offers.first().map_or(Self::En, |(_, _, lang)| *lang)
    }

    /// The cookie, else `Accept-Language`.
    pub fn choose(cookie: Option<&str>, accept_language: Option<&str>) -> Self {
        cookie
            .and_then(Self::parse)
            .unwrap_or_else(|| Self::from_accept_language(accept_language.unwrap_or("")))
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Self::En => &EN,
            Self::ZhCn => &ZH_CN,
        }
    }
}

impl Texts {
    /// A subscription state in words.
    pub fn state(&self, state: crate::domain::SubState) -> &'static str {
        use crate::domain::SubState;
        match state {
            SubState::Unsubscribed => self.state_unsubscribed,
            SubState::Pending => self.state_pending,
            SubState::Confirmed => self.state_confirmed,
            SubState::Expired => self.state_expired,
        }
    }

    /// A channel's name.
    pub fn channel(&self, channel: crate::domain::Channel) -> &'static str {
        use crate::domain::Channel;
        match channel {
            Channel::Sms => self.method_sms,
            Channel::Voice => self.method_voice,
            Channel::Email => self.method_email,
            Channel::WeCom => self.robot_wecom,
            Channel::DingTalk => self.robot_dingtalk,
            Channel::Lark => self.robot_lark,
            Channel::Slack => self.channel_slack,
            Channel::Teams => self.channel_teams,
            Channel::Telegram => self.channel_telegram,
            Channel::Webhook => self.channel_webhook,
        }
    }

    /// A channel's name as a roster chip shows it: a few letters.
    pub fn channel_short(&self, channel: crate::domain::Channel) -> &'static str {
        use crate::domain::Channel;
        match channel {
            Channel::Sms => self.short_sms,
            Channel::Voice => self.short_voice,
            Channel::Email => self.short_email,
            Channel::WeCom => self.short_wecom,
            Channel::DingTalk => self.short_dingtalk,
            Channel::Lark => self.short_lark,
            Channel::Slack => self.short_slack,
            Channel::Teams => self.short_teams,
            Channel::Telegram => self.short_telegram,
            Channel::Webhook => self.short_webhook,
        }
    }

    /// The label of a contact-point field (see [`crate::domain::ContactSpec`]); the field's
    /// own name for one without a label.
    pub fn contact_field<'a>(&self, field: &'a str) -> &'a str {
        match field {
            "wecom_webhook" => self.wecom_webhook,
            "dingtalk_webhook" => self.dingtalk_webhook,
            "dingtalk_secret" => self.dingtalk_secret,
            "lark_webhook" => self.lark_webhook,
            "lark_secret" => self.lark_secret,
            "slack_webhook" => self.slack_webhook,
            "teams_webhook" => self.teams_webhook,
            "telegram_chat_id" => self.telegram_chat_id,
            "webhook_url" => self.webhook_url,
            "webhook_secret" => self.webhook_secret,
            other => other,
        }
    }
}

/// Replaces `{name}` in `template` with each value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

macro_rules! texts {
    ($($key:ident: $en:literal, $zh:literal;)*) => {
        /// Every string of the console, in one language.
        #[derive(Debug)]
        pub struct Texts { $(pub $key: &'static str,)* }
        pub const EN: Texts = Texts { $($key: $en,)* };
        pub const ZH_CN: Texts = Texts { $($key: $zh,)* };
    };
}

texts! {
    app_name: "Crewdesk", "Crewdesk";
    nav_engineers: "Engineers", "工程师";
    nav_main: "Main", "主导航";
    sign_out: "Sign out", "退出登录";
    language: "Language", "语言";
    not_found_title: "Page not found", "页面不存在";
    back_to_engineers: "Back to the engineers", "返回工程师列表";

    sign_in_title: "Sign in to Crewdesk", "登录 Crewdesk";
    login_name: "Login name", "登录名";
    password: "Password", "密码";
    domain: "Domain", "域";
    domain_hint: "Empty for local accounts", "本地账号留空";
    sign_in: "Sign in", "登录";

    engineers_title: "O&M Engineer Management", "运维工程师管理";
    add_technician: "Add technician", "添加技术员";
    synchronize: "Synchronize Engineer Info", "同步工程师信息";
    filter_directory: "Directory", "目录";
    directory_synced: "From a directory", "来自目录";
    directory_missing: "Gone from its directory", "已不在目录中";
    directory_gone: "gone from {directory}", "已不在 {directory}";
    directory_missing_hint: "The last Synchronize Engineer Info did not find this engineer in the directory; nothing was deleted.", "最近一次同步工程师信息时目录中未找到该工程师;未删除任何数据。";
    directories_title: "Directories", "目录";
    directories_explain: "Directories feed the roster through Synchronize Engineer Info. A directory's name is the login domain its engineers sign in with. An LDAP bind password is never stored: name the environment variable of the server that holds it.", "目录通过“同步工程师信息”填充工程师名单。目录名即其工程师登录时使用的域。LDAP 绑定密码从不保存:请填写服务器上保存该密码的环境变量名。";
    directories_none: "No directory yet.", "尚无目录。";
    directory_name: "Name (login domain)", "名称(登录域)";
    directory_name_hint: "e.g. CORP", "如 CORP";
    directory_source: "Reads from", "数据来源";
    directory_mapping: "Preset and attributes", "预设与属性";
    directory_add: "Add directory", "添加目录";
    directory_change: "Change directory {name}", "修改目录 {name}";
    directory_kind: "Kind", "类型";
    directory_kind_file: "Directory file (CSV or JSON)", "目录文件(CSV 或 JSON)";
    directory_kind_ldap: "LDAP / Active Directory", "LDAP / Active Directory";
    directory_preset: "Attribute preset", "属性预设";
    directory_file: "File path on the server", "服务器上的文件路径";
    directory_file_hint: "a file in the server's directory folder, e.g. corp.csv", "服务器目录文件夹中的文件,如 corp.csv";
    directory_ldap_url: "LDAP URL", "LDAP 地址";
    directory_bind_dn: "Bind DN (service account)", "绑定 DN(服务账号)";
    directory_password: "Bind password", "绑定密码";
    directory_password_hint: "stored encrypted, never shown again", "加密保存,不再显示";
    directory_password_kept: "a password is stored: leave empty to keep it (changing the URL, StartTLS or bind DN drops it)", "已保存密码:留空则保留(更改 URL、StartTLS 或绑定 DN 会清除它)";
    directory_plain_allowed: "Plain LDAP (passwords in clear) allowed by the operator", "运维人员已允许明文 LDAP(密码不加密)";
    directory_base_dn: "Base DN", "基准 DN";
    directory_filter: "Filter (optional)", "过滤条件(可选)";
    directory_map: "Attribute changes (optional)", "属性调整(可选)";
    directory_starttls: "Use StartTLS", "使用 StartTLS";
    sync_reading: "Reading the directory…", "正在读取目录…";
    sync_running: "Synchronizing engineer info: {processed} of {total} entries", "正在同步工程师信息:{processed}/{total} 条";
    sync_done: "Synchronized: created {created}, updated {updated}, unchanged {unchanged}, flagged {flagged}", "同步完成:新建 {created},更新 {updated},未变 {unchanged},标记 {flagged}";
    sync_skipped: "{count} entries were skipped; see why below.", "{count} 条记录被跳过,原因见下。";
    sync_failed: "The sync stopped: {error}", "同步已停止:{error}";
    sync_list_created: "Created ({count})", "新建({count})";
    sync_list_updated: "Updated ({count})", "更新({count})";
    sync_list_flagged: "Flagged: gone from the directory ({count})", "已标记:目录中已不存在({count})";
    sync_list_skipped: "Skipped ({count})", "跳过({count})";
    sync_list_notes: "Notes ({count})", "说明({count})";
    technician_added: "Technician added.", "技术员已添加。";
    technician_updated: "Changes saved.", "修改已保存。";
    technician_deleted: "Technician deleted.", "技术员已删除。";
    subscriptions_requested: "Subscriptions requested.", "订阅请求已提交。";
    search_placeholder: "Search name, alias, login, email, mobile", "搜索姓名、别名、登录名、邮箱、手机";
    search_label: "Search engineers", "搜索工程师";
    search: "Search", "搜索";
    filter_site: "Site", "站点";
    filter_role: "Role", "角色";
    filter_state: "Subscription", "订阅状态";
    sort_order: "Order", "顺序";
    any: "Any", "全部";
    not_associated: "Not associated", "未关联站点";
    no_role: "No role", "无角色";
    sort_by: "Sort by", "排序";
    sort_name: "Name", "姓名";
    sort_login: "Login", "登录名";
    sort_site: "Site", "站点";
    sort_updated: "Last changed", "最近修改";
    ascending: "ascending", "升序";
    descending: "descending", "降序";
    apply: "Apply", "应用";
    loading_engineers: "Loading engineers…", "正在加载工程师…";
    no_match: "No engineers match.", "没有符合条件的工程师。";
    table_caption: "Engineers", "工程师";
    col_name: "Name", "姓名";
    col_alias: "Alias", "别名";
    col_login: "Login", "登录名";
    col_site: "Site", "站点";
    col_department: "Department", "部门";
    col_mobile: "Mobile", "手机";
    col_email: "Email", "邮箱";
    col_channels: "Channels", "通知方式";
    col_roles: "Roles", "角色";
    col_operation: "Operation", "操作";
    edit: "Edit", "编辑";
    delete: "Delete", "删除";
    subscribe: "Subscribe", "订阅";
    pager_label: "Pages", "分页";
    pager_summary: "{total} engineers · page {page} of {pages}", "共 {total} 名工程师 · 第 {page}/{pages} 页";
    pager_summary_more: "More than {total} engineers · page {page}", "超过 {total} 名工程师 · 第 {page} 页";
    previous: "Previous", "上一页";
    next: "Next", "下一页";

    method_sms: "SMS", "短信";
    method_voice: "Voice", "语音";
    method_email: "Email", "邮件";
    robot_wecom: "WeCom", "企业微信";
    robot_dingtalk: "DingTalk", "钉钉";
    robot_lark: "Lark", "飞书";
    channel_slack: "Slack", "Slack";
    channel_teams: "Teams", "Teams";
    channel_telegram: "Telegram", "Telegram";
    channel_webhook: "Webhook", "Webhook";
    state_unsubscribed: "not subscribed", "未订阅";
    state_pending: "pending", "待确认";
    state_confirmed: "confirmed", "已确认";
    state_expired: "expired", "已过期";
    state_cancelled: "cancelled", "已取消";
    configured: "configured", "已配置";
    not_configured: "not configured", "未配置";
    state_failing: "failing", "发送失败";
    failing_contacts: "Delivery found these contacts failing; a message that gets through clears it:", "以下联系方式投递失败；下一次投递成功后自动恢复：";
    failing_since: "failing since {since} UTC", "自 {since} (UTC) 起失败";
    state_off: "off", "不可用";
    legend: "Channel states", "通知方式状态";
    short_sms: "SMS", "短信";
    short_voice: "Call", "语音";
    short_email: "Mail", "邮件";
    short_wecom: "WeCom", "企微";
    short_dingtalk: "Ding", "钉钉";
    short_lark: "Lark", "飞书";
    short_slack: "Slack", "Slack";
    short_teams: "Teams", "Teams";
    short_telegram: "TG", "TG";
    short_webhook: "Hook", "钩子";
    beta_off: "Beta channel, off: an SDAdmin switches it on under Settings", "测试版通道,未开启:SDAdmin 可在“设置”中开启";

    close: "Close", "关闭";
    cancel: "Cancel", "取消";
    save: "Save", "保存";
    saving: "Saving…", "正在保存…";
    loading: "Loading…", "正在加载…";
    edit_title: "Edit {name}", "编辑 {name}";
    contact_methods: "Contact methods", "联系方式";
    technician_fields: "Technician", "技术员信息";
    robots: "Chat channels", "聊天通道";
    secret_kept: "Leave empty to keep {masked}", "留空则保留 {masked}";
    secret_none: "None set", "未设置";
    remove: "Remove", "移除";
    wecom_webhook: "WeCom webhook", "企业微信 Webhook";
    dingtalk_webhook: "DingTalk webhook", "钉钉 Webhook";
    dingtalk_secret: "DingTalk signing secret", "钉钉加签密钥";
    lark_webhook: "Lark webhook", "飞书 Webhook";
    lark_secret: "Lark signing secret", "飞书签名密钥";
    slack_webhook: "Slack webhook", "Slack Webhook";
    teams_webhook: "Microsoft Teams webhook", "Microsoft Teams Webhook";
    telegram_chat_id: "Telegram chat ID", "Telegram 会话 ID";
    webhook_url: "Webhook URL", "Webhook 地址";
    webhook_secret: "Webhook secret", "Webhook 签名密钥";
    fix_fields: "Please correct the highlighted fields.", "请修改标出的字段。";
    delete_title: "Delete {name}?", "删除 {name}?";
    delete_explain: "The technician, their subscriptions and pending notifications are removed. This cannot be undone.", "将删除该技术员及其订阅和待发送的通知,且无法恢复。";
    delete_confirm: "Delete technician", "删除技术员";
    subscribe_title: "Subscribe {name}", "为 {name} 订阅";
    subscribe_explain: "A confirmation goes to the contact; the subscription starts once it is confirmed (within 48 hours).", "确认消息将发送至对应联系方式,确认后(48 小时内)订阅生效。";
    needs_mobile: "Needs a mobile number", "需要手机号码";
    needs_email: "Needs an email address", "需要邮箱地址";
    already_confirmed: "Confirmed", "已确认";
    replied_stop: "The number replied STOP", "该号码已回复 STOP";
    all_confirmed: "Every method is confirmed", "所有方式均已确认";
    subscribe_confirm: "Request subscriptions", "提交订阅";
    pick_method: "Pick at least one method.", "请至少选择一种方式。";

    field_name: "Name", "姓名";
    field_alias: "Alias", "别名";
    field_employee_id: "Employee ID", "工号";
    field_email: "Email", "邮箱";
    field_phone: "Phone", "电话";
    field_mobile: "Mobile", "手机";
    field_sms_mail_id: "SMS mail ID", "短信邮箱";
    field_cost: "Cost per hour", "每小时成本";
    field_job_title: "Job title", "职位";
    export_csv: "Export CSV", "导出 CSV";
    import_csv: "Import CSV", "导入 CSV";
    import_title: "Import engineers from CSV", "从 CSV 导入工程师";
    import_explain: "Use the columns of an export. Each row is matched to an engineer by login name and domain, else by email: a row that matches nobody adds an engineer, one that matches updates them. Nothing changes until you apply the preview, and a row with a problem changes nothing.", "请使用导出文件的列。每一行按登录名和域匹配工程师,否则按邮箱匹配:未匹配的行添加工程师,匹配的行更新该工程师。应用预览之前不会有任何更改,有问题的行不做任何更改。";
    import_file: "CSV file (UTF-8, up to 16 MB)", "CSV 文件(UTF-8,不超过 16 MB)";
    import_preview: "Preview", "预览";
    import_counts: "{file}: {create} to create, {update} to update, {unchanged} unchanged, {error} with problems.", "{file}:新建 {create},更新 {update},未变 {unchanged},有问题 {error}。";
    import_apply: "Apply: create {create}, update {update}", "应用:新建 {create},更新 {update}";
    import_applying: "Importing {file}…", "正在导入 {file}……";
    import_refresh: "Refresh", "刷新";
    import_applied: "{file} imported: {create} created, {update} updated, {unchanged} unchanged, {error} with problems (they changed nothing).", "{file} 已导入:新建 {create},更新 {update},未变 {unchanged},有问题 {error}(这些行未做任何更改)。";
    import_refused: "{file} was not read:", "未能读取 {file}:";
    import_failed: "The import of {file} stopped on a server error; the rows written before it stay. The server's log says why.", "{file} 的导入因服务器错误而中止;此前写入的行保持不变。原因见服务器日志。";
    import_report: "Download every row's outcome (CSV)", "下载每一行的结果(CSV)";
    import_shown: "The first {shown} of {total} rows with a problem or a note; the download has every row.", "显示有问题或说明的 {total} 行中的前 {shown} 行;下载文件包含所有行。";
    import_col_row: "Row", "行";
    import_col_outcome: "Outcome", "结果";
    import_col_field: "Column", "列";
    import_col_problem: "Problem or note", "问题或说明";
    import_outcome_create: "create", "新建";
    import_outcome_update: "update", "更新";
    import_outcome_unchanged: "unchanged", "未变";
    import_outcome_error: "problem", "有问题";
    field_language: "Language of messages", "消息语言";
    language_of_site: "The site's (else English)", "随站点(否则为英文)";
    hint_language: "Confirmations and test notifications are written in it.", "确认消息和测试通知使用此语言。";
    mail_subject_confirmation: "Confirm your Crewdesk email notifications", "请确认您的 Crewdesk 邮件通知";
    mail_subject_notification: "Crewdesk notification", "Crewdesk 通知";
    field_site: "Site", "站点";
    field_department: "Department", "部门";
    field_sites: "Associated sites", "关联站点";
    field_groups: "Associated groups", "关联工作组";
    field_roles: "Roles", "角色";
    field_login_name: "Login name", "登录名";
    field_password: "Password", "密码";
    field_domain: "Login domain", "登录域";
    field_enable_login: "Enable login", "允许登录";
    field_approve_po: "Approves purchase orders (needs an email)", "审批采购订单(需要邮箱)";
    hint_required: "Required", "必填";
    hint_phone: "With the country code, e.g. +86 10 1234 5678", "含国家代码,如 +86 10 1234 5678";
    hint_mobile: "With the country code, e.g. +86 138 0013 8000", "含国家代码,如 +86 138 0013 8000";
    hint_cost: "e.g. 45.50", "如 45.50";
    hint_site: "Empty or 'default': not associated to any site", "留空或填 default:不关联任何站点";
    hint_sites: "Comma-separated", "用英文逗号分隔";
    hint_groups: "Comma-separated, written site-group", "用英文逗号分隔,格式为 站点-工作组";
    hint_roles: "SDAdmin, SDSiteAdmin or empty", "SDAdmin、SDSiteAdmin 或留空";
    hint_login: "Without one the technician cannot sign in", "不填则该技术员无法登录";
    hint_password: "At least 8 characters; empty: the login name", "至少 8 个字符;留空则与登录名相同";
    nav_settings: "Settings", "设置";
    settings_title: "Settings", "设置";
    api_keys_title: "API keys", "API 密钥";
    api_keys_explain: "A key acts for its owner, with the owner's roles and sites, within its scopes. It is shown once, when it is made.", "密钥以其所有者的身份、角色和站点,在其权限范围内操作。密钥只在创建时显示一次。";
    key_name: "Key name", "密钥名称";
    key_owner: "Owner (login)", "所有者(登录名)";
    key_owner_hint: "Empty: a key that may only notify.", "留空:只能发送通知的密钥。";
    key_scopes: "Scopes", "权限范围";
    key_create: "Create key", "创建密钥";
    key_created_once: "Copy it now: it is shown only this once. Key", "请立即复制:它只显示这一次。密钥";
    key_revoke: "Revoke", "吊销";
    key_live: "live", "有效";
    key_revoked: "revoked", "已吊销";
    key_never_used: "never", "从未";
    col_prefix: "Starts with", "开头";
    col_scopes: "Scopes", "权限范围";
    col_owner: "Owner", "所有者";
    col_last_used: "Last used", "最近使用";
    col_state: "State", "状态";
    beta_channels: "Beta channels", "测试版通道";
    beta_explain: "Voice, WeCom, DingTalk and Lark are beta channels: they stay greyed out for everyone until an SDAdmin switches them on here.", "语音、企业微信、钉钉和飞书为测试版通道:在 SDAdmin 于此开启之前,所有人都无法使用。";
    settings_saved: "Settings saved.", "设置已保存。";
    nav_reference: "Reference data", "基础数据";
    nav_audit: "Audit log", "审计日志";
    nav_reachability: "Reachability", "可达性";
    reach_title: "Who can be reached now", "当前可联络的工程师";
    reach_lede: "An engineer is reachable on a channel when its subscription is confirmed (SMS, voice, email) or its robot delivered within the last 30 days, and delivery has not found that contact failing.", "当订阅已确认(短信、语音、邮件),或机器人在最近 30 天内投递成功,且投递未发现该联系方式失效时,工程师在该通道上可联络。";
    reach_as_of: "Counted at {at} UTC; the counts are read again every few seconds while someone looks.", "统计于 {at} (UTC);有人查看时每隔几秒重新统计。";
    reach_site: "Site", "站点";
    reach_group: "Group", "工作组";
    reach_channel: "Channel", "通道";
    reach_all_channels: "All channels", "所有通道";
    reach_place: "Site or group", "站点或工作组";
    reach_engineers: "Engineers", "工程师";
    reach_reachable: "Reachable", "可联络";
    reach_partly: "Partly", "部分可联络";
    reach_unreachable: "Not reachable", "无法联络";
    reach_chart: "Engineers reachable, partly reachable and not reachable, per site and group", "各站点和工作组中可联络、部分可联络与无法联络的工程师";
    reach_no_phone: "nobody by SMS or voice", "无人可通过短信或语音联络";
    reach_empty: "No engineers here.", "这里没有工程师。";
    reach_unreachable_list: "Not reachable ({total})", "无法联络({total})";
    reach_first_shown: "The first {shown} by name; narrow the filters to see the others.", "按姓名显示前 {shown} 位;缩小筛选范围以查看其余。";
    reach_nothing_set_up: "nothing set up", "未设置任何通道";
    reach_why_pending: "awaiting confirmation", "待确认";
    reach_why_expired: "confirmation expired", "确认已过期";
    reach_why_unproven: "no delivery in 30 days", "30 天内无成功投递";
    reach_why_failing: "failing", "投递失败";
    reach_legend_all: "Reachable: on every channel they set up. Partly: on some, but another is failing, unconfirmed or unproven.", "可联络:其设置的每个通道均可联络。部分可联络:部分通道可联络,但其他通道失效、未确认或未经证实。";
    reach_legend_one: "Reachable: on this channel. Partly: set up on it, but not reachable there. Not reachable: not set up on it.", "可联络:可通过此通道联络。部分可联络:已设置该通道但无法通过它联络。无法联络:未设置该通道。";
    phone_gap_banner: "Nobody can be reached by SMS or voice in: {places}.", "以下站点或工作组无人可通过短信或语音联络:{places}。";
    phone_gap_link: "See reachability", "查看可达性";
    reference_title: "Reference data", "基础数据";
    reference_added: "Added.", "已添加。";
    sites: "Sites", "站点";
    departments: "Departments", "部门";
    groups: "Groups", "工作组";
    udfs: "User-defined fields", "自定义字段";
    udf_column: "Column (e.g. UDF_CHAR1)", "列名(如 UDF_CHAR1)";
    udf_alias: "Label", "显示名称";
    new_site: "New site", "新站点";
    site_language_saved: "The site's language is saved.", "站点语言已保存。";
    site_language: "Language of messages to its engineers", "发给其工程师的消息语言";
    english_default: "English (default)", "英文(默认)";
    new_department: "New department", "新部门";
    new_group: "New group", "新工作组";
    site_or_empty: "Site (empty: not associated)", "站点(留空:不关联)";
    add: "Add", "添加";
    audit_title: "Audit log", "审计日志";
    audit_technician: "Technician", "技术员";
    audit_actor: "Who", "操作人";
    audit_source: "From", "来源";
    audit_when: "When", "时间";
    audit_action: "What", "操作";
    audit_changes: "Changes", "变更";
    audit_empty: "No entries match.", "没有符合条件的记录。";
    audit_summary: "{total} entries · page {page} of {pages}", "共 {total} 条 · 第 {page}/{pages} 页";
    source_console: "Console", "控制台";
    source_xml: "XML API", "XML 接口";
    source_sync: "Directory sync", "目录同步";
    source_cli: "Command line", "命令行";
    source_api: "Notification API", "通知接口";
    added_with_remarks: "Technician added, with these remarks:", "技术员已添加,备注如下:";
    confirm_title: "Confirm notifications", "确认通知订阅";
    password_change_title: "Change password", "修改密码";
    budget_held: "{count} {channel} confirmations or tests are held by the hourly {channel} budget; the last goes out at {until}.", "{count} 条 {channel} 确认或测试消息因每小时 {channel} 预算而暂缓发送;最后一条将于 {until} 发出。";
    password_must_change: "Your password is still your login name. Choose a new one to go on; until then the XML API refuses this account.", "您的密码仍是登录名。请设置新密码后继续;在此之前 XML API 会拒绝此账户。";
    password_change_explain: "Choose a new password. You will be signed out everywhere else.", "设置新密码。其他地方的登录都会退出。";
    password_current: "Current password", "当前密码";
    password_new: "New password", "新密码";
    password_repeat: "New password again", "再次输入新密码";
    password_change_submit: "Change password", "修改密码";
    password_repeat_differs: "The two new passwords differ.", "两次输入的新密码不一致。";
    password_change_failed: "The password could not be changed. It has been logged; please try again.", "无法修改密码。已记录此问题,请重试。";
    confirm_ask: "Confirm {methods} notifications for {name} at {contact}?", "确认为 {name}({contact})开通{methods}通知?";
    confirm_button: "Confirm", "确认";
    confirm_done: "Confirmed: {name} now receives {methods} notifications at {contact}. You can close this page.", "已确认:{name} 将通过{methods}在 {contact} 接收通知。可以关闭此页面。";
    confirm_expired: "This link has expired: confirmation links are valid for 48 hours. Ask for a new one from the Subscribe dialog on the Engineers page.", "此链接已过期:确认链接的有效期为 48 小时。请在“工程师”页面的订阅对话框中重新发起订阅。";
    confirm_unknown: "This link is not valid: it was used already, replaced by a newer one, or never issued. If the subscription is not confirmed yet, ask for a new link from the Subscribe dialog on the Engineers page.", "此链接无效:它已被使用、已被新链接取代或从未发出。如订阅尚未确认,请在“工程师”页面的订阅对话框中重新发起订阅。";
    history_title: "Consent history", "订阅记录";
    history_when: "When (UTC)", "时间(UTC)";
    history_what: "What", "事件";
    history_how: "How", "方式";
    history_who: "Who", "操作人";
    consent_requested: "confirmation requested", "已请求确认";
    consent_confirmed: "confirmed", "已确认";
    consent_cancelled: "cancelled", "已取消";
    consent_expired: "link expired unused", "链接过期未使用";
    consent_stop: "replied STOP", "回复 STOP";
    consent_start: "replied START", "回复 START";
    ack_title: "Reachability drill", "可达性演练";
    ack_ask: "{name}: this message reached you over {channel}. Acknowledge it?", "{name}:此消息已通过{channel}送达。确认收到?";
    ack_button: "Acknowledge", "确认收到";
    ack_done: "Acknowledged: {name} can be reached over {channel}. You can close this page.", "已确认:可以通过{channel}联络到 {name}。可以关闭此页面。";
    ack_expired: "This drill is over: acknowledgement links are valid for 24 hours.", "此演练已结束:确认链接的有效期为 24 小时。";
    ack_unknown: "This link is not valid.", "此链接无效。";
    drill_title: "Drill of {place}", "{place} 的演练";
    drill_started: "Started by {by} at {at} UTC · {acked} of {messages} messages acknowledged", "由 {by} 于 {at} (UTC) 发起 · {messages} 条消息中 {acked} 条已确认";
    drill_open: "Links work for 24 hours from the start. A robot posts into a group chat: anyone in it can acknowledge.", "链接自发起起 24 小时内有效。机器人消息发在群聊中:群内任何人都可以确认。";
    drill_closed: "The drill is over: its links no longer work.", "演练已结束:链接已失效。";
    drill_engineer: "Engineer", "工程师";
    drill_delivery: "Delivery", "投递";
    drill_ack: "Acknowledged", "确认";
    drill_after: "after {time}", "用时 {time}";
    drill_silent: "delivered, never acknowledged", "已送达,未确认";
    drill_waiting: "not yet", "尚未";
    drill_start: "Start a drill of {place}", "发起 {place} 的演练";
    drill_start_hint: "Every engineer here gets a message on each channel that reaches them, with a link to acknowledge it within 24 hours.", "此处每位工程师将在每个可联络的通道上收到一条带确认链接的消息,24 小时内有效。";
    drill_recent: "Recent drills", "最近的演练";
    drill_summary_line: "{place}: {acked}/{messages} acknowledged, started {at} UTC by {by}", "{place}:{acked}/{messages} 已确认,{by} 于 {at} (UTC) 发起";
    and_word: " and ", "和";
    nav_messages: "Message log", "消息日志";
    test_channel: "Test notification over", "测试通知渠道";
    test_send: "Send test notification", "发送测试通知";
    test_sent: "Test notification queued. Its delivery shows in the Message log, or at the provider.", "测试通知已排队。可在消息日志或服务商处查看送达情况。";
    messages_title: "Message log", "消息日志";
    messages_explain: "Messages for providers that are not configured (no --smtp-url or --sms-gateway-url) are kept here instead of being sent, newest first.", "未配置发送渠道(未设置 --smtp-url 或 --sms-gateway-url)时,消息不会发出,而是按时间倒序保存在这里。";
    messages_channel: "Channel", "渠道";
    messages_recipient: "Recipient", "接收人";
    messages_text: "Message", "内容";
    messages_empty: "No messages yet.", "暂无消息。";
    nav_deliveries: "Deliveries", "投递";
    deliveries_title: "Delivery log", "投递日志";
    deliveries_explain: "Every message the outbox delivers, newest first: each attempt with the provider's answer. A delivery that failed for good (dead) can be retried once the cause is fixed.", "发件箱投递的每条消息,按时间倒序:每次尝试及服务商的应答。最终失败的投递可在问题解决后重试。";
    deliveries_empty: "No deliveries here.", "这里没有投递。";
    deliveries_retried: "Delivery {id} is queued again.", "投递 {id} 已重新排队。";
    delivery_filter: "Delivery state", "投递状态";
    delivery_engineer: "Engineer", "工程师";
    delivery_engineer_gone: "(deleted engineer)", "(已删除的工程师)";
    delivery_state: "State", "状态";
    delivery_answer: "Provider's answer", "服务商应答";
    delivery_attempts: "{count} attempts", "{count} 次尝试";
    delivery_attempt_one: "1 attempt", "1 次尝试";
    delivery_next: "next attempt {at} UTC", "下次尝试 {at} UTC";
    delivery_retry: "Retry", "重试";
    delivery_retry_label: "Retry delivery {id}", "重试投递 {id}";
    delivery_pending: "on the way", "投递中";
    delivery_queued: "queued", "排队中";
    delivery_sending: "sending", "发送中";
    delivery_retrying: "retrying", "等待重试";
    delivery_dead: "dead", "失败";
    delivery_delivered: "delivered", "已送达";
    delivery_cancelled: "cancelled", "已取消";
    delivery_kind_confirmation: "confirmation", "确认";
    delivery_kind_test: "test", "测试";
    delivery_kind_api: "API", "API";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported_offer() {
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::ZhCn
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR,en;q=0.5,zh;q=0.4"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("en;q=0.3, zh-TW;q=0.7"),
            Lang::ZhCn
        );
        assert_eq!(Lang::from_accept_language("de"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
        assert_eq!(Lang::from_accept_language("zh;q=0, en"), Lang::En);
    }

    #[test]
    fn the_cookie_wins_over_the_header() {
        assert_eq!(Lang::choose(Some("zh-CN"), Some("en")), Lang::ZhCn);
        assert_eq!(Lang::choose(Some("xx"), Some("zh")), Lang::ZhCn);
        assert_eq!(Lang::choose(None, None), Lang::En);
    }

    #[test]
    fn templates_are_filled_by_name() {
        assert_eq!(
            fill(
                ZH_CN.pager_summary,
                &[("total", "3"), ("page", "1"), ("pages", "1")]
            ),
            "共 3 名工程师 · 第 1/1 页"
        );
    }
}
