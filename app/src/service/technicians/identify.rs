//! Finds the one technician a request names, criterion by criterion.

use crate::domain::{fold, login_key, Criterion, TechnicianRef};
use crate::service::error::ServiceError;
use sqlx::AnyConnection;

/// At most two ids: enough to tell "one" from "several".
async fn matches(conn: &mut AnyConnection, criterion: &Criterion) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = match criterion {
        Criterion::Login { name, domain } => {
            sqlx::query_as("SELECT id FROM technicians WHERE login_key = $1 ORDER BY id LIMIT 2")
                .bind(login_key(name, domain))
                .fetch_all(&mut *conn)
                .await?
        }
        Criterion::Email(email) => {
            sqlx::query_as("SELECT id FROM technicians WHERE email_key = $1 ORDER BY id LIMIT 2")
                .bind(fold(email))
                .fetch_all(&mut *conn)
                .await?
        }
        Criterion::Name(name) => {
            sqlx::query_as("SELECT id FROM technicians WHERE name_key = $1 ORDER BY id LIMIT 2")
                .bind(fold(name))
                .fetch_all(&mut *conn)
                .await?
        }
        Criterion::Id(id) => {
            sqlx::query_as("SELECT id FROM technicians WHERE id = $1")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
        }
    };
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The first criterion that matches decides; one that matches several technicians is an
/// error, so nobody is changed by mistake.
pub async fn resolve(
    conn: &mut AnyConnection,
    target: &TechnicianRef,
) -> Result<i64, ServiceError> {
    for criterion in target.criteria() {
        match matches(conn, criterion).await?.as_slice() {
            [] => continue,
            [id] => return Ok(*id),
            _ => {
                return Err(ServiceError::Ambiguous(crate::domain::Refusal::Ambiguous {
                    criterion: criterion.clone(),
                }))
            }
        }
    }
    Err(ServiceError::NotFound(
        crate::domain::Refusal::NoTechnicianMatches {
            target: target.clone(),
        },
    ))
}
