//! Validation of user FASTA uploads (query sets): alphabet, empty sequences,
//! length limit and duplicate ids, reported per record so the caller can build
//! an error report instead of failing on the first bad record.

use super::FastaRecord;
use std::collections::HashMap;
use std::fmt;

/// Accepted residue letters: the 20 standard amino acids plus B, Z, X, U, O.
pub const AMINO_ACIDS: &[u8; 25] = b"ACDEFGHIKLMNPQRSTVWYBZXUO";

/// One problem with one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issue {
    EmptySequence,
    /// `position` is 1-based in the sequence.
    InvalidResidue {
        letter: char,
        position: usize,
    },
    TooLong {
        length: usize,
        max: usize,
    },
    /// The id was already used by the record whose header is on `first_line`.
    DuplicateId {
        first_line: u64,
    },
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Issue::EmptySequence => write!(f, "empty sequence"),
            Issue::InvalidResidue { letter, position } => {
                write!(f, "invalid residue {letter:?} at position {position}")
            }
            Issue::TooLong { length, max } => write!(f, "sequence length {length} exceeds {max}"),
            Issue::DuplicateId { first_line } => {
                write!(f, "duplicate id (first seen on line {first_line})")
            }
        }
    }
}

/// The first residue outside [`AMINO_ACIDS`], as (letter, 1-based position).
pub fn first_invalid_residue(sequence: &str) -> Option<(char, usize)> {
    let mut table = [false; 128];
    for &b in AMINO_ACIDS {
        table[usize::from(b)] = true;
    }
    sequence.chars().enumerate().find_map(|(index, c)| {
        let ok = c.is_ascii() && table[c as usize];
        (!ok).then_some((c, index + 1))
    })
}

/// Checks records one by one, remembering ids to find duplicates.
#[derive(Debug, Default)]
pub struct Validator {
    seen: HashMap<String, u64>,
    max_length: Option<usize>,
}

impl Validator {
    pub fn new() -> Validator {
        Validator::default()
    }

    /// Rejects sequences longer than `max` residues.
    pub fn with_max_length(mut self, max: usize) -> Validator {
        self.max_length = Some(max);
        self
    }

    /// The issues of one record (empty when it is fine).
    pub fn check(&mut self, record: &FastaRecord) -> Vec<Issue> {
        let mut issues = Vec::new();
        if let Some(&first_line) = self.seen.get(&record.accession) {
            issues.push(Issue::DuplicateId { first_line });
        } else {
            self.seen.insert(record.accession.clone(), record.line);
        }
        if record.sequence.is_empty() {
            issues.push(Issue::EmptySequence);
        }
        if let Some((letter, position)) = first_invalid_residue(&record.sequence) {
            issues.push(Issue::InvalidResidue { letter, position });
        }
        if let Some(max) = self.max_length.filter(|&max| record.sequence.len() > max) {
            issues.push(Issue::TooLong {
                length: record.sequence.len(),
                max,
            });
        }
        issues
    }
}
