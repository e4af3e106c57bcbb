//! Nearest-neighbour search over embedding matrices, without I/O beyond `Read`/`Write`.
//!
//! The public surface is deliberately small and stable (the prediction pipeline builds on it):
//! - [`ReferenceMatrix`]: reference vectors, stored as f16 rows (half the memory of f32);
//! - [`SearchParams`] / [`Backend`] / [`Metric`]: what to search and how;
//! - [`search`]: top-k neighbours of each query row, nearest first;
//! - [`AnnIndex`] ([`IvfIndex`], [`HnswIndex`]): approximate indexes built once, searched many
//!   times, written to and read from index files;
//! - [`ReferenceCache`]: loaded references by (embedding config, annotation set, version).
//!
//! Distances: cosine is `1 − cos(q, r)`; l2 is the squared Euclidean distance. Every backend
//! computes them the same way (f32 query against the f16 reference), orders each list by
//! (distance, row index), and applies `distance_threshold` after the top-k cut.

mod cache;
mod error;
mod exact;
mod hnsw;
mod ivf;
mod kernel;
mod persist;
mod rng;
mod topk;
mod types;

pub use cache::{CacheKey, ReferenceCache};
pub use error::{Result, SearchError};
pub use hnsw::{DEFAULT_EF_CONSTRUCTION, HnswIndex};
pub use ivf::{DEFAULT_SEED, IvfIndex};
pub use types::{Backend, Metric, Neighbor, ReferenceMatrix, SearchParams};

use std::io::{Read, Write};

/// Top-`k` neighbours of every row of `queries` (row-major, `refs.dim()` columns), each list
/// sorted by ascending distance (ties by ascending reference index), with neighbours farther
/// than `params.distance_threshold` dropped. Approximate backends build their index on the
/// fly (IVF k-means from [`DEFAULT_SEED`]); build an [`AnnIndex`] once to reuse it.
pub fn search(
    refs: &ReferenceMatrix,
    queries: &[f32],
    params: &SearchParams,
) -> Result<Vec<Vec<Neighbor>>> {
    check(refs, queries, params)?;
    match params.backend {
        Backend::Exact => Ok(exact::search(refs, queries, params)),
        Backend::IvfFlat { .. } | Backend::Hnsw { .. } => {
            AnnIndex::build(refs, params.metric, params.backend)?.search(refs, queries, params)
        }
    }
}

fn check(refs: &ReferenceMatrix, queries: &[f32], params: &SearchParams) -> Result<()> {
    params.validate()?;
    if refs.dim() == 0 || !queries.len().is_multiple_of(refs.dim()) {
        return Err(SearchError::Shape {
            what: "queries",
            len: queries.len(),
            dim: refs.dim(),
        });
    }
    Ok(())
}

/// Drops the neighbours beyond the threshold (lists are sorted, so a prefix stays).
pub(crate) fn cut(mut list: Vec<Neighbor>, threshold: Option<f32>) -> Vec<Neighbor> {
    if let Some(t) = threshold {
        list.retain(|n| n.distance <= t);
    }
    list
}

/// A prebuilt approximate index.
#[derive(Debug)]
pub enum AnnIndex {
    IvfFlat(IvfIndex),
    Hnsw(HnswIndex),
}

impl AnnIndex {
    /// Builds the index `backend` names (IVF from [`DEFAULT_SEED`], HNSW with
    /// [`DEFAULT_EF_CONSTRUCTION`]); `Backend::Exact` needs none and is refused.
    pub fn build(refs: &ReferenceMatrix, metric: Metric, backend: Backend) -> Result<Self> {
        match backend {
            Backend::Exact => Err(SearchError::Unsupported("exact search has no index")),
            Backend::IvfFlat { nlist, .. } => {
                IvfIndex::build(refs, metric, nlist, DEFAULT_SEED).map(AnnIndex::IvfFlat)
            }
            Backend::Hnsw { m, .. } => {
                HnswIndex::build(refs, metric, m, DEFAULT_EF_CONSTRUCTION).map(AnnIndex::Hnsw)
            }
        }
    }

    pub fn metric(&self) -> Metric {
        match self {
            AnnIndex::IvfFlat(i) => i.metric(),
            AnnIndex::Hnsw(i) => i.metric(),
        }
    }

    /// Searches with `params`, which must name this index's kind and metric (the build
    /// parameters `nlist` / `m` may differ only where `nlist` exceeded the reference rows).
    pub fn search(
        &self,
        refs: &ReferenceMatrix,
        queries: &[f32],
        params: &SearchParams,
    ) -> Result<Vec<Vec<Neighbor>>> {
        check(refs, queries, params)?;
        if params.metric != self.metric() {
            return Err(SearchError::Param {
                field: "metric",
                message: format!(
                    "the index was built for {:?}, the search asks for {:?}",
                    self.metric(),
                    params.metric
                ),
            });
        }
        let lists = match (self, params.backend) {
            (AnnIndex::IvfFlat(i), Backend::IvfFlat { nlist, nprobe }) => {
                if nlist.min(refs.rows()).max(1) != i.nlist() {
                    return Err(SearchError::Param {
                        field: "nlist",
                        message: format!(
                            "the index was built with nlist {}, not {nlist}",
                            i.nlist()
                        ),
                    });
                }
                i.search(refs, queries, params.k, nprobe)?
            }
            (AnnIndex::Hnsw(i), Backend::Hnsw { m, ef_search }) => {
                if m != i.m() {
                    return Err(SearchError::Param {
                        field: "m",
                        message: format!("the index was built with M {}, not {m}", i.m()),
                    });
                }
                i.search(refs, queries, params.k, ef_search)?
            }
            _ => {
                return Err(SearchError::Param {
                    field: "backend",
                    message: format!("{:?} cannot search this index", params.backend),
                });
            }
        };
        Ok(lists
            .into_iter()
            .map(|l| cut(l, params.distance_threshold))
            .collect())
    }

    pub fn write_to(&self, w: &mut impl Write) -> Result<()> {
        match self {
            AnnIndex::IvfFlat(i) => i.write_to(w),
            AnnIndex::Hnsw(i) => i.write_to(w),
        }
    }

    /// Reads either kind of index file, checked against `refs`.
    pub fn read_from(r: &mut impl Read, refs: &ReferenceMatrix) -> Result<Self> {
        let (h, payload) = persist::read(r, refs)?;
        match h.kind {
            persist::Kind::IvfFlat => IvfIndex::from_payload(&h, &payload).map(AnnIndex::IvfFlat),
            persist::Kind::Hnsw => HnswIndex::from_payload(&h, &payload).map(AnnIndex::Hnsw),
        }
    }
}
