//! Reader for one method's prediction file (`protein term score`).
//!
//! cafaeval's rules: lines with fewer than three tokens are skipped (CAFA headers such as
//! `AUTHOR`, `MODEL`, `END`); a line is kept only if its term resolves in a namespace whose
//! ground truth holds the protein; the score is parsed only then (so `KEYWORDS a b.` does no
//! harm); repeated pairs keep the maximum; `max_terms` stores a score only while the row has
//! at most `max_terms` nonzero entries, so up to `max_terms + 1` terms survive.

use std::collections::HashMap;
use std::io::BufRead;

use crate::annotations::{Annotations, parse_float};
use crate::error::{Error, Result};
use crate::ontology::Ontology;

/// Explicit (unpropagated) scores of one namespace for one method.
#[derive(Debug, Clone, Default)]
pub struct NsScores {
    /// `rows[row]` = `(term, score)` pairs for ground-truth row `row`, sorted by term.
    pub rows: Vec<Vec<(u32, f64)>>,
}

/// One method's predictions, per namespace; `None` where no line was accepted.
#[derive(Debug, Clone)]
pub struct MethodScores {
    /// The method label (file path relative to the prediction folder, `/` → `_`).
    pub label: String,
    /// Aligned with `Ontology::namespaces`.
    pub namespaces: Vec<Option<NsScores>>,
}

#[derive(Default)]
struct NsBuilder {
    scores: HashMap<(u32, u32), f64>,
    nonzero: HashMap<u32, usize>,
}

impl MethodScores {
    /// Reads one prediction file against the ground truth.
    pub fn read(
        reader: impl BufRead,
        label: &str,
        ontology: &Ontology,
        truth: &Annotations,
        max_terms: Option<usize>,
    ) -> Result<Self> {
        let mut builders: Vec<Option<NsBuilder>> =
            (0..ontology.namespaces.len()).map(|_| None).collect();
        let mut hits = Vec::new();
        for (i, line) in reader.lines().enumerate() {
            let line = line.map_err(|e| Error::parse(label, i + 1, "line", e.to_string()))?;
            let tokens: Vec<&str> = line.split_whitespace().collect();
            let [protein, term, score, ..] = tokens[..] else {
                continue;
            };
            ontology.resolve(term, &mut hits);
            let mut parsed: Option<f64> = None;
            for &(ns, t) in &hits {
                let Some(&row) = truth.namespaces[ns].rows.get(protein) else {
                    continue;
                };
                let s = match parsed {
                    Some(s) => s,
                    None => {
                        let s = parse_float(score).ok_or_else(|| {
                            Error::parse(label, i + 1, "score", format!("{score:?}"))
                        })?;
                        parsed = Some(s);
                        s
                    }
                };
                let b = builders[ns].get_or_insert_with(NsBuilder::default);
                let count = b.nonzero.entry(row).or_insert(0);
                if max_terms.is_some_and(|cap| *count > cap) {
                    continue;
                }
                let slot = b.scores.entry((row, t)).or_insert(0.0);
                let old = *slot;
                // f64::max ignores NaN: a NaN score is stored as 0 and never overwrites a
                // stored score, which is what cafaeval was observed to do.
                *slot = old.max(s);
                if old == 0.0 && *slot != 0.0 {
                    *count += 1;
                }
            }
        }
        let namespaces = builders
            .into_iter()
            .enumerate()
            .map(|(ns, b)| {
                b.map(|b| {
                    let mut rows = vec![Vec::new(); truth.namespaces[ns].proteins.len()];
                    for ((row, t), s) in b.scores {
                        rows[row as usize].push((t, s));
                    }
                    for r in &mut rows {
                        r.sort_unstable_by_key(|&(t, _)| t);
                    }
                    NsScores { rows }
                })
            })
            .collect();
        Ok(MethodScores {
            label: label.to_owned(),
            namespaces,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (Ontology, Annotations) {
        let obo = "id: R\nnamespace: n\nid: A\nnamespace: n\nis_a: R\nalt_id: A2\n\
                   id: B\nnamespace: n\nis_a: R\nid: C\nnamespace: n\nis_a: R\n\
                   id: M\nnamespace: m\n";
        let o = Ontology::from_obo(obo.as_bytes(), "o").unwrap();
        let gt = Annotations::read("P1 A\nP2 M\n".as_bytes(), "gt", &o).unwrap();
        (o, gt)
    }

    #[test]
    fn skips_headers_foreign_proteins_and_other_namespaces() {
        let (o, gt) = setup();
        let pred = "AUTHOR me\nMODEL 1\nKEYWORDS a b.\nP1 A2 0.5\nP1 A 0.3\nX9 A 0.9\n\
                    P2 A 0.4\nP1 M 0.7\nEND\n";
        let m = MethodScores::read(pred.as_bytes(), "m", &o, &gt, None).unwrap();
        // Alt id A2 maps to A; the repeat keeps the max; P2 is only in namespace m's
        // benchmark and P1 only in n's, so both cross lines are dropped.
        assert_eq!(m.namespaces[0].as_ref().unwrap().rows[0], [(1, 0.5)]);
        assert!(m.namespaces[1].is_none());
    }

    #[test]
    fn max_terms_keeps_one_more_than_the_cap() {
        let (o, gt) = setup();
        let pred = "P1 A 0.1\nP1 B 0.2\nP1 C 0.3\nP1 R 0.4\nP1 A 0.9\n";
        let m = MethodScores::read(pred.as_bytes(), "m", &o, &gt, Some(2)).unwrap();
        // Stores while the row has <= 2 nonzero entries: A, B, C (3 = cap + 1); then R is
        // blocked and so is the overwrite of A because the row is above the cap.
        let row = &m.namespaces[0].as_ref().unwrap().rows[0];
        assert_eq!(row, &[(1, 0.1), (2, 0.2), (3, 0.3)]);
        // At the cap exactly an overwrite still goes through.
        let pred = "P1 A 0.1\nP1 B 0.2\nP1 A 0.9\n";
        let m = MethodScores::read(pred.as_bytes(), "m", &o, &gt, Some(2)).unwrap();
        let row = &m.namespaces[0].as_ref().unwrap().rows[0];
        assert_eq!(row, &[(1, 0.9), (2, 0.2)]);
    }

    #[test]
    fn bad_score_of_an_accepted_line_is_an_error() {
        let (o, gt) = setup();
        let err = MethodScores::read("P1 A x\n".as_bytes(), "m", &o, &gt, None).unwrap_err();
        assert!(matches!(
            err,
            Error::Parse {
                line: 1,
                field: "score",
                ..
            }
        ));
    }
}
