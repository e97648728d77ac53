//! Login throttling, which Django lacks: repeated wrong passwords for one account, or from one
//! address, are answered more and more slowly, then refused — even with the right password —
//! until the window passes.

use std::time::Duration;

/// Login throttling settings.
///
/// ```
/// use std::time::Duration;
/// use quiver_auth::LoginThrottle;
///
/// // 5 failures per account (50 per address) in 15 minutes lock logins out until the window
/// // ends; from the 3rd failure on, each answer waits 0.5 s, 1 s, 2 s ... (at most 4 s).
/// let throttle = LoginThrottle::default();
/// assert_eq!(throttle.max_failures, 5);
/// let strict = LoginThrottle { max_failures: 3, window: Duration::from_secs(3600), ..throttle };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    /// Failures per account within the window before logins are refused (0 turns it off).
    pub max_failures: u64,
    /// Failures per client address within the window before logins from it are refused.
    pub max_failures_per_ip: u64,
    /// The window, counted from the first failure.
    pub window: Duration,
    /// Failures before answers start to slow down.
    pub slowdown_after: u64,
    /// The first delay; it doubles with each further failure, up to `max_delay`.
    pub delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            max_failures: 5,
            max_failures_per_ip: 50,
            window: Duration::from_secs(15 * 60),
            slowdown_after: 2,
            delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(4),
        }
    }
}

impl LoginThrottle {
    /// No slowdown (tests), same lock-out.
    pub fn without_delay(self) -> Self {
        Self { delay: Duration::ZERO, ..self }
    }

    /// How long to wait before answering the `failures`-th failure.
    pub fn delay_for(&self, failures: u64) -> Duration {
        if failures <= self.slowdown_after || self.delay.is_zero() {
            return Duration::ZERO;
        }
        let doublings = (failures - self.slowdown_after - 1).min(16) as u32;
        self.delay.saturating_mul(2u32.saturating_pow(doublings)).min(self.max_delay)
    }

    pub(crate) fn account_key(username: &str) -> String {
        format!("login:user:{}", username.to_lowercase())
    }

    pub(crate) fn ip_key(ip: std::net::IpAddr) -> String {
        format!("login:ip:{ip}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_threshold_double_and_stop_at_the_cap() {
        let t = LoginThrottle::default();
        let ms = |n| t.delay_for(n).as_millis();
        assert_eq!([ms(1), ms(2), ms(3), ms(4), ms(5), ms(9)], [0, 0, 500, 1000, 2000, 4000]);
    }
}
