//! The rooms of the house depend on each other in one direction only: no two modules of the
//! service layer, and no two modules of the server, import each other (directly or round a
//! circle), so each can be read and changed from the bottom up.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level modules under `dir` (files and folders) and the sibling modules each one
/// names in its source: `super::x`, `crate::service::x` or `crate::x` (by `prefixes`).
fn edges(dir: &Path, prefixes: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let mut modules: BTreeMap<String, String> = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        if name == "mod" || name == "lib" || name == "main" {
            continue;
        }
        let text = if path.is_dir() {
            let mut all = String::new();
            for file in walk(&path) {
                all.push_str(&std::fs::read_to_string(file).unwrap_or_default());
            }
            all
        } else {
            std::fs::read_to_string(&path).unwrap_or_default()
        };
        // Tests may reach anywhere; what counts is the code that ships.
        let shipped = text.split("#[cfg(test)]").next().unwrap_or("").to_owned();
        modules.insert(name, shipped);
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, text)| {
            let mut used = BTreeSet::new();
            for other in names.iter().filter(|o| *o != name) {
                let named = prefixes.iter().any(|p| {
                    text.contains(&format!("{p}{other}::"))
                        || text.contains(&format!("{p}{other};"))
                        || text.contains(&format!("{p}{{{other}"))
                        || text.contains(&format!("{p}{{self, {other}"))
                });
                let grouped = prefixes.iter().any(|p| {
                    text.split(&format!("{p}{{")).skip(1).any(|rest| {
                        rest.split('}').next().unwrap_or("").split(',').any(|i| {
                            let item = i.trim();
                            item == other || item.starts_with(&format!("{other}::"))
                        })
                    })
                });
                if named || grouped {
                    used.insert(other.clone());
                }
            }
            (name.clone(), used)
        })
        .collect()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// Every pair of modules that reach each other.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<(String, String)> {
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(m) = stack.pop() {
            for next in graph.get(&m).into_iter().flatten() {
                if next == to {
                    return true;
                }
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        false
    };
    let mut found = Vec::new();
    for a in graph.keys() {
        for b in graph.keys().filter(|b| *b > a) {
            if reaches(a, b) && reaches(b, a) {
                found.push((a.clone(), b.clone()));
            }
        }
    }
    found
}

#[test]
fn the_service_modules_import_each_other_in_one_direction() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src/service");
    let graph = edges(&root, &["super::", "crate::service::"]);
    assert!(graph.contains_key("auth") && graph.contains_key("audit"));
    assert_eq!(
        circles(&graph),
        Vec::<(String, String)>::new(),
        "{graph:#?}"
    );
}

#[test]
fn the_server_modules_import_each_other_in_one_direction() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = edges(&root, &["crate::", "super::"]);
    assert!(graph.contains_key("cli") && graph.contains_key("demo"));
    assert_eq!(
        circles(&graph),
        Vec::<(String, String)>::new(),
        "{graph:#?}"
    );
}

/// The shipped part of every source file under `dir`, with its path.
fn shipped_sources(dir: &Path) -> Vec<(String, String)> {
    walk(dir)
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let shipped = text.split("#[cfg(test)]").next().unwrap_or("").to_owned();
            (path.display().to_string(), shipped)
        })
        .collect()
}

/// The columns a `SET` clause assigns, from just after `SET` to its `WHERE`.
fn assigned(set_clause: &str) -> Vec<String> {
    let clause = set_clause.split("WHERE").next().unwrap_or("");
    clause
        .split(',')
        .filter_map(|part| part.split('=').next())
        .map(|column| {
            column
                .trim()
                .trim_matches(|c| c == '\\' || c == '"')
                .trim()
                .to_owned()
        })
        .filter(|column| {
            !column.is_empty() && column.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        })
        .collect()
}

#[test]
fn only_the_row_writer_writes_a_technicians_own_columns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let row_source = std::fs::read_to_string(root.join("app/src/service/technicians/row.rs"))
        .expect("the row writer");
    let columns = row_source
        .split("pub const COLUMNS: &str = \"")
        .nth(1)
        .and_then(|rest| rest.split("\";").next())
        .expect("the row's columns");
    let mut owned: BTreeSet<String> = columns
        .split(',')
        .map(|c| c.trim().trim_start_matches('\\').trim().to_owned())
        .collect();
    owned.extend(["search_text", "login_key", "name_key", "email_key"].map(String::from));
    assert!(
        owned.contains("name") && owned.contains("login_domain"),
        "{owned:?}"
    );
    let mut found = Vec::new();
    let mut writers = 0;
    for dir in ["app/src", "server/src"] {
        for (path, text) in shipped_sources(&root.join(dir)) {
            let is_writer = path.ends_with("technicians/row.rs");
            if text.contains("INSERT INTO technicians (") {
                if is_writer {
                    writers += 1;
                } else {
                    found.push(format!("{path}: inserts technicians"));
                }
            }
            for set in text.split("UPDATE technicians SET").skip(1) {
                // Rows written before keys were folded in Rust get their keys once, at start.
                let refolds = path.ends_with("service/refold.rs");
                for column in assigned(set) {
                    let derived = ["login_key", "name_key", "email_key"].contains(&column.as_str());
                    if owned.contains(&column) && !is_writer && !(refolds && derived) {
                        found.push(format!("{path}: sets {column}"));
                    }
                }
            }
        }
    }
    assert_eq!(writers, 1, "the row writer inserts technicians");
    assert_eq!(found, Vec::<String>::new());
}

#[test]
fn a_set_clause_names_its_columns() {
    assert_eq!(
        assigned(" name = $1, email = $2, \\\n version = version + 1 WHERE id = $3"),
        ["name", "email", "version"]
    );
}
