//! The crate's one error type. Messages name the URL or path.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    #[error("invalid URL {url:?}: {message}")]
    BadUrl { url: String, message: String },
    /// A non-retriable status, or a retriable one after the retries ran out.
    #[error("GET {url} returned HTTP {status} after {attempts} attempt(s)")]
    Status {
        url: String,
        status: u16,
        attempts: u32,
    },
    /// Network failure (connect, reset, timeout) after the retries ran out.
    #[error("GET {url} failed after {attempts} attempt(s): {message}")]
    Network {
        url: String,
        attempts: u32,
        message: String,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

impl SourceError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> SourceError {
        let path = path.into();
        move |source| SourceError::Io { path, source }
    }

    /// True for failures a later attempt of the whole job may not repeat
    /// (network trouble, throttling, server errors).
    pub fn is_transient(&self) -> bool {
        match self {
            SourceError::Network { .. } => true,
            SourceError::Status { status, .. } => crate::retry::is_retriable_status(*status),
            _ => false,
        }
    }
}
