//! Neighbour search per pool and GO-term transfer by vote accumulation
//! (ecosystem.md §4.3–4.4, original_platform.md §5.8–5.9).

use std::collections::HashMap;

use protea_core::Aspect;
use protea_search::{Backend, Metric, SearchParams};
use serde::{Deserialize, Serialize};

use crate::error::{PredictError, Result};
use crate::reference::ReferenceSet;

/// How neighbours are found and which are kept.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferParams {
    /// Neighbours per query and per pool (the payload's `limit_per_entry`).
    pub k: usize,
    /// Neighbours farther than this are ignored (`d <= threshold` is kept).
    pub distance_threshold: Option<f32>,
    pub metric: Metric,
    pub backend: Backend,
    /// Ignore a reference whose accession is the query's own. The original had no
    /// self-exclusion (§9.2): a query that is also a reference found itself at distance 0.
    pub exclude_self: bool,
}

impl TransferParams {
    pub fn exact(k: usize, metric: Metric) -> TransferParams {
        TransferParams {
            k,
            distance_threshold: None,
            metric,
            backend: Backend::Exact,
            exclude_self: false,
        }
    }
}

/// One neighbour: a reference row and its distance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub reference: u32,
    pub distance: f32,
}

/// The neighbours found in one pool (`aspect` is `None` for the unified pool).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolNeighbors {
    pub aspect: Option<Aspect>,
    pub hits: Vec<Hit>,
}

/// One predicted (query, GO term), carried by its closest donor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub go_term_id: i64,
    pub aspect: Aspect,
    /// The donor: the reference row with the smallest distance among those carrying the term
    /// (the first one seen on ties).
    pub reference: u32,
    /// The donor's distance (= `neighbor_min_distance`).
    pub distance: f64,
    pub qualifier: Option<String>,
    pub evidence_code: Option<String>,
    /// (neighbour, annotation row) pairs carrying the term.
    pub vote_count: u32,
    /// 1-based rank, within its pool, of the first neighbour seen carrying the term.
    pub k_position: u32,
    pub go_term_frequency: u32,
    /// Transferable annotation rows of the donor.
    pub ref_annotation_density: u32,
    /// Population standard deviation of every neighbour distance of the query (all pools).
    pub neighbor_distance_std: f64,
    /// `vote_count / max(1, k)`; above 1 when references carry the term several times.
    pub neighbor_vote_fraction: f64,
    pub neighbor_min_distance: f64,
    pub neighbor_mean_distance: f64,
    /// True for a term added by ancestor expansion.
    pub expanded: bool,
    /// Set when a re-ranker scored the row; it then replaces the distance-based score.
    pub reranker_score: Option<f64>,
}

impl Prediction {
    /// The re-ranker's score when one ran, else `1 − distance` clamped to [0, 1].
    pub fn score(&self) -> f64 {
        self.reranker_score
            .unwrap_or_else(|| distance_score(self.distance))
    }
}

/// `1 − d` clamped to [0, 1]: the score of a prediction no re-ranker scored.
pub fn distance_score(distance: f64) -> f64 {
    (1.0 - distance).clamp(0.0, 1.0)
}

/// The outcome for one query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryTransfer {
    pub accession: String,
    /// In pool order: unified, or P, F, C.
    pub neighbors: Vec<PoolNeighbors>,
    /// Sorted by distance, then term id.
    pub predictions: Vec<Prediction>,
}

/// Searches every pool for the `queries` (row-major, `refs.dim()` columns, one row per
/// accession) and transfers the neighbours' annotations.
pub fn transfer(
    refs: &ReferenceSet,
    accessions: &[String],
    queries: &[f32],
    params: &TransferParams,
) -> Result<Vec<QueryTransfer>> {
    let dim = refs.dim();
    if dim == 0 || queries.len() != accessions.len() * dim {
        return Err(PredictError::Shape {
            what: "queries",
            message: format!(
                "{} values for {} accessions of dimension {dim}",
                queries.len(),
                accessions.len()
            ),
        });
    }
    // One extra neighbour per query leaves room for the query itself.
    let k_search = params.k + usize::from(params.exclude_self);
    let mut neighbors: Vec<Vec<PoolNeighbors>> = vec![Vec::new(); accessions.len()];
    for (aspect, pool) in refs.pools() {
        let lists = if pool.rows.is_empty() || accessions.is_empty() {
            vec![Vec::new(); accessions.len()]
        } else {
            let search = SearchParams {
                k: k_search,
                metric: params.metric,
                backend: params.backend,
                distance_threshold: params.distance_threshold,
            };
            protea_search::search(&pool.matrix, queries, &search)?
        };
        if lists.len() != accessions.len() {
            // Results are positional: a short answer would shift every query.
            return Err(PredictError::Shape {
                what: "search results",
                message: format!("{} lists for {} queries", lists.len(), accessions.len()),
            });
        }
        for ((q, list), out) in lists.into_iter().enumerate().zip(&mut neighbors) {
            let hits = list
                .into_iter()
                .map(|n| Hit {
                    reference: pool.rows[n.index as usize],
                    distance: n.distance,
                })
                .filter(|h| params.distance_threshold.is_none_or(|t| h.distance <= t))
                .filter(|h| !params.exclude_self || refs.accession(h.reference) != accessions[q])
                .take(params.k)
                .collect();
            out.push(PoolNeighbors {
                aspect: *aspect,
                hits,
            });
        }
    }
    Ok(accessions
        .iter()
        .zip(neighbors)
        .map(|(accession, neighbors)| {
            let predictions = accumulate(refs, &neighbors, params.k);
            QueryTransfer {
                accession: accession.clone(),
                neighbors,
                predictions,
            }
        })
        .collect())
}

struct Votes {
    vote_count: u32,
    sum_d: f64,
    min_d: f64,
    donor: u32,
    donor_annotation: usize,
    k_position: u32,
}

/// Vote accumulation for one query over its pools' neighbour lists.
pub fn accumulate(refs: &ReferenceSet, neighbors: &[PoolNeighbors], k: usize) -> Vec<Prediction> {
    let distances: Vec<f64> = neighbors
        .iter()
        .flat_map(|p| p.hits.iter().map(|h| h.distance as f64))
        .collect();
    let std = population_std(&distances);
    let mut votes: HashMap<i64, Votes> = HashMap::new();
    let mut order: Vec<i64> = Vec::new();
    for pool in neighbors {
        for (rank, hit) in pool.hits.iter().enumerate() {
            let d = hit.distance as f64;
            for (i, ann) in refs.annotations(hit.reference).iter().enumerate() {
                // A per-aspect pool transfers only that aspect's annotations.
                if pool.aspect.is_some_and(|a| a != ann.aspect) {
                    continue;
                }
                let entry = votes.entry(ann.go_term_id).or_insert_with(|| {
                    order.push(ann.go_term_id);
                    Votes {
                        vote_count: 0,
                        sum_d: 0.0,
                        min_d: d,
                        donor: hit.reference,
                        donor_annotation: i,
                        k_position: rank as u32 + 1,
                    }
                });
                entry.vote_count += 1;
                entry.sum_d += d;
                // Strictly smaller only: on ties the first donor seen stays.
                if d < entry.min_d {
                    entry.min_d = d;
                    entry.donor = hit.reference;
                    entry.donor_annotation = i;
                }
            }
        }
    }
    let k = k.max(1) as f64;
    let mut out: Vec<Prediction> = order
        .into_iter()
        .map(|term| {
            let v = &votes[&term];
            let ann = &refs.annotations(v.donor)[v.donor_annotation];
            let mean = v.sum_d / v.vote_count as f64;
            Prediction {
                go_term_id: term,
                aspect: ann.aspect,
                reference: v.donor,
                distance: v.min_d,
                qualifier: ann.qualifier.clone(),
                evidence_code: ann.evidence_code.clone(),
                vote_count: v.vote_count,
                k_position: v.k_position,
                go_term_frequency: refs.term_frequency(term),
                ref_annotation_density: refs.annotation_density(v.donor),
                neighbor_distance_std: std,
                neighbor_vote_fraction: v.vote_count as f64 / k,
                neighbor_min_distance: v.min_d,
                neighbor_mean_distance: mean,
                expanded: false,
                reranker_score: None,
            }
        })
        .collect();
    sort_predictions(&mut out);
    out
}

pub(crate) fn sort_predictions(predictions: &mut [Prediction]) {
    predictions.sort_by(|a, b| {
        a.distance
            .total_cmp(&b.distance)
            .then(a.go_term_id.cmp(&b.go_term_id))
    });
}

/// Population standard deviation (ddof 0); 0 for fewer than two values.
fn population_std(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt()
}
