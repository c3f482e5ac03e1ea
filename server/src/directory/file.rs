//! The directory file (SPEC §6): CSV with a header row, or JSON (an array of objects), with
//! the directory's attribute names. Which one is decided by the first character: `[` is JSON.

use app::domain::directory::{Entry, Mapping};
use std::path::{Path, PathBuf};

/// A larger file is refused rather than read into memory.
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// The entries of the file at `path`, mapped; a file that cannot be read or parsed is one
/// error naming the place. An absolute path is the operator's (the CLI): any file, a pipe
/// too. A relative one was named in the console and is read only from inside `root`, only
/// if it is a regular file, and its errors do not tell a missing file from a forbidden one.
/// At most [`MAX_BYTES`] are read, whatever the file's size claims.
pub async fn read(path: &str, root: &Path, mapping: &Mapping) -> Result<Vec<Entry>, String> {
    let shown: String = path.chars().take(200).collect();
    let operator = Path::new(path).is_absolute();
    let unreadable = |e: std::io::Error| {
        if operator {
            format!("the directory file {shown} cannot be read: {e}")
        } else {
            format!(
                "the directory file {shown} cannot be read from the directory folder {}",
                root.display()
            )
        }
    };
    let target = if operator {
        PathBuf::from(path)
    } else {
        inside(root, path).await.map_err(unreadable)?
    };
    let bytes = read_capped(&target, !operator).await.map_err(|e| match e {
        Capped::Io(e) => unreadable(e),
        Capped::NotAFile => format!("the directory file {shown} is not a regular file"),
        Capped::TooLarge => format!(
            "the directory file {shown} is larger than {} MiB, the most that is read",
            MAX_BYTES / (1024 * 1024)
        ),
    })?;
    let mapping = mapping.clone();
    tokio::task::spawn_blocking(move || parse(&bytes, &mapping))
        .await
        .map_err(|e| format!("reading the directory file failed: {e}"))?
        .map_err(|e| format!("the directory file {shown}: {e}"))
}

/// `relative` resolved in `root`, links followed: refused unless it stays inside.
async fn inside(root: &Path, relative: &str) -> std::io::Result<PathBuf> {
    let outside = || std::io::Error::new(std::io::ErrorKind::PermissionDenied, "outside the root");
    if app::service::directories::console_file_path(relative).is_err() {
        return Err(outside());
    }
    let root = tokio::fs::canonicalize(root).await?;
    let target = tokio::fs::canonicalize(root.join(relative)).await?;
    if target.starts_with(&root) {
        Ok(target)
    } else {
        Err(outside())
    }
}

enum Capped {
    Io(std::io::Error),
    NotAFile,
    TooLarge,
}

/// The file's bytes, if there are at most [`MAX_BYTES`] (counted as read: `/dev/zero` and
/// `/proc` files claim a size of 0), and if it is a regular file when `regular_only`.
async fn read_capped(path: &Path, regular_only: bool) -> Result<Vec<u8>, Capped> {
    use tokio::io::AsyncReadExt as _;
    if regular_only {
        // Asked before opening: opening a pipe would wait for a writer.
        let meta = tokio::fs::metadata(path).await.map_err(Capped::Io)?;
        if !meta.is_file() {
            return Err(Capped::NotAFile);
        }
    }
    let file = tokio::fs::File::open(path).await.map_err(Capped::Io)?;
    let meta = file.metadata().await.map_err(Capped::Io)?;
    if regular_only && !meta.is_file() {
        return Err(Capped::NotAFile);
    }
    if meta.len() > MAX_BYTES {
        return Err(Capped::TooLarge);
    }
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(Capped::Io)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(Capped::TooLarge);
    }
    Ok(bytes)
}

/// `bytes` as entries: JSON when it starts with `[`, else CSV.
pub fn parse(bytes: &[u8], mapping: &Mapping) -> Result<Vec<Entry>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        parse_json(bytes, mapping)
    } else {
        parse_csv(bytes, mapping)
    }
}

fn parse_json(bytes: &[u8], mapping: &Mapping) -> Result<Vec<Entry>, String> {
    let rows: Vec<serde_json::Value> =
        serde_json::from_slice(bytes).map_err(|e| format!("is not a JSON array: {e}"))?;
    let mut entries = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let object = row
            .as_object()
            .ok_or_else(|| format!("item {} is not an object", index + 1))?;
        // Strings and numbers are values; for a list the first one counts, as in LDAP.
        let value = |v: &serde_json::Value| -> Option<String> {
            match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                serde_json::Value::Array(items) => {
                    items.first().and_then(|i| i.as_str().map(str::to_owned))
                }
                _ => None,
            }
        };
        let values: Vec<(String, String)> = object
            .iter()
            .filter_map(|(k, v)| value(v).map(|v| (k.to_ascii_lowercase(), v)))
            .collect();
        entries.push(mapping.entry(|attribute| {
            let attribute = attribute.to_ascii_lowercase();
            values
                .iter()
                .find(|(k, _)| *k == attribute)
                .map(|(_, v)| v.as_str())
        }));
    }
    Ok(entries)
}

fn parse_csv(bytes: &[u8], mapping: &Mapping) -> Result<Vec<Entry>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("its header row cannot be read: {e}"))?
        .iter()
        .map(str::to_ascii_lowercase)
        .collect();
    if !header
        .iter()
        .any(|h| h.eq_ignore_ascii_case(&mapping.name) || h.eq_ignore_ascii_case(&mapping.login))
    {
        return Err(format!(
            "its header row names neither '{}' nor '{}'; the first row must name the attributes",
            mapping.name, mapping.login
        ));
    }
    let mut entries = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("line {}: {e}", index + 2))?;
        entries.push(mapping.entry(|attribute| {
            header
                .iter()
                .position(|h| h.eq_ignore_ascii_case(attribute))
                .and_then(|i| record.get(i))
        }));
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::directory::Preset;

    fn mapping() -> Mapping {
        Preset::OpenLdap.mapping()
    }

    #[test]
    fn csv_and_json_give_the_same_entries() {
        let csv = "\u{FEFF}uid,cn,mail,mobile,entryUUID\n ada , Ada Lovelace ,ada@example.com,+86 138 0013 8000,u-1\nbo,Bo,,,u-2\n";
        let json = r#"[{"uid":"ada","cn":"Ada Lovelace","mail":["ada@example.com"],"mobile":"+86 138 0013 8000","entryUUID":"u-1"},
                       {"UID":"bo","CN":"Bo","entryuuid":"u-2","mail":null}]"#;
        let from_csv = parse(csv.as_bytes(), &mapping()).unwrap();
        let from_json = parse(json.as_bytes(), &mapping()).unwrap();
        assert_eq!(from_csv, from_json);
        assert_eq!(from_csv[0].login.as_deref(), Some("ada"));
        assert_eq!(from_csv[0].id.as_deref(), Some("u-1"));
        assert_eq!(from_csv[1].email, None);
    }

    #[test]
    fn a_broken_file_is_one_clear_error() {
        for (bytes, fragment) in [
            (&b"[{\"uid\":"[..], "not a JSON array"),
            (b"[1, 2]", "item 1 is not an object"),
            (b"foo,bar\n1,2\n", "header row names neither"),
            (b"uid,cn\n\xff\xfe,x\n", "line 2"),
            (b"", "header row names neither"),
        ] {
            let err = parse(bytes, &mapping()).unwrap_err();
            assert!(err.contains(fragment), "{err}");
        }
    }

    #[test]
    fn hostile_values_stay_values() {
        let csv = "uid,cn\n\"a,\"\"b\"\"\",\"line\nbreak\"\n=cmd|' /C calc'!A0,x\n";
        let entries = parse(csv.as_bytes(), &mapping()).unwrap();
        assert_eq!(entries[0].login.as_deref(), Some("a,\"b\""));
        assert_eq!(entries[0].name.as_deref(), Some("line\nbreak"));
        assert_eq!(entries.len(), 2);
    }
}
