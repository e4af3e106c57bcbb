//! Glue shared by the ingestion operations: `http.retry` events, the
//! configured source URLs, error mapping, the retry fields of payloads, and
//! a parser thread that feeds pages to the async writer.
//!
//! Parsing runs on a plain thread (the readers are synchronous and CPU
//! bound) and hands pages over a bounded channel, so the runtime never
//! blocks and memory stays at a couple of pages.

use futures::future::BoxFuture;
use protea_core::{PayloadError, payload::check_range};
use protea_jobs::{Emitter, OperationContext, OperationError};
use protea_sources::{
    HttpClient, Location, RetryEvent, RetryObserver, RetryPolicy, SourceError, SourcesConfig,
};
use serde_json::json;
use std::time::Duration;
use tokio::sync::mpsc;

/// Reports every HTTP retry on the job's timeline (spec: `http.retry`
/// {attempt, wait_seconds, reason}, warning level).
pub struct EmitRetries<'a>(pub &'a Emitter);

impl RetryObserver for EmitRetries<'_> {
    fn on_retry<'a>(&'a self, event: &'a RetryEvent) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            self.0
                .warning(
                    "http.retry",
                    Some(&format!(
                        "retry {} in {:.2}s: {}",
                        event.attempt, event.wait_seconds, event.reason
                    )),
                    json!({"attempt": event.attempt, "wait_seconds": event.wait_seconds,
                           "reason": event.reason, "url": event.url}),
                )
                .await;
        })
    }
}

/// The base URLs: the binary's configuration when installed, else env.
pub fn sources_config(ctx: &OperationContext) -> SourcesConfig {
    ctx.extension::<SourcesConfig>()
        .cloned()
        .unwrap_or_else(SourcesConfig::from_env)
}

/// A parse error: the message names source, line and field.
pub fn format_error(err: protea_formats::Error) -> OperationError {
    OperationError::failed("FileFormatError", err.to_string())
}

/// A source that could not be read once the retries ran out.
pub fn source_error(err: SourceError) -> OperationError {
    let code = match &err {
        SourceError::BadUrl { .. } => "InvalidUrl",
        SourceError::Io { .. } => "FileNotFound",
        _ => "HttpError",
    };
    OperationError::failed(code, err.to_string())
}

/// A URL field: rejected at validation time when it cannot be a location.
pub fn check_location(field: &str, value: &str) -> Result<(), PayloadError> {
    Location::parse(value)
        .map(|_| ())
        .map_err(|e| PayloadError::new(field, e.to_string()))
}

/// `timeout_seconds` fields: 1 s to 1 h.
pub fn check_timeout(value: f64) -> Result<(), PayloadError> {
    check_range("timeout_seconds", value, 1.0, 3600.0)
}

/// The retry fields shared by the UniProt operations.
pub fn check_retry_fields(
    max_retries: u32,
    base: f64,
    max: f64,
    jitter: f64,
) -> Result<(), PayloadError> {
    check_range("max_retries", max_retries, 0, 50)?;
    check_range("backoff_base_seconds", base, 0.0, 600.0)?;
    check_range("backoff_max_seconds", max, 0.0, 3600.0)?;
    check_range("jitter_seconds", jitter, 0.0, 600.0)
}

/// A client for one job.
pub fn client(
    user_agent: &str,
    timeout_seconds: f64,
    retry: Option<(u32, f64, f64, f64)>,
) -> Result<HttpClient, OperationError> {
    let mut policy = RetryPolicy {
        timeout: Duration::from_secs_f64(timeout_seconds),
        ..RetryPolicy::default()
    };
    if let Some((max_retries, base, max, jitter)) = retry {
        policy.max_retries = max_retries;
        policy.backoff_base = Duration::from_secs_f64(base);
        policy.backoff_max = Duration::from_secs_f64(max);
        policy.jitter = Duration::from_secs_f64(jitter);
    }
    HttpClient::new(user_agent, policy).map_err(source_error)
}

/// The default user agent of an operation.
pub fn user_agent(operation: &str) -> String {
    format!(
        "PROTEA/{operation} (protea-rs {})",
        env!("CARGO_PKG_VERSION")
    )
}

/// Runs `produce` on its own thread; what it sends arrives on the returned
/// receiver. `send` returns false once the receiver is gone (the job
/// stopped), so the producer can end early. The final `Err` of the
/// producer, if any, arrives as the last item.
pub fn spawn_producer<T, F>(name: &str, produce: F) -> mpsc::Receiver<Result<T, OperationError>>
where
    T: Send + 'static,
    F: FnOnce(&dyn Fn(T) -> bool) -> Result<(), OperationError> + Send + 'static,
{
    let (tx, rx) = mpsc::channel::<Result<T, OperationError>>(2);
    let spawned = std::thread::Builder::new()
        .name(format!("parse-{name}"))
        .spawn({
            let tx = tx.clone();
            move || {
                let send = |item: T| tx.blocking_send(Ok(item)).is_ok();
                if let Err(err) = produce(&send) {
                    let _ = tx.blocking_send(Err(err));
                }
            }
        });
    if let Err(err) = spawned {
        let _ = tx.try_send(Err(OperationError::Transient(format!(
            "cannot start a parser thread: {err}"
        ))));
    }
    rx
}

/// Lower-case hex MD5 of a sequence (the `sequence_hash` key).
pub fn md5_hex(text: &str) -> String {
    use md5::{Digest, Md5};
    let digest = Md5::digest(text.as_bytes());
    let mut out = String::with_capacity(32);
    for byte in digest.iter() {
        out.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    out
}

/// First step of an annotation load: removes the sets an earlier, killed
/// attempt of this very job left behind, then checks that the snapshot the
/// annotations belong to exists.
pub async fn start_annotation_load(
    ctx: &mut OperationContext,
    snapshot: uuid::Uuid,
) -> Result<(), OperationError> {
    let job_id = ctx.job_id();
    protea_store::annotations::delete_sets_of_job(&mut *ctx.pool().acquire().await?, job_id)
        .await?;
    if !protea_store::ontology::snapshot_exists(ctx.tx(), snapshot).await? {
        return Err(OperationError::failed(
            "NotFound",
            format!("ontology snapshot {snapshot} not found"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn md5_matches_known_value() {
        assert_eq!(super::md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(super::md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
    }
}
