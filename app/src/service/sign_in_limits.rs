//! What one instance spends on password checks. argon2id takes about 19 MiB and tens of
//! milliseconds of a core per check, so a flood of sign-ins would otherwise grow the server
//! by gigabytes: checks run a few at a time (one per core), a request that cannot get a turn
//! soon is answered "busy", and an address that keeps failing is refused before any check.
//! The per-account lockout (`lockout`) stays the rule that protects each account.

use super::error::AuthError;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, SemaphorePermit};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Password checks running at once.
    pub concurrent_checks: usize,
    /// How long a request waits for a turn before it is answered "busy".
    pub wait: Duration,
    /// Failed sign-ins one address may make per `window`.
    pub failures_per_address: u32,
    pub window: Duration,
    /// Addresses remembered at most; beyond it the oldest windows are dropped.
    pub addresses: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            concurrent_checks: std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(2),
            wait: Duration::from_secs(2),
            failures_per_address: 100,
            window: Duration::from_secs(15 * 60),
            addresses: 100_000,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

#[derive(Debug)]
pub struct SignInLimits {
    limits: Limits,
    checks: Semaphore,
    windows: Mutex<HashMap<IpAddr, Window>>,
}

/// IPv6 clients usually hold a whole /64, so they are counted per /64.
pub(crate) fn client_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

impl SignInLimits {
    pub fn new(limits: Limits) -> Self {
        Self {
            checks: Semaphore::new(limits.concurrent_checks.max(1)),
            limits,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// `RateLimited`-like refusal while `from` has used up its failures.
    pub fn check_address(&self, from: Option<IpAddr>) -> Result<(), AuthError> {
        let Some(addr) = from else { return Ok(()) };
        let windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        match windows.get(&client_key(addr)) {
            Some(w)
                if w.failures >= self.limits.failures_per_address
                    && w.started.elapsed() < self.limits.window =>
            {
                let left = self.limits.window.saturating_sub(w.started.elapsed());
                Err(AuthError::AddressThrottled {
                    minutes: i64::try_from(left.as_secs() / 60).unwrap_or(0) + 1,
                })
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, from: Option<IpAddr>) {
        let Some(addr) = from else { return };
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() >= self.limits.addresses {
            let window = self.limits.window;
            windows.retain(|_, w| now.duration_since(w.started) < window);
            if windows.len() >= self.limits.addresses {
                // Still full of live windows: start over rather than grow without bound.
                windows.clear();
            }
        }
        let entry = windows.entry(client_key(addr)).or_insert(Window {
            started: now,
            failures: 0,
        });
        if now.duration_since(entry.started) >= self.limits.window {
            *entry = Window {
                started: now,
                failures: 0,
            };
        }
        entry.failures = entry.failures.saturating_add(1);
    }

    /// A turn to run one password check, or `Busy` after a short wait.
    pub async fn turn(&self) -> Result<SemaphorePermit<'_>, AuthError> {
        match tokio::time::timeout(self.limits.wait, self.checks.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AuthError::Busy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            concurrent_checks: 1,
            wait: Duration::from_millis(10),
            failures_per_address: 3,
            window: Duration::from_secs(60),
            addresses: 4,
        }
    }

    #[test]
    fn an_address_is_refused_after_its_failures_and_others_are_not() {
        let gate = SignInLimits::new(limits());
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..3 {
            assert!(gate.check_address(Some(a)).is_ok());
            gate.record_failure(Some(a));
        }
        assert!(matches!(
            gate.check_address(Some(a)),
            Err(AuthError::AddressThrottled { .. })
        ));
        assert!(gate.check_address(Some(b)).is_ok());
        assert!(gate.check_address(None).is_ok());
    }

    #[test]
    fn ipv6_addresses_in_one_slash_64_share_a_count() {
        let gate = SignInLimits::new(limits());
        for host in 1..=3 {
            gate.record_failure(Some(format!("2001:db8:1:2::{host}").parse().unwrap()));
        }
        assert!(gate
            .check_address(Some("2001:db8:1:2::99".parse().unwrap()))
            .is_err());
        assert!(gate
            .check_address(Some("2001:db8:1:3::1".parse().unwrap()))
            .is_ok());
    }

    #[test]
    fn the_address_memory_stays_bounded() {
        let gate = SignInLimits::new(limits());
        for i in 0..50u8 {
            gate.record_failure(Some(IpAddr::from([10, 0, 1, i])));
        }
        assert!(gate.windows.lock().unwrap().len() <= 4);
    }

    #[tokio::test]
    async fn a_request_that_gets_no_turn_soon_is_told_the_server_is_busy() {
        let gate = SignInLimits::new(limits());
        let held = gate.turn().await.expect("first turn");
        assert!(matches!(gate.turn().await, Err(AuthError::Busy)));
        drop(held);
        assert!(gate.turn().await.is_ok());
    }
}
