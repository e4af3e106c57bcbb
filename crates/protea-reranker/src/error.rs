use thiserror::Error;

/// Everything that can go wrong reading a model, building features or scoring.
#[derive(Debug, Error)]
pub enum RerankerError {
    /// A LightGBM text model that does not parse: `line` is 1-based in the model text.
    #[error("LightGBM model, line {line}, field `{field}`: {message}")]
    Model {
        line: usize,
        field: String,
        message: String,
    },
    /// The booster was trained on another feature layout than the live one.
    #[error(
        "feature schema mismatch: the re-ranker was trained on schema {model_sha}, \
         the live feature families give {live_sha}"
    )]
    SchemaShaMismatch { model_sha: String, live_sha: String },
    /// A row of the wrong width, a missing column, a bad value.
    #[error("{what}: {message}")]
    Input { what: String, message: String },
    /// The objective has no known output transform.
    #[error("unsupported LightGBM objective `{0}` (raw scores only)")]
    UnsupportedObjective(String),
    /// An Anc2Vec or PCA file that does not read.
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl RerankerError {
    pub(crate) fn model(line: usize, field: &str, message: impl Into<String>) -> Self {
        Self::Model {
            line,
            field: field.to_string(),
            message: message.into(),
        }
    }

    pub(crate) fn input(what: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Input {
            what: what.into(),
            message: message.into(),
        }
    }
}

pub type Result<T, E = RerankerError> = std::result::Result<T, E>;
