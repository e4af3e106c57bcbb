//! The crate's error type.

/// Errors reading or writing a research dataset.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("{file}: parquet: {source}")]
    Parquet {
        file: String,
        #[source]
        source: parquet::errors::ParquetError,
    },
    #[error("{file}: arrow: {source}")]
    Arrow {
        file: String,
        #[source]
        source: arrow_schema::ArrowError,
    },
    #[error("{file}: column {column:?}: {message}")]
    Column {
        file: String,
        column: String,
        message: String,
    },
    #[error("{file}: row {row}, column {column:?}: {message}")]
    Value {
        file: String,
        row: usize,
        column: String,
        message: String,
    },
    #[error("unknown feature column {0:?}")]
    UnknownColumn(String),
    #[error("manifest.json: field {field:?}: {message}")]
    Manifest { field: String, message: String },
    #[error("{file}: {source}")]
    Json {
        file: String,
        #[source]
        source: serde_json::Error,
    },
}

pub type Result<T, E = DatasetError> = std::result::Result<T, E>;
