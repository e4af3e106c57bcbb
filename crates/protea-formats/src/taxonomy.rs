//! An in-memory NCBI taxonomy tree (parents, ranks, scientific names, merged
//! and deleted ids) with the queries the prediction's taxonomy features need:
//! lineage, depth, lowest common ancestor and the original platform's distance
//! (§5.11). Pure: built from [`crate::taxdump`] rows; [`Taxonomy::load_dir`]
//! is the convenience that reads a taxdump folder.

use crate::error::Result;
use crate::taxdump::{Deleted, Merged, Name, Node, Reader};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Taxon id of the root.
pub const ROOT: u32 = 1;

/// The relation between two taxa, as the original's `compute_taxonomy` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaxonRelation {
    pub lca: Option<u32>,
    /// Steps from each taxon up to the LCA, counting the LCA on both sides
    /// (two sibling species ⇒ 4; the same taxon ⇒ 0).
    pub distance: Option<u32>,
    /// Number of shared lineage nodes (1 for the same taxon, as the original).
    pub common_ancestors: u32,
}

#[derive(Debug, Clone)]
struct Entry {
    parent: u32,
    rank: Box<str>,
}

/// A taxonomy snapshot.
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    nodes: HashMap<u32, Entry>,
    names: HashMap<u32, Box<str>>,
    merged: HashMap<u32, u32>,
    deleted: HashSet<u32>,
}

impl Taxonomy {
    /// Builds the tree from `nodes.dmp` rows.
    pub fn from_nodes(nodes: impl IntoIterator<Item = Node>) -> Taxonomy {
        let nodes = nodes
            .into_iter()
            .map(|n| {
                (
                    n.taxid,
                    Entry {
                        parent: n.parent,
                        rank: n.rank.into(),
                    },
                )
            })
            .collect();
        Taxonomy {
            nodes,
            ..Taxonomy::default()
        }
    }

    /// Adds `merged.dmp` rows.
    pub fn add_merged(&mut self, merged: impl IntoIterator<Item = Merged>) {
        self.merged
            .extend(merged.into_iter().map(|m| (m.old, m.new)));
    }

    /// Adds `delnodes.dmp` rows.
    pub fn add_deleted(&mut self, deleted: impl IntoIterator<Item = Deleted>) {
        self.deleted.extend(deleted.into_iter().map(|d| d.taxid));
    }

    /// Keeps the scientific names among `names.dmp` rows.
    pub fn add_names(&mut self, names: impl IntoIterator<Item = Name>) {
        let scientific = names.into_iter().filter(Name::is_scientific);
        self.names
            .extend(scientific.map(|n| (n.taxid, n.name.into())));
    }

    /// Reads `nodes.dmp` and, when present, `merged.dmp`, `delnodes.dmp` and
    /// `names.dmp` from a taxdump folder (plain or gzip).
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Taxonomy> {
        let dir = dir.as_ref();
        let open = |name: &str| -> Result<Option<(crate::io::DynBufRead, String)>> {
            let path = dir.join(name);
            if !path.exists() {
                return Ok(None);
            }
            Ok(Some((crate::io::open(&path)?, path.display().to_string())))
        };
        let (nodes, label) = open("nodes.dmp")?.ok_or_else(|| {
            let path = dir.join("nodes.dmp").display().to_string();
            let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "nodes.dmp not found");
            crate::Error::io(&path, 0, missing)
        })?;
        let mut taxonomy = Taxonomy::from_nodes(
            Reader::<Node, _>::new(nodes, &label).collect::<Result<Vec<_>>>()?,
        );
        if let Some((file, label)) = open("merged.dmp")? {
            taxonomy
                .add_merged(Reader::<Merged, _>::new(file, &label).collect::<Result<Vec<_>>>()?);
        }
        if let Some((file, label)) = open("delnodes.dmp")? {
            taxonomy
                .add_deleted(Reader::<Deleted, _>::new(file, &label).collect::<Result<Vec<_>>>()?);
        }
        if let Some((file, label)) = open("names.dmp")? {
            let names = Reader::<Name, _>::new(file, &label).collect::<Result<Vec<_>>>()?;
            taxonomy.add_names(names);
        }
        Ok(taxonomy)
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every node's taxon id (in no particular order).
    pub fn taxids(&self) -> impl Iterator<Item = u32> + '_ {
        self.nodes.keys().copied()
    }

    /// The current id of a taxon: itself when known, its merge target when it
    /// was merged, `None` when unknown or deleted.
    pub fn resolve(&self, taxid: u32) -> Option<u32> {
        if self.nodes.contains_key(&taxid) {
            return Some(taxid);
        }
        let target = *self.merged.get(&taxid)?;
        self.nodes.contains_key(&target).then_some(target)
    }

    /// True when `taxid` is listed in `delnodes.dmp`.
    pub fn is_deleted(&self, taxid: u32) -> bool {
        self.deleted.contains(&taxid)
    }

    pub fn parent(&self, taxid: u32) -> Option<u32> {
        self.nodes.get(&self.resolve(taxid)?).map(|e| e.parent)
    }

    pub fn rank(&self, taxid: u32) -> Option<&str> {
        self.nodes.get(&self.resolve(taxid)?).map(|e| &*e.rank)
    }

    /// The scientific name, when names were loaded.
    pub fn name(&self, taxid: u32) -> Option<&str> {
        self.names.get(&self.resolve(taxid)?).map(|n| &**n)
    }

    /// Root-first lineage ending with the (resolved) taxon itself. `None` when
    /// the taxon is unknown, a parent is missing, or the parents loop.
    pub fn lineage(&self, taxid: u32) -> Option<Vec<u32>> {
        let mut current = self.resolve(taxid)?;
        let mut path = vec![current];
        loop {
            let parent = self.nodes.get(&current)?.parent;
            if parent == current {
                break;
            }
            if path.len() > self.nodes.len() {
                return None;
            }
            path.push(parent);
            current = parent;
        }
        path.reverse();
        Some(path)
    }

    /// Number of steps from the root (the root has depth 0).
    pub fn depth(&self, taxid: u32) -> Option<usize> {
        self.lineage(taxid).map(|l| l.len() - 1)
    }

    /// Lowest common ancestor.
    pub fn lca(&self, a: u32, b: u32) -> Option<u32> {
        let (la, lb) = (self.lineage(a)?, self.lineage(b)?);
        la.iter()
            .zip(&lb)
            .take_while(|(x, y)| x == y)
            .last()
            .map(|(x, _)| *x)
    }

    /// Whether `ancestor` is on the lineage of `taxid` (a taxon is its own ancestor).
    pub fn is_ancestor(&self, ancestor: u32, taxid: u32) -> bool {
        let ancestor = self.resolve(ancestor);
        self.lineage(taxid)
            .is_some_and(|l| ancestor.is_some_and(|a| l.contains(&a)))
    }

    /// The original platform's relation of a query and a reference taxon.
    pub fn relation(&self, query: u32, reference: u32) -> TaxonRelation {
        let unrelated = TaxonRelation {
            lca: None,
            distance: None,
            common_ancestors: 0,
        };
        let (Some(l1), Some(l2)) = (self.lineage(query), self.lineage(reference)) else {
            return unrelated;
        };
        if l1.last() == l2.last() {
            return TaxonRelation {
                lca: l1.last().copied(),
                distance: Some(0),
                common_ancestors: 1,
            };
        }
        // Lineages are root-first paths, so the common nodes are a shared prefix.
        let common = l1.iter().zip(&l2).take_while(|(x, y)| x == y).count();
        if common == 0 {
            return unrelated;
        }
        let lca_index = common - 1;
        let distance = (l1.len() - lca_index) + (l2.len() - lca_index);
        TaxonRelation {
            lca: Some(l1[lca_index]),
            distance: u32::try_from(distance).ok(),
            common_ancestors: u32::try_from(common).unwrap_or(u32::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(taxid: u32, parent: u32, rank: &str) -> Node {
        Node {
            taxid,
            parent,
            rank: rank.into(),
        }
    }

    /// 1 ─ 2 ─ 3 ─ {4, 5}; 1 ─ 6; 7 → 8 → 7 is a loop; 9's parent is missing.
    fn tree() -> Taxonomy {
        let mut t = Taxonomy::from_nodes([
            node(1, 1, "no rank"),
            node(2, 1, "domain"),
            node(3, 2, "genus"),
            node(4, 3, "species"),
            node(5, 3, "species"),
            node(6, 1, "domain"),
            node(7, 8, "x"),
            node(8, 7, "x"),
            node(9, 99, "x"),
        ]);
        t.add_merged([Merged { old: 40, new: 4 }, Merged { old: 41, new: 999 }]);
        t.add_deleted([Deleted { taxid: 50 }]);
        t
    }

    #[test]
    fn lineage_depth_and_lca() {
        let t = tree();
        assert_eq!(t.lineage(4), Some(vec![1, 2, 3, 4]));
        assert_eq!(t.depth(1), Some(0));
        assert_eq!(t.depth(4), Some(3));
        assert_eq!(t.lca(4, 5), Some(3));
        assert_eq!(t.lca(4, 6), Some(1));
        assert_eq!(t.lineage(7), None);
        assert_eq!(t.lineage(9), None);
        assert!(t.is_ancestor(2, 5) && !t.is_ancestor(5, 2));
        assert_eq!(t.rank(3), Some("genus"));
    }

    #[test]
    fn merged_and_deleted_ids() {
        let t = tree();
        assert_eq!(t.resolve(40), Some(4));
        assert_eq!(t.resolve(41), None);
        assert_eq!(t.lineage(40), Some(vec![1, 2, 3, 4]));
        assert!(t.is_deleted(50));
        assert_eq!(t.resolve(50), None);
    }

    #[test]
    fn relation_follows_the_original_formula() {
        let t = tree();
        let sib = t.relation(4, 5);
        assert_eq!(
            sib,
            TaxonRelation {
                lca: Some(3),
                distance: Some(4),
                common_ancestors: 3
            }
        );
        let same = t.relation(4, 40);
        assert_eq!(
            same,
            TaxonRelation {
                lca: Some(4),
                distance: Some(0),
                common_ancestors: 1
            }
        );
        let up = t.relation(4, 2);
        assert_eq!(
            up,
            TaxonRelation {
                lca: Some(2),
                distance: Some(4),
                common_ancestors: 2
            }
        );
        let far = t.relation(4, 6);
        assert_eq!(
            far,
            TaxonRelation {
                lca: Some(1),
                distance: Some(6),
                common_ancestors: 1
            }
        );
        assert_eq!(
            t.relation(4, 9),
            TaxonRelation {
                lca: None,
                distance: None,
                common_ancestors: 0
            }
        );
    }
}
