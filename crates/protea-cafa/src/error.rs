//! The one error type of the crate.
//!
//! Input errors name the source (a path or a caller-given label), the 1-based line and the
//! field, so a user can fix the file. Cases where cafaeval itself aborts (a one-token
//! ground-truth line, a malformed IA line, a namespace whose scores are all zero, a known
//! file missing a namespace, an empty terms-of-interest set) are errors here too, so the two
//! evaluators fail on the same inputs.

use std::path::PathBuf;

/// Everything that can go wrong while reading inputs, evaluating or writing outputs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input or output file could not be opened, read or written.
    #[error("{}: I/O error", path.display())]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A line of an input file could not be parsed.
    #[error("{source_name}:{line}: bad {field}: {message}")]
    Parse {
        /// Path or label of the input.
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// Which field was wrong (for example `score` or `ia`).
        field: &'static str,
        /// What was wrong with it.
        message: String,
    },
    /// The is_a/part_of graph of a namespace has a cycle.
    #[error("ontology namespace {namespace}: the graph is not acyclic")]
    Cycle {
        /// The namespace with the cycle.
        namespace: String,
    },
    /// Every score stored for a namespace of a method is zero (cafaeval aborts with IndexError).
    #[error("{method}: every stored score in namespace {namespace} is zero")]
    AllScoresZero {
        /// Method label.
        method: String,
        /// Namespace name.
        namespace: String,
    },
    /// The known-terms file has no recognised entry in a namespace the ground truth has
    /// (the partial-knowledge fork aborts with KeyError).
    #[error("known-terms file has no entry in namespace {namespace}")]
    KnownMissingNamespace {
        /// Namespace name.
        namespace: String,
    },
    /// No term of interest falls in a namespace that has ground truth.
    #[error("no term of interest in namespace {namespace}")]
    EmptyTermsOfInterest {
        /// Namespace name.
        namespace: String,
    },
    /// The configuration is unusable (for example a threshold step outside (0, 1)).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Nothing was evaluated, so there is nothing to write (cafaeval crashes here).
    #[error("no method had an accepted prediction in any namespace")]
    NothingEvaluated,
}

/// Shorthand used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn parse(
        source_name: &str,
        line: usize,
        field: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Error::Parse {
            source_name: source_name.to_owned(),
            line,
            field,
            message: message.into(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
