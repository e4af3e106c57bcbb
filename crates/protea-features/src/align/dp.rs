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
    pub score: i32,
    pub columns: Vec<Column>,
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
    let local = mode == Mode::Local;
    let ref_index: Vec<u8> = reference.iter().map(|&b| matrix.index(b)).collect();
    let mut trace = vec![0u8; m * n];
    // h_row[j] holds H[i−1][j] before row i overwrites it; f_row[j] holds F[i−1][j].
    let mut h_row: Vec<i32> = (0..=n)
        .map(|j| boundary(j, open, extend, local))
        .collect();
    let mut f_row = vec![NEG_INF; n + 1];
    let (mut best, mut best_i, mut best_j) = (0i32, 0usize, 0usize);

    for i in 1..=m {
        let scores = matrix.row(matrix.index(query[i - 1]));
        let mut h_diag = h_row[0];
        let mut h_left = boundary(i, open, extend, local);
        h_row[0] = h_left;
        let mut e = NEG_INF;
        let trace_row = &mut trace[(i - 1) * n..i * n];
        for j in 1..=n {
            let h_up = h_row[j];
            let (e_open, e_ext) = (h_left - open, e - extend);
            e = e_open.max(e_ext);
            let (f_open, f_ext) = (h_up - open, f_row[j] - extend);
            let f = f_open.max(f_ext);
            f_row[j] = f;
            let mut diag = h_diag + scores[usize::from(ref_index[j - 1])];
            if local {
                diag = diag.max(0);
            }
            let h = diag.max(e).max(f);
            let state = if h == diag {
                if local && h == 0 { H_ZERO } else { H_DIAG }
            } else if h == f {
                H_DEL
            } else {
                H_INS
            };
            trace_row[j - 1] = state
                | if e_open > e_ext { E_OPENS } else { 0 }
                | if f_open > f_ext { F_OPENS } else { 0 };
            if local
                && h > 0
                && (h > best || (h == best && (j < best_j || (j == best_j && i < best_i))))
            {
                (best, best_i, best_j) = (h, i, j);
            }
            h_diag = h_up;
            h_row[j] = h;
            h_left = h;
        }
    }

    let (score, end) = match mode {
        Mode::Global => (h_row[n], Some((m - 1, n - 1))),
        Mode::Local if best > 0 => (best, Some((best_i - 1, best_j - 1))),
        Mode::Local => (NEG_INF, None),
    };
    let columns = end.map_or_else(Vec::new, |(i, j)| traceback(&trace, n, i, j, local));
    Path { score, columns }
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
