//! The map stage: an entry's raw fields checked into the values a technician holds; a field
//! that does not pass is left out with a note, an entry without an id or a name is skipped.

use crate::domain::directory::Entry;
use crate::domain::{
    Email, FieldProblem, LoginName, PersonName, Phone, ShortText, SyncField, SyncNote,
};

/// The fields of an entry that passed their checks, with what had to be left out.
pub(super) struct Checked {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) login: Option<String>,
    pub(super) email: Option<String>,
    pub(super) mobile: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) title: Option<String>,
    pub(super) employee_id: Option<String>,
    pub(super) department: Option<String>,
    pub(super) notes: Vec<SyncNote>,
}

/// Why an entry is skipped, once told who it is.
pub(super) type Skip = Box<dyn FnOnce(String) -> SyncNote>;

pub(super) fn check(entry: &Entry) -> Result<Checked, Skip> {
    let Some(id) = entry.id.clone().filter(|id| id.chars().count() <= 256) else {
        return Err(Box::new(|who| SyncNote::NoId { who }));
    };
    let raw_name = entry
        .name
        .as_deref()
        .or(entry.login.as_deref())
        .unwrap_or("");
    let name = match PersonName::parse(raw_name) {
        Ok(name) => name.as_ref().to_owned(),
        Err(e) => {
            let problem = FieldProblem::from(e);
            return Err(Box::new(move |who| SyncNote::BadName { who, problem }));
        }
    };
    let mut notes = Vec::new();
    let mut keep = |field: SyncField,
                    value: &Option<String>,
                    parse: &dyn Fn(&str) -> Result<String, FieldProblem>| {
        let value = value.as_deref()?;
        parse(value)
            .map_err(|problem| {
                notes.push(SyncNote::FieldLeftOut {
                    who: name.clone(),
                    field,
                    problem,
                })
            })
            .ok()
    };
    let text = |v: &str| {
        ShortText::parse(v)
            .map(|t| t.to_string())
            .map_err(FieldProblem::from)
    };
    let phone = |v: &str| {
        Phone::parse(v)
            .map(|p| p.display().to_owned())
            .map_err(FieldProblem::from)
    };
    let login = keep(SyncField::Login, &entry.login, &|v| {
        LoginName::parse(v)
            .map(|l| l.to_string())
            .map_err(FieldProblem::from)
    });
    let email = keep(SyncField::Email, &entry.email, &|v| {
        Email::parse(v)
            .map(|e| e.to_string())
            .map_err(FieldProblem::from)
    });
    let mobile = keep(SyncField::Mobile, &entry.mobile, &phone);
    let phone = keep(SyncField::Phone, &entry.phone, &phone);
    let title = keep(SyncField::Title, &entry.title, &text);
    let employee_id = keep(SyncField::EmployeeId, &entry.employee_id, &text);
    let department = keep(SyncField::Department, &entry.department, &text);
    Ok(Checked {
        id,
        name,
        login,
        email,
        mobile,
        phone,
        title,
        employee_id,
        department,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> Entry {
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        };
        Entry {
            id: get("id"),
            login: get("login"),
            name: get("name"),
            email: get("email"),
            mobile: get("mobile"),
            phone: get("phone"),
            title: get("title"),
            employee_id: get("employee_id"),
            department: get("department"),
        }
    }

    #[test]
    fn a_field_that_does_not_pass_is_left_out_with_its_problem() {
        let checked = check(&raw(&[
            ("id", "u-cy"),
            ("name", "Cy"),
            ("mobile", "12"),
            ("email", "cy@corp.example"),
        ]))
        .unwrap_or_else(|_| panic!("kept"));
        assert_eq!(checked.mobile, None);
        assert_eq!(checked.email.as_deref(), Some("cy@corp.example"));
        let notes: Vec<String> = checked.notes.iter().map(ToString::to_string).collect();
        assert_eq!(
            notes,
            ["Cy: mobile left out, it must start with + and the country code, e.g. +86 138 0013 8000"]
        );
    }

    #[test]
    fn an_entry_without_an_id_or_a_name_is_skipped() {
        let skip = |entry: Entry| match check(&entry) {
            Ok(_) => panic!("skipped"),
            Err(why) => why("Who".into()).to_string(),
        };
        assert_eq!(
            skip(raw(&[("name", "Ada")])),
            "Who: it has no id (and no login to stand in for one)"
        );
        assert_eq!(skip(raw(&[("id", "u-1")])), "Who: its name is required");
        // The login stands in for a missing name.
        let checked =
            check(&raw(&[("id", "u-2"), ("login", "bo")])).unwrap_or_else(|_| panic!("kept"));
        assert_eq!(checked.name, "bo");
    }
}
