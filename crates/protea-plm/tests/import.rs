//! Import of precomputed embeddings: the real ESM-2 vectors for 500 human
//! proteins from ../shared/data (skipped when absent), and a round trip of
//! what `protea embed`-style files hold.

use protea_plm::Matrix;
use protea_plm::import::read_precomputed;
use protea_plm::npy::write_npy;
use std::path::PathBuf;

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("PROTEA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    dir.join("embeddings").is_dir().then_some(dir)
}

#[test]
fn imports_the_real_esm2_human500_vectors() {
    let Some(dir) = shared() else {
        eprintln!("skipped: ../shared/data/embeddings not found");
        return;
    };
    let e = dir.join("embeddings");
    let v = read_precomputed(
        &e.join("esm2_t6_8M_UR50D.meanpool_l2norm.human500.npy"),
        &e.join("esm2_t6_8M_UR50D.meanpool_l2norm.human500.accessions.tsv"),
    )
    .unwrap();
    assert_eq!(v.len(), 500);
    assert!(
        v.iter()
            .all(|x| x.vector.len() == 320 && x.chunk_e.is_none())
    );
    let norm: f32 = v[0].vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "rows are L2-normalised: {norm}");
}

#[test]
fn round_trips_chunks_and_rejects_mismatches() {
    let dir = tempfile::tempdir().unwrap();
    let npy = dir.path().join("v.npy");
    write_npy(
        &npy,
        &Matrix {
            rows: 2,
            cols: 2,
            data: vec![1.0, 2.0, 3.0, 4.0],
        },
    )
    .unwrap();
    let tsv = dir.path().join("v.ids.tsv");
    std::fs::write(
        &tsv,
        "row\taccession\tchunk_s\tchunk_e\n0\tP1\t0\t10\n1\tP1\t8\t\n",
    )
    .unwrap();
    let v = read_precomputed(&npy, &tsv).unwrap();
    assert_eq!(
        (v[1].accession.as_str(), v[1].chunk_s, v[1].chunk_e),
        ("P1", 8, None)
    );
    assert_eq!(v[1].vector, vec![3.0, 4.0]);
    std::fs::write(&tsv, "row\taccession\n0\tP1\n").unwrap();
    let err = read_precomputed(&npy, &tsv).unwrap_err().to_string();
    assert!(err.contains("1 rows named but"), "{err}");
    std::fs::write(&tsv, "row\taccession\n1\tP1\n0\tP2\n").unwrap();
    assert!(
        read_precomputed(&npy, &tsv)
            .unwrap_err()
            .to_string()
            .contains("`row`")
    );
}
