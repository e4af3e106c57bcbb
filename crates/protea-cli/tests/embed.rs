//! `protea embed` end to end on the committed tiny ESM-2 fixture: the npy
//! rows and ids.tsv must equal the reference vectors computed with Hugging
//! Face transformers (see crates/protea-plm/tests/data/PROVENANCE.md).

use protea_plm::npy::read_npy;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_protea");

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../protea-plm/tests/data")
}

fn embed(out: &Path, extra: &[&str]) {
    let f = fixtures();
    let output = Command::new(BIN)
        .args(["embed", "--backend", "esm2", "--model"])
        .arg(f.join("esm2_tiny"))
        .arg("--fasta")
        .arg(f.join("esm2_ref/seqs.fasta"))
        .arg("--out")
        .arg(out)
        .args(extra)
        .env_remove("PROTEA_CONFIG")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn max_abs(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn defaults_match_the_reference_mean_of_the_last_layer() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("vec.npy");
    embed(&out, &[]);
    let got = read_npy(&out).unwrap();
    let reference = read_npy(&fixtures().join("esm2_ref/pooled_default.npy")).unwrap();
    assert_eq!((got.rows, got.cols), (6, 32));
    assert!(max_abs(&got.data, &reference.data) <= 1e-4);
    let ids = std::fs::read_to_string(dir.path().join("vec.ids.tsv")).unwrap();
    let lines: Vec<&str> = ids.lines().collect();
    assert_eq!(lines[0], "row\taccession\tchunk_s\tchunk_e");
    assert_eq!(lines[1], "0\tO60200\t0\t");
    assert_eq!(lines.len(), 7);
}

#[test]
fn chunked_concat_matches_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chunks.npy");
    embed(
        &out,
        &[
            "--layers",
            "-1,-3",
            "--layer-agg",
            "concat",
            "--normalize-residues",
            "--chunk-size",
            "100",
            "--chunk-overlap",
            "20",
            "--batch-tokens",
            "300",
        ],
    );
    let got = read_npy(&out).unwrap();
    let reference =
        read_npy(&fixtures().join("esm2_ref/pooled_l02_concat_chunk100_20_normres.npy")).unwrap();
    assert_eq!((got.rows, got.cols), (reference.rows, 64));
    assert!(max_abs(&got.data, &reference.data) <= 1e-4);
    let ids = std::fs::read_to_string(dir.path().join("chunks.ids.tsv")).unwrap();
    assert!(
        ids.contains("\tO13539\t160\t260\n") && ids.contains("\tO13539\t240\t261\n"),
        "{ids}"
    );
}

#[test]
fn per_residue_writes_one_row_per_residue() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("res.npy");
    embed(&out, &["--per-residue"]);
    let got = read_npy(&out).unwrap();
    assert_eq!(got.rows, 86 + 87 + 109 + 156 + 261 + 89);
    let ids = std::fs::read_to_string(dir.path().join("res.ids.tsv")).unwrap();
    assert!(ids.contains("\n1\tO60200\t1\t2\n"));
}

#[test]
fn kmer_needs_no_model_and_bad_options_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("k.npy");
    let status = Command::new(BIN)
        .args(["embed", "--backend", "kmer2", "--fasta"])
        .arg(fixtures().join("esm2_ref/seqs.fasta"))
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let got = read_npy(&out).unwrap();
    let reference = read_npy(&fixtures().join("esm2_ref/kmer2.npy")).unwrap();
    assert!(max_abs(&got.data, &reference.data) <= 1e-6);

    let output = Command::new(BIN)
        .args([
            "embed",
            "--backend",
            "esm2",
            "--pooling",
            "median",
            "--model",
        ])
        .arg(fixtures().join("esm2_tiny"))
        .arg("--fasta")
        .arg(fixtures().join("esm2_ref/seqs.fasta"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("pooling"));
}

#[test]
fn t5_family_backends_match_their_references() {
    for backend in ["prott5", "prostt5", "ankh"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("t5.npy");
        let f = fixtures();
        let output = Command::new(BIN)
            .args(["embed", "--backend", backend, "--model"])
            .arg(f.join(format!("{backend}_tiny")))
            .arg("--fasta")
            .arg(f.join("esm2_ref/seqs.fasta"))
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let got = read_npy(&out).unwrap();
        let reference = read_npy(&f.join(format!("{backend}_ref/pooled_default.npy"))).unwrap();
        assert!(max_abs(&got.data, &reference.data) <= 1e-4, "{backend}");
    }
}

#[test]
fn esmc_from_its_released_layout_matches_the_reference() {
    let f = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.npy");
    let output = Command::new(BIN)
        .args(["embed", "--backend", "esmc", "--model"])
        .arg(f.join("esmc_tiny"))
        .arg("--fasta")
        .arg(f.join("esm2_ref/seqs.fasta"))
        .arg("--out")
        .arg(&out)
        .args(["--max-length", "40"])
        .env_remove("PROTEA_CONFIG")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let got = read_npy(&out).unwrap();
    let reference = read_npy(&f.join("esmc_ref/pooled_maxlen40.npy")).unwrap();
    assert_eq!((got.rows, got.cols), (6, 64));
    assert!(max_abs(&got.data, &reference.data) <= 1e-4);
}
