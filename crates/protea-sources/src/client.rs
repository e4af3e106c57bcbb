//! The one HTTP client layer: GET with retries (whole body read inside the
//! retry loop, so a connection dropped mid-body is retried like any other
//! network error), streamed downloads to a temporary file, and request
//! counters for the operations' result dicts.

use crate::error::SourceError;
use crate::location::{Download, Location};
use crate::retry::{
    RetryEvent, RetryObserver, RetryPolicy, is_retriable_status, parse_retry_after,
};
use bytes::Bytes;
use futures::StreamExt;
use reqwest::header::{ACCEPT, HeaderMap, RETRY_AFTER};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// A complete response.
#[derive(Debug)]
pub struct Fetched {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Fetched {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// An HTTP client with one job's retry policy and user agent.
pub struct HttpClient {
    client: reqwest::Client,
    policy: RetryPolicy,
    requests: AtomicU64,
    retries: AtomicU64,
}

/// What went wrong with one attempt.
enum Attempt {
    Retry {
        reason: String,
        retry_after: Option<Duration>,
        status: Option<u16>,
    },
    Fatal(SourceError),
}

impl HttpClient {
    pub fn new(user_agent: &str, policy: RetryPolicy) -> Result<HttpClient, SourceError> {
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .connect_timeout(policy.timeout.min(Duration::from_secs(30)))
            .build()
            .map_err(|e| SourceError::Client(e.to_string()))?;
        Ok(HttpClient {
            client,
            policy,
            requests: AtomicU64::new(0),
            retries: AtomicU64::new(0),
        })
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// HTTP requests sent so far (retries included).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Retries so far.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    /// GETs `url` and reads the whole body, retrying per the policy.
    pub async fn get(
        &self,
        url: &reqwest::Url,
        accept: Option<&str>,
        observer: &dyn RetryObserver,
    ) -> Result<Fetched, SourceError> {
        let timeout = self.policy.timeout;
        self.with_retries(url, observer, || async {
            let mut request = self.client.get(url.clone()).timeout(timeout);
            if let Some(accept) = accept {
                request = request.header(ACCEPT, accept);
            }
            let response = request.send().await.map_err(network)?;
            let status = response.status().as_u16();
            check_status(&response)?;
            let headers = response.headers().clone();
            let body = response.bytes().await.map_err(network)?;
            Ok(Fetched {
                status,
                headers,
                body,
            })
        })
        .await
    }

    /// Makes `location` readable as a local file: local paths are checked and
    /// returned as they are; remote files are streamed to a temporary file
    /// (the whole transfer is retried on failure). `timeout` bounds each read.
    pub async fn download(
        &self,
        location: &Location,
        observer: &dyn RetryObserver,
    ) -> Result<Download, SourceError> {
        let url = match location {
            Location::Local(path) => {
                tokio::fs::metadata(path)
                    .await
                    .map_err(SourceError::io(path))?;
                return Ok(Download::Local(path.clone()));
            }
            Location::Http(url) => url,
        };
        let timeout = self.policy.timeout;
        self.with_retries(url, observer, || async {
            let response = tokio::time::timeout(timeout, self.client.get(url.clone()).send())
                .await
                .map_err(|_| timed_out())?
                .map_err(network)?;
            check_status(&response)?;
            let temp = tempfile::NamedTempFile::new()
                .map_err(|e| Attempt::Fatal(SourceError::io(std::env::temp_dir())(e)))?
                .into_temp_path();
            let mut file = tokio::fs::File::create(&temp)
                .await
                .map_err(|e| Attempt::Fatal(SourceError::io(temp.to_path_buf())(e)))?;
            let mut stream = response.bytes_stream();
            let mut bytes = 0u64;
            loop {
                let chunk = tokio::time::timeout(timeout, stream.next())
                    .await
                    .map_err(|_| timed_out())?;
                match chunk {
                    None => break,
                    Some(chunk) => {
                        let chunk = chunk.map_err(network)?;
                        bytes += chunk.len() as u64;
                        file.write_all(&chunk)
                            .await
                            .map_err(|e| Attempt::Fatal(SourceError::io(temp.to_path_buf())(e)))?;
                    }
                }
            }
            file.flush()
                .await
                .map_err(|e| Attempt::Fatal(SourceError::io(temp.to_path_buf())(e)))?;
            Ok(Download::Temp { file: temp, bytes })
        })
        .await
    }

    async fn with_retries<T, F, Fut>(
        &self,
        url: &reqwest::Url,
        observer: &dyn RetryObserver,
        mut once: F,
    ) -> Result<T, SourceError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Attempt>>,
    {
        let mut retry = 0u32;
        loop {
            self.requests.fetch_add(1, Ordering::Relaxed);
            let (reason, retry_after, status) = match once().await {
                Ok(value) => return Ok(value),
                Err(Attempt::Fatal(err)) => return Err(err),
                Err(Attempt::Retry {
                    reason,
                    retry_after,
                    status,
                }) => (reason, retry_after, status),
            };
            if retry >= self.policy.max_retries {
                let attempts = retry + 1;
                return Err(match status {
                    Some(status) => SourceError::Status {
                        url: url.to_string(),
                        status,
                        attempts,
                    },
                    None => SourceError::Network {
                        url: url.to_string(),
                        attempts,
                        message: reason,
                    },
                });
            }
            retry += 1;
            self.retries.fetch_add(1, Ordering::Relaxed);
            let wait = self.policy.wait(retry, retry_after);
            let event = RetryEvent {
                attempt: retry,
                wait_seconds: (wait.as_secs_f64() * 1000.0).round() / 1000.0,
                reason,
                url: url.to_string(),
            };
            tracing::warn!(url = %event.url, attempt = event.attempt, wait = event.wait_seconds, reason = %event.reason, "http retry");
            observer.on_retry(&event).await;
            tokio::time::sleep(wait).await;
        }
    }
}

fn check_status(response: &reqwest::Response) -> Result<(), Attempt> {
    let status = response.status().as_u16();
    if response.status().is_success() {
        return Ok(());
    }
    if is_retriable_status(status) {
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        return Err(Attempt::Retry {
            reason: format!("HTTP {status}"),
            retry_after,
            status: Some(status),
        });
    }
    Err(Attempt::Fatal(SourceError::Status {
        url: response.url().to_string(),
        status,
        attempts: 1,
    }))
}

fn network(err: reqwest::Error) -> Attempt {
    // `{:#}`-style chain: reqwest's top-level message alone ("error sending
    // request") does not say what happened.
    let mut message = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    Attempt::Retry {
        reason: message,
        retry_after: None,
        status: None,
    }
}

fn timed_out() -> Attempt {
    Attempt::Retry {
        reason: "timed out".to_owned(),
        retry_after: None,
        status: None,
    }
}
