//! Opt-in ancestor expansion (`expand_votes_to_ancestors`, ecosystem.md §4.7): every
//! predicted term adds its is_a / part_of ancestors.

use std::collections::{HashMap, HashSet};

use protea_core::Aspect;

use crate::transfer::{Prediction, sort_predictions};

/// The is_a / part_of parents of each term (`go_term` row ids) and each term's aspect.
#[derive(Debug, Clone, Default)]
pub struct AncestorIndex {
    parents: HashMap<i64, Vec<i64>>,
    aspects: HashMap<i64, Aspect>,
}

impl AncestorIndex {
    /// `edges` are (child, parent) pairs; the caller keeps only is_a and part_of.
    pub fn new(
        edges: impl IntoIterator<Item = (i64, i64)>,
        aspects: HashMap<i64, Aspect>,
    ) -> AncestorIndex {
        let mut parents: HashMap<i64, Vec<i64>> = HashMap::new();
        for (child, parent) in edges {
            parents.entry(child).or_default().push(parent);
        }
        for list in parents.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        AncestorIndex { parents, aspects }
    }

    /// Every proper ancestor of `term`, sorted (the closure, without the term itself).
    pub fn ancestors(&self, term: i64) -> Vec<i64> {
        let mut seen = HashSet::new();
        let mut stack = vec![term];
        while let Some(t) = stack.pop() {
            for &p in self.parents.get(&t).into_iter().flatten() {
                if p != term && seen.insert(p) {
                    stack.push(p);
                }
            }
        }
        let mut out: Vec<i64> = seen.into_iter().collect();
        out.sort_unstable();
        out
    }

    pub fn aspect(&self, term: i64) -> Option<Aspect> {
        self.aspects.get(&term).copied()
    }
}

/// Adds the ancestors of one query's predicted terms, with weight 1 per (leaf, ancestor):
/// - an ancestor that is itself predicted gains `1/k` of `neighbor_vote_fraction` (capped
///   at 1) and takes the leaf's `neighbor_min_distance` when that is smaller;
/// - any other ancestor becomes one synthetic row (`expanded = true`), a copy of the
///   closest leaf reaching it (strictly smaller distance replaces, so the first leaf in
///   distance order wins ties) whose `neighbor_vote_fraction` is `1/k` per leaf reaching it,
///   capped at 1.
pub fn expand_to_ancestors(predictions: &mut Vec<Prediction>, index: &AncestorIndex, k: usize) {
    let step = 1.0 / k.max(1) as f64;
    sort_predictions(predictions);
    let leaves: HashMap<i64, usize> = predictions
        .iter()
        .enumerate()
        .map(|(i, p)| (p.go_term_id, i))
        .collect();
    let mut leaf_updates: Vec<(f64, f64)> = predictions
        .iter()
        .map(|p| (p.neighbor_vote_fraction, p.neighbor_min_distance))
        .collect();
    let mut synthetic: HashMap<i64, Prediction> = HashMap::new();
    let mut synthetic_order: Vec<i64> = Vec::new();
    for leaf in predictions.iter() {
        for ancestor in index.ancestors(leaf.go_term_id) {
            if let Some(&i) = leaves.get(&ancestor) {
                let (fraction, min_d) = &mut leaf_updates[i];
                *fraction = (*fraction + step).min(1.0);
                if leaf.neighbor_min_distance < *min_d {
                    *min_d = leaf.neighbor_min_distance;
                }
                continue;
            }
            match synthetic.get_mut(&ancestor) {
                Some(row) => {
                    let fraction = (row.neighbor_vote_fraction + step).min(1.0);
                    if leaf.distance < row.distance {
                        *row = synthetic_copy(leaf, ancestor, index);
                    }
                    row.neighbor_vote_fraction = fraction;
                }
                None => {
                    let mut row = synthetic_copy(leaf, ancestor, index);
                    row.neighbor_vote_fraction = step.min(1.0);
                    synthetic.insert(ancestor, row);
                    synthetic_order.push(ancestor);
                }
            }
        }
    }
    for (p, (fraction, min_d)) in predictions.iter_mut().zip(leaf_updates) {
        p.neighbor_vote_fraction = fraction;
        p.neighbor_min_distance = min_d;
    }
    predictions.extend(
        synthetic_order
            .into_iter()
            .filter_map(|t| synthetic.remove(&t)),
    );
    sort_predictions(predictions);
}

fn synthetic_copy(leaf: &Prediction, ancestor: i64, index: &AncestorIndex) -> Prediction {
    Prediction {
        go_term_id: ancestor,
        aspect: index.aspect(ancestor).unwrap_or(leaf.aspect),
        expanded: true,
        ..leaf.clone()
    }
}
