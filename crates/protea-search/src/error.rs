use thiserror::Error;

/// Everything that can go wrong in a search.
#[derive(Debug, Error)]
pub enum SearchError {
    #[error("{what}: {len} values is not a whole number of rows of dimension {dim}")]
    Shape {
        what: &'static str,
        len: usize,
        dim: usize,
    },
    #[error("invalid search parameter `{field}`: {message}")]
    Param {
        field: &'static str,
        message: String,
    },
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    /// An index file that cannot be used: damaged, of another format, or built over other
    /// references or with other parameters.
    #[error("index: {0}")]
    Index(String),
    #[error("index I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The HNSW library (usearch) refused an operation.
    #[error("HNSW: {0}")]
    Hnsw(String),
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;
