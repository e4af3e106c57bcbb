//! Pairwise alignment features (original_platform.md §5.10): Needleman–Wunsch and
//! Smith–Waterman with BLOSUM62 and affine gaps, and the five statistics the original
//! took from parasail's traceback lines.
//!
//! With L the number of alignment columns:
//! - identity = columns where both residues are present and byte-equal, / L;
//! - similarity = columns parasail marks `|` (equal ignoring case) or `:` (positive
//!   substitution score), / L;
//! - gaps_pct = (`-` in the aligned query + `-` in the aligned reference) / L;
//! - score = the raw score; length = L.
//!
//! L = 0 (a local alignment without a positive cell) gives 0 for the four ratios and
//! the length, and keeps the score. An empty sequence gives no alignment at all
//! (parasail refuses it), so every feature is `None`.

mod dp;
mod matrix;

pub use dp::{Column, Mode, NEG_INF};
pub use matrix::{ALPHABET, ScoreMatrix};

use crate::error::{FeatureError, Result};
use serde::{Deserialize, Serialize};

/// Gap penalties (subtracted; a gap of length k costs `open + (k − 1)·extend`) and the
/// largest traceback matrix one alignment may allocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlignParams {
    pub gap_open: i32,
    pub gap_extend: i32,
    /// Query length × reference length limit (one byte per cell). The original had
    /// none and could exhaust memory on two giant proteins.
    pub max_cells: usize,
}

impl Default for AlignParams {
    /// The original's parameters: open 10, extend 1 (and a 1 GiB traceback budget).
    fn default() -> AlignParams {
        AlignParams {
            gap_open: 10,
            gap_extend: 1,
            max_cells: 1 << 30,
        }
    }
}

/// A BLOSUM62 aligner with fixed gap penalties.
#[derive(Debug, Clone)]
pub struct Aligner {
    matrix: ScoreMatrix,
    params: AlignParams,
}

impl Default for Aligner {
    fn default() -> Aligner {
        Aligner {
            matrix: ScoreMatrix::blosum62(),
            params: AlignParams::default(),
        }
    }
}

impl Aligner {
    pub fn new(params: AlignParams) -> Result<Aligner> {
        if params.gap_extend < 0 || params.gap_open < params.gap_extend {
            return Err(FeatureError::GapPenalty {
                open: params.gap_open,
                extend: params.gap_extend,
            });
        }
        Ok(Aligner {
            matrix: ScoreMatrix::blosum62(),
            params,
        })
    }

    pub fn params(&self) -> &AlignParams {
        &self.params
    }

    pub fn matrix(&self) -> &ScoreMatrix {
        &self.matrix
    }

    /// Aligns `query` (parasail's s1) with `reference` (s2). `Ok(None)` when either is
    /// empty; an error when the traceback would exceed `max_cells`.
    pub fn align<'a>(
        &self,
        query: &'a [u8],
        reference: &'a [u8],
        mode: Mode,
    ) -> Result<Option<Alignment<'a>>> {
        if query.is_empty() || reference.is_empty() {
            return Ok(None);
        }
        self.check_size(query, reference)?;
        let path = dp::align(
            query,
            reference,
            &self.matrix,
            self.params.gap_open,
            self.params.gap_extend,
            mode,
        );
        Ok(Some(Alignment {
            score: path.score,
            columns: path.columns,
            query,
            reference,
        }))
    }

    /// NW and SW of one pair in a single sweep (faster than two [`Aligner::align`]
    /// calls, same results).
    pub fn align_both<'a>(
        &self,
        query: &'a [u8],
        reference: &'a [u8],
    ) -> Result<Option<(Alignment<'a>, Alignment<'a>)>> {
        if query.is_empty() || reference.is_empty() {
            return Ok(None);
        }
        self.check_size(query, reference)?;
        let (global, local) = dp::align_both(
            query,
            reference,
            &self.matrix,
            self.params.gap_open,
            self.params.gap_extend,
        );
        let wrap = |path: dp::Path| Alignment {
            score: path.score,
            columns: path.columns,
            query,
            reference,
        };
        Ok(Some((wrap(global), wrap(local))))
    }

    fn check_size(&self, query: &[u8], reference: &[u8]) -> Result<()> {
        let cells = query.len().saturating_mul(reference.len());
        if cells > self.params.max_cells {
            return Err(FeatureError::TooLarge {
                query_len: query.len(),
                ref_len: reference.len(),
                max_cells: self.params.max_cells,
            });
        }
        Ok(())
    }

    /// Needleman–Wunsch statistics (`None` for an empty sequence).
    pub fn global_stats(&self, query: &[u8], reference: &[u8]) -> Result<Option<AlignmentStats>> {
        Ok(self
            .align(query, reference, Mode::Global)?
            .map(|a| a.stats(&self.matrix)))
    }

    /// Smith–Waterman statistics (`None` for an empty sequence).
    pub fn local_stats(&self, query: &[u8], reference: &[u8]) -> Result<Option<AlignmentStats>> {
        Ok(self
            .align(query, reference, Mode::Local)?
            .map(|a| a.stats(&self.matrix)))
    }
}

/// A scored path over two sequences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alignment<'a> {
    pub score: i32,
    pub columns: Vec<Column>,
    query: &'a [u8],
    reference: &'a [u8],
}

/// The five per-mode statistics of §5.10.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AlignmentStats {
    pub identity: f64,
    pub similarity: f64,
    pub score: f64,
    pub gaps_pct: f64,
    pub length: f64,
}

impl Alignment<'_> {
    /// Counts over the columns, exactly as the original counted over parasail's lines
    /// (a `-` byte inside a sequence counts as a gap there too).
    pub fn stats(&self, matrix: &ScoreMatrix) -> AlignmentStats {
        let (mut identical, mut similar, mut gaps) = (0usize, 0usize, 0usize);
        for column in &self.columns {
            match *column {
                Column::Pair { q, r } => {
                    let (a, b) = (self.query[q], self.reference[r]);
                    gaps += usize::from(a == b'-') + usize::from(b == b'-');
                    identical += usize::from(a == b && a != b'-');
                    similar += usize::from(comparison(a, b, matrix) != b'.');
                }
                Column::Del { q } => gaps += 1 + usize::from(self.query[q] == b'-'),
                Column::Ins { r } => gaps += 1 + usize::from(self.reference[r] == b'-'),
            }
        }
        let length = self.columns.len();
        let ratio = |count: usize| {
            if length == 0 {
                0.0
            } else {
                count as f64 / length as f64
            }
        };
        AlignmentStats {
            identity: ratio(identical),
            similarity: ratio(similar),
            score: f64::from(self.score),
            gaps_pct: ratio(gaps),
            length: length as f64,
        }
    }

    /// parasail's three traceback lines: aligned query, comparison (`|` equal ignoring
    /// case, `:` positive score, `.` otherwise, space at a gap), aligned reference.
    pub fn lines(&self, matrix: &ScoreMatrix) -> (String, String, String) {
        let mut q_line = Vec::with_capacity(self.columns.len());
        let mut c_line = Vec::with_capacity(self.columns.len());
        let mut r_line = Vec::with_capacity(self.columns.len());
        for column in &self.columns {
            let (a, c, b) = match *column {
                Column::Pair { q, r } => {
                    let (a, b) = (self.query[q], self.reference[r]);
                    (a, comparison(a, b, matrix), b)
                }
                Column::Del { q } => (self.query[q], b' ', b'-'),
                Column::Ins { r } => (b'-', b' ', self.reference[r]),
            };
            q_line.push(a);
            c_line.push(c);
            r_line.push(b);
        }
        let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
        (text(q_line), text(c_line), text(r_line))
    }
}

fn comparison(a: u8, b: u8, matrix: &ScoreMatrix) -> u8 {
    if a.eq_ignore_ascii_case(&b) {
        b'|'
    } else if matrix.score(a, b) > 0 {
        b':'
    } else {
        b'.'
    }
}

/// The alignment columns of one (query, reference) pair, named as `go_prediction`'s.
/// Every field is `None` when alignments are off, a sequence is empty or the pair is
/// over the size limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct AlignmentFeatures {
    pub identity_nw: Option<f64>,
    pub similarity_nw: Option<f64>,
    pub alignment_score_nw: Option<f64>,
    pub gaps_pct_nw: Option<f64>,
    pub alignment_length_nw: Option<f64>,
    pub identity_sw: Option<f64>,
    pub similarity_sw: Option<f64>,
    pub alignment_score_sw: Option<f64>,
    pub gaps_pct_sw: Option<f64>,
    pub alignment_length_sw: Option<f64>,
    pub length_query: Option<i32>,
    pub length_ref: Option<i32>,
}

impl AlignmentFeatures {
    /// NW and SW with the original's parameters (BLOSUM62, open 10, extend 1).
    pub fn compute(query: &str, reference: &str) -> AlignmentFeatures {
        AlignmentFeatures::compute_with(&Aligner::default(), query, reference)
    }

    /// NW and SW with `aligner`'s parameters. `length_query`/`length_ref` come with the
    /// NW result, as in the original.
    pub fn compute_with(aligner: &Aligner, query: &str, reference: &str) -> AlignmentFeatures {
        let (q, r) = (query.as_bytes(), reference.as_bytes());
        let Ok(Some((nw, sw))) = aligner.align_both(q, r) else {
            return AlignmentFeatures::default();
        };
        let (nw, sw) = (nw.stats(aligner.matrix()), sw.stats(aligner.matrix()));
        AlignmentFeatures {
            identity_nw: Some(nw.identity),
            similarity_nw: Some(nw.similarity),
            alignment_score_nw: Some(nw.score),
            gaps_pct_nw: Some(nw.gaps_pct),
            alignment_length_nw: Some(nw.length),
            identity_sw: Some(sw.identity),
            similarity_sw: Some(sw.similarity),
            alignment_score_sw: Some(sw.score),
            gaps_pct_sw: Some(sw.gaps_pct),
            alignment_length_sw: Some(sw.length),
            length_query: i32::try_from(q.len()).ok(),
            length_ref: i32::try_from(r.len()).ok(),
        }
    }
}
