use protea_search::SearchError;

/// What can go wrong while transferring GO terms.
#[derive(Debug, thiserror::Error)]
pub enum PredictError {
    #[error("search: {0}")]
    Search(#[from] SearchError),
    /// Inputs whose sizes disagree (`what` names the input).
    #[error("{what}: {message}")]
    Shape { what: &'static str, message: String },
    /// A per-pair feature could not be computed.
    #[error("feature `{feature}`: {message}")]
    Feature {
        feature: &'static str,
        message: String,
    },
}

pub type Result<T> = std::result::Result<T, PredictError>;
