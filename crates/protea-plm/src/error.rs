//! The crate's one error type. Every variant names what is wrong and where,
//! so a CLI or an operation can show it to a user unchanged.

use std::path::PathBuf;

/// Everything that can go wrong while loading a model or embedding sequences.
#[derive(Debug, thiserror::Error)]
pub enum PlmError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A model's config.json is missing a field or has a value we cannot run.
    #[error("model config {path}: {message}")]
    Config { path: PathBuf, message: String },
    /// A tokenizer vocabulary file is malformed or lacks a required token.
    #[error("vocabulary {path}: {message}")]
    Vocab { path: PathBuf, message: String },
    /// A weight is missing or has the wrong shape (candle's message names it).
    #[error("model weights in {path}: {source}")]
    Weights {
        path: PathBuf,
        #[source]
        source: candle_core::Error,
    },
    /// A tensor operation failed during the forward pass.
    #[error("forward pass: {0}")]
    Tensor(#[from] candle_core::Error),
    /// An embedding option is invalid (unknown pooling, bad chunk sizes, …).
    #[error("invalid embedding option `{field}`: {message}")]
    Option {
        field: &'static str,
        message: String,
    },
    /// A layer index falls outside the model's hidden states.
    #[error(
        "layer index {index} is out of range for model {model} with {available} hidden states \
         (sequence starting {sequence_start:?})"
    )]
    Layer {
        index: i64,
        model: String,
        available: usize,
        sequence_start: String,
    },
    /// An npy file is malformed or holds a dtype/shape we do not read.
    #[error("npy {path}: {message}")]
    Npy { path: PathBuf, message: String },
    /// A row-index TSV of precomputed embeddings is malformed or does not fit its npy.
    #[error("embedding index {path}: {message}")]
    Import { path: PathBuf, message: String },
    /// A sequence cannot be embedded (empty, or no valid k-mer, …).
    #[error("sequence {id}: {message}")]
    Sequence { id: String, message: String },
}

/// Result alias for this crate.
pub type Result<T, E = PlmError> = std::result::Result<T, E>;

impl PlmError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn option(field: &'static str, message: impl Into<String>) -> Self {
        Self::Option {
            field,
            message: message.into(),
        }
    }
}
