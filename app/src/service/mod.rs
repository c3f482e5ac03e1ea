//! The one place the business rules live: authorisation, the technician rules of the legacy
//! API, reference data and the audit log, over the database. Every edge calls into here.

pub mod actor;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod confirmations;
pub mod consent;
pub mod contact_health;
pub mod contact_points;
pub mod credentials;
pub mod db;
pub mod delivery_log;
pub mod directories;
pub mod drills;
pub mod error;
pub mod idempotency;
pub mod ledger;
pub mod lockout;
pub mod notifications;
pub mod outbox;
pub mod password_strength;
pub mod password_threads;
pub mod reachability;
pub mod reference;
pub mod refold;
pub mod roster_imports;
pub mod secret_box;
pub mod send_limits;
pub mod sessions;
pub mod settings;
pub mod sign_in_limits;
pub mod subscriptions;
pub mod sync;
pub mod technicians;

pub use actor::Actor;
pub use audit::{AuditContext, Source};
pub use credentials::CredentialCache;
pub use db::Db;
pub use error::{AuthError, ServiceError};

/// Milliseconds since the Unix epoch: how every timestamp is stored.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The time every rule about deadlines reads (confirmation links, retries), which tests move
/// forward instead of waiting 48 hours.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> i64 {
        now_ms().saturating_add(self.offset_ms.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Moves this clock (and every copy of it) `ms` into the future.
    pub fn advance(&self, ms: i64) {
        self.offset_ms
            .fetch_add(ms, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Brings the database up to date: the schema's migrations, then the data fix-ups that need
/// Rust (see `refold`).
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    db.migrate().await?;
    refold::run(db).await
}

/// What every request handler is given: built once at start-up.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    /// Recently verified XML API credentials (see `credentials`).
    pub credentials: std::sync::Arc<credentials::CredentialCache>,
    /// What this instance spends on password checks (see `sign_in_limits`).
    pub sign_in: std::sync::Arc<sign_in_limits::SignInLimits>,
    pub clock: Clock,
    /// Where robot webhooks may point (`--webhook-allow`), checked when they are saved.
    pub webhook_hosts: std::sync::Arc<crate::domain::WebhookHosts>,
    /// Reads directories for Synchronize Engineer Info and checks passwords against them
    /// (AD_AUTH); the server provides it.
    pub directories: std::sync::Arc<dyn directories::DirectorySource>,
    /// Seals the secrets the console stores (a directory's bind password).
    pub secret_key: std::sync::Arc<secret_box::SecretKey>,
    /// This instance's latest reachability counts (see `reachability`).
    pub reach: std::sync::Arc<reachability::ReachCache>,
}
