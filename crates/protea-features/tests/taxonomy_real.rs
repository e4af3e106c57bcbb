//! Taxonomy features on the real NCBI taxdump subset in shared/data (skipped with a
//! message when the shared data is absent).

use protea_features::{TaxonomicRelation, TaxonomyFeatures};
use protea_formats::taxonomy::Taxonomy;
use std::path::PathBuf;

fn taxdump() -> Option<Taxonomy> {
    let base = std::env::var_os("PROTEA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let dir = base.join("taxonomy/taxdumpy_subset");
    if !dir.join("nodes.dmp").exists() {
        println!(
            "skipped: {} not found (set PROTEA_SHARED_DATA)",
            dir.display()
        );
        return None;
    }
    Some(Taxonomy::load_dir(&dir).expect("taxdump subset loads"))
}

#[test]
fn real_pairs_follow_the_lineages() {
    let Some(tree) = taxdump() else { return };
    let f = |q: u32, r: u32| TaxonomyFeatures::compute(&tree, Some(q), Some(r));

    // Homo sapiens vs Pan paniscus: 9606 → 9605 (Homo) → 207598 (Homininae) and
    // 9597 → 9596 (Pan) → 207598, so the LCA is 3 steps up on both sides.
    let apes = f(9606, 9597);
    assert_eq!(tree.parent(9605), Some(207598));
    assert_eq!(tree.parent(9596), Some(207598));
    assert_eq!(apes.taxonomic_lca, Some(207598));
    assert_eq!(apes.taxonomic_distance, Some(6));
    assert_eq!(apes.taxonomic_relation, TaxonomicRelation::Close);
    assert_eq!(
        apes.taxonomic_common_ancestors as usize,
        tree.lineage(207598).unwrap().len()
    );

    // Human vs E. coli: only root and "cellular organisms" in common.
    let cross = f(9606, 562);
    assert_eq!(cross.taxonomic_lca, Some(131567));
    assert_eq!(cross.taxonomic_common_ancestors, 2);
    assert_eq!(cross.taxonomic_relation, TaxonomicRelation::Distant);
    let depth = |t| tree.depth(t).unwrap() as i32;
    assert_eq!(
        cross.taxonomic_distance,
        Some(depth(9606) + depth(562) - 2 * depth(131567) + 2)
    );

    // A virus shares only the root with cellular life.
    let virus = tree
        .taxids()
        .find(|&t| t != 10239 && tree.is_ancestor(10239, t))
        .unwrap();
    assert_eq!(
        f(9606, virus).taxonomic_relation,
        TaxonomicRelation::RootOnly
    );

    // Genus vs its species, both ways, and identity.
    assert_eq!(
        f(9605, 9606).taxonomic_relation,
        TaxonomicRelation::Ancestor
    );
    assert_eq!(
        f(9606, 9605).taxonomic_relation,
        TaxonomicRelation::Descendant
    );
    assert_eq!(f(9606, 9605).taxonomic_distance, Some(3));
    assert_eq!(f(562, 562).taxonomic_relation, TaxonomicRelation::Same);

    // merged.dmp: 30 was merged into 29.
    assert_eq!(f(30, 29).taxonomic_relation, TaxonomicRelation::Same);
    // An id the dump does not know.
    assert_eq!(
        f(9606, 4_000_000_000).taxonomic_relation,
        TaxonomicRelation::Unrelated
    );
}
