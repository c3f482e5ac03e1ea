//! The folded keys of rows written before keys were folded in Rust (migration 0004 filled
//! them with SQL's `lower()`, which on SQLite leaves every letter beyond ASCII as it was).
//! Runs once, after the migrations.

use super::db::{is_unique_violation, Db};
use crate::domain::{fold, login_key};
use anyhow::Context;

const DONE: &str = "folded_keys_v1";

type TechnicianKeys = (
    i64,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
);

pub async fn run(db: &Db) -> anyhow::Result<()> {
    let done: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
        .bind(DONE)
        .fetch_optional(db.reader())
        .await
        .context("reading whether keys were refolded")?;
    if done.is_some() {
        return Ok(());
    }
    let rows: Vec<TechnicianKeys> = sqlx::query_as(
        "SELECT id, name, email, login_name, login_domain, name_key, email_key, login_key \
         FROM technicians",
    )
    .fetch_all(db.reader())
    .await
    .context("reading technicians to refold")?;
    for (id, name, email, login, domain, name_key, email_key, old_login_key) in rows {
        let new_login_key = login.as_deref().map(|l| login_key(l, &domain));
        let new_email_key = email.as_deref().map(fold);
        if fold(&name) == name_key && new_email_key == email_key && new_login_key == old_login_key {
            continue;
        }
        let result = sqlx::query(
            "UPDATE technicians SET name_key = $1, email_key = $2, login_key = $3 WHERE id = $4",
        )
        .bind(fold(&name))
        .bind(new_email_key)
        .bind(new_login_key)
        .bind(id)
        .execute(db.writer())
        .await;
        match result {
            Ok(_) => {}
            // Two logins that differ only in the case of a letter beyond ASCII: the older
            // key stays, and the operator is told which technician to rename.
            Err(e) if is_unique_violation(&e, "technicians_login_unique") => tracing::warn!(
                technician = id,
                "login name collides with another one once folded; rename one of them"
            ),
            Err(e) => return Err(e).context("refolding a technician's keys"),
        }
    }
    for table in ["sites", "departments", "tech_groups"] {
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as(&format!("SELECT id, name, name_key FROM {table}"))
                .fetch_all(db.reader())
                .await
                .with_context(|| format!("reading {table} to refold"))?;
        for (id, name, key) in rows {
            if fold(&name) == key {
                continue;
            }
            if let Err(e) = sqlx::query(&format!("UPDATE {table} SET name_key = $1 WHERE id = $2"))
                .bind(fold(&name))
                .bind(id)
                .execute(db.writer())
                .await
            {
                tracing::warn!(table, id, error = %e, "a name collides with another once folded");
            }
        }
    }
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, '1')")
        .bind(DONE)
        .execute(db.writer())
        .await
        .context("recording that keys were refolded")?;
    Ok(())
}
