//! The artifact store: blobs under `/`-separated keys, addressed by `file://` and
//! `s3://` URIs, with sha256 content hashes.
//!
//! * [`LocalArtifactStore`]: a directory, `file:///abs/path/<key>`. Plain `std::fs`
//!   (write to a temporary file, then rename), so it is safe to call from async code.
//! * [`S3ArtifactStore`]: `s3://<bucket>/<prefix>/<key>` through `object_store`'s S3
//!   client. Its methods are synchronous; each drives the request on the store's own
//!   runtime from a scoped thread, so they may be called from anywhere (async code
//!   included) without nesting runtimes.
//!
//! Keys are relative paths of `[A-Za-z0-9._-]` segments: no `..`, no `.`, no empty
//! segment, no leading `/`. A URI handed to a store must lie under its root.

mod error;
mod local;
mod s3;
mod uri;

pub use error::{ArtifactError, Result};
pub use local::LocalArtifactStore;
pub use s3::{S3ArtifactStore, S3Config};
pub use uri::{file_uri_path, open, read_uri, validate_key, write_uri};

use sha2::{Digest, Sha256};

/// Stores and reads artifacts by key; every stored artifact has a URI.
pub trait ArtifactStore: Send + Sync {
    /// Writes `bytes` under `key` (replacing it) and returns its URI.
    fn put(&self, key: &str, bytes: &[u8]) -> Result<String>;
    /// Reads the artifact at `uri` (as returned by `put` or [`ArtifactStore::uri`]); the
    /// URI must lie under the store's root.
    fn get(&self, uri: &str) -> Result<Vec<u8>>;
    /// The URI a key has (or would have). No I/O.
    fn uri(&self, key: &str) -> Result<String>;
    /// Whether an artifact exists under `key`.
    fn exists(&self, key: &str) -> Result<bool>;
    /// Deletes `key`; `false` when it was absent (idempotent).
    fn delete(&self, key: &str) -> Result<bool>;

    /// Reads the artifact under `key`.
    fn get_key(&self, key: &str) -> Result<Vec<u8>> {
        self.get(&self.uri(key)?)
    }

    /// Writes `bytes` under `key` and returns the URI with the sha256 of the content.
    fn put_hashed(&self, key: &str, bytes: &[u8]) -> Result<Stored> {
        let uri = self.put(key, bytes)?;
        Ok(Stored {
            uri,
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
        })
    }
}

/// An artifact that was written: its URI, content hash and size.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stored {
    pub uri: String,
    /// Lower-case hex sha256 of the bytes.
    pub sha256: String,
    pub size: u64,
}

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The 12-character short form of a sha256 (the contracts' digest convention).
pub fn short_sha(bytes: &[u8]) -> String {
    sha256_hex(bytes)[..12].to_owned()
}
