//! The v6 family against numbers numpy and sklearn produced (`scripts/make_fixtures.py`).

use std::fs::File;
use std::path::PathBuf;

use protea_reranker::anc2vec::{Anc2VecIndex, neighbour_centroid, signals};
use protea_reranker::pca::{PcaState, fit_embedding_pca};

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn matrix(rel: &str) -> Vec<Vec<f64>> {
    std::fs::read_to_string(data(rel))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').map(|v| v.parse().unwrap()).collect())
        .collect()
}

fn fitted() -> (Vec<f32>, PcaState) {
    let x = matrix("pca/X.tsv");
    let dim = x[0].len();
    let flat: Vec<f32> = x.iter().flatten().map(|&v| v as f32).collect();
    let state = fit_embedding_pca(&flat, dim, 4, 50_000, 42).unwrap();
    (flat, state)
}

/// Components equal up to sign: |a·b| = 1 and element-wise within `tol` after aligning.
fn assert_same_axes(ours: &PcaState, want: &[Vec<f64>], tol: f64, what: &str) {
    for (k, w) in want.iter().enumerate() {
        let c = &ours.components[k * ours.dim..(k + 1) * ours.dim];
        let dot: f64 = c.iter().zip(w).map(|(a, b)| *a as f64 * b).sum();
        let sign = dot.signum();
        for (a, b) in c.iter().zip(w) {
            assert!(
                (*a as f64 - sign * b).abs() < tol,
                "{what}: component {k}: {a} vs {}",
                sign * b
            );
        }
    }
}

#[test]
fn pca_matches_numpy_svd_and_sklearn_up_to_sign() {
    let (_, state) = fitted();
    let mean = &matrix("pca/mean.tsv")[0];
    for (a, b) in state.mean.iter().zip(mean) {
        assert!((*a as f64 - b).abs() < 1e-5, "mean {a} vs {b}");
    }
    assert_same_axes(&state, &matrix("pca/components.tsv"), 1e-5, "numpy");
    assert_same_axes(
        &state,
        &matrix("pca/sklearn_components.tsv"),
        1e-5,
        "sklearn",
    );
    // Unit rows, by decreasing variance.
    for c in state.components.chunks(state.dim) {
        let n: f32 = c.iter().map(|v| v * v).sum();
        assert!((n - 1.0).abs() < 1e-5);
    }
}

#[test]
fn projection_matches_numpy_up_to_sign() {
    let (flat, state) = fitted();
    let want = matrix("pca/projection.tsv");
    let numpy = matrix("pca/components.tsv");
    for (r, w) in want.iter().enumerate() {
        let got = state
            .project(&flat[r * state.dim..(r + 1) * state.dim])
            .unwrap();
        for k in 0..4 {
            let c = &state.components[k * state.dim..(k + 1) * state.dim];
            let sign: f64 = c
                .iter()
                .zip(&numpy[k])
                .map(|(a, b)| *a as f64 * b)
                .sum::<f64>()
                .signum();
            assert!(
                (got[k] as f64 - sign * w[k]).abs() < 1e-4,
                "row {r} pc {k}: {} vs {}",
                got[k],
                sign * w[k]
            );
        }
    }
}

#[test]
fn pca_state_round_trips_and_fits_are_deterministic() {
    let (flat, state) = fitted();
    let mut bytes = Vec::new();
    state.write_json(&mut bytes).unwrap();
    let back = PcaState::read_json(bytes.as_slice(), "mem").unwrap();
    assert_eq!(back, state);
    // Subsampled fits (max 100 of 300 rows) repeat exactly for a seed and differ across seeds.
    let a = fit_embedding_pca(&flat, state.dim, 4, 100, 42).unwrap();
    let b = fit_embedding_pca(&flat, state.dim, 4, 100, 42).unwrap();
    let c = fit_embedding_pca(&flat, state.dim, 4, 100, 7).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.n_fit_samples, 100);
    assert_ne!(a.mean, c.mean);
    // A corrupt state is an error naming its source, not a panic.
    let e = PcaState::read_json(&b"{\"dim\": 3"[..], "cache/abc.json").unwrap_err();
    assert!(e.to_string().contains("cache/abc.json"));
    let e = state.project(&[0.0; 3]).unwrap_err().to_string();
    assert!(e.contains("3 values"), "{e}");
    let e = fit_embedding_pca(&flat[..5 * state.dim], state.dim, 6, 100, 1).unwrap_err();
    assert!(e.to_string().contains("n_components"));
}

#[test]
fn anc2vec_signals_match_numpy() {
    let index = Anc2VecIndex::from_npz(
        File::open(data("anc2vec/anc2vec_small.npz")).unwrap(),
        "anc2vec_small.npz",
    )
    .unwrap();
    assert_eq!((index.len(), index.dim()), (7, 8));
    assert_eq!(index.ontology_release.as_deref(), Some("2020-10-06"));
    assert!(
        index.unit("GO:0016020").is_none(),
        "a zero row has no embedding"
    );
    let text = std::fs::read_to_string(data("anc2vec/signals.tsv")).unwrap();
    let mut cases = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let centroid = neighbour_centroid(&index, f[1].split(','));
        let s = signals(&index, f[0], &centroid);
        for (got, want) in [
            (s.neighbor_cos, f[2]),
            (s.neighbor_maxcos, f[3]),
            (s.has_emb, f[4]),
        ] {
            let want: f64 = want.parse().unwrap();
            assert!(
                (got.is_nan() && want.is_nan()) || (got - want).abs() < 1e-6,
                "{}: {got} vs {want}",
                f[0]
            );
        }
        assert!(s.query_known_cos.is_nan() && s.query_known_maxcos.is_nan());
        assert_eq!(s.query_known_count, 0.0);
        cases += 1;
    }
    assert_eq!(cases, 5);
}

#[test]
fn a_file_that_is_not_an_npz_is_named() {
    let e = Anc2VecIndex::from_npz(std::io::Cursor::new(b"GO:1 0.5".to_vec()), "terms.txt")
        .unwrap_err()
        .to_string();
    assert!(e.contains("terms.txt") && e.contains("npz"), "{e}");
}
