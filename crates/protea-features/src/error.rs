//! The crate's error type.

use thiserror::Error;

pub type Result<T, E = FeatureError> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum FeatureError {
    /// A feature family name that [`crate::schema::FEATURE_FAMILIES`] does not know.
    #[error("unknown feature family {0:?}")]
    UnknownFamily(String),
    /// An alignment whose traceback matrix would exceed the configured cell budget.
    #[error(
        "alignment of {query_len} × {ref_len} residues exceeds the limit of {max_cells} matrix cells"
    )]
    TooLarge {
        query_len: usize,
        ref_len: usize,
        max_cells: usize,
    },
    /// Gap penalties are subtracted: 0 ≤ extend ≤ open.
    #[error("invalid gap penalties: open {open}, extend {extend} (need 0 ≤ extend ≤ open)")]
    GapPenalty { open: i32, extend: i32 },
}
