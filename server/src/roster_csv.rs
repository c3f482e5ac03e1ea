//! The roster as CSV (RFC 4180, UTF-8), for the console's download and the command line:
//! every cell quoted as needed, and a cell a spreadsheet would run as a formula (starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return) led by `'`, so it is read as text.

use app::domain::ListQuery;
use app::service::technicians::export::Export;
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
