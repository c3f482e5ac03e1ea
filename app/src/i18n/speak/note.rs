//! Notes of writes and syncs in Chinese.

use super::Speak;
use crate::domain::{Notice, SyncField, SyncNote};

fn field(f: SyncField) -> &'static str {
    match f {
        SyncField::Login => "登录名",
        SyncField::Email => "邮箱",
        SyncField::Mobile => "手机",
        SyncField::Phone => "电话",
        SyncField::Title => "职位",
        SyncField::EmployeeId => "工号",
        SyncField::Department => "部门",
    }
}

/// `who`, or "an entry" for an entry with neither login nor name.
fn unnamed_or(who: &str) -> &str {
    if who.is_empty() {
        "一条记录"
    } else {
        who
    }
}

impl Speak for Notice {
    fn chinese(&self) -> String {
        match self {
            Self::SiteNotFound { site } => format!("未找到站点“{site}”,该技术员未关联任何站点。"),
            Self::DepartmentNotFound { department } => {
                format!("未找到部门“{department}”,该技术员没有部门,也未关联任何站点。")
            }
            Self::DepartmentLeftBehind => "原部门属于旧站点,该技术员现在没有部门。".into(),
            Self::NothingAsked => "未做任何修改:请求中没有要修改的属性。".into(),
        }
    }
}

impl Speak for SyncNote {
    fn chinese(&self) -> String {
        match self {
            Self::NoId { who } => format!("{}:没有 ID(也没有可代替的登录名)", unnamed_or(who)),
            Self::BadName { who, problem } => {
                format!("{}:姓名{}", unnamed_or(who), problem.chinese())
            }
            Self::LoginTaken { who, login, domain } => {
                format!("{who}:登录名“{login}”已属于 {domain} 的另一名工程师")
            }
            Self::FieldLeftOut {
                who,
                field: f,
                problem,
            } => format!("{who}:未导入{},因为它{}", field(*f), problem.chinese()),
            Self::NoDepartment { who, department } => {
                format!("{who}:没有名为“{department}”的部门;未设置部门")
            }
            Self::EditedHere { who, field: f } => {
                format!("{who}:{}已在此处修改,未采用目录中的值", field(*f))
            }
            Self::EmailKeptForApprover { who } => {
                format!("{who}:保留了邮箱,因为该工程师审批采购订单")
            }
            Self::Earlier { text } => text.clone(),
        }
    }
}
