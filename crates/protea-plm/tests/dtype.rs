//! The dtype rules of ecosystem.md §5.1 and half-precision agreement.
//!
//! Rules: f32 on CPU for every backend; on CUDA f16 for ESM-2, ProtT5 /
//! ProstT5 and ESM-C, bf16 for Ankh, which is never run in f16. CUDA is
//! absent here, so the CUDA column is checked through [`dtype_rule`]; the
//! half-precision forward passes themselves run on CPU (candle supports
//! f16/bf16 there) and are compared with the f32 reference fixtures, with a
//! tolerance relative to the vectors' scale: 1 % for f16 (10-bit mantissa),
//! 8 % for bf16 (7-bit), errors accumulating over the layers.

use protea_plm::npy::read_npy;
use protea_plm::{BackendKind, DType, Device, EmbedOptions, Embedder, T5Flavour, dtype_rule};
use std::path::{Path, PathBuf};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

#[test]
fn the_rule_table() {
    let ankh = BackendKind::T5(Some(T5Flavour::Ankh));
    let all = [
        BackendKind::Esm2,
        BackendKind::Esmc,
        BackendKind::T5(None),
        BackendKind::T5(Some(T5Flavour::ProtT5)),
        BackendKind::T5(Some(T5Flavour::ProstT5)),
        ankh,
        BackendKind::Kmer { k: 3 },
    ];
    for kind in all {
        assert_eq!(dtype_rule(kind, false), DType::F32, "{kind:?} on CPU");
    }
    for kind in &all[..5] {
        assert_eq!(dtype_rule(*kind, true), DType::F16, "{kind:?} on CUDA");
    }
    assert_eq!(dtype_rule(ankh, true), DType::BF16);
    assert_eq!(dtype_rule(BackendKind::Kmer { k: 3 }, true), DType::F32);
}

#[test]
fn ankh_is_never_run_in_f16() {
    let err = Embedder::load_with_dtype(
        BackendKind::T5(Some(T5Flavour::Ankh)),
        Some(&data().join("ankh_tiny")),
        &Device::Cpu,
        Some(DType::F16),
    )
    .err()
    .expect("f16 Ankh must be refused")
    .to_string();
    assert!(err.contains("Ankh") && err.contains("f16"), "{err}");
}

fn seqs(ref_dir: &str) -> Vec<(String, String)> {
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data().join(ref_dir).join("meta.json")).unwrap(),
    )
    .unwrap();
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

/// max |got − ref| / max |ref| over the default pooled vectors.
fn relative_error(kind: BackendKind, model: &str, reference: &str, dtype: DType) -> f32 {
    let emb = Embedder::load_with_dtype(kind, Some(&data().join(model)), &Device::Cpu, Some(dtype))
        .unwrap();
    let seqs = seqs(reference);
    let pairs: Vec<(&str, &str)> = seqs.iter().map(|(a, s)| (a.as_str(), s.as_str())).collect();
    let want = read_npy(&data().join(reference).join("pooled_default.npy")).unwrap();
    let got: Vec<f32> = emb
        .embed(&pairs, &EmbedOptions::default(), 4096)
        .unwrap()
        .into_iter()
        .flat_map(|c| c.into_iter().flat_map(|c| c.vector))
        .collect();
    assert_eq!(got.len(), want.data.len());
    assert!(
        got.iter().all(|x| x.is_finite()),
        "{model} {dtype:?}: NaN/inf"
    );
    let scale = want.data.iter().fold(0f32, |m, x| m.max(x.abs()));
    let err = got
        .iter()
        .zip(&want.data)
        .fold(0f32, |m, (a, b)| m.max((a - b).abs()));
    err / scale
}

#[test]
fn half_precision_agrees_with_the_f32_reference() {
    let cases = [
        (BackendKind::Esm2, "esm2_tiny", "esm2_ref"),
        (BackendKind::Esmc, "esmc_tiny", "esmc_ref"),
        (
            BackendKind::T5(Some(T5Flavour::ProtT5)),
            "prott5_tiny",
            "prott5_ref",
        ),
    ];
    for (kind, model, reference) in cases {
        for (dtype, tol) in [(DType::F16, 1e-2), (DType::BF16, 8e-2)] {
            let e = relative_error(kind, model, reference, dtype);
            eprintln!("{model} {dtype:?}: relative max abs error {e:e}");
            assert!(e <= tol, "{model} {dtype:?}: {e}");
            // Half precision must actually change the numbers (the dtype is applied).
            assert!(e > 1e-6, "{model} {dtype:?} looks like f32: {e}");
        }
    }
    let e = relative_error(
        BackendKind::T5(Some(T5Flavour::Ankh)),
        "ankh_tiny",
        "ankh_ref",
        DType::BF16,
    );
    eprintln!("ankh_tiny BF16: relative max abs error {e:e}");
    assert!(e <= 8e-2 && e > 1e-6, "ankh bf16: {e}");
}
