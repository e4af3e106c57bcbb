//! CAFA evaluation of PROTEA's predictions, without I/O.
//!
//! - [`delta`]: the temporal-holdout delta between two annotation sets (NK / LK / PK);
//! - [`evidence`]: the experimental evidence codes and the evidence weights;
//! - [`scoring`]: scoring configs (linear / evidence-weighted) and the one distance → score
//!   rule for raw KNN predictions;
//! - [`predictions`]: predictions in CAFA format for one evaluation (filters, dedup, score);
//! - [`cafa`]: the ontology text for `protea-cafa`, the three in-process evaluator runs and
//!   their summary table, PR curves and output files.
//!
//! The database side (loading rows, storing results) lives in `protea-store` and
//! `protea-ops`; everything here takes and returns plain data.

pub mod cafa;
pub mod delta;
mod error;
pub mod evidence;
pub mod predictions;
pub mod scoring;

pub use delta::{AnnotationRow, Category, Delta, DeltaStats, GoGraph, compute_delta};
pub use error::{EvaluationError, Result};
pub use scoring::{Formula, ScoringConfig, SignalWeights, Signals, knn_score};
