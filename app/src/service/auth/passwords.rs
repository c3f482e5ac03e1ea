//! Setting and changing passwords: every other session of the engineer ends.

use super::*;

/// Sets the password of the account `login` in `domain` (an SDAdmin's act).
pub async fn set_password(
    db: &Db,
    actor: &Actor,
    ctx: &crate::service::AuditContext,
    login: &str,
    domain: &str,
    password: &str,
) -> Result<i64, crate::service::ServiceError> {
    use crate::domain::{AdminTask, Refusal};
    use crate::service::ServiceError;
    if !actor.is_admin() {
        return Err(ServiceError::NotAuthorized(Refusal::AdminOnly {
            task: AdminTask::SetPasswords,
        }));
    }
    let password =
        crate::domain::Password::parse(password).map_err(|e| ServiceError::invalid("pwd", e))?;
    crate::service::password_strength::check(password.expose(), &[login])
        .map_err(|e| ServiceError::invalid("pwd", e))?;
    let hash = hash_password(password.expose()).await?;
    let mut tx = db.begin_write().await?;
    let row: Option<(i64,)> = sqlx::query_as(
        "UPDATE technicians SET password_hash = $1, updated_at = $2, version = version + 1, \
         must_change_password = 0 WHERE login_key = $3 RETURNING id",
    )
    .bind(hash)
    .bind(now_ms())
    .bind(crate::domain::login_key(login, domain))
    .fetch_optional(&mut *tx)
    .await?;
    let (id,) = row.ok_or_else(|| {
        ServiceError::NotFound(Refusal::NoAccount {
            login: login.to_owned(),
        })
    })?;
    password_changed(tx, actor, ctx, id).await?;
    Ok(id)
}

/// After a new password is written: whoever knew the old one is signed out everywhere, the
/// change is audited, and the transaction commits.
async fn password_changed(
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    actor: &Actor,
    ctx: &crate::service::AuditContext,
    id: i64,
) -> Result<(), crate::service::ServiceError> {
    crate::service::sessions::end_for(&mut tx, id).await?;
    crate::service::audit::record(
        &mut tx,
        actor,
        ctx,
        crate::service::audit::Entry {
            action: "technician.password",
            technician_id: Some(id),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A signed-in engineer changes their own password: the current one is checked as a
/// sign-in is (counted toward the lockout), the new one must be strong and not the login
/// name. Clears the must-change mark and ends the engineer's other sessions.
pub async fn change_own_password(
    db: &Db,
    limits: &SignInLimits,
    ctx: &crate::service::AuditContext,
    id: i64,
    current: &str,
    new: &str,
    from: Option<std::net::IpAddr>,
) -> Result<(), crate::service::ServiceError> {
    use crate::service::ServiceError;
    let account: Option<(Option<String>, String, String)> = sqlx::query_as(
        "SELECT login_name, login_domain, name FROM technicians WHERE id = $1 AND login_enabled = 1",
    )
    .bind(id)
    .fetch_optional(db.reader())
    .await?;
    let Some((Some(login), domain, name)) = account else {
        return Err(ServiceError::NotFound(crate::domain::Refusal::AccountGone));
    };
    let credentials = Credentials {
        login: &login,
        domain: &domain,
        password: current,
        from,
    };
    let actor = match authenticate(db, limits, credentials).await {
        Ok(actor) if actor.id == Some(id) => actor,
        Ok(_) | Err(AuthError::Failed) => {
            return Err(ServiceError::invalid(
                "current",
                crate::domain::FieldProblem::NotCurrentPassword,
            ))
        }
        Err(AuthError::Internal(e)) => return Err(ServiceError::Internal(e)),
        Err(other) => {
            let refusal = other
                .refusal()
                .unwrap_or(crate::domain::Refusal::SignInBusy);
            return Err(ServiceError::TooSoon(refusal));
        }
    };
    let password =
        crate::domain::Password::parse(new).map_err(|e| ServiceError::invalid("new", e))?;
    if crate::service::password_strength::is_login_name(new, &login) || new == current {
        return Err(ServiceError::invalid(
            "new",
            crate::domain::FieldProblem::PasswordReused,
        ));
    }
    crate::service::password_strength::check(password.expose(), &[&login, &name])
        .map_err(|e| ServiceError::invalid("new", e))?;
    let hash = hash_password(password.expose()).await?;
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE technicians SET password_hash = $1, must_change_password = 0, updated_at = $2, \
         version = version + 1 WHERE id = $3",
    )
    .bind(hash)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    // This browser gets a new session from the caller.
    password_changed(tx, &actor, ctx, id).await
}
