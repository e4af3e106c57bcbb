//! The seam for per-pair features (alignments, taxonomy): computed once per distinct
//! (query, donor reference) pair of the transferred rows, by whatever implements
//! [`FeatureComputer`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::reference::ReferenceSet;
use crate::transfer::QueryTransfer;

/// Features of one (query, reference) pair; `None` where not computed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PairFeatures {
    pub identity_nw: Option<f64>,
    pub similarity_nw: Option<f64>,
    pub alignment_score_nw: Option<f64>,
    pub gaps_pct_nw: Option<f64>,
    pub alignment_length_nw: Option<f64>,
    pub identity_sw: Option<f64>,
    pub similarity_sw: Option<f64>,
    pub alignment_score_sw: Option<f64>,
    pub gaps_pct_sw: Option<f64>,
    pub alignment_length_sw: Option<f64>,
    pub length_query: Option<i32>,
    pub length_ref: Option<i32>,
    pub query_taxonomy_id: Option<i32>,
    pub ref_taxonomy_id: Option<i32>,
    pub taxonomic_lca: Option<i32>,
    pub taxonomic_distance: Option<i32>,
    pub taxonomic_common_ancestors: Option<i32>,
    pub taxonomic_relation: Option<String>,
}

/// Computes the features of a (query accession, reference accession) pair.
pub trait FeatureComputer {
    fn pair(&mut self, query: &str, reference: &str) -> Result<PairFeatures>;
}

/// Features for every distinct (query index, donor row) pair of `results`, each computed
/// once.
pub fn pair_features(
    refs: &ReferenceSet,
    results: &[QueryTransfer],
    computer: &mut dyn FeatureComputer,
) -> Result<BTreeMap<(usize, u32), PairFeatures>> {
    let mut out = BTreeMap::new();
    for (q, result) in results.iter().enumerate() {
        for p in &result.predictions {
            if let std::collections::btree_map::Entry::Vacant(slot) = out.entry((q, p.reference)) {
                slot.insert(computer.pair(&result.accession, refs.accession(p.reference))?);
            }
        }
    }
    Ok(out)
}
