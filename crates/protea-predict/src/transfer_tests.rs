//! The transfer rules, one hand-built case each. References sit on a line (1-D vectors)
//! and the metric is squared l2, so every distance is known exactly: a reference at x
//! is at distance x² from a query at 0.

use std::collections::HashMap;

use protea_core::Aspect::{
    self, BiologicalProcess as P, CellularComponent as C, MolecularFunction as F,
};

use crate::*;

fn ann(term: i64, aspect: Aspect) -> RefAnnotation {
    RefAnnotation {
        go_term_id: term,
        aspect,
        qualifier: None,
        evidence_code: Some("EXP".into()),
    }
}

fn with(mut a: RefAnnotation, qualifier: Option<&str>, evidence: &str) -> RefAnnotation {
    a.qualifier = qualifier.map(str::to_owned);
    a.evidence_code = Some(evidence.to_owned());
    a
}

/// References `(accession, position, annotations)`.
fn refs(rows: Vec<(&str, f32, Vec<RefAnnotation>)>, options: ReferenceOptions) -> ReferenceSet {
    let data: Vec<f32> = rows.iter().map(|r| r.1).collect();
    let matrix = ReferenceMatrix::from_f32(&data, 1).unwrap();
    let accessions = rows.iter().map(|r| r.0.to_owned()).collect();
    let annotations = rows.into_iter().map(|r| r.2).collect();
    ReferenceSet::build(&matrix, accessions, annotations, options).unwrap()
}

fn unified() -> ReferenceOptions {
    ReferenceOptions::default()
}

fn run(set: &ReferenceSet, params: &TransferParams, queries: &[(&str, f32)]) -> Vec<QueryTransfer> {
    let accessions: Vec<String> = queries.iter().map(|q| q.0.to_owned()).collect();
    let vectors: Vec<f32> = queries.iter().map(|q| q.1).collect();
    transfer(set, &accessions, &vectors, params).unwrap()
}

fn l2(k: usize) -> TransferParams {
    TransferParams::exact(k, Metric::L2)
}

fn by_term(result: &QueryTransfer) -> HashMap<i64, &Prediction> {
    result
        .predictions
        .iter()
        .map(|p| (p.go_term_id, p))
        .collect()
}

#[test]
fn votes_count_every_carrier_and_the_closest_donor_carries_the_row() {
    let set = refs(
        vec![
            ("R1", 1.0, vec![ann(10, F)]),
            ("R2", 2.0, vec![ann(10, F), ann(20, F)]),
            ("R3", 3.0, vec![ann(20, F)]),
        ],
        unified(),
    );
    let out = run(&set, &l2(3), &[("Q", 0.0)]);
    let terms = by_term(&out[0]);
    let t10 = terms[&10];
    assert_eq!((t10.vote_count, t10.k_position), (2, 1));
    assert_eq!(set.accession(t10.reference), "R1");
    assert_eq!(t10.distance, 1.0);
    assert_eq!(t10.neighbor_mean_distance, 2.5); // (1 + 4) / 2
    assert!((t10.neighbor_vote_fraction - 2.0 / 3.0).abs() < 1e-12);
    let t20 = terms[&20];
    assert_eq!((t20.vote_count, t20.k_position), (2, 2));
    assert_eq!(set.accession(t20.reference), "R2");
    assert_eq!((t20.distance, t20.neighbor_mean_distance), (4.0, 6.5));
    // Sorted by distance.
    assert_eq!(
        out[0]
            .predictions
            .iter()
            .map(|p| p.go_term_id)
            .collect::<Vec<_>>(),
        [10, 20]
    );
}

#[test]
fn donor_is_replaced_only_on_a_strictly_smaller_distance() {
    let set = refs(
        vec![
            ("A", 1.0, vec![with(ann(10, F), None, "IDA")]),
            ("B", 1.0, vec![with(ann(10, F), None, "IMP")]),
            ("C", 0.5, vec![with(ann(10, F), None, "IPI")]),
        ],
        unified(),
    );
    // Equal distances: the first one seen stays the donor.
    let hits = |order: &[(u32, f32)]| PoolNeighbors {
        aspect: None,
        hits: order
            .iter()
            .map(|&(reference, distance)| Hit {
                reference,
                distance,
            })
            .collect(),
    };
    let tie = accumulate(&set, &[hits(&[(0, 1.0), (1, 1.0)])], 2);
    assert_eq!(set.accession(tie[0].reference), "A");
    assert_eq!(tie[0].evidence_code.as_deref(), Some("IDA"));
    let tie = accumulate(&set, &[hits(&[(1, 1.0), (0, 1.0)])], 2);
    assert_eq!(set.accession(tie[0].reference), "B");
    // A later, strictly closer neighbour (as a second pool can bring) takes over the donor,
    // its annotation and the distance, but not k_position.
    let closer = accumulate(&set, &[hits(&[(0, 1.0)]), hits(&[(1, 1.0), (2, 0.25)])], 2);
    assert_eq!(set.accession(closer[0].reference), "C");
    assert_eq!(closer[0].evidence_code.as_deref(), Some("IPI"));
    assert_eq!(closer[0].distance, 0.25);
    assert_eq!(closer[0].k_position, 1);
    assert_eq!(closer[0].vote_count, 3);
}

#[test]
fn a_term_carried_twice_by_one_neighbour_votes_twice() {
    let set = refs(
        vec![(
            "R1",
            1.0,
            vec![with(ann(10, P), None, "IDA"), with(ann(10, P), None, "IMP")],
        )],
        unified(),
    );
    let out = run(&set, &l2(1), &[("Q", 0.0)]);
    let p = &out[0].predictions[0];
    assert_eq!(p.vote_count, 2);
    assert_eq!(p.neighbor_vote_fraction, 2.0);
    assert_eq!(p.ref_annotation_density, 2);
}

#[test]
fn negated_annotations_are_never_transferred() {
    let set = refs(
        vec![
            (
                "ONLY_NOT",
                0.5,
                vec![with(ann(10, F), Some("NOT|enables"), "IDA")],
            ),
            (
                "MIXED",
                1.0,
                vec![with(ann(10, F), Some("NOT|enables"), "IDA"), ann(20, F)],
            ),
        ],
        unified(),
    );
    let out = run(&set, &l2(5), &[("Q", 0.0)]);
    // The reference with only a NOT annotation is not even a neighbour.
    assert_eq!(out[0].neighbors[0].hits.len(), 1);
    assert_eq!(
        set.accession(out[0].neighbors[0].hits[0].reference),
        "MIXED"
    );
    let terms: Vec<i64> = out[0].predictions.iter().map(|p| p.go_term_id).collect();
    assert_eq!(terms, [20]);
    assert_eq!(set.term_frequency(10), 0);
    assert_eq!(set.annotation_density(1), 1);
}

#[test]
fn experimental_only_drops_other_evidence() {
    let rows = || {
        vec![
            ("R1", 1.0, vec![with(ann(10, F), None, "IEA"), ann(20, F)]),
            ("R2", 2.0, vec![with(ann(30, F), None, "ISS")]),
        ]
    };
    let all = refs(rows(), unified());
    assert_eq!(run(&all, &l2(2), &[("Q", 0.0)])[0].predictions.len(), 3);
    let exp = refs(
        rows(),
        ReferenceOptions {
            experimental_only: true,
            ..unified()
        },
    );
    let out = run(&exp, &l2(2), &[("Q", 0.0)]);
    let terms: Vec<i64> = out[0].predictions.iter().map(|p| p.go_term_id).collect();
    assert_eq!(terms, [20]);
    assert_eq!(
        out[0].neighbors[0].hits.len(),
        1,
        "R2 has nothing experimental"
    );
}

#[test]
fn the_query_itself_is_excluded_on_request_and_k_neighbours_remain() {
    let set = refs(
        vec![
            ("Q", 0.0, vec![ann(99, F)]),
            ("R1", 1.0, vec![ann(10, F)]),
            ("R2", 2.0, vec![ann(20, F)]),
        ],
        unified(),
    );
    let with_self = run(&set, &l2(2), &[("Q", 0.0)]);
    assert_eq!(with_self[0].predictions[0].go_term_id, 99);
    let params = TransferParams {
        exclude_self: true,
        ..l2(2)
    };
    let out = run(&set, &params, &[("Q", 0.0)]);
    let neighbours: Vec<&str> = out[0].neighbors[0]
        .hits
        .iter()
        .map(|h| set.accession(h.reference))
        .collect();
    assert_eq!(neighbours, ["R1", "R2"]);
    assert!(out[0].predictions.iter().all(|p| p.go_term_id != 99));
    // Another query still sees Q as a reference.
    let other = run(&set, &params, &[("X", 0.0)]);
    assert_eq!(other[0].predictions[0].go_term_id, 99);
}

#[test]
fn limit_per_entry_is_the_number_of_neighbours() {
    let set = refs(
        vec![
            ("R1", 1.0, vec![ann(10, F), ann(11, F)]),
            ("R2", 2.0, vec![ann(20, F)]),
            ("R3", 3.0, vec![ann(30, F)]),
        ],
        unified(),
    );
    let out = run(&set, &l2(2), &[("Q", 0.0)]);
    assert_eq!(out[0].neighbors[0].hits.len(), 2);
    // Two neighbours, three terms: k caps neighbours, not terms.
    assert_eq!(out[0].predictions.len(), 3);
}

#[test]
fn distance_threshold_keeps_distances_up_to_and_including_it() {
    let set = refs(
        vec![
            ("R1", 1.0, vec![ann(10, F)]),
            ("R2", 2.0, vec![ann(20, F)]),
            ("R3", 3.0, vec![ann(30, F)]),
        ],
        unified(),
    );
    let params = TransferParams {
        distance_threshold: Some(4.0),
        ..l2(3)
    };
    let out = run(&set, &params, &[("Q", 0.0)]);
    let terms: Vec<i64> = out[0].predictions.iter().map(|p| p.go_term_id).collect();
    assert_eq!(terms, [10, 20]);
}

#[test]
fn aspect_separated_pools_give_every_aspect_its_own_neighbours() {
    let rows = || {
        vec![
            ("F1", 1.0, vec![ann(10, F)]),
            ("F2", 2.0, vec![ann(11, F)]),
            ("PF", 3.0, vec![ann(20, P), ann(12, F)]),
            ("C1", 4.0, vec![ann(30, C)]),
        ]
    };
    let one = refs(rows(), unified());
    let out = run(&one, &l2(2), &[("Q", 0.0)]);
    assert!(out[0].predictions.iter().all(|p| p.aspect == F));
    let set = refs(
        rows(),
        ReferenceOptions {
            aspect_separated: true,
            ..unified()
        },
    );
    assert_eq!(
        set.pool_sizes(),
        [(Some(P), 1), (Some(F), 3), (Some(C), 1)],
        "PF sits in two pools"
    );
    let out = run(&set, &l2(2), &[("Q", 0.0)]);
    let pools: Vec<Option<Aspect>> = out[0].neighbors.iter().map(|n| n.aspect).collect();
    assert_eq!(pools, [Some(P), Some(F), Some(C)]);
    let terms = by_term(&out[0]);
    let mut ids: Vec<i64> = terms.keys().copied().collect();
    ids.sort();
    // F pool: F1, F2 (k = 2), so PF's F term 12 is not reached; P pool: PF transfers only 20.
    assert_eq!(ids, [10, 11, 20, 30]);
    // k_position counts within each pool.
    assert_eq!(terms[&20].k_position, 1);
    assert_eq!(terms[&30].k_position, 1);
    assert_eq!(terms[&11].k_position, 2);
    // std over every distance of every pool: 9 (P), 1 and 4 (F), 16 (C).
    let d = [9.0f64, 1.0, 4.0, 16.0];
    let mean = d.iter().sum::<f64>() / 4.0;
    let std = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 4.0).sqrt();
    assert!((terms[&10].neighbor_distance_std - std).abs() < 1e-12);
}

#[test]
fn distance_std_is_zero_for_a_single_neighbour() {
    let set = refs(vec![("R1", 1.0, vec![ann(10, F)])], unified());
    let out = run(&set, &l2(5), &[("Q", 0.0)]);
    assert_eq!(out[0].predictions[0].neighbor_distance_std, 0.0);
}

#[test]
fn frequency_and_density_count_the_whole_reference_set() {
    let set = refs(
        vec![
            ("R1", 1.0, vec![ann(10, F), ann(11, F)]),
            ("FAR1", 10.0, vec![ann(10, F)]),
            ("FAR2", 11.0, vec![ann(10, F)]),
        ],
        unified(),
    );
    // One neighbour only, but the frequency counts every reference.
    let out = run(&set, &l2(1), &[("Q", 0.0)]);
    let terms = by_term(&out[0]);
    assert_eq!(terms[&10].go_term_frequency, 3);
    assert_eq!(terms[&11].go_term_frequency, 1);
    assert_eq!(terms[&10].ref_annotation_density, 2);
}

#[test]
fn score_is_one_minus_distance_unless_a_reranker_ran() {
    let set = refs(vec![("R1", 0.5, vec![ann(10, F)])], unified());
    let mut out = run(&set, &l2(1), &[("Q", 0.0)]);
    let p = &mut out[0].predictions[0];
    assert_eq!(p.score(), 0.75);
    p.reranker_score = Some(0.1);
    assert_eq!(p.score(), 0.1);
    assert_eq!(distance_score(1.5), 0.0);
}

#[test]
fn cosine_distances_come_from_the_search_engine() {
    let data = [1.0f32, 0.0, 0.0, 1.0];
    let matrix = ReferenceMatrix::from_f32(&data, 2).unwrap();
    let set = ReferenceSet::build(
        &matrix,
        vec!["X".into(), "Y".into()],
        vec![vec![ann(1, F)], vec![ann(2, F)]],
        unified(),
    )
    .unwrap();
    let out = transfer(
        &set,
        &["Q".into()],
        &[2.0, 0.0],
        &TransferParams::exact(2, Metric::Cosine),
    )
    .unwrap();
    let d: Vec<f64> = out[0].predictions.iter().map(|p| p.distance).collect();
    assert!(d[0].abs() < 1e-6 && (d[1] - 1.0).abs() < 1e-6, "{d:?}");
}

#[test]
fn every_query_gets_its_own_result_and_empty_pools_give_empty_lists() {
    let set = refs(
        vec![("F1", 1.0, vec![ann(10, F)])],
        ReferenceOptions {
            aspect_separated: true,
            ..unified()
        },
    );
    let out = run(&set, &l2(3), &[("Q1", 0.0), ("Q2", 5.0)]);
    assert_eq!(out.len(), 2);
    assert_eq!(out[1].accession, "Q2");
    assert_eq!(out[1].neighbors[0].hits.len(), 0, "no P references");
    assert_eq!(out[1].predictions[0].distance, 16.0);
}

#[test]
fn mismatched_inputs_are_refused() {
    let matrix = ReferenceMatrix::from_f32(&[1.0, 2.0], 1).unwrap();
    let err = ReferenceSet::build(&matrix, vec!["A".into()], vec![vec![]], unified()).unwrap_err();
    assert!(err.to_string().contains("references"), "{err}");
    let set = refs(vec![("R1", 1.0, vec![ann(10, F)])], unified());
    let err = transfer(&set, &["Q".into()], &[0.0, 1.0], &l2(1)).unwrap_err();
    assert!(err.to_string().contains("queries"), "{err}");
}

/// 1 ← 2 ← 3 (is_a), 1 ← 4 (part_of), 5 an unrelated root.
fn dag() -> AncestorIndex {
    let aspects = (1..=5).map(|t| (t, F)).collect();
    AncestorIndex::new([(2, 1), (3, 2), (4, 1)], aspects)
}

#[test]
fn ancestor_closure_follows_every_given_edge() {
    let index = dag();
    assert_eq!(index.ancestors(3), [1, 2]);
    assert_eq!(index.ancestors(4), [1]);
    assert!(index.ancestors(5).is_empty());
}

#[test]
fn ancestor_expansion_adds_synthetic_rows_and_reinforces_predicted_ancestors() {
    let set = refs(
        vec![
            ("R3", 1.0, vec![ann(3, F)]),
            ("R4", 2.0, vec![ann(4, F)]),
            ("R2", 3.0, vec![ann(2, F)]),
        ],
        unified(),
    );
    let k = 3;
    let mut predictions = run(&set, &l2(k), &[("Q", 0.0)])[0].predictions.clone();
    expand_to_ancestors(&mut predictions, &dag(), k);
    let terms: HashMap<i64, &Prediction> = predictions.iter().map(|p| (p.go_term_id, p)).collect();
    let mut ids: Vec<i64> = terms.keys().copied().collect();
    ids.sort();
    assert_eq!(ids, [1, 2, 3, 4]);
    // 2 was predicted (by R2 at 9): leaf 3 reaches it, adding 1/k and its smaller distance.
    let t2 = terms[&2];
    assert!(!t2.expanded);
    assert!((t2.neighbor_vote_fraction - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(t2.neighbor_min_distance, 1.0);
    assert_eq!(t2.distance, 9.0, "the row's own distance is unchanged");
    // 1 is new: reached by leaves 3, 4 and 2, copied from the closest (3, via R3).
    let t1 = terms[&1];
    assert!(t1.expanded);
    assert_eq!(set.accession(t1.reference), "R3");
    assert_eq!(t1.distance, 1.0);
    assert!((t1.neighbor_vote_fraction - 1.0).abs() < 1e-12, "3 × 1/3");
    // Leaves without predicted ancestors keep their fraction.
    assert!((terms[&3].neighbor_vote_fraction - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn expanded_fraction_is_capped_at_one() {
    let set = refs(
        vec![("R3", 1.0, vec![ann(3, F)]), ("R4", 2.0, vec![ann(4, F)])],
        unified(),
    );
    let mut predictions = run(&set, &l2(2), &[("Q", 0.0)])[0].predictions.clone();
    expand_to_ancestors(&mut predictions, &dag(), 1);
    let t1 = predictions.iter().find(|p| p.go_term_id == 1).unwrap();
    assert_eq!(t1.neighbor_vote_fraction, 1.0);
}

struct Counting(Vec<(String, String)>);

impl FeatureComputer for Counting {
    fn pair(&mut self, query: &str, reference: &str) -> Result<PairFeatures> {
        self.0.push((query.into(), reference.into()));
        Ok(PairFeatures {
            length_ref: Some(reference.len() as i32),
            ..Default::default()
        })
    }
}

#[test]
fn pair_features_are_computed_once_per_query_and_donor() {
    let set = refs(
        vec![
            ("R1", 1.0, vec![ann(10, F), ann(11, F)]),
            ("R22", 2.0, vec![ann(20, F)]),
        ],
        unified(),
    );
    let out = run(&set, &l2(2), &[("Q1", 0.0), ("Q2", 0.0)]);
    let mut computer = Counting(Vec::new());
    let features = pair_features(&set, &out, &mut computer).unwrap();
    assert_eq!(computer.0.len(), 4, "{:?}", computer.0);
    assert_eq!(features[&(1, 1)].length_ref, Some(3));
}
