//! Exact search: every reference scored by the blocked GEMM kernel.

use crate::kernel::{AllRefs, Queries, top_k};
use crate::types::{Neighbor, ReferenceMatrix, SearchParams};

pub(crate) fn search(
    refs: &ReferenceMatrix,
    queries: &[f32],
    p: &SearchParams,
) -> Vec<Vec<Neighbor>> {
    let q = Queries::prepare(queries, refs.dim(), p.metric);
    let lists = top_k(&q, &AllRefs(refs), p.k, p.metric);
    lists
        .into_iter()
        .map(|h| crate::cut(h.into_sorted(), p.distance_threshold))
        .collect()
}
