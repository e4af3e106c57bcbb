//! ESM-C parity with the reference implementation (EvolutionaryScale's
//! `esm` package: `ESMC`, `EsmSequenceTokenizer`, and the reference
//! embedding path `encode` → `logits(return_hidden_states=True)`), on a tiny
//! random ESM-C saved as the released checkpoints are (a `torch.save` state
//! dict under `data/weights/`) and real yeast proteins. Fixtures from
//! `scripts/make_esmc_fixtures.py`; see `tests/data/PROVENANCE.md`.
//! Tolerance: 1e-4 max abs error in f32.

use protea_plm::esmc::EsmcModel;
use protea_plm::esmc_tokenizer;
use protea_plm::npy::read_npy;
use protea_plm::{BackendKind, Device, EmbedOptions, Embedder, Matrix};
use serde_json::Value;
use std::path::{Path, PathBuf};

const TOL: f32 = 1e-4;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn meta() -> Value {
    serde_json::from_str(&std::fs::read_to_string(data().join("esmc_ref/meta.json")).unwrap())
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

fn flat(t: &candle_core::Tensor) -> Vec<f32> {
    t.flatten_all().unwrap().to_vec1::<f32>().unwrap()
}

fn reference_hidden(acc: &str, states: usize) -> Vec<Matrix> {
    let m = read_npy(&data().join(format!("esmc_ref/hidden_{acc}.npy"))).unwrap();
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
fn tokenizer_ids_equal_the_reference() {
    let t: Value = serde_json::from_str(
        &std::fs::read_to_string(data().join("esmc_ref/tokens.json")).unwrap(),
    )
    .unwrap();
    let mut n = 0;
    for case in t["strings"].as_array().unwrap() {
        let text = case["text"].as_str().unwrap();
        let ids: Vec<u32> = serde_json::from_value(case["ids"].clone()).unwrap();
        assert_eq!(esmc_tokenizer::encode(text), ids, "{text:?}");
        n += 1;
    }
    assert!(n >= 20);
    for s in meta()["sequences"].as_array().unwrap() {
        let seq = s["sequence"].as_str().unwrap();
        let ids: Vec<u32> = serde_json::from_value(s["ids"].clone()).unwrap();
        let raw: Vec<u32> = serde_json::from_value(s["raw_ids"].clone()).unwrap();
        assert_eq!(
            esmc_tokenizer::encode_residues(&seq.to_ascii_uppercase()),
            ids
        );
        // Raw (lowercase kept): one <unk> per unknown letter, like the reference.
        assert_eq!(esmc_tokenizer::encode(seq), raw);
        assert_eq!(esmc_tokenizer::encode_residues(seq), raw);
    }
}

#[test]
fn every_hidden_state_and_the_final_norm_match_single_and_padded() {
    let meta = meta();
    let model = EsmcModel::load(&data().join("esmc_tiny"), &Device::Cpu).unwrap();
    assert_eq!(model.config().n_heads, 4);
    assert_eq!(model.config().ffn_hidden, 256);
    let states = model.num_hidden_states();
    assert_eq!(states, meta["n_layers"].as_u64().unwrap() as usize);
    let seqs = seqs(&meta);
    let ids: Vec<Vec<u32>> = seqs
        .iter()
        .map(|(_, s)| esmc_tokenizer::encode_residues(&s.to_ascii_uppercase()))
        .collect();
    let batched = model.forward(&ids, usize::MAX).unwrap();
    let (mut single_err, mut batch_err, mut final_err) = (0f32, 0f32, 0f32);
    for (b, ((acc, _), row)) in seqs.iter().zip(&ids).enumerate() {
        let reference = reference_hidden(acc, states);
        let single = model
            .forward(std::slice::from_ref(row), usize::MAX)
            .unwrap();
        assert_eq!(single.len(), states);
        for s in 0..states {
            single_err = single_err.max(max_abs(&flat(&single[s]), &reference[s].data));
            let padded = batched[s].get(b).unwrap().narrow(0, 0, row.len()).unwrap();
            batch_err = batch_err.max(max_abs(&flat(&padded), &reference[s].data));
        }
        let fin = read_npy(&data().join(format!("esmc_ref/final_{acc}.npy"))).unwrap();
        let got = model.final_norm(&single[states - 1]).unwrap();
        final_err = final_err.max(max_abs(&flat(&got), &fin.data));
    }
    eprintln!(
        "esmc hidden states: max abs error single {single_err:e}, padded {batch_err:e}, final norm {final_err:e}"
    );
    assert!(single_err <= TOL && batch_err <= TOL && final_err <= TOL);
}

#[test]
fn a_safetensors_conversion_loads_the_same_model() {
    let pth = data().join("esmc_tiny/data/weights/esmc_tiny_v0.pth");
    let tensors: std::collections::HashMap<String, candle_core::Tensor> =
        candle_core::pickle::read_all(&pth)
            .unwrap()
            .into_iter()
            .collect();
    let dir = tempfile::tempdir().unwrap();
    candle_core::safetensors::save(&tensors, dir.path().join("model.safetensors")).unwrap();
    std::fs::copy(
        data().join("esmc_tiny/config.json"),
        dir.path().join("config.json"),
    )
    .unwrap();
    let a = EsmcModel::load(&data().join("esmc_tiny"), &Device::Cpu).unwrap();
    let b = EsmcModel::load(dir.path(), &Device::Cpu).unwrap();
    // The .pth file itself is also a valid model path.
    let c = EsmcModel::load(&pth, &Device::Cpu).unwrap();
    let ids = vec![esmc_tokenizer::encode_residues("MKTAYIAKQRQISFVKSHFSRQ")];
    let (ya, yb, yc) = (
        a.forward(&ids, usize::MAX).unwrap(),
        b.forward(&ids, usize::MAX).unwrap(),
        c.forward(&ids, usize::MAX).unwrap(),
    );
    assert_eq!(
        c.config().n_heads,
        4,
        "config.json found from the .pth path"
    );
    assert!(max_abs(&flat(&ya[3]), &flat(&yb[3])) == 0.0);
    assert!(max_abs(&flat(&ya[3]), &flat(&yc[3])) == 0.0);
}

#[test]
fn missing_weights_and_wrong_sizes_are_clear_errors() {
    let empty = tempfile::tempdir().unwrap();
    let err = EsmcModel::load(empty.path(), &Device::Cpu)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("no ESM-C weights"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data/weights")).unwrap();
    std::fs::copy(
        data().join("esmc_tiny/data/weights/esmc_tiny_v0.pth"),
        dir.path().join("data/weights/m.pth"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        r#"{"n_heads": 4, "n_layers": 30}"#,
    )
    .unwrap();
    let err = EsmcModel::load(dir.path(), &Device::Cpu)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("n_layers 30") && err.contains("have 4"),
        "{err}"
    );
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
        BackendKind::Esmc,
        Some(&data().join("esmc_tiny")),
        &Device::Cpu,
    )
    .unwrap();
    assert_eq!(emb.name(), "protea-tiny-esmc");
    let seqs = seqs(&meta);
    let pairs: Vec<(&str, &str)> = seqs.iter().map(|(a, s)| (a.as_str(), s.as_str())).collect();
    for case in meta["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let reference = read_npy(&data().join(format!("esmc_ref/pooled_{name}.npy"))).unwrap();
        let rows: Vec<(String, usize, Option<usize>)> =
            serde_json::from_value(case["rows"].clone()).unwrap();
        let mut opts = opts_from_case(case);
        let python_style: Vec<i64> = opts.layer_indices.iter().map(|i| -i - 1).collect();
        let mut worst = 0f32;
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
        eprintln!("esmc pooled {name}: max abs error {worst:e}");
        assert!(worst <= TOL, "{name}: {worst}");
    }
}

#[test]
fn per_residue_rows_strip_bos_and_eos() {
    let meta = meta();
    let emb = Embedder::load(
        BackendKind::Esmc,
        Some(&data().join("esmc_tiny")),
        &Device::Cpu,
    )
    .unwrap();
    let seqs = seqs(&meta);
    let pairs: Vec<(&str, &str)> = seqs.iter().map(|(a, s)| (a.as_str(), s.as_str())).collect();
    let res = emb
        .residues(&pairs, &EmbedOptions::default(), 4096)
        .unwrap();
    for ((acc, s), m) in seqs.iter().zip(res) {
        assert_eq!(m.rows, s.len(), "{acc}: one row per residue");
        let last = reference_hidden(acc, emb.num_hidden_states())
            .pop()
            .unwrap();
        let stripped = &last.data[last.cols..(s.len() + 1) * last.cols];
        assert!(max_abs(&m.data, stripped) <= TOL);
    }
}
