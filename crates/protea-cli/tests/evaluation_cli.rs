//! `protea evaluation …` against a real database: listing sets with their statistics,
//! showing results as tables, and ground truth recomputed from the annotations.

use protea_testkit::TestDb;
use protea_testkit::evaluation_fixture;
use serde_json::{Value, json};
use std::process::Command;
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_protea");

fn protea(url: &str, data_dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("PROTEA_DATABASE_URL", url)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[tokio::test]
async fn list_show_result_and_ground_truth() {
    let db = TestDb::new().await;
    let fx = evaluation_fixture::seed(&db.pool).await;
    let set = Uuid::new_v4();
    let stats = json!({"delta_proteins": 3, "nk_proteins": 1, "lk_proteins": 2, "pk_proteins": 1,
                       "nk_annotations": 2, "lk_annotations": 2, "pk_annotations": 1, "known_terms_count": 3});
    sqlx::query("insert into evaluation_set (id, old_annotation_set_id, new_annotation_set_id, stats) values ($1, $2, $3, $4)")
        .bind(set)
        .bind(fx.old_set)
        .bind(fx.new_set)
        .bind(&stats)
        .execute(&db.pool)
        .await
        .unwrap();
    let result = Uuid::new_v4();
    let results = json!({"NK": {"BPO": {"fmax": 0.8571, "precision": 0.75, "recall": 1.0, "tau": 0.01, "coverage": 1.0, "n_proteins": 1.0}},
                         "LK": {}, "PK": {"BPO": {"fmax": 1.0}}});
    sqlx::query("insert into evaluation_result (id, evaluation_set_id, prediction_set_id, results) values ($1, $2, $3, $4)")
        .bind(result)
        .bind(set)
        .bind(fx.prediction_set)
        .bind(&results)
        .execute(&db.pool)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let (ok, out, err) = protea(&db.url, d, &["evaluation", "list"]);
    assert!(ok, "{err}");
    assert!(
        out.contains(&set.to_string()) && out.contains("NK 1 / LK 2 / PK 1 proteins"),
        "{out}"
    );
    let (_, out, _) = protea(&db.url, d, &["evaluation", "list", "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["stats"], stats);

    let (ok, out, err) = protea(&db.url, d, &["evaluation", "show", &set.to_string()]);
    assert!(ok, "{err}");
    assert!(out.contains(&format!("result {result}")), "{out}");
    assert!(out.contains("scoring 1 - d/2"), "{out}");

    let (ok, out, _) = protea(
        &db.url,
        d,
        &[
            "evaluation",
            "result",
            &result.to_string(),
            "--metric",
            "fmax",
        ],
    );
    assert!(ok);
    let rows: Vec<Vec<&str>> = out
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0], ["fmax", "BPO", "MFO", "CCO"]);
    assert_eq!(rows[1], ["NK", "0.8571", "-", "-"]);
    assert_eq!(rows[2], ["LK", "-", "-", "-"]);
    assert_eq!(rows[3], ["PK", "1.0", "-", "-"]);
    let (ok, _, err) = protea(
        &db.url,
        d,
        &[
            "evaluation",
            "result",
            &result.to_string(),
            "--metric",
            "auc",
        ],
    );
    assert!(!ok && err.contains("unknown metric"), "{err}");

    let (ok, out, err) = protea(
        &db.url,
        d,
        &["evaluation", "ground-truth", &set.to_string(), "-c", "lk"],
    );
    assert!(ok, "{err}");
    assert_eq!(out, "P2\tGO:0000020\nP3\tGO:0000020\n");
    let (_, out, _) = protea(
        &db.url,
        d,
        &[
            "evaluation",
            "ground-truth",
            &set.to_string(),
            "-c",
            "known",
        ],
    );
    assert_eq!(out, "P2\tGO:0000001\nP2\tGO:0000010\nP3\tGO:0000010\n");
}
