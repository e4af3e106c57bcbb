//! Taxonomy pair features (original_platform.md §5.11) over a loaded NCBI taxonomy
//! ([`protea_formats::taxonomy::Taxonomy`]; the original used ete3's SQLite copy).
//!
//! With root-first lineages L1 (query) and L2 (reference):
//! - a missing id or a failed lineage lookup ⇒ no LCA, no distance, 0 common
//!   ancestors, `unrelated`;
//! - the same taxon ⇒ LCA = it, distance 0, 1 common ancestor, `same`;
//! - otherwise common = L1 ∩ L2, LCA = the common node deepest in L1, distance =
//!   (|L1| − idx₁(LCA)) + (|L2| − idx₂(LCA)) (the LCA counts on both sides: two sibling
//!   species ⇒ 4), and the relation is the first of `ancestor` (query ∈ L2),
//!   `descendant` (reference ∈ L1), `root-only` (the only common node is the root),
//!   `distant` (≤ 2 common), `intermediate` (3–15), `close` (> 15).
//!
//! Merged ids are resolved to their current taxon first (ete3 translated them too), so
//! an old id and its merge target are the `same` taxon.

use protea_formats::taxonomy::{ROOT, Taxonomy};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The relation labels stored in `go_prediction.taxonomic_relation`. `Child` and
/// `Parent` exist in the original's vocabulary but its rules never produce them (a
/// parent is already an ancestor); they are kept so stored values round-trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaxonomicRelation {
    #[serde(rename = "same")]
    Same,
    #[serde(rename = "ancestor")]
    Ancestor,
    #[serde(rename = "descendant")]
    Descendant,
    #[serde(rename = "child")]
    Child,
    #[serde(rename = "parent")]
    Parent,
    #[serde(rename = "root-only")]
    RootOnly,
    #[serde(rename = "distant")]
    Distant,
    #[serde(rename = "intermediate")]
    Intermediate,
    #[serde(rename = "close")]
    Close,
    #[serde(rename = "unrelated")]
    Unrelated,
}

impl TaxonomicRelation {
    pub const ALL: [TaxonomicRelation; 10] = [
        TaxonomicRelation::Same,
        TaxonomicRelation::Ancestor,
        TaxonomicRelation::Descendant,
        TaxonomicRelation::Child,
        TaxonomicRelation::Parent,
        TaxonomicRelation::RootOnly,
        TaxonomicRelation::Distant,
        TaxonomicRelation::Intermediate,
        TaxonomicRelation::Close,
        TaxonomicRelation::Unrelated,
    ];

    /// The stored label.
    pub fn as_str(self) -> &'static str {
        match self {
            TaxonomicRelation::Same => "same",
            TaxonomicRelation::Ancestor => "ancestor",
            TaxonomicRelation::Descendant => "descendant",
            TaxonomicRelation::Child => "child",
            TaxonomicRelation::Parent => "parent",
            TaxonomicRelation::RootOnly => "root-only",
            TaxonomicRelation::Distant => "distant",
            TaxonomicRelation::Intermediate => "intermediate",
            TaxonomicRelation::Close => "close",
            TaxonomicRelation::Unrelated => "unrelated",
        }
    }

    /// Parses a stored label.
    pub fn parse(label: &str) -> Option<TaxonomicRelation> {
        TaxonomicRelation::ALL
            .into_iter()
            .find(|r| r.as_str() == label)
    }

    /// "Close" for the taxonomic voters (ecosystem.md §4.6): same, ancestor,
    /// descendant, child, parent or close.
    pub fn is_close(self) -> bool {
        matches!(
            self,
            TaxonomicRelation::Same
                | TaxonomicRelation::Ancestor
                | TaxonomicRelation::Descendant
                | TaxonomicRelation::Child
                | TaxonomicRelation::Parent
                | TaxonomicRelation::Close
        )
    }
}

impl fmt::Display for TaxonomicRelation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The taxonomy columns of one (query, reference) pair, named as `go_prediction`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxonomyFeatures {
    pub query_taxonomy_id: Option<i32>,
    pub ref_taxonomy_id: Option<i32>,
    pub taxonomic_lca: Option<i32>,
    pub taxonomic_distance: Option<i32>,
    pub taxonomic_common_ancestors: i32,
    pub taxonomic_relation: TaxonomicRelation,
}

/// A taxon id as the original parsed it: an integer, surrounding whitespace allowed.
pub fn parse_taxid(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

impl TaxonomyFeatures {
    /// Features of a query taxon and a reference taxon (either may be unknown).
    pub fn compute(
        tree: &Taxonomy,
        query: Option<u32>,
        reference: Option<u32>,
    ) -> TaxonomyFeatures {
        let unrelated = TaxonomyFeatures {
            query_taxonomy_id: query.and_then(|t| i32::try_from(t).ok()),
            ref_taxonomy_id: reference.and_then(|t| i32::try_from(t).ok()),
            taxonomic_lca: None,
            taxonomic_distance: None,
            taxonomic_common_ancestors: 0,
            taxonomic_relation: TaxonomicRelation::Unrelated,
        };
        let (Some(q), Some(r)) = (query, reference) else {
            return unrelated;
        };
        let (Some(l1), Some(l2)) = (tree.lineage(q), tree.lineage(r)) else {
            return unrelated;
        };
        // Lineages end with the resolved taxon (merged ids already translated).
        let (q, r) = (l1[l1.len() - 1], l2[l2.len() - 1]);
        if q == r {
            return TaxonomyFeatures {
                taxonomic_lca: i32::try_from(q).ok(),
                taxonomic_distance: Some(0),
                taxonomic_common_ancestors: 1,
                taxonomic_relation: TaxonomicRelation::Same,
                ..unrelated
            };
        }
        // Both are root-first paths of one tree, so L1 ∩ L2 is their common prefix and
        // the node of the intersection deepest in L1 is its last element.
        let common = l1.iter().zip(&l2).take_while(|(a, b)| a == b).count();
        if common == 0 {
            return unrelated; // two roots: no common node, as a failed lookup
        }
        let lca_index = common - 1;
        let distance = (l1.len() - lca_index) + (l2.len() - lca_index);
        let relation = if l2.contains(&q) {
            TaxonomicRelation::Ancestor
        } else if l1.contains(&r) {
            TaxonomicRelation::Descendant
        } else if common == 1 && l1[0] == ROOT {
            TaxonomicRelation::RootOnly
        } else if common <= 2 {
            TaxonomicRelation::Distant
        } else if common <= 15 {
            TaxonomicRelation::Intermediate
        } else {
            TaxonomicRelation::Close
        };
        TaxonomyFeatures {
            taxonomic_lca: i32::try_from(l1[lca_index]).ok(),
            taxonomic_distance: i32::try_from(distance).ok(),
            taxonomic_common_ancestors: i32::try_from(common).unwrap_or(i32::MAX),
            taxonomic_relation: relation,
            ..unrelated
        }
    }
}

#[cfg(test)]
#[path = "taxonomy_tests.rs"]
mod tests;
