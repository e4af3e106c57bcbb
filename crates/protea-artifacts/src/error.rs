//! The crate's error type.

use std::path::PathBuf;

/// What went wrong with an artifact.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error("invalid artifact key {key:?}: {reason}")]
    InvalidKey { key: String, reason: &'static str },
    #[error("invalid artifact URI {uri:?}: {reason}")]
    InvalidUri { uri: String, reason: String },
    #[error("artifact not found: {uri}")]
    NotFound { uri: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{uri}: {source}")]
    ObjectStore {
        uri: String,
        #[source]
        source: object_store::Error,
    },
    #[error("artifact store unavailable: {0}")]
    Unavailable(String),
}

impl ArtifactError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ArtifactError {
        let path = path.into();
        move |source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                ArtifactError::NotFound {
                    uri: format!("file://{}", path.display()),
                }
            } else {
                ArtifactError::Io { path, source }
            }
        }
    }
}

pub type Result<T, E = ArtifactError> = std::result::Result<T, E>;
