//! Parity with the reference implementation (Hugging Face transformers'
//! EsmModel and EsmTokenizer, and a NumPy port of the reference
//! `embed_chunks`), on the committed tiny model and real yeast proteins.
//! The fixtures come from `scripts/make_fixtures.py`; see
//! `tests/data/PROVENANCE.md`. Tolerance: 1e-4 max abs error in f32.

use protea_plm::esm2::Esm2Model;
use protea_plm::npy::read_npy;
use protea_plm::tokenizer::EsmTokenizer;
use protea_plm::{BackendKind, Device, EmbedOptions, Embedder, Matrix};
use serde_json::Value;
use std::path::{Path, PathBuf};

const TOL: f32 = 1e-4;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn meta() -> Value {
    serde_json::from_str(&std::fs::read_to_string(data().join("esm2_ref/meta.json")).unwrap())
        .unwrap()
}

fn seqs(meta: &Value) -> Vec<(String, String)> {
    meta["sequences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["accession"].as_str().unwrap().to_owned(),
                s["sequence"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn max_abs(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "shapes differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn model() -> Esm2Model {
    Esm2Model::load(&data().join("esm2_tiny"), &Device::Cpu).unwrap()
}

#[test]
fn tokenizer_ids_equal_hf() {
    let tok = EsmTokenizer::from_path(&data().join("esm2_tiny")).unwrap();
    let t: Value = serde_json::from_str(
        &std::fs::read_to_string(data().join("esm2_ref/tokens.json")).unwrap(),
    )
    .unwrap();
    let mut n = 0;
    for case in t["strings"].as_array().unwrap() {
        let text = case["text"].as_str().unwrap();
        let ids: Vec<u32> = serde_json::from_value(case["ids"].clone()).unwrap();
        let ids12: Vec<u32> = serde_json::from_value(case["ids_max12"].clone()).unwrap();
        assert_eq!(tok.encode(text, None), ids, "{text:?}");
        assert_eq!(
            tok.encode(text, Some(12)),
            ids12,
            "{text:?} truncated to 12"
        );
        n += 1;
    }
    // The pipeline's per-character encoding of the upper-cased sequence is
    // what the reference hidden states were computed from.
    for s in meta()["sequences"].as_array().unwrap() {
        let ids: Vec<u32> = serde_json::from_value(s["ids"].clone()).unwrap();
        let seq = s["sequence"].as_str().unwrap().to_ascii_uppercase();
        assert_eq!(tok.encode_residues(&seq, None), ids);
        assert_eq!(tok.encode(&seq, None), ids);
    }
    assert!(n >= 7);
}

/// Reference hidden states of one sequence: `states` matrices of `(L+2) × D`.
fn reference_hidden(acc: &str, states: usize) -> Vec<Matrix> {
    let m = read_npy(&data().join(format!("esm2_ref/hidden_{acc}.npy"))).unwrap();
    let rows = m.rows / states;
    (0..states)
        .map(|s| Matrix {
            rows,
            cols: m.cols,
            data: m.data[s * rows * m.cols..(s + 1) * rows * m.cols].to_vec(),
        })
        .collect()
}

#[test]
fn every_hidden_state_matches_single_and_padded() {
    let meta = meta();
    let model = model();
    let tok = EsmTokenizer::from_path(&data().join("esm2_tiny")).unwrap();
    let seqs = seqs(&meta);
    let ids: Vec<Vec<u32>> = seqs
        .iter()
        .map(|(_, s)| tok.encode_residues(&s.to_ascii_uppercase(), None))
        .collect();
    let states = model.num_hidden_states();
    let (mut worst_single, mut worst_batch) = (0f32, 0f32);
    let batched = model.forward(&ids, usize::MAX).unwrap();
    for (b, ((acc, _), row_ids)) in seqs.iter().zip(&ids).enumerate() {
        let reference = reference_hidden(acc, states);
        let single = model
            .forward(std::slice::from_ref(row_ids), usize::MAX)
            .unwrap();
        assert_eq!(single.len(), states);
        for s in 0..states {
            let got = single[s].flatten_all().unwrap().to_vec1::<f32>().unwrap();
            worst_single = worst_single.max(max_abs(&got, &reference[s].data));
            let n = row_ids.len();
            let got = batched[s]
                .get(b)
                .unwrap()
                .narrow(0, 0, n)
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            worst_batch = worst_batch.max(max_abs(&got, &reference[s].data));
        }
    }
    eprintln!(
        "esm2 hidden states: max abs error single {worst_single:e}, padded batch {worst_batch:e}"
    );
    assert!(worst_single <= TOL && worst_batch <= TOL);
}

fn opts_from_case(case: &Value) -> EmbedOptions {
    EmbedOptions {
        layer_indices: serde_json::from_value(case["layers"].clone()).unwrap(),
        layer_agg: case["agg"].as_str().unwrap().parse().unwrap(),
        pooling: case["pooling"].as_str().unwrap().parse().unwrap(),
        normalize: case["normalize"].as_bool().unwrap(),
        normalize_residues: case["normalize_residues"].as_bool().unwrap(),
        max_length: case["max_length"].as_u64().map(|v| v as usize),
        chunking: case["chunk"].as_array().map(|c| {
            (
                c[0].as_u64().unwrap() as usize,
                c[1].as_u64().unwrap() as usize,
            )
        }),
    }
}

#[test]
fn pooled_vectors_match_for_every_case_and_batching() {
    let meta = meta();
    let emb = Embedder::load(
        BackendKind::Esm2,
        Some(&data().join("esm2_tiny")),
        &Device::Cpu,
    )
    .unwrap();
    let seqs = seqs(&meta);
    let pairs: Vec<(&str, &str)> = seqs.iter().map(|(a, s)| (a.as_str(), s.as_str())).collect();
    for case in meta["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let reference = read_npy(&data().join(format!("esm2_ref/pooled_{name}.npy"))).unwrap();
        let rows: Vec<(String, usize, Option<usize>)> =
            serde_json::from_value(case["rows"].clone()).unwrap();
        let mut opts = opts_from_case(case);
        let python_style: Vec<i64> = opts.layer_indices.iter().map(|i| -i - 1).collect();
        let mut worst = 0f32;
        // 1 token: every sequence alone; 4096: padded batches; then the same
        // layers spelled with negative (Python-style) indices.
        for (budget, negative) in [(1, false), (4096, false), (4096, true)] {
            if negative {
                opts.layer_indices = python_style.clone();
            }
            let out = emb.embed(&pairs, &opts, budget).unwrap();
            let mut r = 0;
            for ((acc, _), chunks) in seqs.iter().zip(out) {
                for c in chunks {
                    assert_eq!(
                        (acc.clone(), c.chunk_s, c.chunk_e),
                        rows[r],
                        "{name}: row {r}"
                    );
                    worst = worst.max(max_abs(&c.vector, reference.row(r)));
                    r += 1;
                }
            }
            assert_eq!(r, reference.rows, "{name}: row count");
        }
        eprintln!("esm2 pooled {name}: max abs error {worst:e}");
        assert!(worst <= TOL, "{name}: {worst}");
    }
}

#[test]
fn per_residue_rows_equal_the_stripped_last_layer() {
    let meta = meta();
    let emb = Embedder::load(
        BackendKind::Esm2,
        Some(&data().join("esm2_tiny")),
        &Device::Cpu,
    )
    .unwrap();
    let seqs = seqs(&meta);
    let pairs: Vec<(&str, &str)> = seqs.iter().map(|(a, s)| (a.as_str(), s.as_str())).collect();
    let res = emb
        .residues(&pairs, &EmbedOptions::default(), 4096)
        .unwrap();
    for ((acc, s), m) in seqs.iter().zip(res) {
        assert_eq!(
            m.rows,
            s.len(),
            "{acc}: one row per residue, lowercase included"
        );
        let reference = reference_hidden(acc, emb.num_hidden_states())
            .pop()
            .unwrap();
        let stripped = &reference.data[reference.cols..(s.len() + 1) * reference.cols];
        assert!(max_abs(&m.data, stripped) <= TOL);
    }
}

#[test]
fn out_of_range_layers_name_the_model() {
    let emb = Embedder::load(
        BackendKind::Esm2,
        Some(&data().join("esm2_tiny")),
        &Device::Cpu,
    )
    .unwrap();
    let opts = EmbedOptions {
        layer_indices: vec![4],
        ..Default::default()
    };
    let err = emb
        .embed(&[("a", "MKTAYIAK")], &opts, 100)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("protea-tiny-esm2") && err.contains("MKTAYIAK"),
        "{err}"
    );
}

#[test]
fn kmer_composition_matches_numpy() {
    let meta = meta();
    let emb = Embedder::load(BackendKind::Kmer { k: 2 }, None, &Device::Cpu).unwrap();
    let seqs = seqs(&meta);
    let pairs: Vec<(&str, &str)> = seqs.iter().map(|(a, s)| (a.as_str(), s.as_str())).collect();
    let reference = read_npy(&data().join("esm2_ref/kmer2.npy")).unwrap();
    let out = emb.embed(&pairs, &EmbedOptions::default(), 1).unwrap();
    let mut worst = 0f32;
    for (i, chunks) in out.iter().enumerate() {
        assert_eq!(chunks.len(), 1);
        worst = worst.max(max_abs(&chunks[0].vector, reference.row(i)));
    }
    eprintln!("kmer2 composition: max abs error {worst:e}");
    assert!(worst <= 1e-6);
}

#[test]
fn empty_sequences_are_errors_that_name_the_sequence() {
    let emb = Embedder::load(
        BackendKind::Esm2,
        Some(&data().join("esm2_tiny")),
        &Device::Cpu,
    )
    .unwrap();
    let err = emb
        .embed(&[("P_EMPTY", "")], &EmbedOptions::default(), 100)
        .unwrap_err()
        .to_string();
    assert!(err.contains("P_EMPTY"), "{err}");
    let kmer = Embedder::load(BackendKind::Kmer { k: 3 }, None, &Device::Cpu).unwrap();
    assert!(
        kmer.embed(&[("K_EMPTY", "")], &EmbedOptions::default(), 100)
            .is_err()
    );
    assert_eq!(
        kmer.residues(&[("K_EMPTY", "")], &EmbedOptions::default(), 100)
            .unwrap()[0]
            .rows,
        0
    );
}
