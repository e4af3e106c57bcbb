//! Parity of the T5 family (ProtT5: ReLU, ProstT5: ReLU with `<AA2fold>`,
//! Ankh: gated GELU, words) with Hugging Face's `T5EncoderModel` and
//! `T5TokenizerFast` on the committed tiny fixtures (see
//! `tests/data/PROVENANCE.md`): ids, every hidden state single and padded,
//! and pooled vectors for each option case. Tolerance 1e-4 in f32.

use protea_plm::npy::read_npy;
use protea_plm::t5::T5Encoder;
use protea_plm::t5_tokenizer::{T5Flavour, T5Tokenizer};
use protea_plm::{BackendKind, Device, EmbedOptions, Embedder};
use serde_json::Value;
use std::path::{Path, PathBuf};

const TOL: f32 = 1e-4;
const FLAVOURS: [(&str, T5Flavour); 3] = [
    ("prott5", T5Flavour::ProtT5),
    ("prostt5", T5Flavour::ProstT5),
    ("ankh", T5Flavour::Ankh),
];

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn meta(flavour: &str) -> Value {
    let path = data().join(format!("{flavour}_ref/meta.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn max_abs(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "shapes differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn ids(v: &Value) -> Vec<u32> {
    serde_json::from_value(v.clone()).unwrap()
}

#[test]
fn tokenizers_equal_hf_including_lowercase_and_rare_letters() {
    for (name, flavour) in FLAVOURS {
        let tok = T5Tokenizer::from_dir(&data().join(format!("{name}_tiny")), flavour).unwrap();
        for s in meta(name)["sequences"].as_array().unwrap() {
            let seq = s["sequence"].as_str().unwrap();
            assert_eq!(
                tok.encode(seq, None),
                ids(&s["raw_ids"]),
                "{name} raw {seq}"
            );
            assert_eq!(
                tok.encode(&seq.to_ascii_uppercase(), None),
                ids(&s["ids"]),
                "{name} upper"
            );
        }
    }
}

#[test]
fn every_hidden_state_matches_single_and_padded() {
    for (name, _) in FLAVOURS {
        let model = T5Encoder::load(&data().join(format!("{name}_tiny")), &Device::Cpu).unwrap();
        let m = meta(name);
        let rows: Vec<Vec<u32>> = m["sequences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| ids(&s["ids"]))
            .collect();
        let states = model.num_hidden_states();
        let batched = model.forward(&rows, usize::MAX).unwrap();
        let (mut single_err, mut batch_err) = (0f32, 0f32);
        for (b, (s, row)) in m["sequences"]
            .as_array()
            .unwrap()
            .iter()
            .zip(&rows)
            .enumerate()
        {
            let acc = s["accession"].as_str().unwrap();
            let reference = read_npy(&data().join(format!("{name}_ref/hidden_{acc}.npy"))).unwrap();
            let per = reference.rows / states * reference.cols;
            let single = model
                .forward(std::slice::from_ref(row), usize::MAX)
                .unwrap();
            for st in 0..states {
                let want = &reference.data[st * per..(st + 1) * per];
                let got = single[st].flatten_all().unwrap().to_vec1::<f32>().unwrap();
                single_err = single_err.max(max_abs(&got, want));
                let got = batched[st].get(b).unwrap().narrow(0, 0, row.len()).unwrap();
                batch_err = batch_err.max(max_abs(
                    &got.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
                    want,
                ));
            }
        }
        eprintln!(
            "{name} hidden states: max abs error single {single_err:e}, padded batch {batch_err:e}"
        );
        assert!(single_err <= TOL && batch_err <= TOL, "{name}");
    }
}

#[test]
fn pooled_vectors_match_for_every_case() {
    for (name, flavour) in FLAVOURS {
        let m = meta(name);
        let emb = Embedder::load(
            BackendKind::T5(Some(flavour)),
            Some(&data().join(format!("{name}_tiny"))),
            &Device::Cpu,
        )
        .unwrap();
        let seqs: Vec<(String, String)> = m["sequences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["accession"].as_str().unwrap().to_owned(),
                    s["sequence"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let pairs: Vec<(&str, &str)> = seqs.iter().map(|(a, s)| (a.as_str(), s.as_str())).collect();
        for case in m["cases"].as_array().unwrap() {
            let case_name = case["name"].as_str().unwrap();
            let reference =
                read_npy(&data().join(format!("{name}_ref/pooled_{case_name}.npy"))).unwrap();
            let rows: Vec<(String, usize, Option<usize>)> =
                serde_json::from_value(case["rows"].clone()).unwrap();
            let opts = EmbedOptions {
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
            };
            let mut worst = 0f32;
            for budget in [1, 4096] {
                let out = emb.embed(&pairs, &opts, budget).unwrap();
                let mut r = 0;
                for ((acc, _), chunks) in seqs.iter().zip(out) {
                    for c in chunks {
                        assert_eq!(
                            (acc.clone(), c.chunk_s, c.chunk_e),
                            rows[r],
                            "{name} {case_name}: row {r}"
                        );
                        worst = worst.max(max_abs(&c.vector, reference.row(r)));
                        r += 1;
                    }
                }
                assert_eq!(r, reference.rows);
            }
            eprintln!("{name} pooled {case_name}: max abs error {worst:e}");
            assert!(worst <= TOL, "{name} {case_name}: {worst}");
        }
    }
}

#[test]
fn prostt5_is_detected_from_the_model_name() {
    let emb = Embedder::load(
        BackendKind::T5(None),
        Some(&data().join("prostt5_tiny")),
        &Device::Cpu,
    )
    .unwrap();
    let res = emb
        .residues(&[("a", "MKTAY")], &EmbedOptions::default(), 100)
        .unwrap();
    assert_eq!(res[0].rows, 5, "the <AA2fold> prefix and </s> are stripped");
}

/// The released ProtT5/ProstT5 tokenizers are a SentencePiece `spiece.model`
/// read by the slow `T5Tokenizer`: ids from a directory holding only that
/// (plus tokenizer_config.json) equal transformers' on the fixture sequences.
#[test]
fn spiece_model_ids_equal_t5tokenizer() {
    let dir = data().join("t5_spiece");
    assert!(!dir.join("tokenizer.json").exists());
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ids.json")).unwrap()).unwrap();
    let prot = T5Tokenizer::from_dir(&dir, T5Flavour::ProtT5).unwrap();
    let prost = T5Tokenizer::from_dir(&dir, T5Flavour::ProstT5).unwrap();
    let mut n = 0;
    for row in want["rows"].as_array().unwrap() {
        let s = row["sequence"].as_str().unwrap().to_ascii_uppercase();
        assert_eq!(prot.encode(&s, None), ids(&row["prott5"]), "{s}");
        assert_eq!(prost.encode(&s, None), ids(&row["prostt5"]), "{s}");
        n += 1;
    }
    assert!(n >= 8);
}
