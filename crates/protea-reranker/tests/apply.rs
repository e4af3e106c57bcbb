//! The apply step on a real re-ranker-shaped booster (the reranker23 / lambdarank23
//! fixtures): column order, missing columns, categorical encodings, calibration, the
//! schema guard and per-aspect routing.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use protea_reranker::apply::{aspect_key, events};
use protea_reranker::{
    Booster, FeatureValue, RerankerError, RerankerScorer, apply_reranker, calibrate_scores,
    check_schema, error_event, feature_matrix,
};

type Row = HashMap<String, FeatureValue>;

fn booster(name: &str) -> Booster {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/lgbm")
        .join(format!("{name}.model.txt"));
    Booster::from_text(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn row(pairs: &[(&str, FeatureValue)]) -> Row {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

#[test]
fn the_matrix_follows_the_model_columns_and_encodes_categoricals() {
    let b = booster("reranker23");
    let r = row(&[
        ("evidence_code", "IDA".into()),
        ("distance", 0.25.into()),
        ("vote_count", "3".into()),
        ("identity_nw", "n/a".into()),
        ("qualifier", "".into()),
        ("taxonomic_relation", "never-seen".into()),
        ("not_a_feature", 9.0.into()),
    ]);
    let m = feature_matrix(&b, &[r], None);
    assert_eq!(m.columns, b.feature_names);
    let v = |name: &str| m.values[m.columns.iter().position(|c| c == name).unwrap()];
    assert_eq!(v("distance"), 0.25);
    assert_eq!(v("vote_count"), 3.0, "numeric text is parsed");
    assert!(v("identity_nw").is_nan(), "other text is coerced to NaN");
    assert!(v("k_position").is_nan(), "absent columns are NaN");
    assert!(v("qualifier").is_nan(), "empty string is missing");
    assert_eq!(
        v("evidence_code"),
        2.0,
        "index in the model's pandas vocabulary"
    );
    assert!(
        v("taxonomic_relation").is_nan(),
        "unknown category → missing"
    );

    // With a fixed vocabulary (the lab's codes), unknown values are −1.
    let codes: BTreeMap<String, Vec<String>> = [(
        "taxonomic_relation".to_string(),
        vec!["same".to_string(), "unrelated".to_string()],
    )]
    .into();
    let r = row(&[("taxonomic_relation", "unrelated".into())]);
    let m = feature_matrix(
        &b,
        &[r.clone(), row(&[("taxonomic_relation", "x".into())])],
        Some(&codes),
    );
    assert_eq!(m.values[22], 1.0);
    assert_eq!(m.values[23 + 22], -1.0);
}

#[test]
fn binary_scores_are_probabilities_and_ranking_scores_are_squashed() {
    let rows: Vec<Row> = (0..20)
        .map(|i| {
            row(&[
                ("distance", (i as f64 / 20.0).into()),
                (
                    "evidence_code",
                    (if i % 2 == 0 { "EXP" } else { "IEA" }).into(),
                ),
                ("taxonomic_relation", "same".into()),
                ("vote_count", ((i % 5 + 1) as f64).into()),
            ])
        })
        .collect();
    let binary = booster("reranker23");
    let p = apply_reranker(&binary, &rows, None).unwrap();
    let m = feature_matrix(&binary, &rows, None);
    for (score, r) in p.iter().zip(m.rows()) {
        assert_eq!(
            *score,
            binary.predict_one(r).unwrap(),
            "binary output is unchanged"
        );
    }
    let rank = booster("lambdarank23");
    let m = feature_matrix(&rank, &rows, None);
    let raw: Vec<f64> = m.rows().map(|r| rank.predict_one(r).unwrap()).collect();
    assert!(
        raw.iter().any(|s| !(0.0..=1.0).contains(s)),
        "fixture must leave [0, 1]"
    );
    let s = apply_reranker(&rank, &rows, None).unwrap();
    for (a, b) in s.iter().zip(&raw) {
        assert!((a - 1.0 / (1.0 + (-b).exp())).abs() < 1e-15);
    }
    let mut inside = vec![0.2, 0.9];
    calibrate_scores(&mut inside);
    assert_eq!(inside, vec![0.2, 0.9]);
    let mut empty: Vec<f64> = vec![];
    calibrate_scores(&mut empty);
    assert!(empty.is_empty());
}

#[test]
fn a_schema_mismatch_is_an_error_with_its_event() {
    assert!(check_schema("7fcecf26aa0a", "7fcecf26aa0a").is_ok());
    let error = check_schema("7fcecf26aa0a", "94e87ae6f4ed").unwrap_err();
    assert!(matches!(error, RerankerError::SchemaShaMismatch { .. }));
    assert!(
        error.to_string().contains("7fcecf26aa0a") && error.to_string().contains("94e87ae6f4ed")
    );
    let event = error_event(&error).unwrap();
    assert_eq!(event.name, events::SCHEMA_MISMATCH);
    assert_eq!(event.level, "error");
    assert_eq!(event.fields["live_sha"], "94e87ae6f4ed");

    let scorer = RerankerScorer {
        booster: Some(booster("reranker23")),
        by_aspect: BTreeMap::new(),
        feature_schema_sha: "7fcecf26aa0a".into(),
        codes: None,
    };
    let rows = vec![row(&[("distance", 0.1.into())])];
    let error = scorer.score(&rows, "94e87ae6f4ed").unwrap_err();
    assert_eq!(
        error_event(&error).unwrap().name,
        "reranker.schema_mismatch"
    );
    let scored = scorer.score(&rows, "7fcecf26aa0a").unwrap();
    assert!(scored.scores[0].is_some());
    assert_eq!((scored.summary.applied, scored.summary.skipped), (1, 0));
    assert_eq!(scored.event.name, events::APPLIED);
}

#[test]
fn per_aspect_boosters_leave_other_aspects_unscored() {
    let by_aspect: BTreeMap<char, Booster> = [('F', booster("reranker23"))].into();
    let scorer = RerankerScorer {
        booster: Some(booster("lambdarank23")),
        by_aspect,
        feature_schema_sha: "s".into(),
        codes: None,
    };
    let rows = vec![
        row(&[("aspect", "mfo".into()), ("distance", 0.1.into())]),
        row(&[("aspect", "P".into()), ("distance", 0.1.into())]),
        row(&[("aspect", "F".into()), ("distance", 0.7.into())]),
    ];
    let scored = scorer.score(&rows, "s").unwrap();
    assert!(scored.scores[0].is_some() && scored.scores[2].is_some());
    assert_eq!(
        scored.scores[1], None,
        "no booster for P: selective re-ranking"
    );
    assert_eq!((scored.summary.applied, scored.summary.skipped), (2, 1));
    assert_eq!(aspect_key("cco"), Some('C'));
    assert_eq!(aspect_key("cellular_component"), None);
}
