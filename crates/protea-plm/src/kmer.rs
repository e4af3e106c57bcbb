//! The `kmer` backend: an alignment-free baseline that needs no weights.
//!
//! A span's vector is its normalised k-mer composition over the 20 standard
//! amino acids: entry `idx(w)` counts the overlapping k-mers `w` inside the
//! span, divided by the number of valid k-mers (so it sums to 1). k-mers
//! containing any other letter (X, U, B, Z, O, gaps) are skipped. With
//! `normalize` the composition is L2-normalised instead, which makes cosine
//! KNN on these vectors the classic k-mer-profile similarity. Dimension:
//! 20^k (k = 1..=4; the default 3 gives 8 000). The per-residue form is the
//! one-hot of the k-mer starting at each residue (zero rows where no valid
//! k-mer starts), so mean pooling over all rows gives counts / N.

use crate::error::{PlmError, Result};
use crate::pool::{ChunkEmbedding, EmbedOptions, Matrix, Pooling, chunk_spans, l2_normalize};

const ALPHABET: &[u8; 20] = b"ACDEFGHIKLMNPQRSTVWY";

/// k-mer composition embedder.
#[derive(Debug, Clone)]
pub struct KmerBackend {
    k: usize,
    index: [u8; 256],
}

impl KmerBackend {
    /// A backend for k-mers of length `k` (1 to 4).
    pub fn new(k: usize) -> Result<Self> {
        if !(1..=4).contains(&k) {
            return Err(PlmError::option(
                "kmer k",
                format!("k = {k} is outside 1..=4"),
            ));
        }
        let mut index = [u8::MAX; 256];
        for (i, &c) in ALPHABET.iter().enumerate() {
            index[c as usize] = i as u8;
            index[c.to_ascii_lowercase() as usize] = i as u8;
        }
        Ok(Self { k, index })
    }

    /// Vector width, 20^k.
    pub fn dim(&self) -> usize {
        20usize.pow(self.k as u32)
    }

    /// The k-mer index starting at each position (None where invalid).
    fn codes(&self, seq: &[u8]) -> Vec<Option<usize>> {
        (0..seq.len())
            .map(|i| {
                if i + self.k > seq.len() {
                    return None;
                }
                seq[i..i + self.k].iter().try_fold(0usize, |acc, &c| {
                    let v = self.index[c as usize];
                    (v != u8::MAX).then(|| acc * 20 + v as usize)
                })
            })
            .collect()
    }

    /// Composition vectors for one sequence, per span of `opts` (truncated
    /// to `max_length` residues when set). Only mean pooling makes sense here.
    pub fn embed(&self, id: &str, seq: &str, opts: &EmbedOptions) -> Result<Vec<ChunkEmbedding>> {
        if opts.pooling != Pooling::Mean {
            return Err(PlmError::option(
                "pooling",
                "the kmer backend supports only mean (composition)",
            ));
        }
        let bytes = &seq.as_bytes()[..opts.max_length.unwrap_or(usize::MAX).min(seq.len())];
        let spans: Vec<(usize, Option<usize>)> = match opts.chunking {
            Some((size, overlap)) => chunk_spans(bytes.len(), size, overlap)?
                .into_iter()
                .map(|(s, e)| (s, Some(e)))
                .collect(),
            None => vec![(0, None)],
        };
        spans
            .into_iter()
            .map(|(s, e)| {
                let span = &bytes[s..e.unwrap_or(bytes.len())];
                let mut v = vec![0f32; self.dim()];
                let mut n = 0usize;
                for code in self.codes(span).into_iter().flatten() {
                    v[code] += 1.0;
                    n += 1;
                }
                if n == 0 && e.is_none() {
                    return Err(PlmError::Sequence {
                        id: id.to_owned(),
                        message: format!("no valid {}-mer of standard amino acids", self.k),
                    });
                }
                if opts.normalize {
                    l2_normalize(&mut v);
                } else if n > 0 {
                    v.iter_mut().for_each(|x| *x /= n as f32);
                }
                Ok(ChunkEmbedding {
                    chunk_s: s,
                    chunk_e: e,
                    vector: v,
                })
            })
            .collect()
    }

    /// Per-residue one-hot k-mer rows (N × 20^k).
    pub fn residues(&self, seq: &str) -> Matrix {
        let codes = self.codes(seq.as_bytes());
        let dim = self.dim();
        let mut data = vec![0f32; codes.len() * dim];
        for (r, c) in codes.iter().enumerate() {
            if let Some(c) = c {
                data[r * dim + c] = 1.0;
            }
        }
        Matrix {
            rows: codes.len(),
            cols: dim,
            data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composition_sums_to_one_and_skips_nonstandard() {
        let k = KmerBackend::new(2).unwrap();
        let v = k.embed("a", "ACAXC", &EmbedOptions::default()).unwrap();
        assert_eq!(v.len(), 1);
        let vec = &v[0].vector;
        assert_eq!(vec.len(), 400);
        // Valid 2-mers: AC, CA (AX and XC skipped).
        assert!((vec.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert_eq!(vec[1], 0.5); // AC = 0·20 + 1
        assert_eq!(vec[20], 0.5); // CA = 1·20 + 0
        assert!(k.embed("b", "XX", &EmbedOptions::default()).is_err());
    }
}
