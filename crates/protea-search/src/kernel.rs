//! The blocked GEMM top-k kernel shared by exact search, IVF list scans and k-means.
//!
//! Queries are prepared once (unit rows for cosine, squared norms for l2). Reference rows are
//! taken in blocks of [`BLOCK_ROWS`], converted to f32, multiplied with the query chunk by
//! faer (fastest GEMM measured here, rust_deps.md §5) into a `queries × block` score tile,
//! and the tile is folded into a bounded top-k per query: the full query × reference matrix
//! is never held. Blocks run in parallel on rayon, each worker with its own top-k lists,
//! merged at the end; the (distance, index) order makes the result independent of that split.

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use half::slice::HalfFloatSliceExt;
use rayon::prelude::*;

use crate::topk::TopK;
use crate::types::{Metric, ReferenceMatrix};

/// Reference rows per GEMM tile (tile = this × dim f32, plus queries × this scores).
pub(crate) const BLOCK_ROWS: usize = 512;
/// Queries per pass, bounding the score tile at `QUERY_CHUNK × BLOCK_ROWS` floats per worker.
pub(crate) const QUERY_CHUNK: usize = 1024;

/// Query rows ready for the kernel.
#[derive(Debug, Clone)]
pub(crate) struct Queries {
    pub(crate) dim: usize,
    /// Row-major; unit length for cosine (zero rows stay zero).
    pub(crate) data: Vec<f32>,
    /// Squared norms (l2 only; empty for cosine).
    pub(crate) norms_sq: Vec<f32>,
}

impl Queries {
    pub(crate) fn prepare(raw: &[f32], dim: usize, metric: Metric) -> Self {
        let mut data = raw.to_vec();
        let mut norms_sq = Vec::new();
        match metric {
            Metric::Cosine => {
                for row in data.chunks_exact_mut(dim) {
                    let n = row
                        .iter()
                        .map(|&x| f64::from(x) * f64::from(x))
                        .sum::<f64>()
                        .sqrt();
                    if n > 0.0 {
                        let inv = (1.0 / n) as f32;
                        row.iter_mut().for_each(|x| *x *= inv);
                    }
                }
            }
            Metric::L2 => {
                norms_sq = data
                    .chunks_exact(dim)
                    .map(|r| r.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>() as f32)
                    .collect();
            }
        }
        Queries {
            dim,
            data,
            norms_sq,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.data.len() / self.dim
    }

    pub(crate) fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// The subset of rows `ids`, in that order.
    pub(crate) fn gather(&self, ids: &[u32]) -> Queries {
        let mut data = Vec::with_capacity(ids.len() * self.dim);
        for &i in ids {
            data.extend_from_slice(self.row(i as usize));
        }
        let norms_sq = if self.norms_sq.is_empty() {
            Vec::new()
        } else {
            ids.iter().map(|&i| self.norms_sq[i as usize]).collect()
        };
        Queries {
            dim: self.dim,
            data,
            norms_sq,
        }
    }
}

/// Rows the kernel scans: where they come from and which index each reports.
pub(crate) trait Rows: Sync {
    fn len(&self) -> usize;
    /// Writes rows `start..start + n` as f32 into `out` (`n × dim`).
    fn fill(&self, start: usize, out: &mut [f32]);
    fn norm_sq(&self, i: usize) -> f32;
    fn id(&self, i: usize) -> u32;
}

/// Every row of a reference matrix.
pub(crate) struct AllRefs<'a>(pub(crate) &'a ReferenceMatrix);

impl Rows for AllRefs<'_> {
    fn len(&self) -> usize {
        self.0.rows()
    }
    fn fill(&self, start: usize, out: &mut [f32]) {
        let d = self.0.dim();
        self.0.as_f16()[start * d..start * d + out.len()].convert_to_f32_slice(out);
    }
    fn norm_sq(&self, i: usize) -> f32 {
        self.0.norms_sq()[i]
    }
    fn id(&self, i: usize) -> u32 {
        i as u32
    }
}

/// Chosen rows of a reference matrix (an IVF list), reported by their row index.
pub(crate) struct SomeRefs<'a> {
    pub(crate) refs: &'a ReferenceMatrix,
    pub(crate) ids: &'a [u32],
}

impl Rows for SomeRefs<'_> {
    fn len(&self) -> usize {
        self.ids.len()
    }
    fn fill(&self, start: usize, out: &mut [f32]) {
        let d = self.refs.dim();
        for (chunk, &id) in out.chunks_exact_mut(d).zip(&self.ids[start..]) {
            self.refs.row(id as usize).convert_to_f32_slice(chunk);
        }
    }
    fn norm_sq(&self, i: usize) -> f32 {
        self.refs.norms_sq()[self.ids[i] as usize]
    }
    fn id(&self, i: usize) -> u32 {
        self.ids[i]
    }
}

/// f32 rows (k-means centroids).
pub(crate) struct DenseRows<'a> {
    pub(crate) dim: usize,
    pub(crate) data: &'a [f32],
    pub(crate) norms_sq: &'a [f32],
}

impl Rows for DenseRows<'_> {
    fn len(&self) -> usize {
        self.norms_sq.len()
    }
    fn fill(&self, start: usize, out: &mut [f32]) {
        out.copy_from_slice(&self.data[start * self.dim..start * self.dim + out.len()]);
    }
    fn norm_sq(&self, i: usize) -> f32 {
        self.norms_sq[i]
    }
    fn id(&self, i: usize) -> u32 {
        i as u32
    }
}

/// Turns a score `s = q·r` into the metric's distance, given `q`'s squared norm (l2) and
/// the reference's squared norm. Cosine of a zero vector counts as 0 (distance 1).
#[inline]
pub(crate) fn distance(metric: Metric, s: f32, q_norm_sq: f32, r_norm_sq: f32) -> f32 {
    match metric {
        Metric::Cosine => {
            if r_norm_sq > 0.0 {
                1.0 - s / r_norm_sq.sqrt()
            } else {
                1.0
            }
        }
        Metric::L2 => (q_norm_sq + r_norm_sq - 2.0 * s).max(0.0),
    }
}

/// Per-worker scratch: top-k lists for the query chunk, the f32 tile and the score tile.
struct Scratch {
    heaps: Vec<TopK>,
    tile: Vec<f32>,
    scores: Vec<f32>,
    dist: Vec<f32>,
    factor: Vec<f32>,
}

/// Top-`k` rows of `rows` for every query, nearest first per the metric.
pub(crate) fn top_k(q: &Queries, rows: &impl Rows, k: usize, metric: Metric) -> Vec<TopK> {
    let (nq, n, d) = (q.len(), rows.len(), q.dim);
    let mut out: Vec<TopK> = (0..nq).map(|_| TopK::new(k)).collect();
    if n == 0 || nq == 0 || k == 0 {
        return out;
    }
    let block = BLOCK_ROWS.min(n);
    let nblocks = n.div_ceil(block);
    for q0 in (0..nq).step_by(QUERY_CHUNK) {
        let qn = QUERY_CHUNK.min(nq - q0);
        let qmat = MatRef::from_row_major_slice(&q.data[q0 * d..(q0 + qn) * d], qn, d);
        let qnorm = |i: usize| {
            if q.norms_sq.is_empty() {
                0.0
            } else {
                q.norms_sq[q0 + i]
            }
        };
        let fresh = || Scratch {
            heaps: (0..qn).map(|_| TopK::new(k)).collect(),
            tile: vec![0.0; block * d],
            scores: vec![0.0; qn * block],
            dist: vec![0.0; block],
            factor: vec![0.0; block],
        };
        let merged = (0..nblocks)
            .into_par_iter()
            .fold(fresh, |mut s, b| {
                let start = b * block;
                let len = block.min(n - start);
                rows.fill(start, &mut s.tile[..len * d]);
                let r = MatRef::from_row_major_slice(&s.tile[..len * d], len, d);
                let dst = MatMut::from_row_major_slice_mut(&mut s.scores[..qn * len], qn, len);
                matmul(dst, Accum::Replace, qmat, r.transpose(), 1.0f32, Par::Seq);
                // Per-reference terms once per tile, so the inner loop is a fused
                // multiply-add the compiler vectorises.
                for (j, f) in s.factor[..len].iter_mut().enumerate() {
                    let rr = rows.norm_sq(start + j);
                    *f = match metric {
                        Metric::Cosine if rr > 0.0 => -1.0 / rr.sqrt(),
                        Metric::Cosine => 0.0,
                        Metric::L2 => rr,
                    };
                }
                for i in 0..qn {
                    let srow = &s.scores[i * len..(i + 1) * len];
                    let drow = &mut s.dist[..len];
                    match metric {
                        Metric::Cosine => {
                            for ((dv, &sc), &f) in drow.iter_mut().zip(srow).zip(&s.factor[..len]) {
                                *dv = 1.0 + sc * f;
                            }
                        }
                        Metric::L2 => {
                            let qq = qnorm(i);
                            for ((dv, &sc), &rr) in drow.iter_mut().zip(srow).zip(&s.factor[..len])
                            {
                                *dv = (qq + rr - 2.0 * sc).max(0.0);
                            }
                        }
                    }
                    let heap = &mut s.heaps[i];
                    for (j, &dv) in drow.iter().enumerate() {
                        if dv <= heap.bound() {
                            heap.push(dv, rows.id(start + j));
                        }
                    }
                }
                s
            })
            .map(|s| s.heaps)
            .reduce_with(|mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    x.merge(y);
                }
                a
            });
        if let Some(heaps) = merged {
            for (slot, h) in out[q0..q0 + qn].iter_mut().zip(heaps) {
                *slot = h;
            }
        }
    }
    out
}
