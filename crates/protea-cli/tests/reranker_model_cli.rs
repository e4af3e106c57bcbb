//! `protea reranker-model import|list|show` against a real database, with a real LightGBM
//! text model from protea-reranker's parity fixtures.

use protea_testkit::TestDb;
use serde_json::Value;
use std::process::Command;

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
async fn import_list_show() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../protea-reranker/tests/data/lgbm/binary_nan.model.txt");
    let model = model.to_str().unwrap();
    let metrics = d.join("metrics.json");
    std::fs::write(&metrics, r#"{"val_auc": 0.9}"#).unwrap();

    let (ok, out, err) = protea(
        &db.url,
        d,
        &[
            "reranker-model",
            "import",
            model,
            "--name",
            "pk-bpo",
            "--cell",
            "pk-bpo",
            "--feature-schema-sha",
            "94e87ae6f4ed",
            "--metrics",
            metrics.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("pk-bpo") && out.contains("94e87ae6f4ed"),
        "{out}"
    );

    // The same name again fails; a broken model is named with its line before any write.
    let (ok, _, err) = protea(
        &db.url,
        d,
        &[
            "reranker-model",
            "import",
            model,
            "--name",
            "pk-bpo",
            "--category",
            "pk",
            "--feature-schema-sha",
            "94e87ae6f4ed",
        ],
    );
    assert!(!ok && err.contains("already exists"), "{err}");
    let broken = d.join("broken.txt");
    std::fs::write(
        &broken,
        std::fs::read_to_string(model)
            .unwrap()
            .replacen("leaf_value=", "leaf_value=oops ", 1),
    )
    .unwrap();
    let (ok, _, err) = protea(
        &db.url,
        d,
        &[
            "reranker-model",
            "import",
            broken.to_str().unwrap(),
            "--name",
            "b",
            "--category",
            "nk",
            "--feature-schema-sha",
            "94e87ae6f4ed",
        ],
    );
    assert!(
        !ok && err.contains("broken.txt") && err.contains("leaf_value") && err.contains("line"),
        "{err}"
    );

    let (ok, out, err) = protea(&db.url, d, &["reranker-model", "list", "--json"]);
    assert!(ok, "{err}");
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["metrics"]["val_auc"], 0.9);
    assert!(
        list[0]["artifact_uri"]
            .as_str()
            .unwrap()
            .starts_with("file://")
    );
    let id = list[0]["id"].as_str().unwrap().to_string();

    let (ok, out, err) = protea(&db.url, d, &["reranker-model", "show", &id]);
    assert!(ok, "{err}");
    assert!(
        out.contains("40 trees") && out.contains("f0 f1 f2 f3 f4 f5"),
        "{out}"
    );
    let (ok, out, _) = protea(&db.url, d, &["reranker-model", "show", &id, "--json"]);
    assert!(ok);
    let shown: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["model"]["num_iterations"], 40);
}
