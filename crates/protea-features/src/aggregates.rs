//! The re-ranker aggregates of one query (ecosystem.md §4.4, original_platform.md §5.9),
//! computed from its neighbour lists.
//!
//! Per (query, GO term), walking the lists in order (one list in unified mode, one per
//! aspect in aspect-separated mode, where a list only counts annotations of its aspect)
//! and each list's neighbours by rank (`k_position` restarts at 1 per list):
//! - `vote_count`: (neighbour, annotation row) pairs carrying the term (two evidence
//!   rows of one neighbour vote twice);
//! - `k_position`: the rank of the first neighbour that carried it (never updated);
//! - the donor (reference, annotation) and `neighbor_min_distance`: the first carrier,
//!   replaced only by a *strictly* closer one;
//! - `neighbor_mean_distance` = Σd / vote_count; `neighbor_vote_fraction` =
//!   vote_count / max(1, k);
//! - `neighbor_distance_std`: population std of all the query's neighbour distances,
//!   pooled over the lists (0 for ≤ 1 distance);
//! - `go_term_frequency` (annotation rows of the term) and `ref_annotation_density`
//!   (annotation rows of the donor) are read from an [`AnnotationPool`] (0 when absent).
//!
//! Negated annotations (a qualifier containing `NOT`) are never votes and never counted
//! in the pool, as the original never loaded them.
//!
//! The pool is explicit because the original computed it over the neighbours of the
//! current *batch* at prediction time but over *all* references at training time (a
//! batch-dependent train/serve skew). Build it once over the whole reference annotation
//! set and use it for both, and the numbers no longer depend on batching.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One annotation row of a reference protein.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeighborAnnotation {
    pub go_term_id: i64,
    /// `P`, `F` or `C` when the term's aspect is known.
    pub aspect: Option<char>,
    pub qualifier: Option<String>,
    pub evidence_code: Option<String>,
}

impl NeighborAnnotation {
    /// A negated annotation (`NOT|enables`, …).
    pub fn is_negated(&self) -> bool {
        self.qualifier.as_deref().is_some_and(|q| q.contains("NOT"))
    }
}

/// One retrieved neighbour: the reference, its distance and its annotation rows.
#[derive(Debug, Clone, Copy)]
pub struct NeighborHit<'a> {
    pub ref_accession: &'a str,
    pub distance: f64,
    pub annotations: &'a [NeighborAnnotation],
}

/// The neighbours of one search, nearest first; `aspect` is `Some` in aspect-separated
/// mode (only annotations of that aspect count), `None` in unified mode.
#[derive(Debug, Clone, Copy)]
pub struct NeighborList<'a> {
    pub aspect: Option<char>,
    pub hits: &'a [NeighborHit<'a>],
}

/// Term frequencies and reference annotation densities over a set of references.
#[derive(Debug, Clone, Default)]
pub struct AnnotationPool {
    term_frequency: HashMap<i64, u32>,
    ref_density: HashMap<String, u32>,
}

impl AnnotationPool {
    /// Adds one reference's annotation rows (negated rows are skipped). Adding the same
    /// reference twice (e.g. once per aspect view) sums, as the original did.
    pub fn add(&mut self, ref_accession: &str, annotations: &[NeighborAnnotation]) {
        let mut rows = 0;
        for annotation in annotations.iter().filter(|a| !a.is_negated()) {
            *self
                .term_frequency
                .entry(annotation.go_term_id)
                .or_default() += 1;
            rows += 1;
        }
        if rows > 0 {
            *self
                .ref_density
                .entry(ref_accession.to_owned())
                .or_default() += rows;
        }
    }

    pub fn go_term_frequency(&self, go_term_id: i64) -> u32 {
        self.term_frequency.get(&go_term_id).copied().unwrap_or(0)
    }

    pub fn ref_annotation_density(&self, ref_accession: &str) -> u32 {
        self.ref_density.get(ref_accession).copied().unwrap_or(0)
    }
}

/// The aggregate columns of one (query, term) row, named as `go_prediction`'s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Aggregates {
    pub vote_count: Option<i32>,
    pub k_position: Option<i32>,
    pub go_term_frequency: Option<i32>,
    pub ref_annotation_density: Option<i32>,
    pub neighbor_distance_std: Option<f64>,
    pub neighbor_vote_fraction: Option<f64>,
    pub neighbor_min_distance: Option<f64>,
    pub neighbor_mean_distance: Option<f64>,
}

/// One candidate term of a query, with its donor.
#[derive(Debug, Clone, PartialEq)]
pub struct TermVotes<'a> {
    pub go_term_id: i64,
    pub vote_count: u32,
    pub k_position: u32,
    pub min_distance: f64,
    pub sum_distance: f64,
    /// The closest neighbour carrying the term (the first one on ties).
    pub donor_ref: &'a str,
    /// The donor's annotation row for the term.
    pub donor_annotation: &'a NeighborAnnotation,
}

/// All candidate terms of one query, in order of first sighting.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryAggregates<'a> {
    pub terms: Vec<TermVotes<'a>>,
    pub neighbor_distance_std: f64,
    /// `k` (`limit_per_entry`), the denominator of the vote fraction.
    pub k: usize,
}

impl<'a> QueryAggregates<'a> {
    /// Accumulates the votes of one query's neighbour lists.
    pub fn compute(lists: &[NeighborList<'a>], k: usize) -> QueryAggregates<'a> {
        let mut index: HashMap<i64, usize> = HashMap::new();
        let mut terms: Vec<TermVotes<'a>> = Vec::new();
        let mut distances = Vec::new();
        for list in lists {
            for (rank, hit) in list.hits.iter().enumerate() {
                distances.push(hit.distance);
                let k_position = u32::try_from(rank + 1).unwrap_or(u32::MAX);
                for annotation in hit.annotations {
                    if annotation.is_negated()
                        || list.aspect.is_some_and(|a| annotation.aspect != Some(a))
                    {
                        continue;
                    }
                    let slot = *index.entry(annotation.go_term_id).or_insert_with(|| {
                        terms.push(TermVotes {
                            go_term_id: annotation.go_term_id,
                            vote_count: 0,
                            k_position,
                            min_distance: hit.distance,
                            sum_distance: 0.0,
                            donor_ref: hit.ref_accession,
                            donor_annotation: annotation,
                        });
                        terms.len() - 1
                    });
                    let term = &mut terms[slot];
                    term.vote_count += 1;
                    term.sum_distance += hit.distance;
                    if hit.distance < term.min_distance {
                        term.min_distance = hit.distance;
                        term.donor_ref = hit.ref_accession;
                        term.donor_annotation = annotation;
                    }
                }
            }
        }
        QueryAggregates {
            terms,
            neighbor_distance_std: population_std(&distances),
            k,
        }
    }

    /// The aggregate columns of one term, with frequency and density from `pool`.
    pub fn aggregates(&self, term: &TermVotes<'_>, pool: &AnnotationPool) -> Aggregates {
        let votes = f64::from(term.vote_count);
        Aggregates {
            vote_count: i32::try_from(term.vote_count).ok(),
            k_position: i32::try_from(term.k_position).ok(),
            go_term_frequency: i32::try_from(pool.go_term_frequency(term.go_term_id)).ok(),
            ref_annotation_density: i32::try_from(pool.ref_annotation_density(term.donor_ref)).ok(),
            neighbor_distance_std: Some(self.neighbor_distance_std),
            neighbor_vote_fraction: Some(votes / self.k.max(1) as f64),
            neighbor_min_distance: Some(term.min_distance),
            neighbor_mean_distance: Some(term.sum_distance / votes.max(1.0)),
        }
    }
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

#[cfg(test)]
#[path = "aggregates_tests.rs"]
mod tests;
