//! PCA of embeddings (`fit_embedding_pca`, ecosystem.md §4.5–4.6): fitted once per
//! embedding configuration, persisted, and used for the `emb_pca_query_*` features.
//!
//! The fit is the eigendecomposition of the centred covariance (faer, f64), which gives
//! the right singular vectors numpy's thin SVD gives, up to sign; we fix the sign (the
//! largest-magnitude entry of each component is positive) so a fit is reproducible.

use std::io::{Read, Write};

use faer::{Mat, Side};
use serde::{Deserialize, Serialize};

use crate::error::{RerankerError, Result};

/// `EMBEDDING_PCA_DIM`: the number of `emb_pca_query_*` columns.
pub const EMBEDDING_PCA_DIM: usize = 16;
/// Fits on at most this many rows (a deterministic subsample beyond).
pub const MAX_FIT_SAMPLES: usize = 50_000;
/// Seed of the subsample.
pub const PCA_SEED: u64 = 42;

/// A fitted PCA: `project(q) = (q − mean) · componentsᵀ`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PcaState {
    pub dim: usize,
    pub n_components: usize,
    /// `dim` values.
    pub mean: Vec<f32>,
    /// `n_components × dim`, row-major, unit rows, by decreasing variance.
    pub components: Vec<f32>,
    /// Rows the fit used (after subsampling).
    pub n_fit_samples: usize,
}

/// Fits PCA on `embeddings` (row-major, `dim` columns): subsample to `max_fit_samples`
/// rows when larger (deterministic for `seed`; the original uses numpy's generator, which
/// we do not reproduce), centre, top `n_components` principal axes.
pub fn fit_embedding_pca(
    embeddings: &[f32],
    dim: usize,
    n_components: usize,
    max_fit_samples: usize,
    seed: u64,
) -> Result<PcaState> {
    if dim == 0 || !embeddings.len().is_multiple_of(dim) {
        return Err(RerankerError::input(
            "embeddings",
            format!(
                "{} values is not a whole number of rows of {dim}",
                embeddings.len()
            ),
        ));
    }
    let n = embeddings.len() / dim;
    if n_components == 0 || n_components > dim || n_components > n {
        return Err(RerankerError::input(
            "n_components",
            format!("{n_components} components from {n} rows of dimension {dim}"),
        ));
    }
    let rows: Vec<usize> = if n > max_fit_samples {
        subsample(n, max_fit_samples, seed)
    } else {
        (0..n).collect()
    };
    let m = rows.len();
    let mut mean = vec![0f64; dim];
    for &r in &rows {
        for (acc, &v) in mean.iter_mut().zip(&embeddings[r * dim..(r + 1) * dim]) {
            *acc += v as f64;
        }
    }
    for v in &mut mean {
        *v /= m as f64;
    }
    let centred = Mat::<f64>::from_fn(m, dim, |i, j| {
        embeddings[rows[i] * dim + j] as f64 - mean[j]
    });
    let covariance: Mat<f64> = centred.as_ref().transpose() * centred.as_ref();
    let eigen = covariance.self_adjoint_eigen(Side::Lower).map_err(|e| {
        RerankerError::input("embeddings", format!("eigendecomposition failed: {e:?}"))
    })?;
    let u = eigen.U();
    let mut components = Vec::with_capacity(n_components * dim);
    // Eigenvalues rise, so the principal axes are the last columns.
    for c in (dim - n_components..dim).rev() {
        let column: Vec<f64> = (0..dim).map(|i| u[(i, c)]).collect();
        let pivot =
            column.iter().copied().fold(
                0.0f64,
                |best, v| if v.abs() > best.abs() { v } else { best },
            );
        let sign = if pivot < 0.0 { -1.0 } else { 1.0 };
        components.extend(column.iter().map(|v| (v * sign) as f32));
    }
    Ok(PcaState {
        dim,
        n_components,
        mean: mean.iter().map(|&v| v as f32).collect(),
        components,
        n_fit_samples: m,
    })
}

/// `k` distinct row indices of `0..n`, ascending: a partial Fisher–Yates shuffle driven
/// by splitmix64 (deterministic across platforms).
fn subsample(n: usize, k: usize, seed: u64) -> Vec<usize> {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut pool: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = i + (next() % (n - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(k);
    pool.sort_unstable();
    pool
}

impl PcaState {
    /// The coordinates of one embedding (`dim` values).
    pub fn project(&self, query: &[f32]) -> Result<Vec<f32>> {
        if query.len() != self.dim {
            return Err(RerankerError::input(
                "query embedding",
                format!("{} values, the PCA was fitted on {}", query.len(), self.dim),
            ));
        }
        let centred: Vec<f32> = query.iter().zip(&self.mean).map(|(q, m)| q - m).collect();
        Ok(self
            .components
            .chunks(self.dim)
            .map(|c| c.iter().zip(&centred).map(|(a, b)| a * b).sum())
            .collect())
    }

    /// Writes the state as JSON (f32 values round-trip exactly).
    pub fn write_json<W: Write>(&self, w: W) -> Result<()> {
        serde_json::to_writer(w, self).map_err(|e| RerankerError::input("PCA state", e.to_string()))
    }

    /// Reads a state written by [`PcaState::write_json`], checking its shape; `source`
    /// names it in errors. A caller that caches states treats an error as a miss.
    pub fn read_json<R: Read>(r: R, source: &str) -> Result<Self> {
        let state: Self = serde_json::from_reader(r).map_err(|e| RerankerError::File {
            path: source.to_string(),
            message: e.to_string(),
        })?;
        if state.mean.len() != state.dim || state.components.len() != state.dim * state.n_components
        {
            return Err(RerankerError::File {
                path: source.to_string(),
                message: "PCA state arrays do not match dim × n_components".into(),
            });
        }
        Ok(state)
    }
}
