//! The ontology as cafaeval sees it: one directed acyclic graph per namespace.
//!
//! Terms are indexed per namespace in order of first appearance (a repeated stanza
//! overwrites the data but keeps the first index). Parents are deduplicated (the 1.3.0
//! behaviour) and an edge survives only if its parent is a live term of the same namespace.
//! Alt ids map to every canonical term that lists them.

use std::collections::HashMap;
use std::io::BufRead;

use crate::error::{Error, Result};
use crate::obo;

/// One namespace's graph.
#[derive(Debug, Clone)]
pub struct Namespace {
    /// Namespace name as written in the OBO file (`biological_process`, ...).
    pub name: String,
    /// Canonical term ids, by index.
    pub terms: Vec<String>,
    /// Kept, deduplicated parents of each term.
    pub parents: Vec<Vec<u32>>,
    /// Position of each term in a children-before-parents topological order.
    pub(crate) topo_rank: Vec<u32>,
    /// Reflexive ancestor closure of each term, as CSR offsets into `anc_data`.
    anc_offsets: Vec<u32>,
    anc_data: Vec<u32>,
}

impl Namespace {
    /// Number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True when the namespace has no terms (never, for a namespace read from OBO).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The term and all its ancestors (roots included).
    pub fn ancestors(&self, term: u32) -> &[u32] {
        let t = term as usize;
        &self.anc_data[self.anc_offsets[t] as usize..self.anc_offsets[t + 1] as usize]
    }

    /// Terms without a kept parent.
    pub fn roots(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.terms.len() as u32).filter(|&t| self.parents[t as usize].is_empty())
    }
}

/// All namespaces plus the id lookup tables.
#[derive(Debug, Clone)]
pub struct Ontology {
    /// Namespaces in order of first appearance in the file.
    pub namespaces: Vec<Namespace>,
    canonical: HashMap<String, (usize, u32)>,
    alt: HashMap<String, Vec<(usize, u32)>>,
}

impl Ontology {
    /// Reads an OBO file with cafaeval's rules (see the `obo` module).
    pub fn from_obo(reader: impl BufRead, source: &str) -> Result<Self> {
        build(obo::read_terms(reader, source)?)
    }

    /// Index of a namespace by name.
    pub fn namespace_index(&self, name: &str) -> Option<usize> {
        self.namespaces.iter().position(|n| n.name == name)
    }

    /// Resolves an id to `(namespace, term)` pairs: per namespace in file order, the canonical
    /// term if the id is one there, otherwise every canonical target of the id as an alt id.
    pub fn resolve(&self, id: &str, out: &mut Vec<(usize, u32)>) {
        out.clear();
        let canonical = self.canonical.get(id);
        let alt = self.alt.get(id);
        if canonical.is_none() && alt.is_none() {
            return;
        }
        for ns in 0..self.namespaces.len() {
            match canonical {
                Some(&(c_ns, t)) if c_ns == ns => out.push((ns, t)),
                _ => {
                    if let Some(targets) = alt {
                        out.extend(targets.iter().filter(|(a_ns, _)| *a_ns == ns));
                    }
                }
            }
        }
    }

    /// The canonical `(namespace, term)` of an id, ignoring alt ids.
    pub fn canonical(&self, id: &str) -> Option<(usize, u32)> {
        self.canonical.get(id).copied()
    }
}

fn build(raw: Vec<obo::RawTerm>) -> Result<Ontology> {
    let mut ns_names: Vec<String> = Vec::new();
    let mut canonical: HashMap<String, (usize, u32)> = HashMap::new();
    let mut records: Vec<Vec<obo::RawTerm>> = Vec::new();
    let mut alt_names: Vec<(String, String)> = Vec::new();
    for term in raw {
        let ns = match ns_names.iter().position(|n| *n == term.namespace) {
            Some(ns) => ns,
            None => {
                ns_names.push(term.namespace.clone());
                records.push(Vec::new());
                ns_names.len() - 1
            }
        };
        alt_names.extend(term.alt_ids.iter().map(|a| (a.clone(), term.id.clone())));
        match canonical.get(&term.id) {
            // A repeated stanza overwrites the data but keeps the first index.
            Some(&(old_ns, idx)) => records[old_ns][idx as usize] = term,
            None => {
                canonical.insert(term.id.clone(), (ns, records[ns].len() as u32));
                records[ns].push(term);
            }
        }
    }

    let mut alt: HashMap<String, Vec<(usize, u32)>> = HashMap::new();
    for (alt_id, target) in alt_names {
        let Some(&hit) = canonical.get(&target) else {
            continue;
        };
        let entry = alt.entry(alt_id).or_default();
        if !entry.contains(&hit) {
            entry.push(hit);
        }
    }

    let mut namespaces = Vec::with_capacity(ns_names.len());
    for (ns, (name, terms)) in ns_names.into_iter().zip(records).enumerate() {
        let parents: Vec<Vec<u32>> = terms
            .iter()
            .map(|t| {
                let mut ps: Vec<u32> = Vec::new();
                for p in &t.parents {
                    // Edges to other namespaces, obsolete or unknown terms are dropped.
                    if let Some(&(p_ns, p_idx)) = canonical.get(p)
                        && p_ns == ns
                        && !ps.contains(&p_idx)
                    {
                        ps.push(p_idx);
                    }
                }
                ps
            })
            .collect();
        let ids = terms.into_iter().map(|t| t.id).collect();
        namespaces.push(graph(name, ids, parents)?);
    }
    Ok(Ontology {
        namespaces,
        canonical,
        alt,
    })
}

fn graph(name: String, terms: Vec<String>, parents: Vec<Vec<u32>>) -> Result<Namespace> {
    let n = terms.len();
    // Kahn's algorithm from the leaves: a term is ready once all its children are done.
    let mut pending_children = vec![0u32; n];
    for ps in &parents {
        for &p in ps {
            pending_children[p as usize] += 1;
        }
    }
    let mut order: Vec<u32> = (0..n as u32)
        .filter(|&t| pending_children[t as usize] == 0)
        .collect();
    let mut head = 0;
    while head < order.len() {
        let t = order[head] as usize;
        head += 1;
        for &p in &parents[t] {
            pending_children[p as usize] -= 1;
            if pending_children[p as usize] == 0 {
                order.push(p);
            }
        }
    }
    if order.len() != n {
        return Err(Error::Cycle { namespace: name });
    }
    let mut topo_rank = vec![0u32; n];
    for (rank, &t) in order.iter().enumerate() {
        topo_rank[t as usize] = rank as u32;
    }

    // Ancestor closures, parents first so each parent's closure is complete when used.
    let mut closures: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut seen = vec![u32::MAX; n];
    for &t in order.iter().rev() {
        let mut anc = vec![t];
        seen[t as usize] = t;
        for &p in &parents[t as usize] {
            for &a in &closures[p as usize] {
                if seen[a as usize] != t {
                    seen[a as usize] = t;
                    anc.push(a);
                }
            }
        }
        closures[t as usize] = anc;
    }
    let mut anc_offsets = Vec::with_capacity(n + 1);
    let mut anc_data = Vec::new();
    anc_offsets.push(0u32);
    for c in closures {
        anc_data.extend(c);
        anc_offsets.push(anc_data.len() as u32);
    }
    Ok(Namespace {
        name,
        terms,
        parents,
        topo_rank,
        anc_offsets,
        anc_data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn onto(text: &str) -> Result<Ontology> {
        Ontology::from_obo(text.as_bytes(), "test.obo")
    }

    #[test]
    fn cross_namespace_and_unknown_edges_are_dropped() {
        let o = onto(
            "id: R\nnamespace: a\nid: S\nnamespace: b\n\
             id: X\nnamespace: a\nis_a: R\nrelationship: part_of S\nis_a: GONE\n\
             relationship: regulates R\n",
        )
        .unwrap();
        assert_eq!(o.namespaces.len(), 2);
        let a = &o.namespaces[0];
        assert_eq!(a.parents[1], [0]);
        assert_eq!(a.roots().collect::<Vec<_>>(), [0]);
        assert_eq!(o.namespaces[1].roots().count(), 1);
    }

    #[test]
    fn duplicate_edges_count_once() {
        // C is_a A and part_of A: with deduplicated parents (1.3.0) A is processed after C.
        let o =
            onto("id: A\nnamespace: n\nid: C\nnamespace: n\nis_a: A\nrelationship: part_of A\n")
                .unwrap();
        let n = &o.namespaces[0];
        assert_eq!(n.parents[1], [0]);
        assert!(n.topo_rank[1] < n.topo_rank[0]);
        assert_eq!(n.ancestors(1), [1, 0]);
    }

    #[test]
    fn alt_ids_of_obsolete_terms_are_not_mapped() {
        let o = onto(
            "id: A\nnamespace: n\nalt_id: A2\nid: B\nnamespace: n\nis_obsolete: true\nalt_id: B2\n",
        )
        .unwrap();
        let mut out = Vec::new();
        o.resolve("A2", &mut out);
        assert_eq!(out, [(0, 0)]);
        o.resolve("B2", &mut out);
        assert!(out.is_empty());
        o.resolve("B", &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn cycle_is_an_error() {
        let err = onto("id: A\nnamespace: n\nis_a: B\nid: B\nnamespace: n\nis_a: A\n").unwrap_err();
        assert!(matches!(err, Error::Cycle { .. }));
    }

    #[test]
    fn repeated_stanza_keeps_first_index_and_last_data() {
        let o = onto("id: R\nnamespace: n\nid: A\nnamespace: n\nid: B\nnamespace: n\nid: A\nnamespace: n\nis_a: R\n")
            .unwrap();
        let n = &o.namespaces[0];
        assert_eq!(n.terms, ["R", "A", "B"]);
        assert_eq!(n.parents[1], [0]);
    }
}
