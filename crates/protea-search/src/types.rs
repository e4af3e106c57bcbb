use half::f16;
use serde::{Deserialize, Serialize};

use crate::error::{Result, SearchError};

/// Distance between a query and a reference vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// `1 − cos(q, r)`, in [0, 2].
    Cosine,
    /// Squared Euclidean distance.
    L2,
}

/// How the neighbours are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Backend {
    /// Every reference is scored (the payload's `search_backend = "numpy"`).
    Exact,
    /// Inverted file over `nlist` k-means cells, `nprobe` of them visited per query.
    IvfFlat { nlist: usize, nprobe: usize },
    /// Hierarchical navigable small-world graph.
    Hnsw { m: usize, ef_search: usize },
}

/// One neighbour of a query: the reference's row index and its distance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Neighbor {
    pub index: u32,
    pub distance: f32,
}

/// What to search for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchParams {
    pub k: usize,
    pub metric: Metric,
    pub backend: Backend,
    /// Neighbours with a larger distance are dropped (after the top-k cut).
    pub distance_threshold: Option<f32>,
}

impl SearchParams {
    pub fn exact(k: usize, metric: Metric) -> Self {
        SearchParams {
            k,
            metric,
            backend: Backend::Exact,
            distance_threshold: None,
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        let bad = |field, message: &str| {
            Err(SearchError::Param {
                field,
                message: message.to_owned(),
            })
        };
        if self.k == 0 {
            return bad("k", "must be at least 1");
        }
        match self.backend {
            Backend::IvfFlat { nlist, nprobe } if nlist == 0 || nprobe == 0 => {
                bad("nlist/nprobe", "must be at least 1")
            }
            Backend::Hnsw { m, ef_search } if m < 2 || ef_search == 0 => bad(
                "m/ef_search",
                "m must be at least 2 and ef_search at least 1",
            ),
            _ => Ok(()),
        }
    }
}

/// Reference vectors as f16 rows, row-major.
#[derive(Debug, Clone, Default)]
pub struct ReferenceMatrix {
    dim: usize,
    data: Vec<f16>,
}

impl ReferenceMatrix {
    /// Rows of `dim` f32 values, converted to f16.
    pub fn from_f32(data: &[f32], dim: usize) -> Result<Self> {
        if dim == 0 || data.len() % dim != 0 {
            return Err(SearchError::Shape {
                what: "references",
                len: data.len(),
                dim,
            });
        }
        Ok(ReferenceMatrix {
            dim,
            data: data.iter().map(|&x| f16::from_f32(x)).collect(),
        })
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn rows(&self) -> usize {
        if self.dim == 0 {
            0
        } else {
            self.data.len() / self.dim
        }
    }

    /// Row `i` as f16.
    pub fn row(&self, i: usize) -> &[f16] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }
}
