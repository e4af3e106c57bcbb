//! Hand-worked evaluator runs on a three-term ontology.

use super::*;
use std::collections::BTreeSet;

const R: u32 = 8150;
const A: u32 = 1;
const B: u32 = 2;

fn obo() -> String {
    let term = |id: u32, is_a: &[u32]| OboTerm {
        go_id: GoId(id),
        aspect: Some(Aspect::BiologicalProcess),
        is_a: is_a.iter().map(|&p| GoId(p)).collect(),
        ..OboTerm::default()
    };
    let mut terms = vec![term(R, &[]), term(A, &[R]), term(B, &[R])];
    terms[1].alt_ids.push(GoId(11));
    terms.push(OboTerm {
        obsolete: true,
        ..term(3, &[R])
    });
    ontology_obo(&terms)
}

fn terms(rows: &[(&str, &[u32])]) -> ProteinTerms {
    rows.iter()
        .map(|(p, t)| {
            (
                p.to_string(),
                t.iter().map(|&x| GoId(x)).collect::<BTreeSet<_>>(),
            )
        })
        .collect()
}

#[test]
fn obo_text_round_trips_through_protea_cafa() {
    let text = obo();
    assert!(text.contains(
        "id: GO:0000001\nnamespace: biological_process\nalt_id: GO:0000011\nis_a: GO:0008150\n"
    ));
    let ontology = parse_ontology(&text).unwrap();
    assert_eq!(ontology.namespaces.len(), 1);
    assert_eq!(ontology.namespaces[0].len(), 3, "obsolete term dropped");
    assert!(
        ontology.canonical("GO:0000011").is_none(),
        "alt ids are not canonical"
    );
    let mut hits = Vec::new();
    ontology.resolve("GO:0000011", &mut hits);
    assert_eq!(hits.len(), 1, "alt id resolves");
}

/// GT: P1 {A}, P2 {B} (propagated: {R, A}, {R, B}). Predictions: P1 A 0.9, P2 A 0.4.
/// For τ ≤ 0.4: P1 has precision 1, recall 1; P2 predicts {R, A}: precision ½, recall ½
/// → P = R = 0.75, F = 0.75. For 0.4 < τ ≤ 0.9 only P1 is covered: P = 1, R = ½, F = ⅔.
#[test]
fn nk_fmax_worked_by_hand() {
    let ontology = parse_ontology(&obo()).unwrap();
    let gt = terms(&[("P1", &[A]), ("P2", &[B])]);
    let preds = "P1\tGO:0000001\t0.9000\nP2\tGO:0000001\t0.4000\n";
    let eval = evaluate_setting(&ontology, &gt, None, None, preds).unwrap();
    let s = summarize(&eval);
    let bpo = s["BPO"];
    assert_eq!((bpo.fmax, bpo.precision, bpo.recall), (0.75, 0.75, 0.75));
    assert!(bpo.tau <= 0.4);
    assert_eq!((bpo.coverage, bpo.n_proteins), (1.0, 2.0));
    assert!(bpo.fmax_w.is_none());
    let files = output_files(&eval).unwrap();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "evaluation_all.tsv",
            "evaluation_best_f.tsv",
            "evaluation_best_f_micro.tsv",
            "evaluation_best_s.tsv",
            "pr_curves.tsv"
        ]
    );
    let curves = String::from_utf8(files[4].1.clone()).unwrap();
    assert!(curves.contains("BPO\t0.50\t1.000000\t0.500000\t0.666667\t0.500000\n"));
}

/// PK: P1 knew A and gains B; it predicts A (a repeat of known knowledge) and B. Known
/// terms and their ancestors ({R, A}) leave both ground truth and predictions, so the
/// repeat earns nothing and costs nothing: F = 1. Without the exclusion, precision is ⅔.
#[test]
fn pk_excludes_known_terms() {
    let ontology = parse_ontology(&obo()).unwrap();
    let gt = terms(&[("P1", &[B])]);
    let known = terms(&[("P1", &[A])]);
    let preds = "P1\tGO:0000001\t0.9\nP1\tGO:0000002\t0.5\n";
    let pk = evaluate_setting(&ontology, &gt, Some(&known), None, preds).unwrap();
    assert_eq!(summarize(&pk)["BPO"].fmax, 1.0);
    let plain = evaluate_setting(&ontology, &gt, None, None, preds).unwrap();
    assert_eq!(summarize(&plain)["BPO"].precision, 0.6667);
}

#[test]
fn weighted_columns_appear_with_ia() {
    let ontology = parse_ontology(&obo()).unwrap();
    let ia = InformationAccretion::read(
        "GO:0008150\t0\nGO:0000001\t1\nGO:0000002\t3\n".as_bytes(),
        "ia",
        &ontology,
    )
    .unwrap();
    let gt = terms(&[("P1", &[A]), ("P2", &[B])]);
    let preds = "P1\tGO:0000001\t0.9\nP2\tGO:0000001\t0.4\n";
    let eval = evaluate_setting(&ontology, &gt, None, Some(&ia), preds).unwrap();
    let bpo = summarize(&eval)["BPO"];
    // Weighted: at τ ≤ 0.9 only A carries weight for P1 (pr 1, rc 1); P2's weighted
    // prediction {A} is wrong (pr 0, rc 0 of 3) for τ ≤ 0.4. Best: τ in (0.4, 0.9]:
    // precision 1 over P1, recall (1 + 0) / 2 → F = ⅔.
    assert_eq!(bpo.fmax_w, Some(0.6667));
    assert!(
        pr_curves_tsv(&eval)
            .starts_with("namespace\ttau\tprecision\trecall\tf\tcoverage\tprecision_w")
    );
}

#[test]
fn restriction_keeps_predicted_proteins() {
    let gt = terms(&[("P1", &[A]), ("P2", &[B])]);
    let kept = restrict(&gt, |p| p == "P2");
    assert_eq!(kept.keys().collect::<Vec<_>>(), ["P2"]);
}
