//! Where a file comes from: an HTTP(S) URL, a `file://` URL or a local path.
//! Users keep local mirrors, so every URL field accepts all three.

use crate::error::SourceError;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Http(reqwest::Url),
    Local(PathBuf),
}

impl Location {
    /// `http://` and `https://` are remote; `file://` and anything without a
    /// scheme is a local path. Other schemes are rejected.
    pub fn parse(text: &str) -> Result<Location, SourceError> {
        let trimmed = text.trim();
        let bad = |message: &str| SourceError::BadUrl {
            url: trimmed.to_owned(),
            message: message.to_owned(),
        };
        if trimmed.is_empty() {
            return Err(bad("empty"));
        }
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            let url = reqwest::Url::parse(trimmed).map_err(|e| bad(&e.to_string()))?;
            return Ok(Location::Http(url));
        }
        if lower.starts_with("file://") {
            let url = reqwest::Url::parse(trimmed).map_err(|e| bad(&e.to_string()))?;
            let path = url
                .to_file_path()
                .map_err(|()| bad("not an absolute file path"))?;
            return Ok(Location::Local(path));
        }
        if let Some((scheme, _)) = trimmed.split_once("://") {
            return Err(bad(&format!("unsupported scheme {scheme:?}")));
        }
        Ok(Location::Local(PathBuf::from(trimmed)))
    }

    pub fn is_local(&self) -> bool {
        matches!(self, Location::Local(_))
    }

    /// The last path segment: the name used in parse errors.
    pub fn file_name(&self) -> String {
        let name = match self {
            Location::Http(url) => url
                .path_segments()
                .and_then(|mut s| s.next_back().map(str::to_owned))
                .filter(|s| !s.is_empty()),
            Location::Local(path) => path.file_name().map(|n| n.to_string_lossy().into_owned()),
        };
        name.unwrap_or_else(|| self.to_string())
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Http(url) => write!(f, "{url}"),
            Location::Local(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A file ready to be read: the local file itself, or a temporary copy of a
/// remote one (deleted on drop).
#[derive(Debug)]
pub enum Download {
    Local(PathBuf),
    Temp {
        file: tempfile::TempPath,
        bytes: u64,
    },
}

impl Download {
    pub fn path(&self) -> &Path {
        match self {
            Download::Local(path) => path,
            Download::Temp { file, .. } => file,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert!(matches!(
            Location::parse("https://ftp.ebi.ac.uk/x.gaf.gz").unwrap(),
            Location::Http(_)
        ));
        assert_eq!(
            Location::parse("file:///data/go.obo").unwrap(),
            Location::Local(PathBuf::from("/data/go.obo"))
        );
        assert_eq!(
            Location::parse("data/go.obo").unwrap(),
            Location::Local(PathBuf::from("data/go.obo"))
        );
        assert!(Location::parse("ftp://x/y").is_err());
        assert!(Location::parse("  ").is_err());
        assert_eq!(
            Location::parse("http://h/a/b.obo?x=1").unwrap().file_name(),
            "b.obo"
        );
    }
}
