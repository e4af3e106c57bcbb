//! `protea knn` end to end: the TSV must hold exactly what protea-search returns for the
//! same matrices, an index file is reused on a second run, and bad input fails cleanly.

use protea_plm::Matrix;
use protea_plm::npy::write_npy;
use protea_search::{Backend, Metric, ReferenceMatrix, SearchParams, search};
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_protea");

/// Deterministic clustered rows (SplitMix64), so approximate backends have structure to use.
fn matrix(rows: usize, cols: usize, seed: u64) -> Matrix {
    let mut s = seed;
    let mut next = move || {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    };
    let centres: Vec<f32> = (0..20 * cols).map(|_| next()).collect();
    let data = (0..rows * cols)
        .map(|i| centres[((i / cols) % 20) * cols + i % cols] + 0.1 * next())
        .collect();
    Matrix { rows, cols, data }
}

fn knn(args: &[&str], refs: &Path, queries: &Path, out: &Path) -> Output {
    Command::new(BIN)
        .arg("knn")
        .arg("--refs")
        .arg(refs)
        .arg("--queries")
        .arg(queries)
        .arg("--out")
        .arg(out)
        .args(args)
        .env_remove("PROTEA_CONFIG")
        .output()
        .unwrap()
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The TSV as (query, rank, ref, distance) rows, after checking the header.
fn rows(path: &Path) -> Vec<(usize, usize, u32, f32)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("query\trank\tref\tdistance"));
    lines
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 4, "{l}");
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                f[3].parse().unwrap(),
            )
        })
        .collect()
}

fn expected(refs: &Matrix, queries: &Matrix, p: &SearchParams) -> Vec<(usize, usize, u32, f32)> {
    let r = ReferenceMatrix::from_f32(&refs.data, refs.cols).unwrap();
    search(&r, &queries.data, p)
        .unwrap()
        .iter()
        .enumerate()
        .flat_map(|(q, l)| {
            l.iter()
                .enumerate()
                .map(move |(i, n)| (q, i + 1, n.index, n.distance))
        })
        .collect()
}

#[test]
fn exact_ivf_and_hnsw_write_what_the_library_returns() {
    let dir = tempfile::tempdir().unwrap();
    let (rp, qp, out) = (
        dir.path().join("r.npy"),
        dir.path().join("q.npy"),
        dir.path().join("o.tsv"),
    );
    let (refs, queries) = (matrix(1500, 24, 1), matrix(40, 24, 2));
    write_npy(&rp, &refs).unwrap();
    write_npy(&qp, &queries).unwrap();

    ok(&knn(&["-k", "7", "--metric", "l2"], &rp, &qp, &out));
    let got = rows(&out);
    assert_eq!(got.len(), 40 * 7);
    assert_eq!(
        got,
        expected(&refs, &queries, &SearchParams::exact(7, Metric::L2))
    );

    let ivf = Backend::IvfFlat {
        nlist: 30,
        nprobe: 4,
    };
    let index = dir.path().join("ivf.idx");
    let args = [
        "-k",
        "5",
        "--backend",
        "ivf",
        "--nlist",
        "30",
        "--nprobe",
        "4",
        "--index",
        index.to_str().unwrap(),
    ];
    ok(&knn(&args, &rp, &qp, &out));
    let first = rows(&out);
    let p = SearchParams {
        backend: ivf,
        ..SearchParams::exact(5, Metric::Cosine)
    };
    assert_eq!(first, expected(&refs, &queries, &p));
    assert!(index.exists(), "the index file is written");
    ok(&knn(&args, &rp, &qp, &out)); // now read from the file
    assert_eq!(rows(&out), first);

    let hnsw = [
        "-k",
        "5",
        "--backend",
        "hnsw",
        "--hnsw-m",
        "16",
        "--ef-search",
        "200",
    ];
    ok(&knn(&hnsw, &rp, &qp, &out));
    let got = rows(&out);
    let exact = expected(&refs, &queries, &SearchParams::exact(5, Metric::Cosine));
    let hits = got
        .iter()
        .filter(|g| exact.iter().any(|e| e.0 == g.0 && e.2 == g.2))
        .count();
    assert!(
        hits as f64 >= 0.95 * exact.len() as f64,
        "HNSW recall {hits}/{}",
        exact.len()
    );
}

#[test]
fn bad_input_fails_with_the_file_named_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let (rp, qp, out) = (
        dir.path().join("r.npy"),
        dir.path().join("q.npy"),
        dir.path().join("o.tsv"),
    );
    write_npy(&rp, &matrix(50, 8, 1)).unwrap();
    write_npy(&qp, &matrix(5, 9, 2)).unwrap();
    let o = knn(&[], &rp, &qp, &out);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("q.npy has 9 columns") && err.contains("has 8"),
        "{err}"
    );
    assert!(!out.exists());

    // An index built over other references is refused.
    write_npy(&qp, &matrix(5, 8, 2)).unwrap();
    let index = dir.path().join("h.idx");
    let args = ["--backend", "hnsw", "--index", index.to_str().unwrap()];
    ok(&knn(&args, &rp, &qp, &out));
    write_npy(&rp, &matrix(50, 8, 3)).unwrap();
    std::fs::remove_file(&out).unwrap();
    let o = knn(&args, &rp, &qp, &out);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("stale") && err.contains("h.idx"), "{err}");
    assert!(!out.exists());
}
