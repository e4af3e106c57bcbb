//! The reference side of a prediction: vectors, their transferable annotations and the
//! search pools built from them.

use std::collections::HashMap;

use protea_core::Aspect;
use protea_evaluation::evidence::{is_experimental, is_negated};
use protea_search::ReferenceMatrix;
use serde::{Deserialize, Serialize};

use crate::error::{PredictError, Result};

/// One GO annotation of a reference protein.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefAnnotation {
    /// The `go_term` row id.
    pub go_term_id: i64,
    pub aspect: Aspect,
    pub qualifier: Option<String>,
    pub evidence_code: Option<String>,
}

/// Which annotations may be transferred and how references are pooled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReferenceOptions {
    /// One pool per aspect (P, F, C) instead of one pool over every reference.
    pub aspect_separated: bool,
    /// Transfer only annotations with an experimental evidence code.
    pub experimental_only: bool,
}

/// A searchable subset of the references: its rows (indices into the reference set) and
/// their vectors.
#[derive(Debug, Clone)]
pub(crate) struct Pool {
    pub(crate) rows: Vec<u32>,
    pub(crate) matrix: ReferenceMatrix,
}

/// References ready for transfer.
///
/// Negated annotations (`NOT` qualifiers) are dropped here, once, so they can never be
/// transferred; with `experimental_only`, so are non-experimental ones. A reference left
/// without any transferable annotation is in no pool (it could only add empty neighbours).
/// `go_term_frequency` and `ref_annotation_density` are counted over the whole reference
/// set, not over the neighbours of one batch: the original's batch-dependent counts differed
/// between training and serving (original_platform.md §5.9, §9.2).
#[derive(Debug, Clone)]
pub struct ReferenceSet {
    accessions: Vec<String>,
    annotations: Vec<Vec<RefAnnotation>>,
    options: ReferenceOptions,
    /// `[unified]` or `[P, F, C]`.
    pools: Vec<(Option<Aspect>, Pool)>,
    term_frequency: HashMap<i64, u32>,
    dim: usize,
}

impl ReferenceSet {
    /// `matrix` row `i` is the vector of `accessions[i]`, annotated with `annotations[i]`.
    pub fn build(
        matrix: &ReferenceMatrix,
        accessions: Vec<String>,
        annotations: Vec<Vec<RefAnnotation>>,
        options: ReferenceOptions,
    ) -> Result<ReferenceSet> {
        if accessions.len() != matrix.rows() || annotations.len() != matrix.rows() {
            return Err(PredictError::Shape {
                what: "references",
                message: format!(
                    "{} vectors, {} accessions, {} annotation lists",
                    matrix.rows(),
                    accessions.len(),
                    annotations.len()
                ),
            });
        }
        let annotations: Vec<Vec<RefAnnotation>> = annotations
            .into_iter()
            .map(|list| {
                list.into_iter()
                    .filter(|a| !is_negated(a.qualifier.as_deref()))
                    .filter(|a| {
                        !options.experimental_only || is_experimental(a.evidence_code.as_deref())
                    })
                    .collect()
            })
            .collect();
        let mut term_frequency: HashMap<i64, u32> = HashMap::new();
        for a in annotations.iter().flatten() {
            *term_frequency.entry(a.go_term_id).or_default() += 1;
        }
        let keys: Vec<Option<Aspect>> = if options.aspect_separated {
            Aspect::ALL.into_iter().map(Some).collect()
        } else {
            vec![None]
        };
        let pools = keys
            .into_iter()
            .map(|key| {
                let rows: Vec<u32> = (0..annotations.len())
                    .filter(|&i| {
                        annotations[i]
                            .iter()
                            .any(|a| key.is_none_or(|k| a.aspect == k))
                    })
                    .map(|i| i as u32)
                    .collect();
                let pool = sub_matrix(matrix, rows)?;
                Ok((key, pool))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ReferenceSet {
            accessions,
            annotations,
            options,
            pools,
            term_frequency,
            dim: matrix.dim(),
        })
    }

    pub fn len(&self) -> usize {
        self.accessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accessions.is_empty()
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn options(&self) -> ReferenceOptions {
        self.options
    }

    pub fn accession(&self, row: u32) -> &str {
        &self.accessions[row as usize]
    }

    /// The transferable annotations of reference `row`.
    pub fn annotations(&self, row: u32) -> &[RefAnnotation] {
        &self.annotations[row as usize]
    }

    /// Number of transferable annotation rows of reference `row`.
    pub fn annotation_density(&self, row: u32) -> u32 {
        self.annotations[row as usize].len() as u32
    }

    /// Number of transferable annotation rows with this term over all references.
    pub fn term_frequency(&self, go_term_id: i64) -> u32 {
        self.term_frequency.get(&go_term_id).copied().unwrap_or(0)
    }

    /// Size of each pool: `[(None, n)]`, or one entry per aspect.
    pub fn pool_sizes(&self) -> Vec<(Option<Aspect>, usize)> {
        self.pools.iter().map(|(k, p)| (*k, p.rows.len())).collect()
    }

    /// References that can donate at least one term.
    pub fn searchable(&self) -> usize {
        let mut seen = vec![false; self.len()];
        for (_, pool) in &self.pools {
            for &r in &pool.rows {
                seen[r as usize] = true;
            }
        }
        seen.into_iter().filter(|&s| s).count()
    }

    pub(crate) fn pools(&self) -> &[(Option<Aspect>, Pool)] {
        &self.pools
    }
}

/// The rows `rows` of `matrix` as a new matrix (f16 → f32 → f16 is exact).
fn sub_matrix(matrix: &ReferenceMatrix, rows: Vec<u32>) -> Result<Pool> {
    let dim = matrix.dim().max(1);
    let mut data = Vec::with_capacity(rows.len() * dim);
    for &r in &rows {
        data.extend(matrix.row(r as usize).iter().map(|x| x.to_f32()));
    }
    let matrix = ReferenceMatrix::from_f32(&data, dim)?;
    Ok(Pool { rows, matrix })
}
