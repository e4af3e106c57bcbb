//! GO-term transfer from nearest neighbours, without I/O.
//!
//! [`ReferenceSet`] holds the reference vectors, their transferable annotations (negated
//! ones dropped, optionally non-experimental ones too) and the search pools: one unified
//! pool, or one per aspect (`aspect_separated_knn`). [`transfer`] searches each pool with
//! `protea-search` and accumulates votes per (query, term): the closest donor carries the
//! row (replaced only on a strictly smaller distance), with `vote_count`, `k_position`,
//! `neighbor_vote_fraction` and the other re-ranker aggregates. [`expand_to_ancestors`]
//! adds is_a / part_of ancestors on request. [`FeatureComputer`] is the seam for the
//! per-pair alignment and taxonomy features.

mod error;
mod expand;
mod features;
mod reference;
mod transfer;

pub use error::{PredictError, Result};
pub use expand::{AncestorIndex, expand_to_ancestors};
pub use features::{FeatureComputer, PairFeatures, pair_features};
pub use protea_search::{Backend, Metric, ReferenceMatrix};
pub use reference::{RefAnnotation, ReferenceOptions, ReferenceSet};
pub use transfer::{
    Hit, PoolNeighbors, Prediction, QueryTransfer, TransferParams, accumulate, distance_score,
    transfer,
};

#[cfg(test)]
mod transfer_tests;
