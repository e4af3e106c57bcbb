//! Hand-built cases for the delta: NK, LK and PK, a protein LK in one namespace and PK in
//! another, NOT-propagation (through is_a and part_of, not regulates), evidence filtering,
//! alt ids and aspect-less terms.

use super::*;

fn g(n: u32) -> GoId {
    GoId(n)
}

/// BP: 8150 ← 1 (is_a) ← 2 (is_a); 1 ← 3 (part_of); 1 ← 4 (regulates).
/// MF: 3674 ← 10; CC: 5575 ← 20. 99 has no aspect; alt id 90 → 10.
fn graph() -> GoGraph {
    let mut gr = GoGraph::new();
    for (t, a) in [
        (8150, Some(Aspect::BiologicalProcess)),
        (1, Some(Aspect::BiologicalProcess)),
        (2, Some(Aspect::BiologicalProcess)),
        (3, Some(Aspect::BiologicalProcess)),
        (4, Some(Aspect::BiologicalProcess)),
        (3674, Some(Aspect::MolecularFunction)),
        (10, Some(Aspect::MolecularFunction)),
        (5575, Some(Aspect::CellularComponent)),
        (20, Some(Aspect::CellularComponent)),
        (99, None),
    ] {
        gr.add_term(g(t), a);
    }
    gr.add_edge(g(1), g(8150), "is_a");
    gr.add_edge(g(2), g(1), "is_a");
    gr.add_edge(g(3), g(1), "part_of");
    gr.add_edge(g(4), g(1), "regulates");
    gr.add_edge(g(10), g(3674), "is_a");
    gr.add_edge(g(20), g(5575), "is_a");
    gr.add_alt_id(g(90), g(10));
    gr
}

fn row(protein: &str, term: u32, evidence: &str, qualifier: Option<&str>) -> AnnotationRow {
    AnnotationRow {
        protein: protein.into(),
        go_id: g(term),
        qualifier: qualifier.map(Into::into),
        evidence_code: Some(evidence.into()),
    }
}

fn set(terms: &[u32]) -> BTreeSet<GoId> {
    terms.iter().map(|&t| g(t)).collect()
}

#[test]
fn descendants_follow_is_a_and_part_of_only() {
    assert_eq!(graph().descendants(g(1)), [g(1), g(2), g(3)]);
    assert_eq!(graph().descendants(g(2)), [g(2)]);
}

#[test]
fn nk_takes_every_new_term_in_every_aspect() {
    let new = [row("P1", 2, "IDA", None), row("P1", 10, "EXP", None)];
    let d = compute_delta(&[], &new, &graph());
    assert_eq!(d.nk["P1"], set(&[2, 10]));
    assert!(d.lk.is_empty() && d.pk.is_empty());
    assert_eq!(
        d.categories["P1"],
        [
            (Aspect::BiologicalProcess, Category::Nk),
            (Aspect::MolecularFunction, Category::Nk)
        ]
    );
}

#[test]
fn a_protein_can_be_pk_in_one_namespace_and_lk_in_another() {
    let old = [row("P2", 1, "IDA", None), row("P2", 10, "TAS", None)];
    let new = [
        row("P2", 1, "IDA", None),
        row("P2", 2, "IMP", None), // more specific than a known term: still novel
        row("P2", 10, "TAS", None),
        row("P2", 20, "HDA", None),
    ];
    let d = compute_delta(&old, &new, &graph());
    assert_eq!(d.pk["P2"], set(&[2]));
    assert_eq!(
        d.pk_known["P2"],
        set(&[1]),
        "only the PK namespace's old terms"
    );
    assert_eq!(d.lk["P2"], set(&[20]));
    assert!(d.nk.is_empty());
    assert_eq!(
        d.categories["P2"],
        [
            (Aspect::BiologicalProcess, Category::Pk),
            (Aspect::CellularComponent, Category::Lk)
        ]
    );
    // MF gained nothing: no category there.
    assert_eq!(d.known["P2"], set(&[1, 10]));
    assert_eq!(d.labelled_proteins(None), [("P2", Category::Lk)]);
    assert_eq!(
        d.labelled_proteins(Some(Category::Pk)),
        [("P2", Category::Pk)]
    );
}

#[test]
fn not_annotations_exclude_the_term_and_its_descendants_in_both_sets() {
    // P3 is known in MF. A NOT on term 1 (any evidence, new set) removes 1, 2 (is_a) and
    // 3 (part_of) but not 4 (regulates).
    let old = [row("P3", 10, "IDA", None)];
    let new = [
        row("P3", 1, "IEA", Some("NOT|involved_in")),
        row("P3", 2, "IDA", None),
        row("P3", 3, "IDA", None),
        row("P3", 4, "IDA", None),
    ];
    let d = compute_delta(&old, &new, &graph());
    assert_eq!(d.lk["P3"], set(&[4]));
    // A NOT in the old set excludes the new annotation as well; other proteins untouched.
    let old = [row("P5", 20, "IDA", Some("NOT|located_in"))];
    let new = [row("P5", 20, "IDA", None), row("P6", 20, "IDA", None)];
    let d = compute_delta(&old, &new, &graph());
    assert!(!d.categories.contains_key("P5"));
    assert_eq!(d.nk["P6"], set(&[20]));
    assert_eq!(d.stats.not_excluded_pairs, 1);
}

#[test]
fn only_experimental_resolvable_aspect_terms_count() {
    let new = [
        row("P4", 2, "IEA", None),          // electronic
        row("P5", 99, "IDA", None),         // no aspect
        row("P6", 90, "IDA", None),         // alt id of 10
        row("P7", 20, "ECO:0000314", None), // ECO id of IDA
        row("P8", 777, "IDA", None),        // unknown to the snapshot
    ];
    let d = compute_delta(&[], &new, &graph());
    assert_eq!(d.nk.keys().collect::<Vec<_>>(), ["P6", "P7"]);
    assert_eq!(d.nk["P6"], set(&[10]));
}

#[test]
fn old_only_proteins_are_known_but_not_delta_and_stats_add_up() {
    let old = [
        row("A", 1, "IDA", None),
        row("B", 10, "IDA", None),
        row("B", 20, "IDA", None),
    ];
    let new = [
        row("A", 1, "IDA", None), // nothing new
        row("B", 10, "IDA", None),
        row("B", 3674, "IDA", None), // PK in MF
        row("B", 2, "IDA", None),    // LK in BP
        row("C", 2, "IPI", None),    // NK
        row("C", 3, "IPI", None),
    ];
    let d = compute_delta(&old, &new, &graph());
    let s = &d.stats;
    assert_eq!(
        (
            s.delta_proteins,
            s.nk_proteins,
            s.lk_proteins,
            s.pk_proteins
        ),
        (2, 1, 1, 1)
    );
    assert_eq!(
        (s.nk_annotations, s.lk_annotations, s.pk_annotations),
        (2, 1, 1)
    );
    assert_eq!(s.known_terms_count, 3);
    assert_eq!(s.pk_known_terms_count, 1);
    assert_eq!(to_tsv(&d.nk), "C\tGO:0000002\nC\tGO:0000003\n");
    assert_eq!(to_tsv(&d.pk_known), "B\tGO:0000010\n");
}
