//! The crate's one error type.

/// Errors of the evaluation logic.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvaluationError {
    /// A scoring configuration that does not follow the rules of §5.12.
    #[error("invalid scoring config: {field}: {message}")]
    Scoring { field: String, message: String },
    /// The CAFA evaluator refused its inputs or failed.
    #[error("CAFA evaluation failed: {0}")]
    Cafa(#[from] protea_cafa::Error),
    /// Writing an in-memory output failed (only possible on allocation failure).
    #[error("writing {what}: {source}")]
    Write {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

impl EvaluationError {
    pub(crate) fn scoring(field: impl Into<String>, message: impl Into<String>) -> Self {
        EvaluationError::Scoring {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Shorthand for this crate's results.
pub type Result<T, E = EvaluationError> = std::result::Result<T, E>;
