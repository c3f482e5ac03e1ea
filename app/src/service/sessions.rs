//! Console sessions, kept in the application's own database through its own pools: on
//! SQLite every write goes through the one writer connection like every other write, and
//! each session row names its technician, so a password change, a disabled login or a delete
//! ends that engineer's sessions in the same transaction (deleting the technician cascades).

use super::db::Db;
use super::now_ms;
use async_trait::async_trait;
use std::collections::HashMap;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// The session key holding the signed-in technician's id.
pub const SESSION_TECH_ID: &str = "tech_id";

#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn expiry_ms(record: &Record) -> i64 {
    i64::try_from(record.expiry_date.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn technician_of(record: &Record) -> Option<i64> {
    record.data.get(SESSION_TECH_ID).and_then(|v| v.as_i64())
}

/// Ends every console session of technician `id`, inside the caller's transaction.
pub async fn end_for(conn: &mut sqlx::AnyConnection, id: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM console_sessions WHERE technician_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

impl DbSessionStore {
    /// Writes `record`; `on_conflict` says what an existing row with its id gets. Answers
    /// whether a row was written.
    async fn write(&self, record: &Record, on_conflict: &str) -> session_store::Result<bool> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let done = sqlx::query(&format!(
            "INSERT INTO console_sessions (id, technician_id, data, expires_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (id) {on_conflict}"
        ))
        .bind(record.id.to_string())
        .bind(technician_of(record))
        .bind(data)
        .bind(expiry_ms(record))
        .execute(self.db.writer())
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A 128-bit id colliding is next to impossible, but it must never join two sessions.
        while !self.write(record, "DO NOTHING").await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(
            record,
            "DO UPDATE SET technician_id = excluded.technician_id, data = excluded.data, \
             expires_at = excluded.expires_at",
        )
        .await
        .map(|_| ())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT data, expires_at FROM console_sessions WHERE id = $1 AND expires_at > $2",
        )
        .bind(id.to_string())
        .bind(now_ms())
        .fetch_optional(self.db.reader())
        .await
        .map_err(backend)?;
        let Some((data, expires)) = row else {
            return Ok(None);
        };
        let data: HashMap<String, serde_json::Value> =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date =
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(expires) * 1_000_000)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM console_sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(self.db.writer())
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// Removes sessions past their expiry (they are refused on use already); answers how many.
pub async fn purge(db: &Db, now: i64) -> anyhow::Result<u64> {
    use anyhow::Context;
    let done = sqlx::query("DELETE FROM console_sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(db.writer())
        .await
        .context("purging expired sessions")?;
    Ok(done.rows_affected())
}
