//! Slows down password guessing: after a few failures for one account or from one
//! address, further attempts wait, for longer after each failure. Kept in memory: a
//! restart forgets it, which costs an attacker a restart per handful of guesses.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before waiting starts.
const FREE_FAILURES_PER_ACCOUNT: u32 = 5;
/// An office behind one address has many people: allow more there.
const FREE_FAILURES_PER_ADDRESS: u32 = 20;
const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);
/// A key quiet for this long is forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    blocked_until: Instant,
    last: Instant,
}

#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Failures>>,
}

fn account_key(login_id: &str) -> String {
    format!("account:{}", login_id.to_lowercase())
}

fn address_key(address: IpAddr) -> String {
    format!("address:{address}")
}

impl LoginThrottle {
    /// How long the caller must still wait, if at all.
    pub fn wait_needed(
        &self,
        login_id: &str,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Option<Duration> {
        let failures = self.failures.lock().expect("throttle lock");
        let keys = std::iter::once(account_key(login_id)).chain(address.map(address_key));
        keys.filter_map(|key| {
            failures
                .get(&key)
                .map(|f| f.blocked_until.saturating_duration_since(now))
        })
        .filter(|wait| !wait.is_zero())
        .max()
    }

    pub fn record_failure(&self, login_id: &str, address: Option<IpAddr>, now: Instant) {
        let mut failures = self.failures.lock().expect("throttle lock");
        failures.retain(|_, f| now.saturating_duration_since(f.last) < FORGET_AFTER);
        let mut bump = |key: String, free: u32| {
            let entry = failures.entry(key).or_insert(Failures {
                count: 0,
                blocked_until: now,
                last: now,
            });
            entry.count += 1;
            entry.last = now;
            if entry.count > free {
                // 1 s, 2 s, 4 s … up to 15 minutes.
                let doublings = (entry.count - free - 1).min(20);
                entry.blocked_until =
                    now + Duration::from_secs(1u64 << doublings).min(LONGEST_WAIT);
            }
        };
        bump(account_key(login_id), FREE_FAILURES_PER_ACCOUNT);
        if let Some(address) = address {
            bump(address_key(address), FREE_FAILURES_PER_ADDRESS);
        }
    }

    /// A successful login clears its account (not its address: one good password must not
    /// hide many guesses at others).
    pub fn record_success(&self, login_id: &str) {
        self.failures
            .lock()
            .expect("throttle lock")
            .remove(&account_key(login_id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_starts_after_five_failures_and_grows() {
        let throttle = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..FREE_FAILURES_PER_ACCOUNT {
            assert_eq!(throttle.wait_needed("Taro", None, start), None);
            throttle.record_failure("taro", None, start);
        }
        assert_eq!(throttle.wait_needed("TARO", None, start), None);
        throttle.record_failure("taro", None, start);
        assert_eq!(
            throttle.wait_needed("taro", None, start),
            Some(Duration::from_secs(1))
        );
        throttle.record_failure("taro", None, start);
        assert_eq!(
            throttle.wait_needed("taro", None, start),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            throttle.wait_needed("taro", None, start + Duration::from_secs(3)),
            None
        );
        throttle.record_success("taro");
        assert_eq!(throttle.wait_needed("taro", None, start), None);
    }

    #[test]
    fn one_address_guessing_many_accounts_is_slowed_too() {
        let throttle = LoginThrottle::default();
        let address: IpAddr = "192.0.2.7".parse().unwrap();
        let now = Instant::now();
        for n in 0..=FREE_FAILURES_PER_ADDRESS {
            throttle.record_failure(&format!("user{n}"), Some(address), now);
        }
        assert!(throttle
            .wait_needed("someone-else", Some(address), now)
            .is_some());
        assert!(throttle.wait_needed("someone-else", None, now).is_none());
    }

    #[test]
    fn the_wait_never_exceeds_fifteen_minutes() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..100 {
            throttle.record_failure("taro", None, now);
        }
        assert_eq!(throttle.wait_needed("taro", None, now), Some(LONGEST_WAIT));
    }
}
