//! The roster as CSV (RFC 4180, UTF-8), for the console's download and the command line:
//! every cell quoted as needed, and a cell a spreadsheet would run as a formula (starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return) led by `'`, so it is read as text.

use app::domain::import::{RowReport, Verdict};
use app::domain::{FieldProblem, ListQuery};
use app::i18n::{Lang, Speak};
use app::service::technicians::export::Export;
use app::service::technicians::import::{self, Sheet, SheetRow};
use app::service::{Actor, Db, ServiceError};

/// The byte order mark that tells Excel the file is UTF-8.
pub const BOM: &str = "\u{feff}";

/// `cell` as a spreadsheet must take it: text, never a formula.
fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// `rows` as CSV lines.
pub fn lines(rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in rows {
        // Writing to memory fails only on a bug; a row is then left out, never half-written.
        if let Err(e) = writer.write_record(row.iter().map(|c| inert(c).into_owned())) {
            tracing::error!(error = %e, "a CSV row could not be written");
        }
    }
    writer.into_inner().unwrap_or_default()
}

/// The roster view a URL's (or the command line's) filters name, as the console reads them.
pub fn query(param: impl Fn(&str) -> Option<String>) -> ListQuery {
    ListQuery::from_params(|name| param(name).unwrap_or_default())
}

/// Starts an export: the header line (after a BOM when asked) and the export to page on.
pub async fn start(
    db: &Db,
    actor: &Actor,
    query: &ListQuery,
    bom: bool,
) -> Result<(Vec<u8>, Export), ServiceError> {
    let export = Export::start(db, actor, query).await?;
    let mut first = if bom {
        BOM.as_bytes().to_vec()
    } else {
        Vec::new()
    };
    first.extend(lines(&[export.header()]));
    Ok((first, export))
}

/// The largest file an import reads.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// A roster CSV as the import reads it: UTF-8 with or without a BOM, CRLF or LF, quoted cells
/// with commas, quotes and newlines. Rows are numbered as a spreadsheet shows them (the header
/// is row 1); a row that cannot be read is kept with its problem, and a row of blank cells (a
/// spreadsheet's trailing lines) is skipped. Refused as a whole: a file too large to be a
/// roster, one that is not text, one without a header, one with too many rows.
pub fn read(bytes: &[u8]) -> Result<Sheet, FieldProblem> {
    if bytes.len() > MAX_BYTES {
        return Err(FieldProblem::FileTooLarge {
            max_mb: MAX_BYTES / (1024 * 1024),
        });
    }
    let bytes = bytes.strip_prefix(BOM.as_bytes()).unwrap_or(bytes);
    // Text has no NUL; a spreadsheet's binary format or an image does, early on.
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return Err(FieldProblem::NotCsvText);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let columns = match records.next() {
        None => return Err(FieldProblem::NoColumns),
        Some(Err(_)) => return Err(FieldProblem::NotCsvText),
        Some(Ok(header)) if header.len() > import::MAX_COLUMNS => {
            return Err(FieldProblem::TooManyColumns {
                max: import::MAX_COLUMNS,
            })
        }
        Some(Ok(header)) => header
            .iter()
            .map(|cell| String::from_utf8(cell.to_vec()).map_err(|_| FieldProblem::NotCsvText))
            .collect::<Result<Vec<String>, _>>()?,
    };
    let mut rows = Vec::new();
    for (i, record) in records.enumerate() {
        let row = i + 2;
        let cells = match record {
            Err(_) => Err(FieldProblem::NotText),
            Ok(record) if record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) => continue,
            Ok(record) if record.len() != columns.len() => Err(FieldProblem::CellCount {
                expected: columns.len(),
                found: record.len(),
            }),
            Ok(record) => record
                .iter()
                .map(|cell| String::from_utf8(cell.to_vec()).map_err(|_| FieldProblem::NotText))
                .collect(),
        };
        if rows.len() == import::MAX_ROWS {
            return Err(FieldProblem::TooManyRows {
                max: import::MAX_ROWS,
            });
        }
        rows.push(SheetRow { row, cells });
    }
    Ok(Sheet { columns, rows })
}

/// An import's report as CSV: one line per problem (`row`, `outcome`, `id`, `field`,
/// `problem`, `code`), one line for a row without any, in the reader's language.
pub fn report(reports: &[RowReport], lang: Lang) -> Vec<u8> {
    let mut lines = vec![["row", "outcome", "id", "field", "problem", "code"]
        .map(str::to_owned)
        .to_vec()];
    for report in reports {
        let row = report.row.to_string();
        let outcome = report.verdict.name().to_owned();
        let id = report
            .verdict
            .id()
            .map(|id| id.to_string())
            .unwrap_or_default();
        match &report.verdict {
            Verdict::Error { problems } => {
                for p in problems {
                    lines.push(vec![
                        row.clone(),
                        outcome.clone(),
                        id.clone(),
                        p.field.clone(),
                        p.problem.say(lang),
                        p.problem.code(),
                    ]);
                }
            }
            _ => {
                let notes: Vec<String> = report.notes.iter().map(|n| n.say(lang)).collect();
                lines.push(vec![
                    row,
                    outcome,
                    id,
                    String::new(),
                    notes.join(" "),
                    String::new(),
                ]);
            }
        }
    }
    self::lines(&lines)
}

/// The consent ledger as CSV for an auditor, oldest first, a page at a time.
pub struct ConsentExport {
    after: i64,
    done: bool,
}

impl ConsentExport {
    pub const HEADER: [&'static str; 9] = [
        "at",
        "engineerId",
        "engineer",
        "method",
        "address",
        "event",
        "how",
        "actor",
        "from",
    ];

    pub fn new() -> Self {
        Self {
            after: 0,
            done: false,
        }
    }

    /// The header line.
    pub fn header(&self) -> Vec<u8> {
        lines(&[Self::HEADER.map(str::to_owned).to_vec()])
    }

    /// The next page of lines; `None` when all were given.
    pub async fn next_lines(
        &mut self,
        db: &Db,
        actor: &Actor,
    ) -> Result<Option<Vec<u8>>, ServiceError> {
        if self.done {
            return Ok(None);
        }
        let page = app::service::ledger::ledger_page(db, actor, self.after).await?;
        self.done = (page.len() as i64) < app::service::ledger::LEDGER_PAGE;
        if let Some((last, _)) = page.last() {
            self.after = *last;
        }
        let rows: Vec<Vec<String>> = page
            .into_iter()
            .map(|(_, l)| {
                vec![
                    app::domain::audit::utc_text(l.at),
                    l.technician_id.map(|id| id.to_string()).unwrap_or_default(),
                    l.engineer,
                    l.method,
                    l.address,
                    l.event,
                    l.how,
                    l.actor,
                    l.source_addr.unwrap_or_default(),
                ]
            })
            .collect();
        Ok(Some(lines(&rows)))
    }
}

impl Default for ConsentExport {
    fn default() -> Self {
        Self::new()
    }
}
