//! Gotoh dynamic programming (affine gaps) with a one-byte-per-cell traceback.
//!
//! Hand-written rather than parasail-rs: the C build needs cmake and libclang, and the
//! original's features depend on *which* co-optimal path parasail's striped traceback
//! reports, not only on the score. This module reproduces that choice (verified on the
//! committed parasail fixtures):
//! - `H` prefers the diagonal, then the vertical gap `F` (query residue against `-`),
//!   then the horizontal gap `E` (`-` against reference residue); in local mode a cell
//!   whose value is 0 ends the path;
//! - a gap state opens only when opening is *strictly* better than extending (a tie
//!   extends);
//! - local mode ends at the best cell with the smallest reference index, then the
//!   smallest query index; a local alignment with no positive cell has parasail's
//!   score `i32::MIN / 2` and an empty path.
//!
//! The penalty convention is parasail's: a gap of length k costs `open + (k − 1)·extend`.

use super::matrix::ScoreMatrix;

/// Lowest score, as parasail's 32-bit kernels use it (also their "no local hit" score).
pub const NEG_INF: i32 = i32::MIN / 2;

const H_ZERO: u8 = 0;
const H_DIAG: u8 = 1;
const H_DEL: u8 = 2;
const H_INS: u8 = 3;
const H_MASK: u8 = 3;
const E_OPENS: u8 = 4;
const F_OPENS: u8 = 8;

/// Global (Needleman–Wunsch) or local (Smith–Waterman).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Global,
    Local,
}

/// One alignment column: indices into the query (`q`) and the reference (`r`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// Query residue against reference residue.
    Pair { q: usize, r: usize },
    /// Query residue against a gap.
    Del { q: usize },
    /// A gap against a reference residue.
    Ins { r: usize },
}

/// Score and path (first column first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Path {
    pub(super) score: i32,
    pub(super) columns: Vec<Column>,
}

/// Aligns non-empty `query` (rows) and `reference` (columns).
pub(super) fn align(
    query: &[u8],
    reference: &[u8],
    matrix: &ScoreMatrix,
    open: i32,
    extend: i32,
    mode: Mode,
) -> Path {
    let (m, n) = (query.len(), reference.len());
    debug_assert!(m > 0 && n > 0);
    let ref_index: Vec<u8> = reference.iter().map(|&b| matrix.index(b)).collect();
    // Monomorphised per mode so the hot loop carries no mode test.
    match mode {
        Mode::Global => {
            let mut lane = Lane::<false>::new(m, n, open, extend);
            for i in 1..=m {
                let scores = matrix.row(matrix.index(query[i - 1]));
                lane.row(i, &ref_index, scores);
            }
            lane.finish(m, n)
        }
        Mode::Local => {
            let mut lane = Lane::<true>::new(m, n, open, extend);
            for i in 1..=m {
                let scores = matrix.row(matrix.index(query[i - 1]));
                lane.row(i, &ref_index, scores);
            }
            lane.finish(m, n)
        }
    }
}

/// Global and local alignment of the same pair (one query row of each in turn, sharing
/// the score lookups).
pub(super) fn align_both(
    query: &[u8],
    reference: &[u8],
    matrix: &ScoreMatrix,
    open: i32,
    extend: i32,
) -> (Path, Path) {
    let (m, n) = (query.len(), reference.len());
    debug_assert!(m > 0 && n > 0);
    let ref_index: Vec<u8> = reference.iter().map(|&b| matrix.index(b)).collect();
    let mut global = Lane::<false>::new(m, n, open, extend);
    let mut local = Lane::<true>::new(m, n, open, extend);
    let mut row_scores = vec![0i32; n];
    for i in 1..=m {
        let scores = matrix.row(matrix.index(query[i - 1]));
        for (s, &residue) in row_scores.iter_mut().zip(&ref_index) {
            *s = scores[usize::from(residue)];
        }
        global.row_scored(i, &row_scores);
        local.row_scored(i, &row_scores);
    }
    (global.finish(m, n), local.finish(m, n))
}

/// The state of one DP: H and F of the previous row (overwritten as a row advances),
/// the traceback bytes, and the best local cell.
struct Lane<const LOCAL: bool> {
    open: i32,
    extend: i32,
    n: usize,
    h_row: Vec<i32>,
    f_row: Vec<i32>,
    trace: Vec<u8>,
    best: i32,
    best_i: usize,
    best_j: usize,
    row_scores: Vec<i32>,
    diag: Vec<i32>,
    ht: Vec<i32>,
    e: Vec<i32>,
}

impl<const LOCAL: bool> Lane<LOCAL> {
    fn new(m: usize, n: usize, open: i32, extend: i32) -> Lane<LOCAL> {
        Lane {
            open,
            extend,
            n,
            h_row: (0..=n).map(|j| boundary(j, open, extend, LOCAL)).collect(),
            f_row: vec![NEG_INF; n + 1],
            trace: vec![0u8; m * n],
            best: 0,
            best_i: 0,
            best_j: 0,
            row_scores: Vec::new(),
            diag: vec![0; n + 1],
            ht: vec![0; n + 1],
            e: vec![0; n + 1],
        }
    }

    /// Row `i` (1-based) from the reference's matrix indices and the query residue's
    /// score row.
    fn row(&mut self, i: usize, ref_index: &[u8], scores: &[i32; 24]) {
        let mut row_scores = std::mem::take(&mut self.row_scores);
        row_scores.clear();
        row_scores.extend(ref_index.iter().map(|&r| scores[usize::from(r)]));
        self.row_scored(i, &row_scores);
        self.row_scores = row_scores;
    }

    /// Row `i` (1-based) from its substitution scores, one per reference residue.
    ///
    /// Three passes instead of one cell-by-cell loop, so that only the horizontal gap
    /// is serial: (A) vertical gap F and H̃ = max(diagonal, F) for the whole row, (B)
    /// the horizontal gap E as a running scan, (C) H = max(H̃, E) and the traceback
    /// byte. Passes A and C have no loop-carried dependency and vectorise. The values
    /// (and so the co-optimal choices) are exactly those of the textbook recurrence:
    /// with open ≥ extend, max(H[j−1] − open, E[j−1] − extend) equals
    /// max(H̃[j−1] − open, E[j−1] − extend), because E[j−1] − open ≤ E[j−1] − extend.
    fn row_scored(&mut self, i: usize, row_scores: &[i32]) {
        let (open, extend, n) = (self.open, self.extend, self.n);
        let left = boundary(i, open, extend, LOCAL);
        let trace_row = &mut self.trace[(i - 1) * n..i * n];

        // Pass A: F, the diagonal and H̃ (index j − 1 for column j).
        {
            let h_prev = &self.h_row[..=n];
            let cells = self.f_row[1..=n]
                .iter_mut()
                .zip(h_prev[1..].iter().zip(&h_prev[..n]))
                .zip(row_scores.iter().zip(trace_row.iter_mut()))
                .zip(self.diag[..n].iter_mut().zip(self.ht[1..=n].iter_mut()));
            for (((f_cell, (&h_up, &h_diag)), (&s, trace_cell)), (diag_cell, ht_cell)) in cells {
                let (f_open, f_ext) = (h_up - open, *f_cell - extend);
                let f = f_open.max(f_ext);
                *f_cell = f;
                *trace_cell = u8::from(f_open > f_ext) << 3;
                let mut diag = h_diag + s;
                if LOCAL {
                    diag = diag.max(0);
                }
                *diag_cell = diag;
                *ht_cell = diag.max(f);
            }
        }
        self.ht[0] = left;

        // Pass B: E[j] = max(H̃[j−1] − open, E[j−1] − extend), E[0] = −∞.
        {
            let mut e = NEG_INF;
            self.e[0] = e;
            for (e_cell, &ht_left) in self.e[1..=n].iter_mut().zip(&self.ht[..n]) {
                e = (ht_left - open).max(e - extend);
                *e_cell = e;
            }
        }

        // Pass C: H and the traceback byte; E opened iff H[j−1] − open > E[j−1] − extend.
        {
            let cells = self.h_row[1..=n]
                .iter_mut()
                .zip(self.ht[1..=n].iter().zip(&self.e[1..=n]))
                .zip(self.ht[..n].iter().zip(&self.e[..n]))
                .zip(self.diag[..n].iter().zip(self.f_row[1..=n].iter()))
                .zip(trace_row.iter_mut());
            for ((((h_cell, (&ht, &e)), (&ht_left, &e_left)), (&diag, &f)), trace_cell) in cells {
                let h = ht.max(e);
                *h_cell = h;
                let state = if h == diag {
                    if LOCAL && h == 0 { H_ZERO } else { H_DIAG }
                } else if h == f {
                    H_DEL
                } else {
                    H_INS
                };
                let h_left = ht_left.max(e_left);
                *trace_cell |= state | (u8::from(h_left - open > e_left - extend) << 2);
            }
        }
        self.h_row[0] = left;

        // Local end: the best cell with the smallest column, then the smallest row (rows
        // ascend, so a later row wins only with a higher score or a smaller column).
        if LOCAL {
            let row = &self.h_row[1..=n];
            let row_max = row.iter().copied().max().unwrap_or(0);
            if row_max > 0 && row_max >= self.best {
                let j = 1 + row.iter().position(|&h| h == row_max).unwrap_or(0);
                if row_max > self.best || j < self.best_j {
                    (self.best, self.best_i, self.best_j) = (row_max, i, j);
                }
            }
        }
    }

    fn finish(self, m: usize, n: usize) -> Path {
        let (score, end) = if !LOCAL {
            (self.h_row[n], Some((m - 1, n - 1)))
        } else if self.best > 0 {
            (self.best, Some((self.best_i - 1, self.best_j - 1)))
        } else {
            (NEG_INF, None)
        };
        let columns = end.map_or_else(Vec::new, |(i, j)| traceback(&self.trace, n, i, j, LOCAL));
        Path { score, columns }
    }
}

/// H on the first row or column: 0 for local, the cost of a leading gap for global.
fn boundary(len: usize, open: i32, extend: i32, local: bool) -> i32 {
    if local || len == 0 {
        return 0;
    }
    let cost = i64::from(open) + i64::from(extend) * (len as i64 - 1);
    i32::try_from(-cost).unwrap_or(NEG_INF).max(NEG_INF)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Diag,
    Ins,
    Del,
}

fn traceback(trace: &[u8], n: usize, end_i: usize, end_j: usize, local: bool) -> Vec<Column> {
    let mut columns = Vec::with_capacity(end_i + end_j + 2);
    let (mut i, mut j) = (end_i as isize, end_j as isize);
    let mut state = State::Diag;
    while i >= 0 || j >= 0 {
        if i < 0 || j < 0 {
            if !local {
                columns.extend((0..=j).rev().map(|r| Column::Ins { r: r as usize }));
                columns.extend((0..=i).rev().map(|q| Column::Del { q: q as usize }));
            }
            break;
        }
        let (q, r) = (i as usize, j as usize);
        let cell = trace[q * n + r];
        match state {
            State::Diag => match cell & H_MASK {
                H_DIAG => {
                    columns.push(Column::Pair { q, r });
                    i -= 1;
                    j -= 1;
                }
                H_INS => state = State::Ins,
                H_DEL => state = State::Del,
                _ => break,
            },
            State::Ins => {
                columns.push(Column::Ins { r });
                j -= 1;
                if cell & E_OPENS != 0 {
                    state = State::Diag;
                }
            }
            State::Del => {
                columns.push(Column::Del { q });
                i -= 1;
                if cell & F_OPENS != 0 {
                    state = State::Diag;
                }
            }
        }
    }
    columns.reverse();
    columns
}
