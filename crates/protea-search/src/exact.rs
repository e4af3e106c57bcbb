//! Exact search. This first version scores row by row; a blocked-GEMM version replaces it.

use crate::types::{Metric, Neighbor, ReferenceMatrix, SearchParams};

pub(crate) fn search(
    refs: &ReferenceMatrix,
    queries: &[f32],
    p: &SearchParams,
) -> Vec<Vec<Neighbor>> {
    let dim = refs.dim();
    queries
        .chunks_exact(dim)
        .map(|q| {
            let qn = q.iter().map(|x| x * x).sum::<f32>().sqrt();
            let mut all: Vec<Neighbor> = (0..refs.rows())
                .map(|i| {
                    let r = refs.row(i);
                    let distance = match p.metric {
                        Metric::Cosine => {
                            let (mut dot, mut rn) = (0.0f32, 0.0f32);
                            for (a, b) in q.iter().zip(r) {
                                let b = b.to_f32();
                                dot += a * b;
                                rn += b * b;
                            }
                            let denom = qn * rn.sqrt();
                            if denom > 0.0 { 1.0 - dot / denom } else { 1.0 }
                        }
                        Metric::L2 => q.iter().zip(r).map(|(a, b)| (a - b.to_f32()).powi(2)).sum(),
                    };
                    Neighbor {
                        index: i as u32,
                        distance,
                    }
                })
                .collect();
            all.sort_by(|a, b| {
                a.distance
                    .total_cmp(&b.distance)
                    .then(a.index.cmp(&b.index))
            });
            all.truncate(p.k);
            if let Some(t) = p.distance_threshold {
                all.retain(|n| n.distance <= t);
            }
            all
        })
        .collect()
}
