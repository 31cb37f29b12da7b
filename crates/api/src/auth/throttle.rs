//! Sign-in throttling: too many failures for one account or from one address within a window
//! answer 429 with `Retry-After` until the oldest failure ages out.
//!
//! State is per process, which is right for one node; replicas behind a load balancer each keep
//! their own counts (a shared table is the step when that matters). It must never store
//! passwords, only the keys it is given.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per account within [`WINDOW`].
pub const MAX_PER_ACCOUNT: usize = 5;
/// Failures allowed per client address within [`WINDOW`].
pub const MAX_PER_ADDRESS: usize = 20;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginThrottle {
    /// Admits one sign-in attempt, or `Err(seconds)` when either key is over its limit. An
    /// admitted attempt counts as a failure at once (check and record under one lock), so a
    /// burst of parallel guesses is limited like a sequence; [`Self::record_success`] forgives
    /// the account's attempts.
    pub fn begin_attempt(&self, account: &str, address: &str) -> Result<(), u64> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let wait = Self::wait(&mut failures, account, address);
        if wait > 0 {
            return Err(wait);
        }
        Self::record(&mut failures, account, address);
        Ok(())
    }

    fn wait(
        failures: &mut HashMap<String, VecDeque<Instant>>,
        account: &str,
        address: &str,
    ) -> u64 {
        let now = Instant::now();
        let mut wait = 0;
        for (key, max) in [
            (account_key(account), MAX_PER_ACCOUNT),
            (address_key(address), MAX_PER_ADDRESS),
        ] {
            if let Some(times) = failures.get_mut(&key) {
                while times
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= WINDOW)
                {
                    times.pop_front();
                }
                if times.len() >= max
                    && let Some(oldest) = times.front()
                {
                    let left = WINDOW.saturating_sub(now.duration_since(*oldest));
                    wait = wait.max(left.as_secs().max(1));
                }
            }
        }
        wait
    }

    fn record(failures: &mut HashMap<String, VecDeque<Instant>>, account: &str, address: &str) {
        let now = Instant::now();
        if failures.len() > 100_000 {
            // Bound memory under a spray of random emails: forget windows that have passed.
            failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
        }
        for key in [account_key(account), address_key(address)] {
            failures.entry(key).or_default().push_back(now);
        }
    }

    /// A successful sign-in clears the account's failures and takes back the address's count
    /// for this attempt (earlier failures from the address stay).
    pub fn record_success(&self, account: &str, address: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&account_key(account));
        if let Some(times) = failures.get_mut(&address_key(address)) {
            times.pop_back();
        }
    }
}

fn account_key(account: &str) -> String {
    format!("account:{}", account.trim().to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("address:{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_throttled_after_its_failures_and_freed_by_success() {
        let throttle = LoginThrottle::default();
        for _ in 0..MAX_PER_ACCOUNT {
            assert!(throttle.begin_attempt("A@x.example", "1.1.1.1").is_ok());
        }
        let wait = throttle.begin_attempt("a@x.example", "2.2.2.2");
        assert!(matches!(wait, Err(s) if s > 0 && s <= WINDOW.as_secs()));
        assert!(throttle.begin_attempt("b@x.example", "2.2.2.2").is_ok());
        throttle.record_success("a@x.example", "2.2.2.2");
        assert!(throttle.begin_attempt("a@x.example", "3.3.3.3").is_ok());
    }

    #[test]
    fn successful_sign_ins_never_lock_out_a_shared_address() {
        let throttle = LoginThrottle::default();
        for i in 0..(MAX_PER_ADDRESS * 3) {
            let account = format!("user{i}@x.example");
            assert!(throttle.begin_attempt(&account, "10.0.0.1").is_ok());
            throttle.record_success(&account, "10.0.0.1");
        }
    }
}
