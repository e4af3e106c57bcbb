//! Keys, URIs and opening a store from a URI.

use std::path::PathBuf;

use crate::ArtifactStore;
use crate::error::{ArtifactError, Result};
use crate::local::LocalArtifactStore;
use crate::s3::{S3ArtifactStore, S3Config};

/// Checks that a key is a relative path of `[A-Za-z0-9._-]` segments (no `.`, `..`,
/// empty segment or leading `/`), so it can never leave the store's root.
pub fn validate_key(key: &str) -> Result<()> {
    let bad = |reason| {
        Err(ArtifactError::InvalidKey {
            key: key.into(),
            reason,
        })
    };
    if key.is_empty() {
        return bad("empty");
    }
    if key.starts_with('/') {
        return bad("absolute paths are not keys");
    }
    for seg in key.split('/') {
        if seg.is_empty() {
            return bad("empty path segment");
        }
        if seg == "." || seg == ".." {
            return bad("'.' and '..' segments are not allowed");
        }
        if !seg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            return bad("segments may hold only [A-Za-z0-9._-]");
        }
    }
    Ok(())
}

/// The local path of a `file://` URI.
pub fn file_uri_path(uri: &str) -> Option<PathBuf> {
    uri.strip_prefix("file://").map(PathBuf::from)
}

/// Opens the store rooted at a directory URI: `file:///abs/dir[/]` or
/// `s3://bucket[/prefix][/]` (S3 reached as [`S3Config::from_env`] says).
pub fn open(root_uri: &str) -> Result<Box<dyn ArtifactStore>> {
    if let Some(path) = root_uri.strip_prefix("file://") {
        if !path.starts_with('/') {
            return Err(ArtifactError::InvalidUri {
                uri: root_uri.into(),
                reason: "file:// URIs need an absolute path (file:///abs/dir)".into(),
            });
        }
        let path = path.trim_end_matches('/');
        if path.split('/').any(|s| s == "..") {
            return Err(ArtifactError::InvalidUri {
                uri: root_uri.into(),
                reason: "'..' is not allowed".into(),
            });
        }
        return Ok(Box::new(LocalArtifactStore::new(if path.is_empty() {
            "/"
        } else {
            path
        })));
    }
    if let Some(rest) = root_uri.strip_prefix("s3://") {
        let rest = rest.trim_end_matches('/');
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        return Ok(Box::new(S3ArtifactStore::new(
            &S3Config::from_env(),
            bucket,
            prefix,
        )?));
    }
    Err(ArtifactError::InvalidUri {
        uri: root_uri.into(),
        reason: "expected file:///… or s3://bucket/…".into(),
    })
}

/// Splits a file URI into (parent directory URI, file name).
fn split_file(uri: &str) -> Result<(&str, &str)> {
    match uri.rsplit_once('/') {
        Some((dir, name)) if !name.is_empty() && !dir.ends_with(':') && !dir.ends_with("/") => {
            Ok((dir, name))
        }
        _ => Err(ArtifactError::InvalidUri {
            uri: uri.into(),
            reason: "does not name a file".into(),
        }),
    }
}

/// Reads one artifact by URI, whichever store wrote it (`file://` or `s3://`).
pub fn read_uri(uri: &str) -> Result<Vec<u8>> {
    if let Some(path) = file_uri_path(uri) {
        // A bare read of a stored URI (the API serving what a job recorded).
        return std::fs::read(&path).map_err(ArtifactError::io(&path));
    }
    let (dir, name) = split_file(uri)?;
    open(dir)?.get_key(name)
}

/// Writes one artifact by URI and returns the URI.
pub fn write_uri(uri: &str, bytes: &[u8]) -> Result<String> {
    let (dir, name) = split_file(uri)?;
    open(dir)?.put(name, bytes)
}
