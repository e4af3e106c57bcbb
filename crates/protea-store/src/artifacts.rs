//! The artifact store: where evaluation outputs (cafaeval's TSVs, PR curves) are kept.
//!
//! A small trait so that an object store (s3://) can come later; today the one
//! implementation is a local directory, addressed by `file://` URIs. Keys are relative
//! paths of `/`-separated safe segments (`<result id>/NK/evaluation_all.tsv`).

use std::path::{Path, PathBuf};

use crate::StoreError;

/// Stores and reads artifacts by key; every stored artifact has a URI.
pub trait ArtifactStore: Send + Sync {
    /// Writes `bytes` under `key` (replacing it) and returns its URI.
    fn put(&self, key: &str, bytes: &[u8]) -> Result<String, StoreError>;
    /// Reads the artifact at `uri` (as returned by `put` or [`ArtifactStore::uri`]).
    fn get(&self, uri: &str) -> Result<Vec<u8>, StoreError>;
    /// The URI a key has (or would have).
    fn uri(&self, key: &str) -> Result<String, StoreError>;
}

/// Artifacts in a local directory.
#[derive(Debug, Clone)]
pub struct LocalArtifactStore {
    root: PathBuf,
}

impl LocalArtifactStore {
    /// A store rooted at `root` (created on first write). The root is made absolute so
    /// URIs stay valid from any working directory.
    pub fn new(root: impl Into<PathBuf>) -> LocalArtifactStore {
        let root = root.into();
        let root = std::path::absolute(&root).unwrap_or(root);
        LocalArtifactStore { root }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &str) -> Result<PathBuf, StoreError> {
        let safe = !key.is_empty()
            && key.split('/').all(|seg| {
                !seg.is_empty()
                    && seg != "."
                    && seg != ".."
                    && seg
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            });
        if !safe {
            return Err(StoreError::Io {
                path: PathBuf::from(key),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "artifact keys are relative paths of [A-Za-z0-9._-] segments",
                ),
            });
        }
        Ok(self.root.join(key))
    }
}

/// Reads an artifact by URI, whichever store wrote it (today: `file://` only).
pub fn read_uri(uri: &str) -> Result<Vec<u8>, StoreError> {
    let path = file_uri_path(uri).ok_or_else(|| StoreError::Io {
        path: PathBuf::from(uri),
        source: std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "only file:// artifact URIs are supported",
        ),
    })?;
    std::fs::read(&path).map_err(StoreError::io(&path))
}

/// The local path of a `file://` URI.
pub fn file_uri_path(uri: &str) -> Option<PathBuf> {
    uri.strip_prefix("file://").map(PathBuf::from)
}

impl ArtifactStore for LocalArtifactStore {
    fn put(&self, key: &str, bytes: &[u8]) -> Result<String, StoreError> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
        }
        // Write then rename, so a reader never sees half a file.
        let tmp = path.with_extension("partial");
        std::fs::write(&tmp, bytes).map_err(StoreError::io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(StoreError::io(&path))?;
        self.uri(key)
    }

    fn get(&self, uri: &str) -> Result<Vec<u8>, StoreError> {
        read_uri(uri)
    }

    fn uri(&self, key: &str) -> Result<String, StoreError> {
        Ok(format!("file://{}", self.path(key)?.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_and_unsafe_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalArtifactStore::new(dir.path());
        let uri = store.put("r1/NK/evaluation_all.tsv", b"x\n").unwrap();
        assert!(uri.starts_with("file:///"), "{uri}");
        assert_eq!(store.get(&uri).unwrap(), b"x\n");
        for bad in ["", "../x", "a//b", "/abs", "a/./b", "a b"] {
            assert!(store.put(bad, b"").is_err(), "{bad:?}");
        }
        assert!(store.get("s3://bucket/x").is_err());
    }
}
