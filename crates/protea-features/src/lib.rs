//! Per-pair features of the GO-term prediction, without I/O beyond `Read`/`Write`:
//! - [`align`]: NW/SW alignment statistics, equal to parasail's (the original's library);
//! - [`taxonomy`]: NCBI taxonomy pair features (distance, LCA, common ancestors, relation);
//! - [`aggregates`]: the re-ranker aggregates per (query, GO term) from neighbour lists;
//! - [`schema`]: feature families, column order and the feature-schema SHA;
//! - [`docs`]: each column's family and status.
//!
//! Struct field names equal the `go_prediction` column names, so rows serialise as-is.

pub mod aggregates;
pub mod align;
pub mod docs;
mod error;
pub mod schema;
pub mod taxonomy;

pub use aggregates::{
    Aggregates, AnnotationPool, NeighborAnnotation, NeighborHit, NeighborList, QueryAggregates,
    TermVotes,
};
pub use align::{AlignParams, Aligner, AlignmentFeatures, AlignmentStats};
pub use error::{FeatureError, Result};
pub use schema::{
    FEATURE_FAMILIES, compute_feature_schema_sha, compute_schema_sha, infer_active_feature_families,
};
pub use taxonomy::{TaxonomicRelation, TaxonomyFeatures};
