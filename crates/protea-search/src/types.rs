use half::f16;
use half::slice::HalfFloatSliceExt;
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

/// Reference vectors as f16 rows, row-major, with their squared norms (computed once from the
/// stored f16 values, so every backend measures the same vectors).
#[derive(Debug, Clone, Default)]
pub struct ReferenceMatrix {
    dim: usize,
    data: Vec<f16>,
    norms_sq: Vec<f32>,
}

impl ReferenceMatrix {
    /// Rows of `dim` f32 values, converted to f16.
    pub fn from_f32(data: &[f32], dim: usize) -> Result<Self> {
        let mut half = vec![f16::ZERO; data.len()];
        half.convert_from_f32_slice(data);
        Self::from_f16(half, dim)
    }

    /// Rows of `dim` f16 values, taken as they are (the reference cache stores f16).
    pub fn from_f16(data: Vec<f16>, dim: usize) -> Result<Self> {
        if dim == 0 || !data.len().is_multiple_of(dim) {
            return Err(SearchError::Shape {
                what: "references",
                len: data.len(),
                dim,
            });
        }
        let mut m = ReferenceMatrix {
            dim,
            data,
            norms_sq: Vec::new(),
        };
        let mut row = vec![0.0f32; dim];
        m.norms_sq = (0..m.rows())
            .map(|i| {
                m.row(i).convert_to_f32_slice(&mut row);
                row.iter()
                    .map(|&x| f64::from(x) * f64::from(x))
                    .sum::<f64>() as f32
            })
            .collect();
        Ok(m)
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn rows(&self) -> usize {
        self.data.len().checked_div(self.dim).unwrap_or(0)
    }

    /// Row `i` as f16.
    pub fn row(&self, i: usize) -> &[f16] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// All rows, row-major.
    pub fn as_f16(&self) -> &[f16] {
        &self.data
    }

    /// Squared Euclidean norm of every row (of the f16 values).
    pub fn norms_sq(&self) -> &[f32] {
        &self.norms_sq
    }

    /// A 64-bit digest of the dimension and every stored value: an index file records it so
    /// that it is refused when loaded against other references (not a cryptographic hash).
    pub fn fingerprint(&self) -> u64 {
        let mut h = crate::persist::Digest::new();
        h.update_u64(self.dim as u64);
        h.update_u64(self.data.len() as u64);
        for chunk in self.data.chunks(4) {
            let mut w = 0u64;
            for (i, x) in chunk.iter().enumerate() {
                w |= u64::from(x.to_bits()) << (16 * i);
            }
            h.update_u64(w);
        }
        h.finish()
    }
}
