//! Exact blocked-GEMM search against a naive f64 reference.

mod common;

use common::{Rng, assert_matches_naive, esm2, naive_all};
use protea_search::{Metric, ReferenceMatrix, SearchParams, search};

fn check_all(refs: &ReferenceMatrix, queries: &[f32], metric: Metric, k: usize, what: &str) {
    let got = search(refs, queries, &SearchParams::exact(k, metric)).unwrap();
    assert_eq!(got.len(), queries.len() / refs.dim());
    for (qi, (q, list)) in queries.chunks_exact(refs.dim()).zip(&got).enumerate() {
        assert_matches_naive(refs, q, metric, k, list, &format!("{what} query {qi}"));
    }
}

#[test]
fn random_data_across_block_edges_both_metrics() {
    // 2 000 rows span three full 512-row tiles and a partial one; dim 67 is odd on purpose.
    let mut rng = Rng::new(7);
    let (n, nq, d) = (2000, 23, 67);
    let mut data = rng.matrix(n, d);
    data[5 * d..6 * d].iter_mut().for_each(|x| *x = 0.0); // a zero reference row
    let refs = ReferenceMatrix::from_f32(&data, d).unwrap();
    let mut queries = rng.matrix(nq, d);
    queries[..d].iter_mut().for_each(|x| *x = 0.0); // a zero query
    for metric in [Metric::Cosine, Metric::L2] {
        for k in [1, 10, 700] {
            check_all(&refs, &queries, metric, k, &format!("{metric:?} k={k}"));
        }
    }
}

#[test]
fn more_queries_than_one_chunk_and_k_beyond_the_rows() {
    let mut rng = Rng::new(11);
    let (n, nq, d) = (300, 1100, 16);
    let refs = ReferenceMatrix::from_f32(&rng.matrix(n, d), d).unwrap();
    let queries = rng.matrix(nq, d);
    check_all(&refs, &queries, Metric::L2, 5, "l2 chunked");
    let all = search(
        &refs,
        &queries[..d],
        &SearchParams::exact(1000, Metric::Cosine),
    )
    .unwrap();
    assert_eq!(all[0].len(), n, "k beyond the rows returns every row");
}

#[test]
fn exact_ties_are_ordered_by_row_index() {
    // Small integers: every dot product is exact in f32, so the ties are real ties.
    let d = 8;
    let mut rng = Rng::new(3);
    let data: Vec<f32> = (0..400 * d).map(|_| (rng.next_u64() % 3) as f32).collect();
    let refs = ReferenceMatrix::from_f32(&data, d).unwrap();
    let queries: Vec<f32> = (0..10 * d).map(|_| (rng.next_u64() % 3) as f32).collect();
    let got = search(&refs, &queries, &SearchParams::exact(50, Metric::L2)).unwrap();
    for (q, list) in queries.chunks_exact(d).zip(&got) {
        let want: Vec<(f32, u32)> = naive_all(&refs, q, Metric::L2)[..50]
            .iter()
            .map(|&(dist, i)| (dist as f32, i))
            .collect();
        let got: Vec<(f32, u32)> = list.iter().map(|n| (n.distance, n.index)).collect();
        assert_eq!(got, want);
    }
}

#[test]
fn threshold_applies_after_the_top_k_cut() {
    let mut rng = Rng::new(5);
    let d = 12;
    let refs = ReferenceMatrix::from_f32(&rng.matrix(200, d), d).unwrap();
    let queries = rng.matrix(4, d);
    let mut p = SearchParams::exact(8, Metric::Cosine);
    let full = search(&refs, &queries, &p).unwrap();
    // A threshold between the 4th and 5th distance of the first query.
    let t = (full[0][3].distance + full[0][4].distance) / 2.0;
    p.distance_threshold = Some(t);
    let cut = search(&refs, &queries, &p).unwrap();
    assert_eq!(cut[0].len(), 4);
    for (f, c) in full.iter().zip(&cut) {
        let want: Vec<_> = f.iter().copied().filter(|n| n.distance <= t).collect();
        assert_eq!(c, &want);
    }
}

#[test]
fn real_esm2_vectors_equal_the_naive_search() {
    let Some((n, d, data)) = esm2() else { return };
    let refs = ReferenceMatrix::from_f32(&data, d).unwrap();
    // Every protein as a query against all 500 (itself included).
    for metric in [Metric::Cosine, Metric::L2] {
        let got = search(&refs, &data, &SearchParams::exact(10, metric)).unwrap();
        assert_eq!(got.len(), n);
        for (qi, (q, list)) in data.chunks_exact(d).zip(&got).enumerate() {
            assert_matches_naive(&refs, q, metric, 10, list, &format!("esm2 {metric:?} {qi}"));
        }
    }
}

#[test]
fn f16_storage_moves_distances_by_no_more_than_half_precision_rounding() {
    let Some((_, d, data)) = esm2() else { return };
    let refs = ReferenceMatrix::from_f32(&data, d).unwrap();
    let got = search(
        &refs,
        &data[..20 * d],
        &SearchParams::exact(10, Metric::Cosine),
    )
    .unwrap();
    for (q, list) in data.chunks_exact(d).zip(&got) {
        for nb in list {
            let r: Vec<f64> = data[nb.index as usize * d..][..d]
                .iter()
                .map(|&x| f64::from(x))
                .collect();
            let full = common::naive_distance(q, &r, Metric::Cosine);
            // Each f16 value carries a relative error of at most 2^-11.
            assert!(
                (f64::from(nb.distance) - full).abs() <= 2.0f64.powi(-11),
                "{} vs {full}",
                nb.distance
            );
        }
    }
}

#[test]
fn bad_shapes_and_parameters_are_refused() {
    let refs = ReferenceMatrix::from_f32(&[0.0; 12], 4).unwrap();
    assert!(ReferenceMatrix::from_f32(&[0.0; 10], 4).is_err());
    let err = search(&refs, &[0.0; 5], &SearchParams::exact(1, Metric::L2)).unwrap_err();
    assert!(err.to_string().contains("queries"), "{err}");
    let err = search(&refs, &[0.0; 4], &SearchParams::exact(0, Metric::L2)).unwrap_err();
    assert!(err.to_string().contains("`k`"), "{err}");
}
