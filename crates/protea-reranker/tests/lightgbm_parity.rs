//! Parity with LightGBM's own `predict` (and `raw_score=True`) on the fixtures written by
//! `scripts/make_fixtures.py` (lightgbm 4.7.0): every row, within 1e-9.

use std::collections::HashMap;
use std::path::PathBuf;

use protea_reranker::{Booster, FeatureValue, feature_matrix};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/lgbm")
        .join(name)
}

/// Input rows by column name: numbers (and "nan") as numbers, anything else as text.
fn read_rows(name: &str) -> Vec<HashMap<String, FeatureValue>> {
    let text = std::fs::read_to_string(data(&format!("{name}.input.tsv"))).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .map(|l| {
            header
                .iter()
                .zip(l.split('\t'))
                .map(|(h, v)| {
                    let value = match v {
                        "nan" => FeatureValue::Num(f64::NAN),
                        _ => match v.parse::<f64>() {
                            Ok(x) => FeatureValue::Num(x),
                            Err(_) => FeatureValue::Text(v.to_string()),
                        },
                    };
                    (h.to_string(), value)
                })
                .collect()
        })
        .collect()
}

fn read_expected(name: &str) -> Vec<Vec<f64>> {
    std::fs::read_to_string(data(&format!("{name}.expected.tsv")))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').map(|v| v.parse().unwrap()).collect())
        .collect()
}

fn check(name: &str) -> Booster {
    let text = std::fs::read_to_string(data(&format!("{name}.model.txt"))).unwrap();
    let booster = Booster::from_text(&text).unwrap();
    let rows = read_rows(name);
    let expected = read_expected(name);
    assert_eq!(rows.len(), expected.len(), "{name}: row count");
    let matrix = feature_matrix(&booster, &rows, None);
    let k = booster.num_tree_per_iteration;
    let mut worst = 0f64;
    for (i, (row, want)) in matrix.rows().zip(&expected).enumerate() {
        assert_eq!(want.len(), 2 * k, "{name}: expected columns");
        let raw = booster.predict_raw(row).unwrap();
        let out = booster.predict(row).unwrap();
        for c in 0..k {
            let d_raw = (raw[c] - want[c]).abs();
            let d_out = (out[c] - want[k + c]).abs();
            assert!(
                d_raw <= 1e-9 && d_out <= 1e-9,
                "{name} row {i} class {c}: raw {} vs {}, prediction {} vs {}",
                raw[c],
                want[c],
                out[c],
                want[k + c]
            );
            worst = worst.max(d_raw).max(d_out);
        }
    }
    eprintln!("{name}: {} rows, max |diff| = {worst:e}", expected.len());
    booster
}

#[test]
fn binary_with_nan() {
    let b = check("binary_nan");
    assert_eq!(
        b.objective,
        protea_reranker::Objective::Binary { sigmoid: 1.0 }
    );
}

#[test]
fn regression_with_zero_as_missing() {
    let b = check("regression_zero");
    // The fixture exercises the Zero missing type.
    assert!(
        b.trees
            .iter()
            .any(|t| t.decision_type.iter().any(|d| (d >> 2) & 3 == 1))
    );
}

#[test]
fn categorical_integer_codes_over_several_bitset_words() {
    let b = check("categorical_int");
    assert_eq!(b.categorical_features, vec![0]);
    assert!(
        b.trees
            .iter()
            .any(|t| t.cat_boundaries.windows(2).any(|w| w[1] - w[0] > 1))
    );
}

#[test]
fn categorical_nan_goes_right_even_without_a_nan_branch() {
    check("categorical_nonan");
}

#[test]
fn reranker_features_with_pandas_categoricals() {
    let b = check("reranker23");
    assert_eq!(b.num_features(), 23);
    assert_eq!(b.categorical_features, vec![20, 21, 22]);
    assert_eq!(b.vocabulary(21).unwrap()[0], "EXP");
}

#[test]
fn lambdarank_raw_scores() {
    check("lambdarank23");
}

#[test]
fn multiclass_softmax() {
    let b = check("multiclass");
    assert_eq!(b.num_tree_per_iteration, 3);
}
