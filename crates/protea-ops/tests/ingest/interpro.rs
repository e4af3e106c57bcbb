//! run_interproscan_batch with fake `interproscan.sh` scripts that replay the
//! real InterProScan 6 output, and predict_go_terms_from_interpro on the real
//! interpro2go file and GO release, both checked against computations done
//! here from the raw files.

use crate::support::*;
use protea_sources::mock::MockConfig;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

const FAA: &str = "interpro/interproscan6.test.faa.gz";
const TSV: &str = "interpro/interproscan6.test.faa.tsv.gz";
const I2G: &str = "interpro/interpro2go.2025-06-08.gz";

fn fake(name: &str) -> String {
    fixture(&format!("fake-interproscan/{name}"))
        .display()
        .to_string()
}

/// An environment with the 1,027 proteins of the InterProScan test FASTA
/// loaded through insert_proteins; returns it and the sorted accessions.
async fn proteins_env(data: &Path) -> (Env, Vec<String>) {
    let env = env(
        data,
        MockConfig {
            uniprot_fasta: Some(data.join(FAA)),
            ..MockConfig::default()
        },
    )
    .await;
    env.ok(
        "insert_proteins",
        json!({"search_criteria": "interproscan6 test", "page_size": 500}),
    )
    .await;
    let accessions: Vec<String> =
        sqlx::query_scalar("select accession from protein order by accession")
            .fetch_all(env.pool())
            .await
            .unwrap();
    (env, accessions)
}

/// A stored match's identity: (protein, db, signature, start, end, InterPro).
type Key = (String, String, String, i32, i32, Option<String>);

/// The rows the replaying fake must yield for these proteins, computed from
/// the raw TSV text and the sequences stored in the database (by MD5, the
/// way the fake matches them): distinct keys.
async fn expected_rows(env: &Env, accessions: &[String]) -> BTreeSet<Key> {
    let seqs: Vec<(String, String)> = sqlx::query_as(
        "select p.accession, upper(s.sequence_hash) from protein p join sequence s on s.id = p.sequence_id \
         where p.accession = any($1)",
    )
    .bind(accessions)
    .fetch_all(env.pool())
    .await
    .unwrap();
    let by_md5: HashMap<String, Vec<String>> =
        seqs.into_iter().fold(HashMap::new(), |mut m, (a, h)| {
            m.entry(h).or_default().push(a);
            m
        });
    let mut out = BTreeSet::new();
    for line in read_text(&env.data.join(TSV)).lines() {
        let c: Vec<&str> = line.split('\t').collect();
        for acc in by_md5.get(&c[1].to_uppercase()).into_iter().flatten() {
            out.insert((
                acc.clone(),
                c[3].to_owned(),
                c[4].to_owned(),
                c[6].parse().unwrap(),
                c[7].parse().unwrap(),
                Some(c[11].to_owned()).filter(|s| s != "-"),
            ));
        }
    }
    out
}

async fn stored_rows(env: &Env, release: &str) -> BTreeSet<Key> {
    let rows: Vec<Key> = sqlx::query_as(
        "select protein_accession, signature_db, signature_accession, start_pos, end_pos, ipr_accession \
         from interpro_annotation where ipr_release = $1",
    )
    .bind(release)
    .fetch_all(env.pool())
    .await
    .unwrap();
    rows.into_iter().collect()
}

fn scan_payload(accessions: &[String], binary: &str, extra: Value) -> Value {
    let mut p = json!({"accessions": accessions, "chunk_size": 50, "binary_path": binary});
    p.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    p
}

#[tokio::test]
async fn scans_replay_real_output_and_resume_by_release_floor() {
    let Some(data) = shared_data() else { return };
    let (env, all) = proteins_env(&data).await;
    assert_eq!(all.len(), 1_022); // 1,027 records, 5 accessions twice (`|extended` variants)
    let first: Vec<String> = all[..120].to_vec();
    let expected = expected_rows(&env, &first).await;
    assert!(expected.len() > 500, "{}", expected.len());

    let job = env
        .run(
            "run_interproscan_batch",
            scan_payload(&first, &fake("interproscan.sh"), json!({})),
        )
        .await;
    assert_eq!(job.status.as_str(), "succeeded", "{job:#?}");
    let r = job.result.clone().unwrap();
    assert_eq!(r["chunks_done"], 3);
    assert_eq!(r["proteins_processed"], 120);
    assert_eq!(r["proteins_skipped"], 0);
    assert_eq!(r["annotations_inserted"], expected.len());
    assert_eq!(r["ipr_releases_seen"], json!(["5.77-108.0"]));
    assert_eq!(stored_rows(&env, "5.77-108.0").await, expected);
    let chunk_events = env
        .events(job.id)
        .await
        .into_iter()
        .filter(|e| e.event == "run_interproscan_batch.chunk_done")
        .count();
    assert_eq!(chunk_events, 3);
    // Every protein is recorded as scanned, matches or not.
    assert_eq!(env.count("select count(*) from interpro_scan").await, 120);
    assert_eq!(
        env.count("select sum(match_count) from interpro_scan")
            .await,
        expected.len() as i64
    );

    // Same release floor: everything is skipped, the scanner is not run.
    let floor = json!({"ipr_release_floor": "5.77-108.0"});
    let again = env
        .ok(
            "run_interproscan_batch",
            scan_payload(&first, &fake("interproscan_fail.sh"), floor.clone()),
        )
        .await;
    assert_eq!(
        (&again["proteins_skipped"], &again["chunks_done"]),
        (&json!(120), &json!(0))
    );

    // A superset resumes: only the 30 new proteins are scanned.
    let more: Vec<String> = all[..150].to_vec();
    let resumed = env
        .ok(
            "run_interproscan_batch",
            scan_payload(&more, &fake("interproscan.sh"), floor),
        )
        .await;
    assert_eq!(resumed["proteins_skipped"], 120);
    assert_eq!(resumed["proteins_processed"], 30);
    assert_eq!(
        stored_rows(&env, "5.77-108.0").await,
        expected_rows(&env, &more).await
    );

    // No floor: a plain re-run stores nothing new.
    let rerun = env
        .ok(
            "run_interproscan_batch",
            scan_payload(&first, &fake("interproscan.sh"), json!({})),
        )
        .await;
    assert_eq!(
        (&rerun["proteins_processed"], &rerun["annotations_inserted"]),
        (&json!(120), &json!(0))
    );

    // A newer release above the floor rescans and stores under the new tag.
    let newer = env
        .ok(
            "run_interproscan_batch",
            scan_payload(
                &first,
                &fake("interproscan_v109.sh"),
                json!({"ipr_release_floor": "5.78-109.0"}),
            ),
        )
        .await;
    assert_eq!(newer["proteins_processed"], 120);
    assert_eq!(newer["ipr_releases_seen"], json!(["5.78-109.0"]));
    assert_eq!(stored_rows(&env, "5.78-109.0").await, expected);
    // An older binary cannot satisfy a higher floor: refused before scanning.
    let old = env
        .run(
            "run_interproscan_batch",
            scan_payload(
                &all[200..210],
                &fake("interproscan.sh"),
                json!({"ipr_release_floor": "5.78-109.0"}),
            ),
        )
        .await;
    assert_eq!(old.error_code.as_deref(), Some("InterProScanTooOld"));
}

#[tokio::test]
async fn broken_scanners_fail_the_job_clearly_and_write_nothing() {
    let Some(data) = shared_data() else { return };
    let (env, all) = proteins_env(&data).await;
    let some: Vec<String> = all[..60].to_vec();

    let job = env
        .run(
            "run_interproscan_batch",
            scan_payload(&some, &fake("interproscan_fail.sh"), json!({})),
        )
        .await;
    assert_eq!(job.status.as_str(), "failed");
    assert_eq!(job.error_code.as_deref(), Some("InterProScanFailed"));
    let message = job.error_message.clone().unwrap();
    assert!(message.contains("exit status 3"), "{message}");
    assert!(message.contains("OutOfMemoryError"), "{message}");

    // Garbage after the real rows: the parser names the chunk, the line and
    // the field; nothing of the chunk is stored.
    let real_rows = expected_rows(&env, &some[..50]).await.len();
    for commit in [false, true] {
        let job = env
            .run(
                "run_interproscan_batch",
                scan_payload(
                    &some,
                    &fake("interproscan_garbage.sh"),
                    json!({"commit_every_chunk": commit}),
                ),
            )
            .await;
        assert_eq!(
            job.error_code.as_deref(),
            Some("FileFormatError"),
            "{job:#?}"
        );
        let message = job.error_message.clone().unwrap();
        assert!(
            message.starts_with("InterProScan output of chunk 1:"),
            "{message}"
        );
        assert!(message.contains("found 1"), "{message}");
        // The garbage line follows the real rows (duplicates included).
        let raw_lines = message.split(':').nth(1).unwrap().parse::<usize>().unwrap();
        assert!(raw_lines > real_rows, "{message} vs {real_rows}");
    }

    let job = env
        .run(
            "run_interproscan_batch",
            scan_payload(
                &some,
                &fake("interproscan_slow.sh"),
                json!({"timeout_seconds": 1.0}),
            ),
        )
        .await;
    assert_eq!(job.error_code.as_deref(), Some("InterProScanTimeout"));
    assert!(
        job.error_message
            .as_deref()
            .unwrap()
            .contains("starting a very long scan")
    );

    let job = env
        .run(
            "run_interproscan_batch",
            scan_payload(&some, "/nonexistent/interproscan.sh", json!({})),
        )
        .await;
    assert_eq!(job.error_code.as_deref(), Some("InterProScanNotFound"));
    assert_eq!(
        env.count("select count(*) from interpro_annotation").await,
        0
    );
    assert_eq!(env.count("select count(*) from interpro_scan").await, 0);

    for bad in [
        json!({"accessions": ["A0A000"], "query_set_id": uuid::Uuid::new_v4()}),
        json!({}),
        json!({"accessions": ["A0A000"], "extra_args": ["-o", "/tmp/x"]}),
        json!({"accessions": ["A0A000"], "chunk_size": 0}),
        json!({"accessions": ["A0A000"], "timeout_seconds": -1}),
    ] {
        let job = env.run("run_interproscan_batch", bad.clone()).await;
        assert_eq!(job.error_code.as_deref(), Some("ValidationError"), "{bad}");
    }
}

/// GO id → primary id for every term and alt_id of an OBO text, by line
/// scanning.
fn obo_ids(text: &str) -> HashMap<String, String> {
    let mut ids = HashMap::new();
    let (mut in_term, mut current) = (false, String::new());
    for line in text.lines() {
        if line.starts_with('[') {
            in_term = line.trim() == "[Term]";
            continue;
        }
        if !in_term {
            continue;
        }
        if let Some(id) = line.strip_prefix("id: ") {
            current = id.trim().to_owned();
            ids.insert(current.clone(), current.clone());
        } else if let Some(alt) = line.strip_prefix("alt_id: ") {
            ids.entry(alt.trim().to_owned())
                .or_insert_with(|| current.clone());
        }
    }
    ids
}

#[tokio::test]
async fn interpro_propagation_equals_votes_computed_from_the_raw_files() {
    let Some(data) = shared_data() else { return };
    let (env, all) = proteins_env(&data).await;
    let scanned: Vec<String> = all[..300].to_vec();
    env.ok(
        "run_interproscan_batch",
        scan_payload(
            &scanned,
            &fake("interproscan.sh"),
            json!({"chunk_size": 100}),
        ),
    )
    .await;
    let snapshot = env
        .ok(
            "load_ontology_snapshot",
            json!({"obo_url": env.url(GO_2026)}),
        )
        .await["snapshot_id"]
        .as_str()
        .unwrap()
        .to_owned();
    env.ok(
        "load_interpro_go_mapping",
        json!({"source_version": "InterPro-105.0", "mapping_url": env.url(I2G)}),
    )
    .await;
    let snapshot: uuid::Uuid = snapshot.parse().unwrap();
    let (config, set) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    sqlx::query("insert into embedding_config (id, model_name, layer_indices) values ($1, 'esm2_t6_8M_UR50D', '[0]')")
        .bind(config)
        .execute(env.pool())
        .await
        .unwrap();
    sqlx::query(
        "insert into annotation_set (id, source, ontology_snapshot_id) values ($1, 'goa', $2)",
    )
    .bind(set)
    .bind(snapshot)
    .execute(env.pool())
    .await
    .unwrap();
    // Queries: a query set with 50 scanned proteins plus an accession list
    // overlapping it, with 2 unscanned and 1 unknown accession (union used).
    let seqs: Vec<(String, String, String)> = sqlx::query_as(
        "select p.accession, s.sequence_hash, s.sequence from protein p join sequence s on s.id = p.sequence_id \
         where p.accession = any($1) order by p.accession",
    )
    .bind(&all[250..300])
    .fetch_all(env.pool())
    .await
    .unwrap();
    let (qs, _) = protea_store::query_sets::create(env.pool(), "ipr", None, &seqs)
        .await
        .unwrap();
    let mut list: Vec<String> = all[..260].to_vec();
    list.extend(all[400..402].iter().cloned());
    list.push("NOT_A_PROTEIN".into());
    let payload = json!({
        "embedding_config_id": config, "annotation_set_id": set, "ontology_snapshot_id": snapshot,
        "source_version": "InterPro-105.0", "query_set_id": qs.id, "query_accessions": list,
        "chunk_size": 64,
    });
    let r = env
        .ok("predict_go_terms_from_interpro", payload.clone())
        .await;

    // Independent computation from the raw files.
    let queries: BTreeSet<String> = all[..300]
        .iter()
        .chain(&all[400..402])
        .cloned()
        .chain(["NOT_A_PROTEIN".to_owned()])
        .collect();
    let mut entries: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (acc, _, _, _, _, ipr) in expected_rows(&env, &scanned).await {
        if let (true, Some(ipr)) = (queries.contains(&acc), ipr) {
            entries.entry(acc).or_default().insert(ipr);
        }
    }
    let mut i2g: HashMap<String, BTreeSet<String>> = HashMap::new();
    for line in read_text(&data.join(I2G)).lines() {
        if let Some(rest) = line.strip_prefix("InterPro:") {
            let ipr = rest.split_whitespace().next().unwrap().to_owned();
            let go = line.rsplit("; ").next().unwrap().trim().to_owned();
            i2g.entry(ipr).or_default().insert(go);
        }
    }
    let ids = obo_ids(&read_text(&data.join(GO_2026)));
    let mut votes: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut candidates = 0;
    for (acc, iprs) in &entries {
        let mut pairs = BTreeSet::new();
        for ipr in iprs {
            for go in i2g.get(ipr).into_iter().flatten() {
                pairs.insert(go.clone());
                if let Some(primary) = ids.get(go) {
                    votes
                        .entry((acc.clone(), primary.clone()))
                        .or_default()
                        .insert(ipr.clone());
                }
            }
        }
        candidates += pairs.len();
    }
    let with_predictions: BTreeSet<&String> = votes.keys().map(|(a, _)| a).collect();
    assert!(votes.len() > 300, "{}", votes.len());
    assert!(votes.values().any(|v| v.len() >= 2));
    assert_eq!(r["proteins_with_ipr"], entries.len());
    assert_eq!(r["proteins_with_predictions"], with_predictions.len());
    assert_eq!(r["candidate_pairs"], candidates);
    assert_eq!(r["predictions_inserted"], votes.len());
    assert_eq!(r["query_proteins"], queries.len());

    let id: uuid::Uuid = r["prediction_set_id"].as_str().unwrap().parse().unwrap();
    let meta: Value =
        sqlx::query_scalar("select meta from prediction_set where id = $1 and query_set_id = $2")
            .bind(id)
            .bind(qs.id)
            .fetch_one(env.pool())
            .await
            .unwrap();
    assert_eq!(meta["algorithm"], "interpro_propagation");
    let stored: Vec<(String, String, f64, i32, String)> = sqlx::query_as(
        "select p.protein_accession, t.go_id, p.distance, p.vote_count, p.ref_protein_accession \
         from go_prediction p join go_term t on t.id = p.go_term_id where p.prediction_set_id = $1",
    )
    .bind(id)
    .fetch_all(env.pool())
    .await
    .unwrap();
    let stored: BTreeMap<(String, String), (f64, i32, String)> = stored
        .into_iter()
        .map(|(a, g, d, v, r)| ((a, g), (d, v, r)))
        .collect();
    assert_eq!(stored.len(), votes.len());
    for (key, voters) in &votes {
        let (distance, count, refs) = &stored[key];
        let n = voters.len();
        assert_eq!(*count as usize, n, "{key:?}");
        assert!((distance - 1.0 / n as f64).abs() < 1e-12, "{key:?}");
        assert_eq!(*refs, voters.iter().cloned().collect::<Vec<_>>().join(","));
    }

    // A floor above every stored release leaves nothing to propagate.
    let mut high = payload.clone();
    high["ipr_release_floor"] = json!("5.78-109.0");
    let r = env.ok("predict_go_terms_from_interpro", high).await;
    assert_eq!(
        (&r["proteins_with_ipr"], &r["predictions_inserted"]),
        (&json!(0), &json!(0))
    );
    // An unloaded mapping release is refused by name.
    let mut missing = payload.clone();
    missing["source_version"] = json!("InterPro-1.0");
    let job = env.run("predict_go_terms_from_interpro", missing).await;
    assert_eq!(job.error_code.as_deref(), Some("NotFound"));
    assert!(job.error_message.unwrap().contains("InterPro-1.0"));
}
