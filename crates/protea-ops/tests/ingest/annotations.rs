//! load_goa_annotations: filters against independent counts, alt_id
//! resolution, re-runs, total_limit, malformed input leaving no set behind.

use crate::support::*;
use protea_sources::mock::MockConfig;
use serde_json::json;
use std::collections::{HashMap, HashSet};

const GAF: &str = "goa/goa_uniprot_all.r203.EXP_NOT.noheader.gaf.gz";

/// Loads go-basic 2021 and registers every other distinct accession of the
/// GAF as a canonical protein; returns the snapshot id.
async fn prepare(env: &Env) -> (String, HashSet<String>) {
    let result = env
        .ok(
            "load_ontology_snapshot",
            json!({"obo_url": env.url(GO_2021)}),
        )
        .await;
    let text = read_text(&env.data.join(GAF));
    let mut accessions: Vec<String> = text
        .lines()
        .map(|l| l.split('\t').nth(1).unwrap().to_owned())
        .collect();
    accessions.sort();
    accessions.dedup();
    let kept: Vec<String> = accessions.into_iter().step_by(2).collect();
    sqlx::query("insert into protein (accession, canonical_accession) select a, a from unnest($1::varchar[]) a")
        .bind(&kept)
        .execute(env.pool())
        .await
        .unwrap();
    (
        result["snapshot_id"].as_str().unwrap().to_owned(),
        kept.into_iter().collect(),
    )
}

#[tokio::test]
async fn goa_rows_are_filtered_to_known_proteins_and_terms() {
    let Some(data) = shared_data() else { return };
    let env = env(&data, MockConfig::default()).await;
    let (snapshot, proteins) = prepare(&env).await;
    // Independent expectation: GO ids and alt ids of the snapshot from SQL,
    // rows filtered and de-duplicated here.
    let ids: Vec<(String, i64)> = sqlx::query_as(
        "select go_id, id from go_term union all select alt_go_id, go_term_id from go_term_alt_id",
    )
    .fetch_all(env.pool())
    .await
    .unwrap();
    let ids: HashMap<String, i64> = ids.into_iter().collect();
    let text = read_text(&data.join(GAF));
    let total = text.lines().count() as i64;
    let mut unique = HashSet::new();
    let mut via_alt = 0;
    for line in text.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        if !proteins.contains(cols[1]) {
            continue;
        }
        if let Some(id) = ids.get(cols[4]) {
            unique.insert((cols[1].to_owned(), *id, cols[6].to_owned()));
            let primary: bool =
                sqlx::query_scalar("select exists (select 1 from go_term where go_id = $1)")
                    .bind(cols[4])
                    .fetch_one(env.pool())
                    .await
                    .unwrap();
            via_alt += (!primary) as i64;
        }
    }
    let payload = json!({"ontology_snapshot_id": snapshot, "gaf_url": env.url(GAF), "source_version": "203", "page_size": 1000});
    let result = env.ok("load_goa_annotations", payload.clone()).await;
    assert_eq!(result["inserted"], unique.len());
    assert_eq!(result["skipped"], total - unique.len() as i64);
    assert_eq!(result["lines"], total);
    assert_eq!(result["pages"], (total + 999) / 1000);
    let set = result["annotation_set_id"].as_str().unwrap().to_owned();
    assert_eq!(
        env.count("select count(*) from protein_go_annotation")
            .await,
        unique.len() as i64
    );
    assert_eq!(
        env.count("select count(*) from protein_go_annotation where qualifier not like 'NOT|%'")
            .await,
        0
    );
    let meta: serde_json::Value = sqlx::query_scalar("select meta from annotation_set")
        .fetch_one(env.pool())
        .await
        .unwrap();
    assert_eq!(meta["complete"], true);
    assert_eq!(meta["gaf_url"], env.url(GAF));
    assert_eq!(env.count("select count(*) from annotation_set where job_id is not null and source = 'goa' and source_version = '203'").await, 1);
    eprintln!("rows resolved through alt_id: {via_alt}");

    // Re-run: nothing new.
    let again = env.ok("load_goa_annotations", payload).await;
    assert_eq!(again["already_loaded"], true);
    assert_eq!(again["annotation_set_id"], set);
    assert_eq!(env.count("select count(*) from annotation_set").await, 1);

    // total_limit on another version, with a page commit per 500 lines.
    let limited = env
        .ok(
            "load_goa_annotations",
            json!({"ontology_snapshot_id": snapshot, "gaf_url": env.url(GAF),
        "source_version": "203-limited", "page_size": 500, "total_limit": 700}),
        )
        .await;
    assert_eq!(limited["inserted"], 700);
    assert_eq!(limited["limit_reached"], true);
}

#[tokio::test]
async fn short_gaf_line_fails_and_leaves_no_set() {
    let Some(data) = shared_data() else { return };
    let env = env(&data, MockConfig::default()).await;
    let (snapshot, _) = prepare(&env).await;
    // MGI accessions are not proteins here; the failure is about the format.
    for commit_every_page in [true, false] {
        let job = env
            .run(
                "load_goa_annotations",
                json!({"ontology_snapshot_id": snapshot,
            "gaf_url": fixture("mgi.short_line.gaf").display().to_string(), "source_version": "x",
            "page_size": 10, "commit_every_page": commit_every_page}),
            )
            .await;
        assert_eq!(job.status.as_str(), "failed", "{job:#?}");
        let message = job.error_message.unwrap();
        assert!(message.contains("mgi.short_line.gaf:48:"), "{message}");
        assert_eq!(env.count("select count(*) from annotation_set").await, 0);
        assert_eq!(
            env.count("select count(*) from protein_go_annotation")
                .await,
            0
        );
    }
    let unknown = env
        .run(
            "load_goa_annotations",
            json!({"ontology_snapshot_id": uuid::Uuid::new_v4(),
        "gaf_url": env.url(GAF), "source_version": "x"}),
        )
        .await;
    assert_eq!(unknown.error_code.as_deref(), Some("NotFound"));
}

#[tokio::test]
async fn truncated_gzip_after_committed_pages_leaves_no_set() {
    let Some(data) = shared_data() else { return };
    let env = env(&data, MockConfig::default()).await;
    let (snapshot, _) = prepare(&env).await;
    let job = env.run("load_goa_annotations", json!({"ontology_snapshot_id": snapshot,
        "gaf_url": fixture("exp_not.truncated.gaf.gz").display().to_string(), "source_version": "cut",
        "page_size": 200})).await;
    assert_eq!(job.status.as_str(), "failed", "{job:#?}");
    let message = job.error_message.unwrap();
    assert!(
        message.contains("exp_not.truncated.gaf.gz:") && message.contains("gzip"),
        "{message}"
    );
    let pages = env
        .events(job.id)
        .await
        .into_iter()
        .filter(|e| e.event == "load_goa_annotations.page_done")
        .count();
    assert!(
        pages > 3,
        "pages were committed before the failure ({pages})"
    );
    assert_eq!(env.count("select count(*) from annotation_set").await, 0);
    assert_eq!(
        env.count("select count(*) from protein_go_annotation")
            .await,
        0
    );
}
