//! What a write did beside what was asked (a site not found, a field left out of a synced
//! entry), as a code with its values. The English text is the `Display`; the console renders
//! the same value in its own language (`crate::i18n::Speak`).

use super::problem::FieldProblem;
use serde::{Deserialize, Serialize};

/// A note on an add or an update: saved, but not quite as asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Notice {
    #[error("Site '{site}' was not found, so the technician is not associated to any site.")]
    SiteNotFound { site: String },
    #[error(
        "Department '{department}' was not found there, so the technician has no department and is not associated to any site."
    )]
    DepartmentNotFound { department: String },
    #[error("The department belonged to the old site, so the technician now has no department.")]
    DepartmentLeftBehind,
    #[error("Nothing was changed: the request named no attribute to update.")]
    NothingAsked,
}

/// A field of a directory entry, as sync notes name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncField {
    Login,
    Email,
    Mobile,
    Phone,
    Title,
    EmployeeId,
    Department,
}

impl SyncField {
    pub const ALL: [SyncField; 7] = [
        Self::Login,
        Self::Email,
        Self::Mobile,
        Self::Phone,
        Self::Title,
        Self::EmployeeId,
        Self::Department,
    ];

    pub fn english(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Email => "email",
            Self::Mobile => "mobile",
            Self::Phone => "phone",
            Self::Title => "title",
            Self::EmployeeId => "employee id",
            Self::Department => "department",
        }
    }
}

/// What a sync says of one entry: why it was skipped, or what of it was left out or kept.
/// `who` is the entry's name (or login) as the directory gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum SyncNote {
    /// `who` is empty for an entry with neither login nor name.
    #[error("{}: it has no id (and no login to stand in for one)", unnamed_or(who))]
    NoId { who: String },
    #[error("{}: its name {problem}", unnamed_or(who))]
    BadName { who: String, problem: FieldProblem },
    #[error("{who}: the login '{login}' belongs to another engineer of {domain}")]
    LoginTaken {
        who: String,
        login: String,
        domain: String,
    },
    #[error("{who}: {} left out, it {problem}", field.english())]
    FieldLeftOut {
        who: String,
        field: SyncField,
        problem: FieldProblem,
    },
    #[error("{who}: no department named '{department}'; left without one")]
    NoDepartment { who: String, department: String },
    #[error("{who}: {} was edited here, so the directory's is not taken", field.english())]
    EditedHere { who: String, field: SyncField },
    #[error("{who}: email kept, since the engineer approves purchase orders")]
    EmailKeptForApprover { who: String },
    /// A note saved before notes were typed: shown as it was written.
    #[error("{text}")]
    Earlier { text: String },
}

impl SyncNote {
    /// A stable name of the note for programs (`field_left_out`): the JSON API answers it
    /// beside the English text.
    pub fn code(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or_default();
        let name = match &value {
            serde_json::Value::String(name) => name.as_str(),
            serde_json::Value::Object(map) => map.keys().next().map_or("", String::as_str),
            _ => "",
        };
        super::problem::snake(name)
    }
}

/// `who`, or "an entry" for an entry with neither login nor name.
fn unnamed_or(who: &str) -> &str {
    if who.is_empty() {
        "an entry"
    } else {
        who
    }
}

/// A saved list of notes, reading the plain English lines of runs saved before notes were
/// typed as [`SyncNote::Earlier`].
pub fn saved_notes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<SyncNote>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Saved {
        Typed(SyncNote),
        Text(String),
        /// A note of a shape this version does not know: kept as its JSON, never the
        /// reason a whole list is lost.
        Other(serde_json::Value),
    }
    let saved = Vec::<Saved>::deserialize(d)?;
    Ok(saved
        .into_iter()
        .map(|s| match s {
            Saved::Typed(note) => note,
            Saved::Text(text) => SyncNote::Earlier { text },
            Saved::Other(value) => SyncNote::Earlier {
                text: value.to_string(),
            },
        })
        .collect())
}

/// Every variant once, with sample values: the translation test renders each.
#[cfg(test)]
pub fn samples() -> (Vec<Notice>, Vec<SyncNote>) {
    let s = |t: &str| t.to_owned();
    let notices = vec![
        Notice::SiteNotFound { site: s("Paris") },
        Notice::DepartmentNotFound {
            department: s("Ops"),
        },
        Notice::DepartmentLeftBehind,
        Notice::NothingAsked,
    ];
    let mut notes = vec![
        SyncNote::NoId { who: s("Ada") },
        SyncNote::NoId { who: s("") },
        SyncNote::BadName {
            who: s("Ada"),
            problem: FieldProblem::Required,
        },
        SyncNote::LoginTaken {
            who: s("Ada"),
            login: s("ada"),
            domain: s("CORP"),
        },
        SyncNote::NoDepartment {
            who: s("Ada"),
            department: s("Ops"),
        },
        SyncNote::EmailKeptForApprover { who: s("Ada") },
        SyncNote::Earlier { text: s("Ada: x") },
    ];
    for field in SyncField::ALL {
        notes.push(SyncNote::FieldLeftOut {
            who: s("Ada"),
            field,
            problem: FieldProblem::TooLong { max: 40 },
        });
        notes.push(SyncNote::EditedHere {
            who: s("Ada"),
            field,
        });
    }
    (notices, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_saved_before_notes_were_typed_still_read() {
        #[derive(Deserialize)]
        struct Lists {
            #[serde(deserialize_with = "saved_notes")]
            notes: Vec<SyncNote>,
        }
        let typed = serde_json::to_string(&SyncNote::NoId { who: "Ada".into() }).unwrap();
        let json = format!(
            r#"{{"notes": ["Bob: title left out, it is required", {typed}, {{"Renamed": 1}}]}}"#
        );
        let lists: Lists = serde_json::from_str(&json).unwrap();
        assert_eq!(
            lists.notes,
            vec![
                SyncNote::Earlier {
                    text: "Bob: title left out, it is required".into()
                },
                SyncNote::NoId { who: "Ada".into() },
                SyncNote::Earlier {
                    text: r#"{"Renamed":1}"#.into()
                },
            ]
        );
    }
}
