//! The CAFA temporal-holdout delta (`compute_evaluation_data` of the original, §5.13):
//! NOT-propagation, experimental filtering and the NK / LK / PK classification per
//! (protein, namespace).
//!
//! Terms are GO ids, resolved in one *effective* snapshot: the snapshot both annotation sets
//! share, or the pivot snapshot when they differ. Resolution goes through the snapshot's terms
//! and then its alt ids; a term the snapshot does not know, or one without an aspect, is
//! dropped (the original drops aspect-less terms the same way).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use protea_core::{Aspect, GoId};
use serde::{Deserialize, Serialize};

use crate::evidence::{is_experimental, is_negated};

/// The GO graph of the effective snapshot, as far as the delta needs it.
#[derive(Debug, Clone, Default)]
pub struct GoGraph {
    aspects: HashMap<GoId, Option<Aspect>>,
    alt_ids: HashMap<GoId, GoId>,
    /// parent → children through `is_a` and `part_of` only.
    children: HashMap<GoId, Vec<GoId>>,
}

impl GoGraph {
    /// An empty graph; add terms, alt ids and edges.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a term with its aspect (`None` when the namespace was missing).
    pub fn add_term(&mut self, id: GoId, aspect: Option<Aspect>) {
        self.aspects.insert(id, aspect);
    }

    /// Maps an alternative id to its primary term.
    pub fn add_alt_id(&mut self, alt: GoId, primary: GoId) {
        self.alt_ids.insert(alt, primary);
    }

    /// Adds an edge `child → parent`. Only `is_a` and `part_of` count for NOT-propagation;
    /// other relation types are ignored here so callers can pass every edge.
    pub fn add_edge(&mut self, child: GoId, parent: GoId, relation: &str) {
        if relation == "is_a" || relation == "part_of" {
            self.children.entry(parent).or_default().push(child);
        }
    }

    /// The primary term for `id` and its aspect, if the snapshot knows it.
    pub fn resolve(&self, id: GoId) -> Option<(GoId, Option<Aspect>)> {
        if let Some(&aspect) = self.aspects.get(&id) {
            return Some((id, aspect));
        }
        let primary = *self.alt_ids.get(&id)?;
        self.aspects.get(&primary).map(|&a| (primary, a))
    }

    /// `term` and all its descendants (iterative DFS; the graph may share sub-DAGs).
    pub fn descendants(&self, term: GoId) -> Vec<GoId> {
        let mut seen = HashSet::from([term]);
        let mut stack = vec![term];
        while let Some(t) = stack.pop() {
            for &c in self.children.get(&t).into_iter().flatten() {
                if seen.insert(c) {
                    stack.push(c);
                }
            }
        }
        let mut out: Vec<GoId> = seen.into_iter().collect();
        out.sort_unstable();
        out
    }
}

/// One annotation row as stored (`protein_go_annotation` joined to its `go_term`).
#[derive(Debug, Clone, PartialEq)]
pub struct AnnotationRow {
    pub protein: String,
    pub go_id: GoId,
    pub qualifier: Option<String>,
    pub evidence_code: Option<String>,
}

/// The CAFA knowledge category of a (protein, namespace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Category {
    /// No experimental annotation in any namespace at t0.
    #[serde(rename = "NK")]
    Nk,
    /// Annotated at t0, but not in this namespace.
    #[serde(rename = "LK")]
    Lk,
    /// Annotated in this namespace at t0 and gained new terms in it.
    #[serde(rename = "PK")]
    Pk,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::Nk, Category::Lk, Category::Pk];

    /// `NK`, `LK` or `PK`.
    pub fn name(self) -> &'static str {
        match self {
            Category::Nk => "NK",
            Category::Lk => "LK",
            Category::Pk => "PK",
        }
    }

    /// Accepts `nk`/`NK` and so on.
    pub fn parse(text: &str) -> Option<Category> {
        match text.to_ascii_uppercase().as_str() {
            "NK" => Some(Category::Nk),
            "LK" => Some(Category::Lk),
            "PK" => Some(Category::Pk),
            _ => None,
        }
    }
}

/// Per-protein terms, one set per aspect (indexed like [`Aspect::ALL`]).
pub type AspectTerms = [BTreeSet<GoId>; 3];

/// Terms by protein, in accession order.
pub type ProteinTerms = BTreeMap<String, BTreeSet<GoId>>;

fn aspect_index(a: Aspect) -> usize {
    Aspect::ALL.iter().position(|&x| x == a).unwrap_or(0)
}

/// Summary statistics, stored in `evaluation_set.stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeltaStats {
    /// |NK ∪ LK ∪ PK proteins|.
    pub delta_proteins: usize,
    pub nk_proteins: usize,
    pub lk_proteins: usize,
    pub pk_proteins: usize,
    /// Ground-truth (protein, term) pairs per category.
    pub nk_annotations: usize,
    pub lk_annotations: usize,
    pub pk_annotations: usize,
    /// (protein, term) pairs of the old experimental annotations (the `known` file).
    pub known_terms_count: usize,
    /// (protein, term) pairs of the PK known-terms file (`pk_known`).
    pub pk_known_terms_count: usize,
    /// (protein, term) pairs excluded by NOT-propagation.
    pub not_excluded_pairs: usize,
}

/// The result of the delta: ground truth per category and the known terms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Delta {
    /// NK ground truth: every new term of proteins with no old experimental term.
    pub nk: ProteinTerms,
    /// LK ground truth: new terms in namespaces where the protein had none at t0.
    pub lk: ProteinTerms,
    /// PK ground truth: new terms in namespaces where the protein already had terms.
    pub pk: ProteinTerms,
    /// Old terms of the PK namespaces of each PK protein (cafaeval's `-known`).
    pub pk_known: ProteinTerms,
    /// All old experimental terms (download only).
    pub known: ProteinTerms,
    /// Category of each delta protein per aspect that has ground truth.
    pub categories: BTreeMap<String, Vec<(Aspect, Category)>>,
    pub stats: DeltaStats,
}

/// Experimental, non-negated, non-excluded annotations grouped by protein and aspect.
fn group(
    rows: &[AnnotationRow],
    graph: &GoGraph,
    excluded: &HashMap<&str, HashSet<GoId>>,
) -> BTreeMap<String, AspectTerms> {
    let mut out: BTreeMap<String, AspectTerms> = BTreeMap::new();
    for row in rows {
        if is_negated(row.qualifier.as_deref()) || !is_experimental(row.evidence_code.as_deref()) {
            continue;
        }
        let Some((term, Some(aspect))) = graph.resolve(row.go_id) else {
            continue;
        };
        if excluded
            .get(row.protein.as_str())
            .is_some_and(|s| s.contains(&term))
        {
            continue;
        }
        out.entry(row.protein.clone()).or_default()[aspect_index(aspect)].insert(term);
    }
    out
}

/// The NOT-propagation exclusion set: for every (protein, term) negated in either set (any
/// evidence), the term and all its `is_a`/`part_of` descendants.
fn exclusions<'a>(
    old: &'a [AnnotationRow],
    new: &'a [AnnotationRow],
    graph: &GoGraph,
) -> HashMap<&'a str, HashSet<GoId>> {
    let mut memo: HashMap<GoId, Vec<GoId>> = HashMap::new();
    let mut out: HashMap<&str, HashSet<GoId>> = HashMap::new();
    for row in old.iter().chain(new) {
        if !is_negated(row.qualifier.as_deref()) {
            continue;
        }
        let Some((term, _)) = graph.resolve(row.go_id) else {
            continue;
        };
        let desc = memo.entry(term).or_insert_with(|| graph.descendants(term));
        out.entry(row.protein.as_str())
            .or_default()
            .extend(desc.iter().copied());
    }
    out
}

/// Computes the delta between the old (t0) and new (t1) annotation rows. Rows may hold any
/// evidence and qualifier; filtering happens here.
pub fn compute_delta(old: &[AnnotationRow], new: &[AnnotationRow], graph: &GoGraph) -> Delta {
    let excluded = exclusions(old, new, graph);
    let old_terms = group(old, graph, &excluded);
    let new_terms = group(new, graph, &excluded);
    let empty: AspectTerms = Default::default();

    let mut delta = Delta::default();
    for (protein, new_by_aspect) in &new_terms {
        let old_by_aspect = old_terms.get(protein).unwrap_or(&empty);
        if old_by_aspect.iter().all(BTreeSet::is_empty) {
            // NK: the whole t1 annotation is ground truth, in every aspect.
            let all: BTreeSet<GoId> = new_by_aspect.iter().flatten().copied().collect();
            let aspects = Aspect::ALL
                .iter()
                .zip(new_by_aspect)
                .filter(|(_, t)| !t.is_empty())
                .map(|(&a, _)| (a, Category::Nk))
                .collect();
            delta.categories.insert(protein.clone(), aspects);
            delta.nk.insert(protein.clone(), all);
            continue;
        }
        let mut cats = Vec::new();
        for (i, &aspect) in Aspect::ALL.iter().enumerate() {
            // Novelty is exact: a more specific new term is novel even below a known one.
            let novel: BTreeSet<GoId> = new_by_aspect[i]
                .difference(&old_by_aspect[i])
                .copied()
                .collect();
            if novel.is_empty() {
                continue;
            }
            if old_by_aspect[i].is_empty() {
                delta.lk.entry(protein.clone()).or_default().extend(novel);
                cats.push((aspect, Category::Lk));
            } else {
                delta.pk.entry(protein.clone()).or_default().extend(novel);
                delta
                    .pk_known
                    .entry(protein.clone())
                    .or_default()
                    .extend(old_by_aspect[i].iter().copied());
                cats.push((aspect, Category::Pk));
            }
        }
        if !cats.is_empty() {
            delta.categories.insert(protein.clone(), cats);
        }
    }
    for (protein, by_aspect) in old_terms {
        let all: BTreeSet<GoId> = by_aspect.into_iter().flatten().collect();
        if !all.is_empty() {
            delta.known.insert(protein, all);
        }
    }
    let pairs = |m: &ProteinTerms| m.values().map(BTreeSet::len).sum::<usize>();
    delta.stats = DeltaStats {
        delta_proteins: delta.categories.len(),
        nk_proteins: delta.nk.len(),
        lk_proteins: delta.lk.len(),
        pk_proteins: delta.pk.len(),
        nk_annotations: pairs(&delta.nk),
        lk_annotations: pairs(&delta.lk),
        pk_annotations: pairs(&delta.pk),
        known_terms_count: pairs(&delta.known),
        pk_known_terms_count: pairs(&delta.pk_known),
        not_excluded_pairs: excluded.values().map(HashSet::len).sum(),
    };
    delta
}

impl Delta {
    /// Ground truth of one category.
    pub fn ground_truth(&self, category: Category) -> &ProteinTerms {
        match category {
            Category::Nk => &self.nk,
            Category::Lk => &self.lk,
            Category::Pk => &self.pk,
        }
    }

    /// Every protein with ground truth in some category.
    pub fn proteins(&self) -> impl Iterator<Item = &str> {
        self.categories.keys().map(String::as_str)
    }

    /// Delta proteins of one category (`None` = all), with a label: a protein that is
    /// both LK and PK is labelled LK, as in the original's FASTA download.
    pub fn labelled_proteins(&self, category: Option<Category>) -> Vec<(&str, Category)> {
        self.categories
            .iter()
            .filter_map(|(p, cats)| {
                let label = cats.iter().map(|&(_, c)| c).min()?;
                match category {
                    None => Some((p.as_str(), label)),
                    Some(c) if cats.iter().any(|&(_, x)| x == c) => Some((p.as_str(), c)),
                    Some(_) => None,
                }
            })
            .collect()
    }
}

/// `protein<TAB>GO:…` lines, no header, sorted by protein then term (the ground-truth and
/// known-terms file format).
pub fn to_tsv(terms: &ProteinTerms) -> String {
    let mut out = String::new();
    for (protein, set) in terms {
        for t in set {
            out.push_str(protein);
            out.push('\t');
            out.push_str(&t.to_string());
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
#[path = "delta_tests.rs"]
mod tests;
