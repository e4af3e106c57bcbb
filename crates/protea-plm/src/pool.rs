//! From per-layer residue tensors to stored vectors: layer selection and
//! aggregation, pooling, normalisation and chunking, reproducing the
//! reference `embed_chunks` pipeline (ecosystem §5.3–5.4).
//!
//! Layer indices follow the original EmbeddingConfig's *reverse* convention:
//! index `k ≥ 0` means `hidden_states[-(k+1)]` (0 = last, 1 = penultimate).
//! Negative indices are accepted too and count from the end Python-style
//! (−1 = last = 0, −2 = 1), so `-1` and `0` name the same layer. Indices are
//! deduplicated and sorted (in reverse-index order, deepest first), and the
//! `last` aggregation takes the *last element of that sorted list*, i.e. the
//! shallowest selected layer, exactly as the reference does.

use crate::error::{PlmError, Result};
use serde::{Deserialize, Serialize};

/// A row-major `rows × cols` float32 matrix (a residue tensor).
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f32>,
}

impl Matrix {
    /// Row `i` as a slice.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }
}

/// How the selected layers are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LayerAgg {
    #[default]
    Mean,
    /// The last element of the sorted reverse-index list (the shallowest).
    Last,
    /// Concatenated along the feature axis, deepest first.
    Concat,
}

/// How residues of a span become one vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Pooling {
    #[default]
    Mean,
    Max,
    /// The token at position 0 before stripping (ESM: `<cls>`); no chunking.
    Cls,
    /// mean ‖ max (twice the width).
    MeanMax,
}

impl std::str::FromStr for LayerAgg {
    type Err = PlmError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "mean" => Ok(Self::Mean),
            "last" => Ok(Self::Last),
            "concat" => Ok(Self::Concat),
            _ => Err(PlmError::option(
                "layer_agg",
                format!("{s:?} is not one of mean, last, concat"),
            )),
        }
    }
}

impl std::str::FromStr for Pooling {
    type Err = PlmError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "mean" => Ok(Self::Mean),
            "max" => Ok(Self::Max),
            "cls" => Ok(Self::Cls),
            "mean_max" => Ok(Self::MeanMax),
            _ => Err(PlmError::option(
                "pooling",
                format!("{s:?} is not one of mean, max, cls, mean_max"),
            )),
        }
    }
}

/// The embedding options of one EmbeddingConfig (the model itself aside).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbedOptions {
    /// Reverse-convention layer indices (see the module docs); default `[0]`, the last.
    pub layer_indices: Vec<i64>,
    pub layer_agg: LayerAgg,
    pub pooling: Pooling,
    /// L2-normalise each pooled vector.
    pub normalize: bool,
    /// L2-normalise each residue row before pooling.
    pub normalize_residues: bool,
    /// Maximum tokens per sequence, special tokens included, as the
    /// reference tokenisers count them; `None` = the model's own maximum.
    pub max_length: Option<usize>,
    /// `Some((size, overlap))` to pool fixed windows instead of the whole sequence.
    pub chunking: Option<(usize, usize)>,
}

impl Default for EmbedOptions {
    fn default() -> Self {
        Self {
            layer_indices: vec![0],
            layer_agg: LayerAgg::Mean,
            pooling: Pooling::Mean,
            normalize: false,
            normalize_residues: false,
            max_length: None,
            chunking: None,
        }
    }
}

/// One stored vector: a whole sequence (`chunk_e = None`) or the residues
/// `chunk_s..chunk_e` (0-based, end exclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkEmbedding {
    pub chunk_s: usize,
    pub chunk_e: Option<usize>,
    pub vector: Vec<f32>,
}

/// Resolves layer indices against `available` hidden states: returns the
/// sorted, deduplicated reverse indices (deepest first).
pub fn resolve_layers(
    indices: &[i64],
    available: usize,
    model: &str,
    seq: &str,
) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(indices.len());
    for &i in indices {
        let rev = if i < 0 { -i - 1 } else { i };
        if rev as usize >= available {
            return Err(PlmError::Layer {
                index: i,
                model: model.to_owned(),
                available,
                sequence_start: seq.chars().take(20).collect(),
            });
        }
        out.push(rev as usize);
    }
    if out.is_empty() {
        return Err(PlmError::option(
            "layer_indices",
            "at least one layer is needed",
        ));
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// `compute_chunk_spans`: windows of `size` residues stepping by
/// `size − overlap` while the start is inside the sequence (the tail window
/// may be a single residue).
pub fn chunk_spans(len: usize, size: usize, overlap: usize) -> Result<Vec<(usize, usize)>> {
    if size == 0 {
        return Err(PlmError::option("chunk_size", "must be at least 1"));
    }
    if overlap >= size {
        return Err(PlmError::option(
            "chunk_overlap",
            format!("overlap {overlap} must be smaller than chunk_size {size}"),
        ));
    }
    let step = size - overlap;
    Ok((0..len)
        .step_by(step)
        .map(|s| (s, (s + size).min(len)))
        .collect())
}

/// Combines per-layer vectors or matrices (all the same shape), in the
/// order of the sorted reverse indices.
pub fn aggregate(parts: &[&[f32]], cols: usize, agg: LayerAgg) -> Vec<f32> {
    match agg {
        LayerAgg::Last => parts[parts.len() - 1].to_vec(),
        LayerAgg::Mean => {
            let mut out = parts[0].to_vec();
            for p in &parts[1..] {
                out.iter_mut().zip(p.iter()).for_each(|(o, v)| *o += v);
            }
            let n = parts.len() as f32;
            out.iter_mut().for_each(|o| *o /= n);
            out
        }
        LayerAgg::Concat => {
            let rows = parts[0].len() / cols.max(1);
            let mut out = Vec::with_capacity(parts.len() * parts[0].len());
            for r in 0..rows {
                for p in parts {
                    out.extend_from_slice(&p[r * cols..(r + 1) * cols]);
                }
            }
            out
        }
    }
}

/// L2-normalises in place (a zero vector stays zero, like `F.normalize`).
pub fn l2_normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= norm);
}

/// Pools rows `s..e` of `m`.
fn pool_span(m: &Matrix, s: usize, e: usize, pooling: Pooling) -> Vec<f32> {
    let mean = || {
        let mut acc = vec![0f32; m.cols];
        for r in s..e {
            acc.iter_mut().zip(m.row(r)).for_each(|(a, v)| *a += v);
        }
        acc.iter_mut().for_each(|a| *a /= (e - s) as f32);
        acc
    };
    let max = || {
        let mut acc = vec![f32::NEG_INFINITY; m.cols];
        for r in s..e {
            acc.iter_mut()
                .zip(m.row(r))
                .for_each(|(a, v)| *a = a.max(*v));
        }
        acc
    };
    match pooling {
        Pooling::Mean => mean(),
        Pooling::Max => max(),
        Pooling::MeanMax => {
            let mut v = mean();
            v.extend(max());
            v
        }
        Pooling::Cls => unreachable!("cls pooling never reaches span pooling"),
    }
}

/// The residue tensor after layer aggregation and optional row normalisation.
pub fn residue_tensor(layers: &[Matrix], opts: &EmbedOptions) -> Matrix {
    let parts: Vec<&[f32]> = layers.iter().map(|m| m.data.as_slice()).collect();
    let cols = layers[0].cols;
    let data = aggregate(&parts, cols, opts.layer_agg);
    let out_cols = if opts.layer_agg == LayerAgg::Concat {
        cols * layers.len()
    } else {
        cols
    };
    let mut m = Matrix {
        rows: layers[0].rows,
        cols: out_cols,
        data,
    };
    if opts.normalize_residues && m.cols > 0 {
        m.data.chunks_mut(m.cols).for_each(l2_normalize);
    }
    m
}

/// The `embed_chunks` step for one sequence: `layers` are the selected
/// layers' stripped residue tensors (N rows each, sorted reverse-index
/// order) and `cls` the same layers' position-0 token vectors.
pub fn pool_sequence(
    id: &str,
    layers: &[Matrix],
    cls: &[Vec<f32>],
    opts: &EmbedOptions,
) -> Result<Vec<ChunkEmbedding>> {
    if opts.pooling == Pooling::Cls {
        let parts: Vec<&[f32]> = cls.iter().map(Vec::as_slice).collect();
        let mut v = aggregate(&parts, cls[0].len(), opts.layer_agg);
        if opts.normalize {
            l2_normalize(&mut v);
        }
        return Ok(vec![ChunkEmbedding {
            chunk_s: 0,
            chunk_e: None,
            vector: v,
        }]);
    }
    let m = residue_tensor(layers, opts);
    if m.rows == 0 {
        return Err(PlmError::Sequence {
            id: id.to_owned(),
            message: "no residues to pool".into(),
        });
    }
    let spans: Vec<(usize, Option<usize>)> = match opts.chunking {
        Some((size, overlap)) => chunk_spans(m.rows, size, overlap)?
            .into_iter()
            .map(|(s, e)| (s, Some(e)))
            .collect(),
        None => vec![(0, None)],
    };
    Ok(spans
        .into_iter()
        .map(|(s, e)| {
            let mut v = pool_span(&m, s, e.unwrap_or(m.rows), opts.pooling);
            if opts.normalize {
                l2_normalize(&mut v);
            }
            ChunkEmbedding {
                chunk_s: s,
                chunk_e: e,
                vector: v,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_follow_the_reference_example() {
        assert_eq!(
            chunk_spans(10, 3, 1).unwrap(),
            vec![(0, 3), (2, 5), (4, 7), (6, 9), (8, 10)]
        );
        assert!(chunk_spans(10, 3, 3).is_err());
    }

    #[test]
    fn layers_resolve_in_both_conventions() {
        assert_eq!(
            resolve_layers(&[-1, 0, 2, -2], 4, "m", "MK").unwrap(),
            vec![0, 1, 2]
        );
        assert!(resolve_layers(&[4], 4, "m", "MK").is_err());
        assert!(resolve_layers(&[-5], 4, "m", "MK").is_err());
    }

    #[test]
    fn last_takes_the_shallowest_and_concat_interleaves_rows() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [5.0, 6.0, 7.0, 8.0];
        assert_eq!(aggregate(&[&a, &b], 2, LayerAgg::Last), b.to_vec());
        assert_eq!(
            aggregate(&[&a, &b], 2, LayerAgg::Mean),
            vec![3.0, 4.0, 5.0, 6.0]
        );
        assert_eq!(
            aggregate(&[&a, &b], 2, LayerAgg::Concat),
            vec![1.0, 2.0, 5.0, 6.0, 3.0, 4.0, 7.0, 8.0]
        );
    }
}
