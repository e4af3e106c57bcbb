//! load_ontology_snapshot and load_interpro_go_mapping against independent
//! counts of the real files; idempotency; malformed input.

use crate::support::*;
use protea_sources::mock::{Fault, MockConfig};
use serde_json::json;

#[tokio::test]
async fn full_go_basic_matches_independent_counts_and_reruns_write_nothing() {
    let Some(data) = shared_data() else { return };
    let env = env(&data, MockConfig::default()).await;
    let counts = obo_counts(&read_text(&data.join(GO_2026)));
    assert_eq!(counts.terms, 48_321);
    // A 429 and a dropped connection on the way: retried, reported.
    env.server.push_fault(Fault::TooManyRequests {
        retry_after: Some(1),
    });
    env.server.push_fault(Fault::Drop);
    let job = env
        .run(
            "load_ontology_snapshot",
            json!({"obo_url": env.url(GO_2026)}),
        )
        .await;
    assert_eq!(job.status.as_str(), "succeeded", "{job:#?}");
    let result = job.result.clone().unwrap();
    assert_eq!(result["obo_version"], counts.version);
    assert_eq!(result["term_count"], counts.terms);
    assert_eq!(result["obsolete_terms"], counts.obsolete);
    let total_edges: i64 = counts.edges.values().sum();
    assert_eq!(result["rel_count"], total_edges);
    for (kind, n) in &counts.edges {
        assert_eq!(result["relationships_by_type"][kind], *n, "{kind}");
        let db = env
            .count(&format!(
                "select count(*) from go_term_relationship where relation_type = '{kind}'"
            ))
            .await;
        assert_eq!(db, *n, "{kind} in the database");
    }
    assert_eq!(
        env.count("select count(*) from go_term").await,
        counts.terms
    );
    assert_eq!(
        env.count("select count(*) from go_term where is_obsolete")
            .await,
        counts.obsolete
    );
    assert_eq!(
        env.count("select count(*) from go_term_alt_id").await,
        counts.alt_ids
    );
    assert_eq!(
        env.count("select count(*) from go_term where aspect is null")
            .await,
        0
    );
    let retries: Vec<_> = env
        .events(job.id)
        .await
        .into_iter()
        .filter(|e| e.event == "http.retry")
        .collect();
    assert_eq!(retries.len(), 2);
    assert_eq!(retries[0].fields["attempt"], 1);
    assert_eq!(retries[0].fields["wait_seconds"], 1.0);
    assert_eq!(retries[0].fields["reason"], "HTTP 429");

    // Second run: skipped, nothing new.
    let again = env
        .ok(
            "load_ontology_snapshot",
            json!({"obo_url": env.url(GO_2026)}),
        )
        .await;
    assert_eq!(again["skipped"], true);
    assert_eq!(env.count("select count(*) from ontology_snapshot").await, 1);
    assert_eq!(
        env.count("select count(*) from go_term").await,
        counts.terms
    );

    // Snapshot without relationships: backfilled, terms untouched.
    sqlx::query("delete from go_term_relationship")
        .execute(env.pool())
        .await
        .unwrap();
    let local = data.join(GO_2026).canonicalize().unwrap();
    let backfill = env
        .ok(
            "load_ontology_snapshot",
            json!({"obo_url": format!("file://{}", local.display())}),
        )
        .await;
    assert_eq!(backfill["mode"], "backfill_relationships");
    assert_eq!(backfill["rel_count"], total_edges);
    assert_eq!(
        env.count("select count(*) from go_term").await,
        counts.terms
    );
}

#[tokio::test]
async fn slice_from_a_local_path_resolves_alt_ids_and_edge_types() {
    let Some(data) = shared_data() else { return };
    let env = env(&data, MockConfig::default()).await;
    let path = data.join(GO_SLICE);
    let counts = obo_counts(&read_text(&path));
    let result = env
        .ok(
            "load_ontology_snapshot",
            json!({"obo_url": path.display().to_string()}),
        )
        .await;
    assert_eq!(result["term_count"], counts.terms);
    assert_eq!(result["rel_count"], counts.edges.values().sum::<i64>());
    assert!(
        counts.edges.len() >= 3,
        "slice has several relation types: {:?}",
        counts.edges.keys()
    );
    // TP53's term id resolves; edges point child → parent.
    let parents = env.count(
        "select count(*) from go_term_relationship r join go_term c on c.id = r.child_go_term_id \
         join go_term p on p.id = r.parent_go_term_id where c.go_id = 'GO:0005515' and p.go_id = 'GO:0005488' and r.relation_type = 'is_a'",
    ).await;
    assert_eq!(parents, 1);
}

#[tokio::test]
async fn malformed_obo_fails_naming_file_and_line_and_writes_nothing() {
    let Some(data) = shared_data() else { return };
    let env = env(&data, MockConfig::default()).await;
    for (file, line) in [
        ("go-slice.broken_stanza.obo", Some(":646:")),
        ("go-slice.truncated.obo.gz", None),
    ] {
        let job = env
            .run(
                "load_ontology_snapshot",
                json!({"obo_url": fixture(file).display().to_string()}),
            )
            .await;
        assert_eq!(job.status.as_str(), "failed", "{job:#?}");
        let message = job.error_message.clone().unwrap();
        assert!(message.contains(file), "{message}");
        if let Some(line) = line {
            assert!(message.contains(line), "{message}");
        } else {
            assert!(message.contains("gzip"), "{message}");
        }
        assert_eq!(job.error_code.as_deref(), Some("FileFormatError"));
    }
    assert_eq!(env.count("select count(*) from ontology_snapshot").await, 0);
    assert_eq!(env.count("select count(*) from go_term").await, 0);
    let missing = env
        .run(
            "load_ontology_snapshot",
            json!({"obo_url": env.url("go/nope.obo")}),
        )
        .await;
    assert_eq!(missing.status.as_str(), "failed");
    assert!(missing.error_message.unwrap().contains("404"));
    let bad = env
        .run(
            "load_ontology_snapshot",
            json!({"obo_url": "ftp://x/y", "extra": 1}),
        )
        .await;
    assert_eq!(bad.error_code.as_deref(), Some("ValidationError"));
}

#[tokio::test]
async fn interpro2go_counts_and_idempotency() {
    let Some(data) = shared_data() else { return };
    let env = env(&data, MockConfig::default()).await;
    let rel = "interpro/interpro2go.2025-06-08.gz";
    let text = read_text(&data.join(rel));
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("InterPro:"))
        .collect();
    let unique: std::collections::HashSet<(String, String)> = lines
        .iter()
        .map(|l| {
            let ipr = l
                .split_whitespace()
                .next()
                .unwrap()
                .trim_start_matches("InterPro:")
                .to_owned();
            let go = l.rsplit("; ").next().unwrap().trim().to_owned();
            (ipr, go)
        })
        .collect();
    let payload = json!({"source_version": "InterPro-105.0", "mapping_url": env.url(rel)});
    let first = env.ok("load_interpro_go_mapping", payload.clone()).await;
    assert_eq!(first["rows_parsed"], lines.len());
    assert_eq!(first["rows_inserted"], unique.len());
    let second = env.ok("load_interpro_go_mapping", payload).await;
    assert_eq!(second["rows_inserted"], 0);
    assert_eq!(second["rows_skipped_duplicate"], lines.len());
    assert_eq!(
        env.count("select count(*) from interpro_go_mapping").await,
        unique.len() as i64
    );
}
