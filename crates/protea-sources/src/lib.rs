//! PROTEA's data sources: the edge between the operations and the outside
//! world's files and HTTP endpoints. No database here.
//!
//! * [`client::HttpClient`]: one reqwest client per job with the spec's retry
//!   policy ([`retry::RetryPolicy`]): retriable = network error or 429/500/
//!   502/503/504; wait `min(base·2^(attempt−1), max) + U(0, jitter)`, or a
//!   numeric `Retry-After` capped at `max`; `max_retries` retries; a
//!   per-request timeout; every retry reported to a [`retry::RetryObserver`]
//!   (operations turn that into an `http.retry` event).
//! * [`location::Location`]: `http(s)://`, `file://` or a local path, accepted
//!   wherever a URL is; [`client::HttpClient::download`] streams a remote file
//!   to a temporary file and hands local files over untouched.
//! * [`uniprot`]: UniProt REST search with cursor pagination (`Link: <…>;
//!   rel="next"`), FASTA or TSV, optionally gzip-compressed.
//! * [`quickgo`]: QuickGO bulk download URLs for gene-product batches.
//! * [`config::SourcesConfig`]: the configurable base URLs
//!   (`PROTEA_UNIPROT_URL`, `PROTEA_QUICKGO_URL`).
//! * `mock` (feature `mock-server`): a loopback server serving real files in
//!   pages with injected faults, for tests.

pub mod client;
pub mod config;
mod error;
pub mod location;
#[cfg(feature = "mock-server")]
pub mod mock;
pub mod quickgo;
pub mod retry;
pub mod uniprot;

pub use client::{Fetched, HttpClient};
pub use config::SourcesConfig;
pub use error::SourceError;
pub use location::{Download, Location};
pub use retry::{NoObserver, RetryEvent, RetryObserver, RetryPolicy};
