//! Architecture check: the pure crates stay pure.
//!
//! Formats, evaluation and the core must not depend (even transitively) on
//! the database, HTTP or async runtime crates. This test reads the resolved
//! dependency graph from `cargo metadata` and fails when one does.

use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::process::Command;

const PURE: &[&str] = &[
    "protea-core",
    "protea-formats",
    "protea-cafa",
    "protea-search",
    "protea-evaluation",
    "protea-plm",
    "protea-features",
    "protea-reranker",
    "protea-dataset",
    "protea-predict",
];
const FORBIDDEN: &[&str] = &["sqlx", "tokio", "reqwest", "axum", "hyper", "async-std"];

#[test]
fn pure_crates_do_no_io_beyond_read_and_write() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let rustc = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc runs");
    let rustc = String::from_utf8(rustc.stdout).unwrap();
    let host = rustc
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc names its host");
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--filter-platform",
            host,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let names: HashMap<&str, &str> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    // Normal (non-dev, non-build) dependency edges.
    let edges: HashMap<&str, Vec<&str>> = metadata["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| {
            let deps = node["deps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|dep| {
                    dep["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|k| k["kind"].is_null())
                })
                .map(|dep| dep["pkg"].as_str().unwrap())
                .collect();
            (node["id"].as_str().unwrap(), deps)
        })
        .collect();
    let mut checked = 0;
    for pure in PURE {
        let Some((root, _)) = names.iter().find(|(_, name)| *name == pure) else {
            continue;
        };
        checked += 1;
        let mut seen = BTreeSet::new();
        let mut stack = vec![*root];
        while let Some(id) = stack.pop() {
            if seen.insert(id) {
                stack.extend(edges.get(id).into_iter().flatten());
            }
        }
        let bad: Vec<&str> = seen
            .iter()
            .map(|id| names[id])
            .filter(|name| FORBIDDEN.contains(name))
            .collect();
        assert!(bad.is_empty(), "{pure} depends on {bad:?}");
    }
    assert!(
        checked >= 2,
        "the pure crates were not found in the workspace"
    );
}
