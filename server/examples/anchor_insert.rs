//! The anchor of the XML write benchmark (`scripts/bench-servlet.sh`): the least a service
//! can do for an add. It reads the form, runs one INSERT and answers a small XML envelope:
//! no credentials, no checks, no audit, no confirmations. SQLite gets the pragmas Crewdesk
//! uses (WAL, synchronous NORMAL) and one writer connection; PostgreSQL a pool of 16.
//!
//! `cargo run --release -p server --example anchor_insert -- ADDR DATABASE_URL`

use axum::extract::State;
use axum::routing::post;
use axum::{Form, Router};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use std::collections::HashMap;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: anchor_insert ADDR DATABASE_URL";
    let addr = args.next().ok_or(usage)?;
    let url = args.next().ok_or(usage)?;
    sqlx::any::install_default_drivers();
    let sqlite = url.starts_with("sqlite:");
    let pool = AnyPoolOptions::new()
        .max_connections(if sqlite { 1 } else { 16 })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
                        .await?;
                }
                Ok(())
            })
        })
        .connect(&url)
        .await?;
    let table = if sqlite {
        "CREATE TABLE IF NOT EXISTS people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT)"
    } else {
        "CREATE TABLE IF NOT EXISTS people (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, email TEXT)"
    };
    pool.execute(table).await?;
    let app = Router::new()
        .route("/servlets/TechnicianServlet", post(add))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

async fn add(State(pool): State<AnyPool>, Form(form): Form<HashMap<String, String>>) -> String {
    let inserted: Result<(i64,), _> =
        sqlx::query_as("INSERT INTO people (name, email) VALUES ($1, $2) RETURNING id")
            .bind(form.get("name").cloned().unwrap_or_default())
            .bind(form.get("email").cloned())
            .fetch_one(&pool)
            .await;
    match inserted {
        Ok((id,)) => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><API><response><operation name=\"AddTechnician\">\
             <result><statuscode>200</statuscode><status>Success</status>\
             <operationstatus>Success</operationstatus></result><userid>{id}</userid>\
             </operation></response></API>"
        ),
        Err(e) => format!("<API><error>{e}</error></API>"),
    }
}
