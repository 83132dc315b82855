//! Slows down password guessing: after a few failures for one account or from one
//! address, further attempts wait, for longer after each failure. Kept in memory: a
//! restart forgets it, which costs an attacker a restart per handful of guesses.
//!
//! An attempt counts as a failure from the moment it starts ([`LoginThrottle::begin`]),
//! before its password is checked, and is taken back only if the password was right. So
//! thirty guesses sent at once are counted as thirty, and all but the first few wait, where
//! counting after the check let every one of them through.

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
/// Most keys kept: guesses at made-up ids from many addresses must not grow the map without
/// end. Past it, keys that are not making anyone wait are dropped first.
const MOST_KEYS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    blocked_until: Instant,
    last: Instant,
}

impl Failures {
    fn wait(&self, now: Instant) -> Option<Duration> {
        Some(self.blocked_until.saturating_duration_since(now)).filter(|w| !w.is_zero())
    }

    /// Sets the wait for the current count: 1 s, 2 s, 4 s … up to 15 minutes.
    fn block(&mut self, free: u32, now: Instant) {
        self.blocked_until = if self.count > free {
            let doublings = (self.count - free - 1).min(20);
            now + Duration::from_secs(1u64 << doublings).min(LONGEST_WAIT)
        } else {
            now
        };
    }
}

#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<Key, Failures>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// A normalised login id (`mimamori_core::account::normalize_login_id`).
    Account(String),
    /// An IPv4 address, or an IPv6 address's /64: one household or phone is given a whole
    /// /64 and could otherwise take a fresh address for every guess.
    Address(IpAddr),
}

fn address_key(address: IpAddr) -> Key {
    Key::Address(match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    })
}

impl Key {
    fn free(&self) -> u32 {
        match self {
            Self::Account(_) => FREE_FAILURES_PER_ACCOUNT,
            Self::Address(_) => FREE_FAILURES_PER_ADDRESS,
        }
    }
}

/// An attempt under way, counted as a failure until [`LoginThrottle::succeeded`] says
/// otherwise. Dropping it leaves it counted.
#[derive(Debug)]
#[must_use = "an attempt stays counted as a failure unless it is reported as succeeded"]
pub struct Attempt {
    account: String,
    address: Option<IpAddr>,
}

impl LoginThrottle {
    /// Starts an attempt for `account` (normalised) from `address`: refused with the time
    /// still to wait, or counted (as a failure, for now) and let through.
    pub fn begin(
        &self,
        account: &str,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Result<Attempt, Duration> {
        let mut failures = self.failures.lock().expect("throttle lock");
        failures.retain(|_, f| now.saturating_duration_since(f.last) < FORGET_AFTER);
        if failures.len() >= MOST_KEYS {
            failures.retain(|_, f| f.wait(now).is_some());
        }
        let keys: Vec<Key> = std::iter::once(Key::Account(account.to_owned()))
            .chain(address.map(address_key))
            .collect();
        if let Some(wait) = keys
            .iter()
            .filter_map(|key| failures.get(key).and_then(|f| f.wait(now)))
            .max()
        {
            return Err(wait);
        }
        for key in keys {
            let free = key.free();
            let entry = failures.entry(key).or_insert(Failures {
                count: 0,
                blocked_until: now,
                last: now,
            });
            entry.count += 1;
            entry.last = now;
            entry.block(free, now);
        }
        Ok(Attempt {
            account: account.to_owned(),
            address,
        })
    }

    /// The password was right: the account starts afresh, and the address gets back the
    /// one attempt this counted (one good password must not hide many guesses at others).
    pub fn succeeded(&self, attempt: Attempt, now: Instant) {
        let mut failures = self.failures.lock().expect("throttle lock");
        failures.remove(&Key::Account(attempt.account.clone()));
        uncount(&mut failures, attempt.address.map(address_key), now);
    }

    /// The password was never checked (the server was too busy): the attempt is taken back
    /// from both the account and the address.
    pub fn not_checked(&self, attempt: Attempt, now: Instant) {
        let mut failures = self.failures.lock().expect("throttle lock");
        uncount(&mut failures, Some(Key::Account(attempt.account)), now);
        uncount(&mut failures, attempt.address.map(address_key), now);
    }
}

fn uncount(failures: &mut HashMap<Key, Failures>, key: Option<Key>, now: Instant) {
    let Some(key) = key else { return };
    if let Some(entry) = failures.get_mut(&key) {
        entry.count = entry.count.saturating_sub(1);
        entry.block(key.free(), now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(throttle: &LoginThrottle, account: &str, address: Option<IpAddr>, now: Instant) {
        let _counted = throttle
            .begin(account, address, now)
            .expect("not yet waiting");
    }

    #[test]
    fn waiting_starts_after_five_failures_and_grows() {
        let throttle = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..=FREE_FAILURES_PER_ACCOUNT {
            fail(&throttle, "taro", None, start);
        }
        assert_eq!(
            throttle.begin("taro", None, start).unwrap_err(),
            Duration::from_secs(1)
        );
        let later = start + Duration::from_secs(1);
        fail(&throttle, "taro", None, later);
        assert_eq!(
            throttle.begin("taro", None, later).unwrap_err(),
            Duration::from_secs(2)
        );
        let attempt = throttle
            .begin("taro", None, later + Duration::from_secs(3))
            .unwrap();
        throttle.succeeded(attempt, later);
        assert!(throttle.begin("taro", None, later).is_ok());
    }

    #[test]
    fn attempts_at_once_are_counted_before_any_password_is_checked() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        // Thirty guesses arrive together; none has finished its check yet.
        let let_through: Vec<Attempt> = (0..30)
            .filter_map(|_| throttle.begin("taro", None, now).ok())
            .collect();
        assert_eq!(let_through.len(), FREE_FAILURES_PER_ACCOUNT as usize + 1);
    }

    #[test]
    fn one_address_guessing_many_accounts_is_slowed_too() {
        let throttle = LoginThrottle::default();
        let address: IpAddr = "192.0.2.7".parse().unwrap();
        let now = Instant::now();
        for n in 0..=FREE_FAILURES_PER_ADDRESS {
            fail(&throttle, &format!("user{n}"), Some(address), now);
        }
        assert!(throttle.begin("someone-else", Some(address), now).is_err());
        assert!(throttle.begin("someone-else", None, now).is_ok());
    }

    #[test]
    fn one_ipv6_network_is_one_address() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for n in 0..=FREE_FAILURES_PER_ADDRESS {
            let rotating: IpAddr = format!("2001:db8:1:2::{n:x}").parse().unwrap();
            fail(&throttle, &format!("user{n}"), Some(rotating), now);
        }
        let next: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
        assert!(throttle.begin("someone", Some(next), now).is_err());
        let neighbour: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(throttle.begin("someone", Some(neighbour), now).is_ok());
    }

    #[test]
    fn people_signing_in_from_one_office_never_lock_it() {
        let throttle = LoginThrottle::default();
        let office: IpAddr = "192.0.2.8".parse().unwrap();
        let now = Instant::now();
        for n in 0..100 {
            let attempt = throttle
                .begin(&format!("user{n}"), Some(office), now)
                .expect("good passwords never wait");
            throttle.succeeded(attempt, now);
        }
    }

    #[test]
    fn an_attempt_the_server_was_too_busy_to_check_is_not_a_failure() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..20 {
            let attempt = throttle.begin("taro", None, now).expect("never waits");
            throttle.not_checked(attempt, now);
        }
    }

    #[test]
    fn the_wait_never_exceeds_fifteen_minutes() {
        let throttle = LoginThrottle::default();
        let mut now = Instant::now();
        for _ in 0..100 {
            if let Err(wait) = throttle.begin("taro", None, now) {
                now += wait;
                fail(&throttle, "taro", None, now);
            }
        }
        assert_eq!(throttle.begin("taro", None, now).unwrap_err(), LONGEST_WAIT);
    }
}
