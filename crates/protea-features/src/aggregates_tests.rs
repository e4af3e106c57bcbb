use super::*;

fn ann(term: i64, aspect: char, qualifier: Option<&str>, code: &str) -> NeighborAnnotation {
    NeighborAnnotation {
        go_term_id: term,
        aspect: Some(aspect),
        qualifier: qualifier.map(str::to_owned),
        evidence_code: Some(code.to_owned()),
    }
}

#[test]
fn unified_votes_positions_donors_and_distances() {
    let r1 = [
        ann(10, 'F', None, "IDA"),
        ann(10, 'F', None, "IEA"),
        ann(20, 'P', None, "IMP"),
    ];
    let r2 = [
        ann(20, 'P', None, "IDA"),
        ann(30, 'C', Some("NOT|located_in"), "IDA"),
    ];
    let r3 = [ann(10, 'F', None, "TAS"), ann(40, 'C', None, "IEA")];
    // r3 is as close as r1 for term 10 (tie keeps the first donor) and r2 is strictly
    // closer than... nothing: distances ascend, so donors are the first carriers.
    let hits = [
        NeighborHit {
            ref_accession: "R1",
            distance: 0.1,
            annotations: &r1,
        },
        NeighborHit {
            ref_accession: "R2",
            distance: 0.3,
            annotations: &r2,
        },
        NeighborHit {
            ref_accession: "R3",
            distance: 0.3,
            annotations: &r3,
        },
    ];
    let q = QueryAggregates::compute(
        &[NeighborList {
            aspect: None,
            hits: &hits,
        }],
        5,
    );
    let ids: Vec<i64> = q.terms.iter().map(|t| t.go_term_id).collect();
    assert_eq!(
        ids,
        [10, 20, 40],
        "first-sighting order, the negated term never appears"
    );

    let t10 = &q.terms[0];
    assert_eq!(
        (t10.vote_count, t10.k_position, t10.donor_ref),
        (3, 1, "R1")
    );
    assert_eq!(t10.donor_annotation.evidence_code.as_deref(), Some("IDA"));
    assert!((t10.sum_distance - 0.5).abs() < 1e-12);
    let t40 = &q.terms[2];
    assert_eq!(
        (t40.vote_count, t40.k_position, t40.donor_ref),
        (1, 3, "R3")
    );

    // std of [0.1, 0.3, 0.3] with ddof 0.
    let mean = 0.7 / 3.0;
    let want = (((0.1f64 - mean).powi(2) + 2.0 * (0.3f64 - mean).powi(2)) / 3.0).sqrt();
    assert!((q.neighbor_distance_std - want).abs() < 1e-15);

    let mut pool = AnnotationPool::default();
    for hit in &hits {
        pool.add(hit.ref_accession, hit.annotations);
    }
    let a = q.aggregates(t10, &pool);
    assert_eq!(a.vote_count, Some(3));
    assert_eq!(a.k_position, Some(1));
    assert_eq!(a.go_term_frequency, Some(3));
    assert_eq!(a.ref_annotation_density, Some(3)); // R1's three rows
    assert_eq!(a.neighbor_vote_fraction, Some(3.0 / 5.0));
    assert_eq!(a.neighbor_min_distance, Some(0.1));
    assert!((a.neighbor_mean_distance.unwrap() - 0.5 / 3.0).abs() < 1e-15);
    // R2's negated row is not in its density; unknown terms/references default to 0.
    assert_eq!(pool.ref_annotation_density("R2"), 1);
    assert_eq!(pool.go_term_frequency(30), 0);
    assert_eq!(pool.ref_annotation_density("nobody"), 0);
}

#[test]
fn donor_changes_only_on_a_strictly_smaller_distance() {
    let a = [ann(7, 'F', None, "IEA")];
    let b = [ann(7, 'F', None, "EXP")];
    // Not sorted: the second carrier is strictly closer and takes over the donor, but
    // k_position stays at the first sighting.
    let hits = [
        NeighborHit {
            ref_accession: "FAR",
            distance: 0.5,
            annotations: &a,
        },
        NeighborHit {
            ref_accession: "NEAR",
            distance: 0.2,
            annotations: &b,
        },
        NeighborHit {
            ref_accession: "TIE",
            distance: 0.2,
            annotations: &a,
        },
    ];
    let q = QueryAggregates::compute(
        &[NeighborList {
            aspect: None,
            hits: &hits,
        }],
        3,
    );
    let t = &q.terms[0];
    assert_eq!((t.donor_ref, t.k_position, t.vote_count), ("NEAR", 1, 3));
    assert_eq!(t.donor_annotation.evidence_code.as_deref(), Some("EXP"));
    assert_eq!(t.min_distance, 0.2);
}

#[test]
fn aspect_lists_filter_by_aspect_and_pool_the_distances() {
    let r1 = [ann(1, 'P', None, "IDA"), ann(2, 'F', None, "IDA")];
    let r2 = [ann(2, 'F', None, "IEA")];
    let p_hits = [NeighborHit {
        ref_accession: "R1",
        distance: 0.2,
        annotations: &r1,
    }];
    let f_hits = [
        NeighborHit {
            ref_accession: "R2",
            distance: 0.1,
            annotations: &r2,
        },
        NeighborHit {
            ref_accession: "R1",
            distance: 0.2,
            annotations: &r1,
        },
    ];
    let lists = [
        NeighborList {
            aspect: Some('P'),
            hits: &p_hits,
        },
        NeighborList {
            aspect: Some('F'),
            hits: &f_hits,
        },
        NeighborList {
            aspect: Some('C'),
            hits: &[],
        },
    ];
    let q = QueryAggregates::compute(&lists, 2);
    let ids: Vec<(i64, u32, u32)> = q
        .terms
        .iter()
        .map(|t| (t.go_term_id, t.vote_count, t.k_position))
        .collect();
    // Term 2 is not counted in the P list; in the F list R2 is rank 1.
    assert_eq!(ids, [(1, 1, 1), (2, 2, 1)]);
    assert_eq!(q.terms[1].donor_ref, "R2");
    // Pooled distances [0.2, 0.1, 0.2].
    let mean = 0.5 / 3.0;
    let want = ((2.0 * (0.2f64 - mean).powi(2) + (0.1f64 - mean).powi(2)) / 3.0).sqrt();
    assert!((q.neighbor_distance_std - want).abs() < 1e-15);
}

#[test]
fn single_neighbour_has_zero_std_and_k_zero_does_not_divide_by_zero() {
    let r = [ann(5, 'C', None, "IDA")];
    let hits = [NeighborHit {
        ref_accession: "R",
        distance: 0.4,
        annotations: &r,
    }];
    let q = QueryAggregates::compute(
        &[NeighborList {
            aspect: None,
            hits: &hits,
        }],
        0,
    );
    assert_eq!(q.neighbor_distance_std, 0.0);
    let a = q.aggregates(&q.terms[0], &AnnotationPool::default());
    assert_eq!(a.neighbor_vote_fraction, Some(1.0));
    assert_eq!(
        (a.go_term_frequency, a.ref_annotation_density),
        (Some(0), Some(0))
    );
    assert!(QueryAggregates::compute(&[], 5).terms.is_empty());
}
