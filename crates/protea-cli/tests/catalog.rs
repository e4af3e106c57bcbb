//! `protea query-set …` and `protea protein …` against a test database.

use protea_testkit::TestDb;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_protea");

fn protea(db: &TestDb, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(dir.path())
        .env("PROTEA_DATABASE_URL", &db.url)
        .env_remove("PROTEA_CONFIG")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn query_set_upload_list_and_invalid_report() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.fasta");
    std::fs::write(&bad, ">a\nMKV\n>b\nMKXB7\n").unwrap();
    let out = protea(
        &db,
        &["query-set", "upload", bad.to_str().unwrap(), "--name", "x"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.fasta:3: b invalid residue '7' at position 5"),
        "{stderr}"
    );
    let good = dir.path().join("good.fasta");
    std::fs::write(&good, ">a\nMKV\n>b\nMKXB\n").unwrap();
    let out = protea(
        &db,
        &[
            "query-set",
            "upload",
            good.to_str().unwrap(),
            "--name",
            "mine",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(created["entry_count"], 2);
    let out = protea(&db, &["query-set", "list", "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let out = protea(&db, &["protein", "stats"]);
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["total"], 0);
    assert_eq!(stats["sequences"], 2);
}
