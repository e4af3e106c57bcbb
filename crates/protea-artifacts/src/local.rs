//! Artifacts in a local directory, `file://` URIs.

use std::path::{Path, PathBuf};

use crate::ArtifactStore;
use crate::error::{ArtifactError, Result};
use crate::uri::{file_uri_path, validate_key};

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

    fn path(&self, key: &str) -> Result<PathBuf> {
        validate_key(key)?;
        Ok(self.root.join(key))
    }

    /// The path of a URI of this store; refuses URIs outside the root (or with `..`).
    fn path_of_uri(&self, uri: &str) -> Result<PathBuf> {
        let path = file_uri_path(uri).ok_or_else(|| ArtifactError::InvalidUri {
            uri: uri.into(),
            reason: "a local store reads file:// URIs only".into(),
        })?;
        let key = path
            .strip_prefix(&self.root)
            .ok()
            .and_then(|rel| rel.to_str())
            .ok_or_else(|| ArtifactError::InvalidUri {
                uri: uri.into(),
                reason: format!("outside the store's root {}", self.root.display()),
            })?;
        self.path(key)
    }
}

impl ArtifactStore for LocalArtifactStore {
    fn put(&self, key: &str, bytes: &[u8]) -> Result<String> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(ArtifactError::io(dir))?;
        }
        // Write then rename, so a reader never sees half a file.
        let tmp = path.with_extension(format!("partial-{}", std::process::id()));
        std::fs::write(&tmp, bytes).map_err(ArtifactError::io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(ArtifactError::io(&path))?;
        self.uri(key)
    }

    fn get(&self, uri: &str) -> Result<Vec<u8>> {
        let path = self.path_of_uri(uri)?;
        std::fs::read(&path).map_err(ArtifactError::io(&path))
    }

    fn uri(&self, key: &str) -> Result<String> {
        Ok(format!("file://{}", self.path(key)?.display()))
    }

    fn exists(&self, key: &str) -> Result<bool> {
        Ok(self.path(key)?.is_file())
    }

    fn delete(&self, key: &str) -> Result<bool> {
        let path = self.path(key)?;
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(source) => Err(ArtifactError::Io { path, source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sha256_hex;

    #[test]
    fn put_get_exists_delete_and_unsafe_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalArtifactStore::new(dir.path());
        let uri = store.put("r1/NK/evaluation_all.tsv", b"x\n").unwrap();
        assert!(uri.starts_with("file:///"), "{uri}");
        assert_eq!(store.get(&uri).unwrap(), b"x\n");
        assert_eq!(store.get_key("r1/NK/evaluation_all.tsv").unwrap(), b"x\n");
        assert!(store.exists("r1/NK/evaluation_all.tsv").unwrap());
        assert!(store.delete("r1/NK/evaluation_all.tsv").unwrap());
        assert!(!store.delete("r1/NK/evaluation_all.tsv").unwrap());
        assert!(matches!(
            store.get(&uri).unwrap_err(),
            ArtifactError::NotFound { .. }
        ));
        for bad in [
            "",
            "../x",
            "a//b",
            "/abs",
            "a/./b",
            "a b",
            "a/../../etc/passwd",
        ] {
            let err = store.put(bad, b"").unwrap_err();
            assert!(
                matches!(err, ArtifactError::InvalidKey { .. }),
                "{bad:?}: {err}"
            );
        }
        assert!(store.get("s3://bucket/x").is_err());
        // No escape through a URI either.
        let outside = format!("file://{}/../secret", dir.path().display());
        assert!(store.get(&outside).is_err());
        assert!(store.get("file:///etc/hostname").is_err());
        let stored = store.put_hashed("h/a.bin", b"abc").unwrap();
        assert_eq!(
            stored.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(stored.sha256, sha256_hex(b"abc"));
        assert_eq!(stored.size, 3);
    }
}
