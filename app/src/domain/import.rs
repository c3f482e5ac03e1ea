//! What a roster import does with each row of a spreadsheet: create an engineer, update one,
//! leave one unchanged, or change nothing because of a problem in a named field.

use super::note::Notice;
use super::problem::FieldProblem;
use super::refusal::Refusal;
use serde::{Deserialize, Serialize};

/// Why a row changes nothing: a value that does not parse, or a rule that refuses the change
/// (reach, a protected SDAdmin, several engineers matching).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    Field(FieldProblem),
    Refused(Refusal),
}

impl Problem {
    /// The stable name programs read (`email.at`, `add_outside_sites`).
    pub fn code(&self) -> String {
        match self {
            Self::Field(p) => p.code(),
            Self::Refused(r) => r.code(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Field(p) => p.fmt(f),
            Self::Refused(r) => r.fmt(f),
        }
    }
}

/// One problem of a row: the column it is in (empty for the row as a whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub field: String,
    pub problem: Problem,
}

/// What happens (in a preview) or happened (after applying) to a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// A new engineer; its id once applied.
    Create {
        id: Option<i64>,
    },
    Update {
        id: i64,
    },
    Unchanged {
        id: i64,
    },
    Error {
        problems: Vec<RowProblem>,
    },
}

impl Verdict {
    /// `create`, `update`, `unchanged` or `error`: the preview file's outcome column.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Create { .. } => "create",
            Self::Update { .. } => "update",
            Self::Unchanged { .. } => "unchanged",
            Self::Error { .. } => "error",
        }
    }

    pub fn id(&self) -> Option<i64> {
        match self {
            Self::Create { id } => *id,
            Self::Update { id } | Self::Unchanged { id } => Some(*id),
            Self::Error { .. } => None,
        }
    }
}

/// A row's verdict, by its row number as a spreadsheet shows it (the header is row 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowReport {
    pub row: usize,
    pub verdict: Verdict,
    /// What the caller should know of a row that is created or updated (a site not found).
    pub notes: Vec<Notice>,
}

/// How many rows each verdict has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub create: usize,
    pub update: usize,
    pub unchanged: usize,
    pub error: usize,
}

impl Counts {
    pub fn of(rows: &[RowReport]) -> Self {
        let mut counts = Self::default();
        for row in rows {
            match row.verdict {
                Verdict::Create { .. } => counts.create += 1,
                Verdict::Update { .. } => counts.update += 1,
                Verdict::Unchanged { .. } => counts.unchanged += 1,
                Verdict::Error { .. } => counts.error += 1,
            }
        }
        counts
    }
}

/// Where an import uploaded in the console stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportState {
    /// Previewed; waiting to be applied.
    Previewed,
    Applying,
    Applied,
    /// The file as a whole was refused (see the problems).
    Refused,
    /// Applying stopped on the server's failure; what was written stays.
    Failed,
}

impl ImportState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Previewed => "previewed",
            Self::Applying => "applying",
            Self::Applied => "applied",
            Self::Refused => "refused",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Previewed,
            Self::Applying,
            Self::Applied,
            Self::Refused,
            Self::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// An import as the console shows it: the counts, and the rows that have something to say
/// (a problem or a note), the first [`ImportView::SHOWN`] of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: i64,
    pub file_name: String,
    pub state: ImportState,
    /// Why the file was refused as a whole.
    pub problems: Vec<FieldProblem>,
    pub counts: Counts,
    pub rows: Vec<RowReport>,
    /// How many rows have something to say, shown or not.
    pub noted: usize,
}

impl ImportView {
    pub const SHOWN: usize = 500;
}
