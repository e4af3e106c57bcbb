//! The crate's one error type: every failure names its source (a file name or
//! label given by the caller), the 1-based line number and, for parse errors,
//! the field.

use std::io;

/// Result alias used by every reader in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A reader failure. `line` is 1-based; 0 means "before the first line"
/// (for example a gzip header that cannot be read).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A line that does not follow the format.
    #[error("{source_name}:{line}: field `{field}`: {message}")]
    Parse {
        source_name: String,
        line: u64,
        field: String,
        message: String,
    },
    /// The underlying reader failed.
    #[error("{source_name}:{line}: read error")]
    Io {
        source_name: String,
        line: u64,
        #[source]
        error: io::Error,
    },
    /// The gzip stream is corrupt or truncated: never a silent short read.
    #[error("{source_name}:{line}: corrupt or truncated gzip stream")]
    Gzip {
        source_name: String,
        line: u64,
        #[source]
        error: io::Error,
    },
}

impl Error {
    /// Builds a [`Error::Parse`].
    pub fn parse(
        source_name: &str,
        line: u64,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Error {
        Error::Parse {
            source_name: source_name.to_owned(),
            line,
            field: field.into(),
            message: message.into(),
        }
    }

    /// Wraps an I/O error, classifying errors raised by this crate's gzip
    /// decoder (see [`crate::io::GzipError`]) as [`Error::Gzip`].
    pub fn io(source_name: &str, line: u64, error: io::Error) -> Error {
        let source_name = source_name.to_owned();
        let from_gzip = error
            .get_ref()
            .is_some_and(|inner| inner.is::<crate::io::GzipError>());
        if from_gzip {
            Error::Gzip {
                source_name,
                line,
                error,
            }
        } else {
            Error::Io {
                source_name,
                line,
                error,
            }
        }
    }

    /// The source (file name or label) the error refers to.
    pub fn source_name(&self) -> &str {
        match self {
            Error::Parse { source_name, .. }
            | Error::Io { source_name, .. }
            | Error::Gzip { source_name, .. } => source_name,
        }
    }

    /// The 1-based line number the error refers to.
    pub fn line(&self) -> u64 {
        match self {
            Error::Parse { line, .. } | Error::Io { line, .. } | Error::Gzip { line, .. } => *line,
        }
    }

    /// The field of a parse error, `None` for I/O and gzip errors.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Parse { field, .. } => Some(field),
            Error::Io { .. } | Error::Gzip { .. } => None,
        }
    }
}
