//! A short-lived memory of credentials that verified, so a legacy tool that sends its password
//! with every XML request pays for argon2id once per few minutes instead of on every call.
//!
//! Soundness:
//! - Entries are keyed by HMAC-SHA256 under a random per-process key of (domain, login,
//!   password): the memory never holds a password or a plain hash of one, and a key cannot be
//!   guessed offline from a memory dump without the per-process key.
//! - An entry remembers the stored argon2 hash it was verified against. Every hit re-reads the
//!   technician (it must exist, may sign in, and still have that very hash), so a password
//!   change or a delete on any instance invalidates it at once.
//! - Only successes are remembered; the lockout is checked before the memory on every request.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

type Digest = [u8; 32];

#[derive(Debug, Clone)]
struct Entry {
    technician_id: i64,
    password_hash: String,
    expires: Instant,
}

pub struct CredentialCache {
    /// HMAC-SHA256's block size, so the key is used as it is.
    key: [u8; 64],
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<Digest, Entry>>,
    /// Striped locks that let one check per credential run at a time.
    flights: [tokio::sync::Mutex<()>; FLIGHTS],
}

/// Stripes of `flights`: two credentials share one only by their digest's first byte.
const FLIGHTS: usize = 64;

impl std::fmt::Debug for CredentialCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialCache")
            .field("ttl", &self.ttl)
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

/// A verified credential the memory holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remembered {
    pub technician_id: i64,
    pub password_hash: String,
}

impl CredentialCache {
    /// `ttl` zero turns the memory off.
    pub fn new(ttl: Duration) -> Self {
        let mut key = [0u8; 64];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
        Self {
            key,
            ttl,
            capacity: 10_000,
            entries: Mutex::new(HashMap::new()),
            flights: std::array::from_fn(|_| tokio::sync::Mutex::new(())),
        }
    }

    /// Held while `digest` is being checked, so concurrent requests with the same
    /// credential wait for that check instead of running their own.
    pub async fn one_at_a_time(&self, digest: &Digest) -> tokio::sync::MutexGuard<'_, ()> {
        self.flights[usize::from(digest[0]) % FLIGHTS].lock().await
    }

    pub fn digest(&self, login: &str, domain: &str, password: &str) -> Digest {
        let mut mac = <Hmac<Sha256> as KeyInit>::new(&self.key.into());
        for part in [
            crate::domain::fold(domain.trim()).as_bytes(),
            b"\0",
            crate::domain::fold(login.trim()).as_bytes(),
            b"\0",
            password.as_bytes(),
        ] {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    pub fn get(&self, digest: &Digest) -> Option<Remembered> {
        if self.ttl.is_zero() {
            return None;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match entries.get(digest) {
            Some(entry) if entry.expires > Instant::now() => Some(Remembered {
                technician_id: entry.technician_id,
                password_hash: entry.password_hash.clone(),
            }),
            Some(_) => {
                entries.remove(digest);
                None
            }
            None => None,
        }
    }

    pub fn remember(&self, digest: Digest, technician_id: i64, password_hash: String) {
        if self.ttl.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= self.capacity {
            entries.retain(|_, e| e.expires > now);
            if entries.len() >= self.capacity {
                // Still full of live entries: forget them all rather than grow without bound.
                entries.clear();
            }
        }
        entries.insert(
            digest,
            Entry {
                technician_id,
                password_hash,
                expires: now + self.ttl,
            },
        );
    }

    pub fn forget(&self, digest: &Digest) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(digest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_credential_is_found_by_the_same_triple_only() {
        let cache = CredentialCache::new(Duration::from_secs(60));
        let digest = cache.digest("Ada", "CORP", "secret-1");
        cache.remember(digest, 7, "$argon2id$x".into());
        let hit = cache
            .get(&cache.digest(" ada", "corp", "secret-1"))
            .unwrap();
        assert_eq!(hit.technician_id, 7);
        assert!(cache
            .get(&cache.digest("ada", "corp", "secret-2"))
            .is_none());
        assert!(cache
            .get(&cache.digest("ada", "other", "secret-1"))
            .is_none());
    }

    #[test]
    fn the_separator_keeps_login_and_password_apart() {
        let cache = CredentialCache::new(Duration::from_secs(60));
        assert_ne!(cache.digest("ab", "", "c"), cache.digest("a", "", "bc"));
    }

    #[test]
    fn two_processes_derive_different_keys() {
        let a = CredentialCache::new(Duration::from_secs(60));
        let b = CredentialCache::new(Duration::from_secs(60));
        assert_ne!(a.digest("x", "", "y"), b.digest("x", "", "y"));
    }

    #[test]
    fn a_zero_ttl_remembers_nothing() {
        let cache = CredentialCache::new(Duration::ZERO);
        let digest = cache.digest("ada", "", "pw");
        cache.remember(digest, 1, "h".into());
        assert!(cache.get(&digest).is_none());
    }

    #[test]
    fn expired_entries_are_not_used() {
        let cache = CredentialCache::new(Duration::from_nanos(1));
        let digest = cache.digest("ada", "", "pw");
        cache.remember(digest, 1, "h".into());
        std::thread::sleep(Duration::from_millis(2));
        assert!(cache.get(&digest).is_none());
    }

    #[test]
    fn a_full_memory_stays_bounded() {
        let mut cache = CredentialCache::new(Duration::from_secs(60));
        cache.capacity = 3;
        for i in 0..10 {
            cache.remember(cache.digest(&i.to_string(), "", "pw"), i, "h".into());
        }
        assert!(cache.entries.lock().unwrap().len() <= 3);
    }
}
