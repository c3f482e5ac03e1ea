//! The audit log as the console shows it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    /// A technician's id, or text found in their name or in what changed.
    pub technician: String,
    /// Text found in the actor's name.
    pub actor: String,
    /// `console`, `xml`, `sync`, `cli` or empty (any).
    pub source: String,
    /// 1-based.
    pub page: u32,
}

/// One attribute that an entry changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub key: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    /// UTC, `YYYY-MM-DD HH:MM:SS`.
    pub at: String,
    pub actor: String,
    pub source: String,
    pub action: String,
    pub technician_id: Option<i64>,
    /// The technician's name now, or as the entry recorded it.
    pub technician: Option<String>,
    pub remote_addr: Option<String>,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Milliseconds since the epoch as `YYYY-MM-DD HH:MM:SS` (UTC), by the civil-from-days
/// algorithm (proleptic Gregorian calendar).
pub fn utc_text(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The keys whose values differ between two flat JSON objects, in `after`'s order then
/// `before`'s.
pub fn changes(before: &serde_json::Value, after: &serde_json::Value) -> Vec<Change> {
    let empty = serde_json::Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let text = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let mut keys: Vec<&String> = a.keys().collect();
    keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
    keys.into_iter()
        .filter(|k| text(b.get(*k)) != text(a.get(*k)))
        .map(|k| Change {
            key: k.clone(),
            before: text(b.get(k)),
            after: text(a.get(k)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_as_utc_calendar_time() {
        assert_eq!(utc_text(0), "1970-01-01 00:00:00");
        assert_eq!(utc_text(951_782_400_000), "2000-02-29 00:00:00");
        assert_eq!(utc_text(1_795_449_601_000), "2026-11-23 16:00:01");
    }

    #[test]
    fn only_changed_keys_are_listed() {
        let before = serde_json::json!({ "name": "Ada", "email": "a@x.io", "phone": "" });
        let after = serde_json::json!({ "name": "Ada", "email": "b@x.io", "mobile": "+1" });
        let keys: Vec<String> = changes(&before, &after)
            .into_iter()
            .map(|c| c.key)
            .collect();
        assert_eq!(keys, ["email", "mobile"]);
        assert_eq!(changes(&serde_json::Value::Null, &after).len(), 3);
    }
}
