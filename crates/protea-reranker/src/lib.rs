//! Re-ranker scoring without I/O beyond `Read`/`Write`.
//!
//! - [`lgbm`]: LightGBM text models read and scored in Rust (parity with LightGBM's own
//!   `predict` within 1e-9, pinned by committed fixtures);
//! - [`apply`]: the apply step — feature matrix from prediction rows, the feature-schema
//!   guard (`SchemaShaMismatch`), calibration, per-aspect routing and the `reranker.*` events;
//! - [`anc2vec`], [`tax_voters`], [`pca`]: the v6 feature family (ecosystem.md §4.6).
//!
//! The live schema sha is computed by `protea-features` (`compute_feature_schema_sha`) and
//! passed in as a string.

pub mod anc2vec;
pub mod apply;
mod error;
pub mod lgbm;
pub mod pca;
pub mod tax_voters;

pub use apply::{
    CategoricalCodes, Event, FeatureMatrix, FeatureSource, FeatureValue, RerankerScorer,
    ScoreSummary, Scored, apply_reranker, calibrate_scores, check_schema, error_event,
    feature_matrix,
};
pub use error::{RerankerError, Result};
pub use lgbm::{Booster, Objective};
