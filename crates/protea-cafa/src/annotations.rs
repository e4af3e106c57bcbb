//! Readers for the ground truth, the known-terms file, the IA file and the terms of interest.
//!
//! Every line is split on any run of whitespace and extra columns are ignored. Terms resolve
//! through [`Ontology::resolve`], so alt ids count as their canonical terms and unknown or
//! obsolete ids are dropped silently.

use std::collections::HashMap;
use std::io::BufRead;

use crate::error::{Error, Result};
use crate::ontology::Ontology;

/// Propagated annotations of one namespace: proteins in order of first appearance.
#[derive(Debug, Clone, Default)]
pub struct NsAnnotations {
    /// Protein ids, by row.
    pub proteins: Vec<String>,
    /// Row of each protein.
    pub rows: HashMap<String, u32>,
    /// Sorted term indices of each row, propagated to all ancestors.
    pub terms: Vec<Vec<u32>>,
}

/// Annotations (ground truth or known terms), one entry per ontology namespace.
#[derive(Debug, Clone)]
pub struct Annotations {
    /// Aligned with `Ontology::namespaces`; a namespace without annotations has no rows.
    pub namespaces: Vec<NsAnnotations>,
}

impl Annotations {
    /// Reads `protein term` lines. A protein belongs to a namespace's benchmark iff at least
    /// one of its recognised terms is in that namespace. A line with a single token is an
    /// error (cafaeval aborts on it); blank lines are skipped.
    pub fn read(reader: impl BufRead, source: &str, ontology: &Ontology) -> Result<Self> {
        let mut namespaces = vec![NsAnnotations::default(); ontology.namespaces.len()];
        let mut hits = Vec::new();
        for (i, line) in reader.lines().enumerate() {
            let line = line.map_err(|e| Error::parse(source, i + 1, "line", e.to_string()))?;
            let mut tokens = line.split_whitespace();
            let Some(protein) = tokens.next() else {
                continue;
            };
            let Some(term) = tokens.next() else {
                return Err(Error::parse(source, i + 1, "term", "missing second column"));
            };
            ontology.resolve(term, &mut hits);
            for &(ns, t) in &hits {
                let ann = &mut namespaces[ns];
                let row = match ann.rows.get(protein) {
                    Some(&row) => row,
                    None => {
                        let row = ann.proteins.len() as u32;
                        ann.rows.insert(protein.to_owned(), row);
                        ann.proteins.push(protein.to_owned());
                        ann.terms.push(Vec::new());
                        row
                    }
                };
                ann.terms[row as usize].push(t);
            }
        }
        for (ns, ann) in namespaces.iter_mut().enumerate() {
            let graph = &ontology.namespaces[ns];
            for terms in &mut ann.terms {
                let mut closed: Vec<u32> = terms
                    .iter()
                    .flat_map(|&t| graph.ancestors(t).iter().copied())
                    .collect();
                closed.sort_unstable();
                closed.dedup();
                *terms = closed;
            }
        }
        Ok(Annotations { namespaces })
    }
}

/// Information accretion per term, aligned with each namespace's term indices.
#[derive(Debug, Clone)]
pub struct InformationAccretion {
    /// `values[ns][term]`; missing terms, NaN and infinities are 0.
    pub values: Vec<Vec<f64>>,
}

impl InformationAccretion {
    /// Reads `term ia` lines. Every line must have exactly two tokens (a blank line, a
    /// header or a third column is an error, as in cafaeval). Only canonical ids are looked
    /// up; values under alt ids or obsolete ids are ignored. A repeated term keeps its last value.
    pub fn read(reader: impl BufRead, source: &str, ontology: &Ontology) -> Result<Self> {
        let mut values: Vec<Vec<f64>> = ontology
            .namespaces
            .iter()
            .map(|n| vec![0.0; n.len()])
            .collect();
        for (i, line) in reader.lines().enumerate() {
            let line = line.map_err(|e| Error::parse(source, i + 1, "line", e.to_string()))?;
            let tokens: Vec<&str> = line.split_whitespace().collect();
            let [term, value] = tokens[..] else {
                return Err(Error::parse(
                    source,
                    i + 1,
                    "line",
                    format!("expected 2 columns, found {}", tokens.len()),
                ));
            };
            let ia = parse_float(value)
                .ok_or_else(|| Error::parse(source, i + 1, "ia", format!("{value:?}")))?;
            if let Some((ns, t)) = ontology.canonical(term) {
                values[ns][t as usize] = if ia.is_finite() { ia } else { 0.0 };
            }
        }
        Ok(InformationAccretion { values })
    }
}

/// Terms of interest (PK `-toi`): a mask per namespace.
#[derive(Debug, Clone)]
pub struct TermsOfInterest {
    /// `mask[ns][term]` is true for listed terms (alt ids mapped to canonical terms).
    pub mask: Vec<Vec<bool>>,
}

impl TermsOfInterest {
    /// Reads the first token of each line; unknown ids and blank lines are ignored.
    pub fn read(reader: impl BufRead, source: &str, ontology: &Ontology) -> Result<Self> {
        let mut mask: Vec<Vec<bool>> = ontology
            .namespaces
            .iter()
            .map(|n| vec![false; n.len()])
            .collect();
        let mut hits = Vec::new();
        for (i, line) in reader.lines().enumerate() {
            let line = line.map_err(|e| Error::parse(source, i + 1, "line", e.to_string()))?;
            if let Some(term) = line.split_whitespace().next() {
                ontology.resolve(term, &mut hits);
                for &(ns, t) in &hits {
                    mask[ns][t as usize] = true;
                }
            }
        }
        Ok(TermsOfInterest { mask })
    }
}

/// Parses a number the way Python's `float()` does for the forms seen in practice
/// (`1e-3`, `nan`, `inf`, `+0.5`, `Infinity`).
pub(crate) fn parse_float(text: &str) -> Option<f64> {
    text.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Ontology {
        let obo = "id: R\nnamespace: n\nid: A\nnamespace: n\nis_a: R\nalt_id: A2\n\
                   id: M\nnamespace: m\nid: OLD\nnamespace: n\nis_obsolete: true\n";
        Ontology::from_obo(obo.as_bytes(), "toy.obo").unwrap()
    }

    #[test]
    fn ground_truth_propagates_maps_alt_ids_and_drops_unknown_terms() {
        let gt = "protein_id\tgo_term\tqualifier\nP1 A2\nP2\tOLD\nP3\tM extra\n\nP1 A\n";
        let a = Annotations::read(gt.as_bytes(), "gt", &toy()).unwrap();
        assert_eq!(a.namespaces[0].proteins, ["P1"]);
        assert_eq!(a.namespaces[0].terms[0], [0, 1]);
        assert_eq!(a.namespaces[1].proteins, ["P3"]);
    }

    #[test]
    fn ground_truth_single_token_line_is_an_error() {
        let err = Annotations::read("P1 A\nP2\n".as_bytes(), "gt", &toy()).unwrap_err();
        assert!(matches!(err, Error::Parse { line: 2, .. }), "{err}");
    }

    #[test]
    fn ia_rules() {
        let ia = "A\t2.5\nA2\t9\nR\tnan\nM\tinf\n";
        let v = InformationAccretion::read(ia.as_bytes(), "ia", &toy()).unwrap();
        assert_eq!(v.values[0], [0.0, 2.5]);
        assert_eq!(v.values[1], [0.0]);
        for bad in ["A 1\n\n", "term ia x\n", "A\n", "A one\n"] {
            assert!(InformationAccretion::read(bad.as_bytes(), "ia", &toy()).is_err());
        }
    }

    #[test]
    fn toi_maps_alt_ids() {
        let t = TermsOfInterest::read("A2\nnope\n\n".as_bytes(), "toi", &toy()).unwrap();
        assert_eq!(t.mask[0], [false, true]);
    }
}
