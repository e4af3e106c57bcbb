//! The HTTP fields shared by the two UniProt operations (spec: identical
//! resilience strategy), flattened into both payloads.

use crate::ingest::{check_retry_fields, check_timeout};
use protea_core::{PayloadError, payload::check_range};

/// The four retry fields, in the order [`crate::ingest::client`] takes them.
pub(crate) type RetryFields = (u32, f64, f64, f64);

pub(crate) fn default_retries() -> u32 {
    6
}
pub(crate) fn default_base() -> f64 {
    0.8
}
pub(crate) fn default_max() -> f64 {
    20.0
}
pub(crate) fn default_jitter() -> f64 {
    0.4
}

pub(crate) fn default_page_size() -> u32 {
    500
}
pub(crate) fn default_timeout() -> f64 {
    60.0
}

/// Checks the fields common to both payloads.
pub(crate) fn check_common(
    search_criteria: &str,
    page_size: u32,
    total_limit: Option<u64>,
    timeout_seconds: f64,
    retry: RetryFields,
    user_agent: &Option<String>,
) -> Result<(), PayloadError> {
    if search_criteria.trim().is_empty() {
        return Err(PayloadError::new("search_criteria", "must not be empty"));
    }
    check_range("page_size", page_size, 1, 500_000)?;
    if let Some(limit) = total_limit {
        check_range("total_limit", limit, 1, u64::MAX)?;
    }
    check_timeout(timeout_seconds)?;
    check_retry_fields(retry.0, retry.1, retry.2, retry.3)?;
    if user_agent
        .as_deref()
        .is_some_and(|ua| ua.trim().is_empty() || ua.len() > 500)
    {
        return Err(PayloadError::new(
            "user_agent",
            "must be 1 to 500 characters",
        ));
    }
    Ok(())
}
