//! Nearest-neighbour search over embedding matrices, without I/O beyond `Read`/`Write`.
//!
//! The public surface is deliberately small and stable (the prediction pipeline builds on it):
//! - [`ReferenceMatrix`]: reference vectors, stored as f16 rows (half the memory of f32);
//! - [`SearchParams`] / [`Backend`] / [`Metric`]: what to search and how;
//! - [`search`]: top-k neighbours of each query row, nearest first.
//!
//! Distances: cosine is `1 − cos(q, r)`; l2 is the squared Euclidean distance.

mod error;
mod exact;
mod types;

pub use error::{Result, SearchError};
pub use types::{Backend, Metric, Neighbor, ReferenceMatrix, SearchParams};

/// Top-`k` neighbours of every row of `queries` (row-major, `refs.dim()` columns), each list
/// sorted by ascending distance (ties by ascending reference index), with neighbours farther
/// than `params.distance_threshold` dropped.
pub fn search(
    refs: &ReferenceMatrix,
    queries: &[f32],
    params: &SearchParams,
) -> Result<Vec<Vec<Neighbor>>> {
    params.validate()?;
    if refs.dim() == 0 || queries.len() % refs.dim() != 0 {
        return Err(SearchError::Shape {
            what: "queries",
            len: queries.len(),
            dim: refs.dim(),
        });
    }
    match params.backend {
        Backend::Exact => Ok(exact::search(refs, queries, params)),
        Backend::IvfFlat { .. } | Backend::Hnsw { .. } => Err(SearchError::Unsupported(
            "approximate backends are not built yet",
        )),
    }
}
