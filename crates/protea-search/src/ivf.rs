//! IVF-Flat written here: k-means cells over the references, each query scanning the
//! `nprobe` nearest cells with the same GEMM kernel as exact search. It needs no C++/BLAS
//! build (faiss would), keeps the references in their one f16 copy (the index holds only
//! centroids and row ids), and its results are exact within the visited cells.

use std::io::{Read, Write};

use half::slice::HalfFloatSliceExt;
use rayon::prelude::*;

use crate::error::{Result, SearchError};
use crate::kernel::{DenseRows, Queries, SomeRefs, top_k};
use crate::persist::{self, Cursor, Header, Kind};
use crate::rng::SplitMix64;
use crate::topk::TopK;
use crate::types::{Metric, Neighbor, ReferenceMatrix};

/// Seed of the k-means sampling and initialisation unless the caller picks another.
pub const DEFAULT_SEED: u64 = 1234;
/// Lloyd iterations (as faiss's default clustering).
const KMEANS_ITERS: usize = 25;
/// At most this many training rows per cell (as faiss), so training stays cheap at 1e6 rows.
const MAX_POINTS_PER_CELL: usize = 256;
/// Rows filed per pass when the lists are built.
const FILE_SLICE: usize = 32_768;

/// An IVF-Flat index over a [`ReferenceMatrix`] (which it does not copy).
#[derive(Debug, Clone)]
pub struct IvfIndex {
    metric: Metric,
    dim: usize,
    rows: usize,
    fingerprint: u64,
    seed: u64,
    /// `nlist × dim`, unit rows for cosine.
    centroids: Vec<f32>,
    centroid_norms_sq: Vec<f32>,
    /// Reference row ids of each cell, ascending.
    lists: Vec<Vec<u32>>,
}

impl IvfIndex {
    /// Trains `min(nlist, rows)` cells (at least one) by k-means from `seed` and files every
    /// reference row under its nearest centroid. For cosine the clustering is spherical
    /// (unit rows and centroids), matching faiss's inner-product IVF over normalised vectors.
    pub fn build(refs: &ReferenceMatrix, metric: Metric, nlist: usize, seed: u64) -> Result<Self> {
        if nlist == 0 {
            return Err(SearchError::Param {
                field: "nlist",
                message: "must be at least 1".into(),
            });
        }
        let (n, d) = (refs.rows(), refs.dim());
        let nlist = nlist.min(n).max(1);
        let mut rng = SplitMix64::new(seed);
        // Training sample: a seeded partial shuffle of the row ids.
        let mut order: Vec<u32> = (0..n as u32).collect();
        let take = n.min(nlist * MAX_POINTS_PER_CELL);
        for i in 0..take {
            let j = i + rng.below(n - i);
            order.swap(i, j);
        }
        let mut sample: Vec<u32> = order[..take].to_vec();
        sample.sort_unstable();
        let train = dense_rows(refs, &sample, metric);
        let train_q = Queries::prepare(&train, d, metric);
        // Initial centroids: the first `nlist` sample rows in shuffled order.
        let mut centroids = Vec::with_capacity(nlist * d);
        for &id in &order[..nlist] {
            let pos = sample.binary_search(&id).expect("in sample");
            centroids.extend_from_slice(&train[pos * d..(pos + 1) * d]);
        }
        let mut assign = vec![0u32; take];
        for _ in 0..KMEANS_ITERS {
            let norms = norms_sq(&centroids, d);
            let cells = DenseRows {
                dim: d,
                data: &centroids,
                norms_sq: &norms,
            };
            let nearest = top_k(&train_q, &cells, 1, metric);
            let mut changed = false;
            for (a, h) in assign.iter_mut().zip(nearest) {
                let c = h.into_sorted()[0].index;
                changed |= *a != c;
                *a = c;
            }
            let mut sums = vec![0.0f64; nlist * d];
            let mut counts = vec![0usize; nlist];
            for (row, &c) in train.chunks_exact(d).zip(&assign) {
                counts[c as usize] += 1;
                for (s, &x) in sums[c as usize * d..(c as usize + 1) * d]
                    .iter_mut()
                    .zip(row)
                {
                    *s += f64::from(x);
                }
            }
            for c in 0..nlist {
                let dst = &mut centroids[c * d..(c + 1) * d];
                if counts[c] == 0 {
                    // An empty cell restarts at a random training row.
                    let r = rng.below(take);
                    dst.copy_from_slice(&train[r * d..(r + 1) * d]);
                    continue;
                }
                let inv = 1.0 / counts[c] as f64;
                for (x, s) in dst.iter_mut().zip(&sums[c * d..(c + 1) * d]) {
                    *x = (s * inv) as f32;
                }
                if metric == Metric::Cosine {
                    normalise(dst);
                }
            }
            if !changed {
                break;
            }
        }
        let centroid_norms_sq = norms_sq(&centroids, d);
        // File every reference under its nearest centroid.
        // In slices, so the f32 copy stays small at millions of rows.
        let cells = DenseRows {
            dim: d,
            data: &centroids,
            norms_sq: &centroid_norms_sq,
        };
        let mut lists = vec![Vec::new(); nlist];
        let all: Vec<u32> = (0..n as u32).collect();
        for ids in all.chunks(FILE_SLICE) {
            let slice_q = Queries::prepare(&dense_rows(refs, ids, metric), d, metric);
            for (&i, h) in ids.iter().zip(top_k(&slice_q, &cells, 1, metric)) {
                lists[h.into_sorted()[0].index as usize].push(i);
            }
        }
        Ok(IvfIndex {
            metric,
            dim: d,
            rows: n,
            fingerprint: refs.fingerprint(),
            seed,
            centroids,
            centroid_norms_sq,
            lists,
        })
    }

    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// Cells actually built (`min(nlist, rows)`, at least one).
    pub fn nlist(&self) -> usize {
        self.lists.len()
    }

    /// Top-`k` of each query among the references filed in its `nprobe` nearest cells
    /// (`nprobe` is capped at the number of cells), nearest first, ties by row index.
    pub fn search(
        &self,
        refs: &ReferenceMatrix,
        queries: &[f32],
        k: usize,
        nprobe: usize,
    ) -> Result<Vec<Vec<Neighbor>>> {
        self.check_refs(refs)?;
        let q = Queries::prepare(queries, self.dim, self.metric);
        let nprobe = nprobe.clamp(1, self.nlist());
        let cells = DenseRows {
            dim: self.dim,
            data: &self.centroids,
            norms_sq: &self.centroid_norms_sq,
        };
        // Which queries visit each cell.
        let mut visitors: Vec<Vec<u32>> = vec![Vec::new(); self.nlist()];
        for (qi, h) in top_k(&q, &cells, nprobe, self.metric)
            .into_iter()
            .enumerate()
        {
            for c in h.into_sorted() {
                visitors[c.index as usize].push(qi as u32);
            }
        }
        // Each visited cell: its queries against its rows, as one small exact search.
        let partial: Vec<(usize, Vec<TopK>)> = visitors
            .par_iter()
            .enumerate()
            .filter(|(c, v)| !v.is_empty() && !self.lists[*c].is_empty())
            .map(|(c, v)| {
                let sub = q.gather(v);
                let rows = SomeRefs {
                    refs,
                    ids: &self.lists[c],
                };
                (c, top_k(&sub, &rows, k, self.metric))
            })
            .collect();
        let mut out: Vec<TopK> = (0..q.len()).map(|_| TopK::new(k)).collect();
        for (c, heaps) in partial {
            for (&qi, h) in visitors[c].iter().zip(heaps) {
                out[qi as usize].merge(h);
            }
        }
        Ok(out.into_iter().map(TopK::into_sorted).collect())
    }

    fn check_refs(&self, refs: &ReferenceMatrix) -> Result<()> {
        if refs.dim() != self.dim || refs.rows() != self.rows {
            return Err(SearchError::Index(format!(
                "IVF-Flat index was built over {} rows of dimension {}, the references have {} rows of dimension {}",
                self.rows,
                self.dim,
                refs.rows(),
                refs.dim()
            )));
        }
        Ok(())
    }

    /// Writes the index file (header, centroids, lists).
    pub fn write_to(&self, w: &mut impl Write) -> Result<()> {
        let mut payload = Vec::new();
        for &x in &self.centroids {
            payload.extend_from_slice(&x.to_le_bytes());
        }
        for list in &self.lists {
            payload.extend_from_slice(&(list.len() as u64).to_le_bytes());
            for &id in list {
                payload.extend_from_slice(&id.to_le_bytes());
            }
        }
        let h = Header {
            kind: Kind::IvfFlat,
            metric: self.metric,
            dim: self.dim as u64,
            rows: self.rows as u64,
            fingerprint: self.fingerprint,
            param_a: self.nlist() as u64,
            param_b: self.seed,
        };
        persist::write(w, &h, &payload)
    }

    /// Reads an index file written by [`IvfIndex::write_to`], refusing one built over other
    /// references (dimension, row count or content) or damaged.
    pub fn read_from(r: &mut impl Read, refs: &ReferenceMatrix) -> Result<Self> {
        let (h, payload) = persist::read(r, refs)?;
        if h.kind != Kind::IvfFlat {
            return Err(SearchError::Index(
                "file holds an HNSW index, not IVF-Flat".into(),
            ));
        }
        Self::from_payload(&h, &payload)
    }

    pub(crate) fn from_payload(h: &Header, payload: &[u8]) -> Result<Self> {
        let (d, nlist) = (h.dim as usize, h.param_a as usize);
        let mut cur = Cursor::new(payload);
        let centroids = cur.f32s(nlist * d, "centroids")?;
        let mut lists = Vec::with_capacity(nlist);
        let mut seen = 0usize;
        for c in 0..nlist {
            let len = cur.u64(&format!("length of list {c}"))? as usize;
            let ids = cur.u32s(len, &format!("list {c}"))?;
            if ids.iter().any(|&i| i as u64 >= h.rows) {
                return Err(SearchError::Index(format!(
                    "list {c} names a row past the references"
                )));
            }
            seen += ids.len();
            lists.push(ids);
        }
        cur.finish()?;
        if seen != h.rows as usize {
            return Err(SearchError::Index(format!(
                "lists hold {seen} rows, the index was built over {}",
                h.rows
            )));
        }
        Ok(IvfIndex {
            metric: h.metric,
            dim: d,
            rows: h.rows as usize,
            fingerprint: h.fingerprint,
            seed: h.param_b,
            centroid_norms_sq: norms_sq(&centroids, d),
            centroids,
            lists,
        })
    }
}

/// The given reference rows as f32 (unit length for cosine).
fn dense_rows(refs: &ReferenceMatrix, ids: &[u32], metric: Metric) -> Vec<f32> {
    let d = refs.dim();
    let mut out = vec![0.0f32; ids.len() * d];
    out.par_chunks_exact_mut(d)
        .zip(ids.par_iter())
        .for_each(|(dst, &id)| {
            refs.row(id as usize).convert_to_f32_slice(dst);
            if metric == Metric::Cosine {
                normalise(dst);
            }
        });
    out
}

fn normalise(v: &mut [f32]) {
    let n = v
        .iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        .sqrt();
    if n > 0.0 {
        let inv = (1.0 / n) as f32;
        v.iter_mut().for_each(|x| *x *= inv);
    }
}

fn norms_sq(rows: &[f32], d: usize) -> Vec<f32> {
    rows.chunks_exact(d)
        .map(|r| r.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>() as f32)
        .collect()
}
