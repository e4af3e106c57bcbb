//! BLOSUM62 as parasail ships it: 24 symbols `ARNDCQEGHILKMFPSTWYVBZX*`, lower-case
//! letters mapped like upper-case ones, and every other byte (U, O, J, digits, …)
//! mapped to `*`. The values are the NCBI BLOSUM62 table (public domain data).

/// Symbols of the matrix, in row/column order.
pub const ALPHABET: &[u8; 24] = b"ARNDCQEGHILKMFPSTWYVBZX*";

#[rustfmt::skip]
const BLOSUM62: [[i8; 24]; 24] = [
    /* A */ [ 4, -1, -2, -2,  0, -1, -1,  0, -2, -1, -1, -1, -1, -2, -1,  1,  0, -3, -2,  0, -2, -1,  0, -4],
    /* R */ [-1,  5,  0, -2, -3,  1,  0, -2,  0, -3, -2,  2, -1, -3, -2, -1, -1, -3, -2, -3, -1,  0, -1, -4],
    /* N */ [-2,  0,  6,  1, -3,  0,  0,  0,  1, -3, -3,  0, -2, -3, -2,  1,  0, -4, -2, -3,  3,  0, -1, -4],
    /* D */ [-2, -2,  1,  6, -3,  0,  2, -1, -1, -3, -4, -1, -3, -3, -1,  0, -1, -4, -3, -3,  4,  1, -1, -4],
    /* C */ [ 0, -3, -3, -3,  9, -3, -4, -3, -3, -1, -1, -3, -1, -2, -3, -1, -1, -2, -2, -1, -3, -3, -2, -4],
    /* Q */ [-1,  1,  0,  0, -3,  5,  2, -2,  0, -3, -2,  1,  0, -3, -1,  0, -1, -2, -1, -2,  0,  3, -1, -4],
    /* E */ [-1,  0,  0,  2, -4,  2,  5, -2,  0, -3, -3,  1, -2, -3, -1,  0, -1, -3, -2, -2,  1,  4, -1, -4],
    /* G */ [ 0, -2,  0, -1, -3, -2, -2,  6, -2, -4, -4, -2, -3, -3, -2,  0, -2, -2, -3, -3, -1, -2, -1, -4],
    /* H */ [-2,  0,  1, -1, -3,  0,  0, -2,  8, -3, -3, -1, -2, -1, -2, -1, -2, -2,  2, -3,  0,  0, -1, -4],
    /* I */ [-1, -3, -3, -3, -1, -3, -3, -4, -3,  4,  2, -3,  1,  0, -3, -2, -1, -3, -1,  3, -3, -3, -1, -4],
    /* L */ [-1, -2, -3, -4, -1, -2, -3, -4, -3,  2,  4, -2,  2,  0, -3, -2, -1, -2, -1,  1, -4, -3, -1, -4],
    /* K */ [-1,  2,  0, -1, -3,  1,  1, -2, -1, -3, -2,  5, -1, -3, -1,  0, -1, -3, -2, -2,  0,  1, -1, -4],
    /* M */ [-1, -1, -2, -3, -1,  0, -2, -3, -2,  1,  2, -1,  5,  0, -2, -1, -1, -1, -1,  1, -3, -1, -1, -4],
    /* F */ [-2, -3, -3, -3, -2, -3, -3, -3, -1,  0,  0, -3,  0,  6, -4, -2, -2,  1,  3, -1, -3, -3, -1, -4],
    /* P */ [-1, -2, -2, -1, -3, -1, -1, -2, -2, -3, -3, -1, -2, -4,  7, -1, -1, -4, -3, -2, -2, -1, -2, -4],
    /* S */ [ 1, -1,  1,  0, -1,  0,  0,  0, -1, -2, -2,  0, -1, -2, -1,  4,  1, -3, -2, -2,  0,  0,  0, -4],
    /* T */ [ 0, -1,  0, -1, -1, -1, -1, -2, -2, -1, -1, -1, -1, -2, -1,  1,  5, -2, -2,  0, -1, -1,  0, -4],
    /* W */ [-3, -3, -4, -4, -2, -2, -3, -2, -2, -3, -2, -3, -1,  1, -4, -3, -2, 11,  2, -3, -4, -3, -2, -4],
    /* Y */ [-2, -2, -2, -3, -2, -1, -2, -3,  2, -1, -1, -2, -1,  3, -3, -2, -2,  2,  7, -1, -3, -2, -1, -4],
    /* V */ [ 0, -3, -3, -3, -1, -2, -2, -3, -3,  3,  1, -2,  1, -1, -2, -2,  0, -3, -1,  4, -3, -2, -1, -4],
    /* B */ [-2, -1,  3,  4, -3,  0,  1, -1,  0, -3, -4,  0, -3, -3, -2,  0, -1, -4, -3, -3,  4,  1, -1, -4],
    /* Z */ [-1,  0,  0,  1, -3,  3,  4, -2,  0, -3, -3,  1, -1, -3, -1,  0, -1, -3, -2, -2,  1,  4, -1, -4],
    /* X */ [ 0, -1, -1, -1, -2, -1, -1, -1, -1, -1, -1, -1, -1, -1, -2,  0,  0, -2, -1, -1, -1, -1, -1, -4],
    /* * */ [-4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4,  1],
];

/// A substitution matrix with parasail's byte → index mapping.
#[derive(Debug, Clone)]
pub struct ScoreMatrix {
    mapper: [u8; 256],
    scores: [[i32; 24]; 24],
}

impl ScoreMatrix {
    /// BLOSUM62, the matrix the original platform used.
    pub fn blosum62() -> ScoreMatrix {
        let mut mapper = [23u8; 256];
        for (index, &symbol) in ALPHABET.iter().enumerate() {
            mapper[usize::from(symbol)] = index as u8;
            mapper[usize::from(symbol.to_ascii_lowercase())] = index as u8;
        }
        let mut scores = [[0i32; 24]; 24];
        for (row, values) in scores.iter_mut().zip(&BLOSUM62) {
            for (cell, &value) in row.iter_mut().zip(values) {
                *cell = i32::from(value);
            }
        }
        ScoreMatrix { mapper, scores }
    }

    /// The row/column index of a residue byte.
    #[inline]
    pub fn index(&self, residue: u8) -> u8 {
        self.mapper[usize::from(residue)]
    }

    /// The substitution score of two residue bytes.
    #[inline]
    pub fn score(&self, a: u8, b: u8) -> i32 {
        self.scores[usize::from(self.index(a))][usize::from(self.index(b))]
    }

    /// The score row of one matrix index (for the DP's inner loop).
    #[inline]
    pub(crate) fn row(&self, index: u8) -> &[i32; 24] {
        &self.scores[usize::from(index)]
    }
}
