//! The roster read back from a spreadsheet. Each row names an engineer by login name and
//! domain, else by email: a row that names nobody yet creates one, a row that names someone
//! updates them or changes nothing. A preview judges every row by the rules of the XML API's
//! add and update without writing; applying judges again and writes the rows that pass
//! through that same add and update, so a row in error changes nothing and applying the same
//! file twice changes nothing the second time.

use super::add::{self, add_checked, Checked};
use super::details::read_many;
use super::export::ATTRIBUTES;
use super::update::{update_technician, would_change};
use super::{identify, Details};
use crate::domain::flag::parse_flag;
use crate::domain::import::{Problem, RowProblem, RowReport, Verdict};
use crate::domain::{
    fold, login_key, Edit, FieldErrors, FieldProblem, NewTechnician, Notice, RefFields, Refusal,
    TechnicianForm, TechnicianPatch, TechnicianRef, Verb,
};
use crate::service::actor::Actor;
use crate::service::audit::AuditContext;
use crate::service::db::Db;
use crate::service::error::ServiceError;
use crate::service::secret_box::SecretKey;
use std::collections::HashMap;

/// The most rows one file may have.
pub const MAX_ROWS: usize = 50_000;

/// The most columns one file may have: every attribute and `pwd`, `id`, and the UDFs.
pub const MAX_COLUMNS: usize = 200;

/// Rows written at once when applying: adds among them share the writer's transactions.
const BATCH: usize = 256;

/// A CSV file as read: its column names and its rows.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Sheet {
    pub columns: Vec<String>,
    pub rows: Vec<SheetRow>,
}

/// One row of a sheet, numbered as a spreadsheet shows it (the header is row 1): its cells,
/// or why they could not be read (not UTF-8, a cell count unlike the header's).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SheetRow {
    pub row: usize,
    pub cells: Result<Vec<String>, FieldProblem>,
}

/// What a column of the file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    /// `id`, as an export writes it: the engineer is matched by login or email instead.
    Ignored,
    /// An attribute of the XML API, by its name there.
    Attribute(String),
    /// A user-defined field, by column name.
    Udf(String),
}

/// The columns of `names`: every one must be an attribute of the XML API, `pwd`, `id` or a
/// UDF's column name, and none twice; otherwise the file as a whole is refused.
async fn columns(db: &Db, names: &[String]) -> Result<Vec<Column>, ServiceError> {
    if names.iter().all(|n| n.trim().is_empty()) {
        return Err(ServiceError::invalid("file", FieldProblem::NoColumns));
    }
    let udfs: Vec<String> = crate::service::reference::list_udfs(db)
        .await?
        .into_iter()
        .map(|u| u.column)
        .collect();
    if names.len() > MAX_COLUMNS {
        return Err(ServiceError::invalid(
            "file",
            FieldProblem::TooManyColumns { max: MAX_COLUMNS },
        ));
    }
    let mut columns = Vec::with_capacity(names.len());
    let mut unknown = Vec::new();
    let mut errors = FieldErrors::default();
    let mut seen = std::collections::HashSet::new();
    for name in names {
        let name = name.trim();
        if !seen.insert(name) {
            if errors.0.len() < 10 {
                errors.push(
                    "file",
                    FieldProblem::ColumnTwice {
                        column: name.chars().take(100).collect(),
                    },
                );
            }
            continue;
        }
        let column = match name {
            "id" => Column::Ignored,
            "associateRoles" => Column::Attribute("associateRols".to_owned()),
            "pwd" => Column::Attribute("pwd".to_owned()),
            _ if ATTRIBUTES.contains(&name) => Column::Attribute(name.to_owned()),
            _ if udfs.iter().any(|u| u == name) => Column::Udf(name.to_owned()),
            _ => {
                unknown.push(name.chars().take(100).collect::<String>());
                continue;
            }
        };
        columns.push(column);
    }
    if !unknown.is_empty() {
        unknown.truncate(10);
        errors.push(
            "file",
            FieldProblem::UnknownColumns {
                columns: unknown.join(", "),
            },
        );
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// A cell as it was before an export led it with `'` so a spreadsheet reads it as text.
fn uninert(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// The form a row fills in: every column the file has, blank or not.
fn form_of(columns: &[Column], cells: &[String]) -> TechnicianForm {
    let mut attributes = serde_json::Map::new();
    let mut udfs = Vec::new();
    for (column, cell) in columns.iter().zip(cells) {
        let cell = uninert(cell).to_owned();
        match column {
            Column::Ignored => {}
            Column::Attribute(name) => {
                attributes.insert(name.clone(), serde_json::Value::String(cell));
            }
            Column::Udf(name) => udfs.push((name.clone(), cell)),
        }
    }
    let mut form: TechnicianForm =
        serde_json::from_value(serde_json::Value::Object(attributes)).unwrap_or_default();
    form.udfs = udfs;
    form
}

/// What applying a row would write.
enum Plan {
    Create(Box<(NewTechnician, Checked)>),
    Update { id: i64, edit: Box<Edit> },
    Nothing,
}

/// A row's problems, or the service's failure (which stops the whole import).
fn problems(err: ServiceError) -> Result<Vec<RowProblem>, ServiceError> {
    use ServiceError as E;
    let refused = |r: Refusal| {
        vec![RowProblem {
            field: String::new(),
            problem: Problem::Refused(r),
        }]
    };
    Ok(match err {
        E::Invalid(errors) => errors
            .0
            .into_iter()
            .map(|e| RowProblem {
                field: e.field,
                problem: Problem::Field(e.problem),
            })
            .collect(),
        E::LoginNameExists(login) => vec![RowProblem {
            field: "loginName".to_owned(),
            problem: Problem::Field(FieldProblem::LoginTaken { login }),
        }],
        E::NotAuthorized(r)
        | E::SiteRestricted(r)
        | E::ProtectedAdmin(r)
        | E::Ambiguous(r)
        | E::Conflict(r)
        | E::NotFound(r)
        | E::TooSoon(r) => refused(r),
        E::Internal(e) => return Err(E::Internal(e)),
    })
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Judges the rows of a sheet in order; each row's plan is what applying it writes.
struct Judge<'a> {
    db: &'a Db,
    actor: &'a Actor,
    columns: Vec<Column>,
    /// The engineer each row so far named (login key or email), by that row's number.
    seen: HashMap<String, usize>,
}

impl Judge<'_> {
    async fn row(&mut self, row: &SheetRow) -> Result<(Verdict, Vec<Notice>, Plan), ServiceError> {
        let error = |problems| Ok((Verdict::Error { problems }, Vec::new(), Plan::Nothing));
        let cells = match &row.cells {
            Ok(cells) => cells,
            Err(problem) => {
                return error(vec![RowProblem {
                    field: String::new(),
                    problem: Problem::Field(problem.clone()),
                }])
            }
        };
        let form = form_of(&self.columns, cells);
        // The file names each engineer once: two rows for one engineer would apply in an
        // order nobody chose.
        let keys = [
            given(&form.login_name).map(|login| {
                (
                    "loginName",
                    login_key(login, given(&form.user_domain_name).unwrap_or("")),
                )
            }),
            given(&form.email).map(|email| ("email", format!("@{}", fold(email)))),
        ];
        for (field, key) in keys.iter().flatten() {
            if let Some(first) = self.seen.get(key) {
                return error(vec![RowProblem {
                    field: (*field).to_owned(),
                    problem: Problem::Field(FieldProblem::SameEngineerAsRow { row: *first }),
                }]);
            }
        }
        for (_, key) in keys.into_iter().flatten() {
            self.seen.insert(key, row.row);
        }
        let target = TechnicianRef::parse(RefFields {
            login: form.login_name.as_deref(),
            domain: form.user_domain_name.as_deref(),
            email: form.email.as_deref(),
            name: None,
            id: None,
            names: ("loginName", "email", "name", "id"),
        });
        let found = match target {
            // Neither a login nor an email: a new engineer.
            Err(_) => None,
            Ok(target) => {
                let mut conn = self.db.reader().acquire().await?;
                match identify::resolve(&mut conn, &target).await {
                    Ok(id) => Some(id),
                    Err(ServiceError::NotFound(_)) => None,
                    Err(e) => return error(problems(e)?),
                }
            }
        };
        let judged = match found {
            None => self.create(form).await?,
            Some(id) => self.update(id, form).await?,
        };
        match judged {
            Ok(judged) => Ok(judged),
            Err(e) => error(problems(e)?),
        }
    }

    async fn create(
        &self,
        form: TechnicianForm,
    ) -> Result<Result<(Verdict, Vec<Notice>, Plan), ServiceError>, ServiceError> {
        let new = match NewTechnician::try_from(form) {
            Ok(new) => new,
            Err(errors) => return Ok(Err(ServiceError::Invalid(errors))),
        };
        Ok(match add::check(self.db, self.actor, &new).await {
            Ok(checked) => Ok((
                Verdict::Create { id: None },
                checked.notes().to_vec(),
                Plan::Create(Box::new((new, checked))),
            )),
            Err(e) => Err(e),
        })
    }

    async fn update(
        &self,
        id: i64,
        mut form: TechnicianForm,
    ) -> Result<Result<(Verdict, Vec<Notice>, Plan), ServiceError>, ServiceError> {
        let mut conn = self.db.reader().acquire().await?;
        let Some((now, _)) = read_many(&mut conn, &[id]).await?.remove(&id) else {
            return Ok(Err(ServiceError::NotFound(Refusal::NoTechnicianMatches {
                target: TechnicianRef::by_id(id),
            })));
        };
        drop(conn);
        if let Err(errors) = keep_fixed(&mut form, &now, self.actor) {
            return Ok(Err(ServiceError::Invalid(errors)));
        }
        let patch = match TechnicianPatch::try_from(form) {
            Ok(patch) => patch,
            Err(errors) => return Ok(Err(ServiceError::Invalid(errors))),
        };
        let edit = Edit {
            patch,
            contacts: Default::default(),
        };
        Ok(match would_change(self.db, self.actor, id, &edit).await {
            Ok(true) => Ok((
                Verdict::Update { id },
                Vec::new(),
                Plan::Update {
                    id,
                    edit: Box::new(edit),
                },
            )),
            Ok(false) => Ok((Verdict::Unchanged { id }, Vec::new(), Plan::Nothing)),
            Err(e) => Err(e),
        })
    }
}

/// The attributes an update may not change (the login, the password, the approver flag) are
/// taken out of `form` when they say what the engineer already has, and are a problem when
/// they differ. So are the roles, for an SDSiteAdmin, who may not grant any.
fn keep_fixed(form: &mut TechnicianForm, now: &Details, actor: &Actor) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_owned();
    let flag = |v: &str| parse_flag(v).ok();
    let same_text = |given: &str, field: &str| fold(given) == fold(now.get(field).unwrap_or(""));
    let checks: [(&str, &mut Option<String>, bool); 5] = {
        let login = text(&form.login_name);
        let domain = text(&form.user_domain_name);
        let enable = text(&form.enable_login);
        let approve = text(&form.approve_purchase_order);
        let pwd = text(&form.pwd);
        [
            (
                "loginName",
                &mut form.login_name,
                same_text(&login, "loginName"),
            ),
            (
                "userDomainName",
                &mut form.user_domain_name,
                same_text(&domain, "userDomainName"),
            ),
            (
                "enableLogin",
                &mut form.enable_login,
                enable.is_empty() || flag(&enable) == now.get("enableLogin").and_then(flag),
            ),
            (
                "approvePurchaseOrder",
                &mut form.approve_purchase_order,
                approve.is_empty()
                    || flag(&approve) == now.get("approvePurchaseOrder").and_then(flag),
            ),
            ("pwd", &mut form.pwd, pwd.is_empty()),
        ]
    };
    for (field, value, same) in checks {
        if value.is_some() && !same {
            errors.push(field, FieldProblem::NotUpdatable);
        }
        *value = None;
    }
    if !actor.is_admin() {
        let roles = |v: &str| {
            let mut r: Vec<String> = v
                .split(',')
                .map(|r| r.trim().to_ascii_lowercase())
                .filter(|r| !r.is_empty())
                .collect();
            r.sort();
            r
        };
        if let Some(given) = &form.associate_rols {
            if roles(given) == roles(now.get("associateRols").unwrap_or("")) {
                form.associate_rols = None;
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Judges every row of `sheet` in order, with what applying each would write.
async fn judge_all(
    db: &Db,
    actor: &Actor,
    sheet: &Sheet,
) -> Result<Vec<(RowReport, Plan)>, ServiceError> {
    if !(actor.is_admin() || actor.is_site_admin()) {
        return Err(ServiceError::NotAuthorized(Refusal::AdminsOnly {
            verb: Verb::Import,
        }));
    }
    if sheet.rows.len() > MAX_ROWS {
        return Err(ServiceError::invalid(
            "file",
            FieldProblem::TooManyRows { max: MAX_ROWS },
        ));
    }
    let mut judge = Judge {
        db,
        actor,
        columns: columns(db, &sheet.columns).await?,
        seen: HashMap::new(),
    };
    let mut judged = Vec::with_capacity(sheet.rows.len());
    for row in &sheet.rows {
        let (verdict, notes, plan) = judge.row(row).await?;
        judged.push((
            RowReport {
                row: row.row,
                verdict,
                notes,
            },
            plan,
        ));
    }
    Ok(judged)
}

/// What importing `sheet` would do to each row; nothing is written.
pub async fn preview(
    db: &Db,
    actor: &Actor,
    sheet: &Sheet,
) -> Result<Vec<RowReport>, ServiceError> {
    Ok(judge_all(db, actor, sheet)
        .await?
        .into_iter()
        .map(|(report, _)| report)
        .collect())
}

/// Imports `sheet`: every row is judged again (the roster may have changed since a preview)
/// and each that passes is added or updated as the XML API would, a batch at a time (the
/// adds of a batch reach the writer together and share its transactions). A row whose write
/// fails (a login taken meanwhile) is reported as an error; the others stand.
pub async fn apply(
    db: &Db,
    key: &SecretKey,
    actor: &Actor,
    ctx: &AuditContext,
    sheet: &Sheet,
) -> Result<Vec<RowReport>, ServiceError> {
    let judged = judge_all(db, actor, sheet).await?;
    let mut reports = Vec::with_capacity(judged.len());
    let mut rest = judged.into_iter().peekable();
    while rest.peek().is_some() {
        let batch: Vec<(RowReport, Plan)> = rest.by_ref().take(BATCH).collect();
        let written = futures::future::join_all(
            batch
                .into_iter()
                .map(|(report, plan)| write(db, key, actor, ctx, report, plan)),
        )
        .await;
        for report in written {
            reports.push(report?);
        }
    }
    Ok(reports)
}

/// Writes one judged row through the XML API's add or update.
async fn write(
    db: &Db,
    key: &SecretKey,
    actor: &Actor,
    ctx: &AuditContext,
    mut report: RowReport,
    plan: Plan,
) -> Result<RowReport, ServiceError> {
    let written = match plan {
        Plan::Nothing => return Ok(report),
        Plan::Create(planned) => {
            let (new, checked) = *planned;
            add_checked(db, actor, ctx, new, checked)
                .await
                .map(|added| {
                    report.notes = added.notes;
                    Verdict::Create { id: Some(added.id) }
                })
        }
        Plan::Update { id, edit } => {
            update_technician(db, key, actor, ctx, &TechnicianRef::by_id(id), *edit, None)
                .await
                .map(|updated| {
                    report.notes = updated.notes;
                    Verdict::Update { id }
                })
        }
    };
    report.verdict = match written {
        Ok(verdict) => verdict,
        Err(e) => Verdict::Error {
            problems: problems(e)?,
        },
    };
    Ok(report)
}
