use super::*;
use protea_formats::taxdump::{Merged, Node};

fn node(taxid: u32, parent: u32) -> Node {
    Node {
        taxid,
        parent,
        rank: "no rank".into(),
    }
}

/// A hand-built tree: 1 ─ 2 ─ 3 ─ 4 ─ … ─ 20 (a chain 18 deep), with leaves
/// 100 and 101 under 20 (> 15 common), 200 and 201 under 5 (5 common), 300 under 2
/// and 301 under 2 (2 common), 400 under 1 (only the root in common), and 500 ─ 501,
/// a second root.
fn tree() -> Taxonomy {
    let mut nodes = vec![node(1, 1)];
    nodes.extend((2..=20).map(|t| node(t, t - 1)));
    nodes.extend([
        node(100, 20),
        node(101, 20),
        node(200, 5),
        node(201, 5),
        node(300, 2),
        node(301, 2),
        node(400, 1),
        node(500, 500),
        node(501, 500),
    ]);
    let mut tree = Taxonomy::from_nodes(nodes);
    tree.add_merged([Merged { old: 999, new: 100 }]);
    tree
}

fn rel(q: u32, r: u32) -> TaxonomyFeatures {
    TaxonomyFeatures::compute(&tree(), Some(q), Some(r))
}

#[test]
fn every_produced_relation_label_on_a_hand_built_tree() {
    let same = rel(100, 100);
    assert_eq!(same.taxonomic_relation, TaxonomicRelation::Same);
    assert_eq!(
        (
            same.taxonomic_lca,
            same.taxonomic_distance,
            same.taxonomic_common_ancestors
        ),
        (Some(100), Some(0), 1)
    );
    // A merged id is the same taxon as its target.
    assert_eq!(rel(999, 100).taxonomic_relation, TaxonomicRelation::Same);
    assert_eq!(rel(999, 100).query_taxonomy_id, Some(999));

    let anc = rel(5, 200);
    assert_eq!(anc.taxonomic_relation, TaxonomicRelation::Ancestor);
    // L1 = 1..5 (5 nodes), L2 = 1..5,200 (6): LCA 5 at index 4 ⇒ (5−4) + (6−4) = 3.
    assert_eq!(
        (
            anc.taxonomic_lca,
            anc.taxonomic_distance,
            anc.taxonomic_common_ancestors
        ),
        (Some(5), Some(3), 5)
    );

    let desc = rel(200, 5);
    assert_eq!(desc.taxonomic_relation, TaxonomicRelation::Descendant);
    assert_eq!(desc.taxonomic_distance, Some(3));

    let close = rel(100, 101);
    assert_eq!(close.taxonomic_relation, TaxonomicRelation::Close);
    assert_eq!(
        (
            close.taxonomic_lca,
            close.taxonomic_distance,
            close.taxonomic_common_ancestors
        ),
        (Some(20), Some(4), 20)
    );

    let mid = rel(200, 201);
    assert_eq!(mid.taxonomic_relation, TaxonomicRelation::Intermediate);
    assert_eq!(
        (
            mid.taxonomic_lca,
            mid.taxonomic_distance,
            mid.taxonomic_common_ancestors
        ),
        (Some(5), Some(4), 5)
    );
    // 3 and 15 common are intermediate, 16 is close: leaves under 3, 15 and 16.
    let mut nodes: Vec<Node> = vec![node(1, 1)];
    nodes.extend((2..=20).map(|t| node(t, t - 1)));
    nodes.extend([
        node(30, 3),
        node(31, 3),
        node(150, 15),
        node(151, 15),
        node(160, 16),
        node(161, 16),
    ]);
    let t = Taxonomy::from_nodes(nodes);
    let label = |a, b| TaxonomyFeatures::compute(&t, Some(a), Some(b)).taxonomic_relation;
    assert_eq!(label(30, 31), TaxonomicRelation::Intermediate);
    assert_eq!(label(150, 151), TaxonomicRelation::Intermediate);
    assert_eq!(label(160, 161), TaxonomicRelation::Close);

    let distant = rel(300, 301);
    assert_eq!(distant.taxonomic_relation, TaxonomicRelation::Distant);
    assert_eq!(
        (distant.taxonomic_lca, distant.taxonomic_common_ancestors),
        (Some(2), 2)
    );

    let root = rel(400, 300);
    assert_eq!(root.taxonomic_relation, TaxonomicRelation::RootOnly);
    assert_eq!(
        (
            root.taxonomic_lca,
            root.taxonomic_distance,
            root.taxonomic_common_ancestors
        ),
        (Some(1), Some(5), 1)
    );

    for unrelated in [
        TaxonomyFeatures::compute(&tree(), None, Some(100)),
        TaxonomyFeatures::compute(&tree(), Some(100), None),
        rel(100, 77_777), // unknown id
        rel(100, 501),    // another root: nothing in common
    ] {
        assert_eq!(unrelated.taxonomic_relation, TaxonomicRelation::Unrelated);
        assert_eq!(
            (
                unrelated.taxonomic_lca,
                unrelated.taxonomic_distance,
                unrelated.taxonomic_common_ancestors
            ),
            (None, None, 0)
        );
    }
}

#[test]
fn labels_round_trip_and_serialise_as_stored() {
    for r in TaxonomicRelation::ALL {
        assert_eq!(TaxonomicRelation::parse(r.as_str()), Some(r));
        assert!(r.as_str().len() <= 20, "fits varchar(20)");
    }
    let json = serde_json::to_value(rel(400, 300)).unwrap();
    assert_eq!(json["taxonomic_relation"], "root-only");
    assert_eq!(json["taxonomic_lca"], 1);
    assert_eq!(parse_taxid(" 9606\n"), Some(9606));
    assert_eq!(parse_taxid("9606.0"), None);
}
