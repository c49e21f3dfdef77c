//! Login throttling (SPEC S1): failed sign-ins are counted per email and per client IP in a
//! sliding window; past the limit, sign-in is refused with 429 until the oldest failure
//! leaves the window — even with the right password, so guessing gains nothing.
//!
//! Kept in memory, per server process: with several app servers behind a load balancer
//! each counts on its own (an attacker gets the limit once per server), and a restart
//! forgets. The IP is the TCP peer's; behind a proxy that is the proxy, which is why the
//! per-IP limit is higher than the per-email one.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failures allowed per email within [`WINDOW`].
pub const MAX_PER_EMAIL: usize = 5;
/// Failures allowed per client IP within [`WINDOW`].
pub const MAX_PER_IP: usize = 20;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Keys kept before expired ones are swept (bounds memory under a spray of emails).
const SWEEP_AT: usize = 10_000;

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// The keys one attempt counts against, with their limits.
pub fn keys(email: &str, ip: Option<&str>) -> Vec<(String, usize)> {
    let mut keys = vec![(format!("email:{}", email.trim().to_lowercase()), MAX_PER_EMAIL)];
    if let Some(ip) = ip {
        keys.push((format!("ip:{ip}"), MAX_PER_IP));
    }
    keys
}

impl LoginThrottle {
    /// `Err(wait)` when any key is over its limit: how long until an attempt is allowed.
    pub fn check(&self, keys: &[(String, usize)], now: Instant) -> Result<(), Duration> {
        let mut map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let mut wait = Duration::ZERO;
        for (key, limit) in keys {
            if let Some(times) = map.get_mut(key) {
                prune(times, now);
                if times.len() >= *limit {
                    let oldest = times.front().copied().unwrap_or(now);
                    wait = wait.max(WINDOW.saturating_sub(now.duration_since(oldest)));
                }
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait)
        }
    }

    pub fn record_failure(&self, keys: &[(String, usize)], now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= SWEEP_AT {
            map.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
        }
        for (key, _) in keys {
            let times = map.entry(key.clone()).or_default();
            prune(times, now);
            times.push_back(now);
        }
    }

    /// A successful sign-in clears its email's failures (not its IP's).
    pub fn record_success(&self, email_key: &str) {
        self.failures.lock().unwrap_or_else(PoisonError::into_inner).remove(email_key);
    }
}

fn prune(times: &mut VecDeque<Instant>, now: Instant) {
    while times.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s1_throttle_blocks_after_limit_and_forgets_after_window() {
        let t = LoginThrottle::default();
        let keys = keys("Ann@Example.org ", Some("10.0.0.1"));
        let start = Instant::now();
        for _ in 0..MAX_PER_EMAIL {
            assert!(t.check(&keys, start).is_ok());
            t.record_failure(&keys, start);
        }
        let wait = t.check(&keys, start).expect_err("blocked after the limit");
        assert_eq!(wait, WINDOW);
        assert!(t.check(&super::keys("ann@example.org", None), start).is_err(), "same email, any case");
        assert!(t.check(&super::keys("bob@example.org", Some("10.0.0.2")), start).is_ok(), "others unaffected");
        assert!(t.check(&keys, start + WINDOW).is_ok(), "the window slides");
    }
}
