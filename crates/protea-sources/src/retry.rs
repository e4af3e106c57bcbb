//! The retry policy shared by every HTTP source (spec, "Shared HTTP / retry
//! behaviour"): retriable = network error or HTTP 429/500/502/503/504; the
//! wait before retry `attempt` (1-based) is a purely numeric `Retry-After`
//! capped at `backoff_max`, else `min(base·2^(attempt−1), max) + U(0,
//! jitter)`; after `max_retries` retries the error is raised.

use futures::future::BoxFuture;
use std::time::Duration;

/// Knobs of one job's HTTP behaviour (from its payload).
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    pub jitter: Duration,
    /// Per request (per page); for streamed downloads, per read.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    /// The spec's UniProt defaults: 6 retries, 0.8 s base, 20 s cap, 0.4 s
    /// jitter, 60 s timeout.
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_retries: 6,
            backoff_base: Duration::from_millis(800),
            backoff_max: Duration::from_secs(20),
            jitter: Duration::from_millis(400),
            timeout: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The deterministic part of the wait before retry `attempt` (1-based):
    /// `min(base·2^(attempt−1), max)`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2f64.powi(attempt.saturating_sub(1).min(62) as i32);
        let secs = (self.backoff_base.as_secs_f64() * factor).min(self.backoff_max.as_secs_f64());
        Duration::from_secs_f64(secs.max(0.0))
    }

    /// The full wait: `Retry-After` (capped) when the server sent one, else
    /// backoff plus uniform jitter.
    pub fn wait(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(after) => after.min(self.backoff_max),
            None => {
                let jitter = self.jitter.as_secs_f64();
                let extra = if jitter > 0.0 {
                    rand::random::<f64>() * jitter
                } else {
                    0.0
                };
                self.backoff(attempt) + Duration::from_secs_f64(extra)
            }
        }
    }
}

/// Statuses worth another attempt.
pub fn is_retriable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// A purely numeric `Retry-After` (seconds); HTTP dates are ignored, as in
/// the original.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse::<u64>().ok().map(Duration::from_secs)
}

/// One retry about to happen.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryEvent {
    /// 1-based number of the retry.
    pub attempt: u32,
    pub wait_seconds: f64,
    /// `HTTP 429`, `HTTP 503`, or the network error.
    pub reason: String,
    pub url: String,
}

/// Told about every retry before the wait (operations emit `http.retry`).
pub trait RetryObserver: Send + Sync {
    fn on_retry<'a>(&'a self, event: &'a RetryEvent) -> BoxFuture<'a, ()>;
}

/// Ignores retries.
pub struct NoObserver;

impl RetryObserver for NoObserver {
    fn on_retry<'a>(&'a self, _event: &'a RetryEvent) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy {
            backoff_base: Duration::from_millis(800),
            backoff_max: Duration::from_secs(20),
            jitter: Duration::ZERO,
            ..RetryPolicy::default()
        };
        let secs: Vec<f64> = (1..=7).map(|a| p.backoff(a).as_secs_f64()).collect();
        assert_eq!(secs, vec![0.8, 1.6, 3.2, 6.4, 12.8, 20.0, 20.0]);
        assert_eq!(p.wait(3, None), Duration::from_secs_f64(3.2));
    }

    #[test]
    fn jitter_stays_in_range() {
        let p = RetryPolicy::default();
        for _ in 0..200 {
            let w = p.wait(1, None).as_secs_f64();
            assert!((0.8..=1.2).contains(&w), "{w}");
        }
    }

    #[test]
    fn retry_after_is_capped_and_numeric_only() {
        let p = RetryPolicy::default();
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(
            p.wait(1, Some(Duration::from_secs(120))),
            Duration::from_secs(20)
        );
        assert_eq!(
            p.wait(1, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn retriable_statuses() {
        for s in [429, 500, 502, 503, 504] {
            assert!(is_retriable_status(s));
        }
        for s in [200, 400, 401, 404, 501] {
            assert!(!is_retriable_status(s));
        }
    }
}
