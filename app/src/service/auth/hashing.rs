//! Password hashes: argon2id, with a decoy hash so an unknown login costs the same time.

use super::*;

/// Hashes a password with argon2id off the async runtime (it costs tens of milliseconds).
pub async fn hash_password(password: &str) -> anyhow::Result<String> {
    let password = password.to_owned();
    password_threads::run(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await?
}

/// A hash of nothing anyone knows, verified against when the account does not exist so an
/// unknown user costs the same time as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"crewdesk-decoy-password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

pub(super) async fn verify_password(password: &str, hash: Option<String>) -> anyhow::Result<bool> {
    let password = password.to_owned();
    password_threads::run(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| decoy_hash().to_owned());
        let ok = PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && known
    })
    .await
}
