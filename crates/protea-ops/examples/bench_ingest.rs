//! Benchmark: ingestion into PostgreSQL from the loopback test server.
//!
//! `cargo run --release -p protea-ops --example bench_ingest [RUNS]`
//!
//! On a throwaway PostgreSQL (fsync off, as every test cluster), serving the
//! real files of shared/data (`PROTEA_SHARED_DATA`) over HTTP:
//! - insert_proteins on the yeast proteome (6 067 records, pages of 500,
//!   gzip): proteins/s, first run (all new) and second run (all existing);
//! - load_ontology_snapshot on go-basic 2021-12-15 (context: terms/s);
//! - load_goa_annotations on the GOA r203 HTP file (42 172 rows; every
//!   accession registered as a protein so most rows are kept): GAF rows/s
//!   and inserted rows/s, RUNS times (one new annotation set per run).

use protea_jobs::{Extensions, JobService, PgQueue, SubmitRequest, Worker, WorkerConfig};
use protea_sources::mock::{MockConfig, MockServer};
use protea_testkit::TestDb;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

const YEAST: &str = "uniprot/UP000002311_yeast_S288c.2025-10-19.fasta.gz";
const GAF: &str = "goa/goa_uniprot_all.r203.HTP.noheader.gaf.gz";

#[tokio::main]
async fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("RUNS"))
        .unwrap_or(3);
    let data = std::env::var_os("PROTEA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    assert!(
        data.join(GAF).is_file(),
        "shared data not found at {} (set PROTEA_SHARED_DATA)",
        data.display()
    );
    let db = TestDb::new().await;
    let pool = db.pool.clone();
    let server = MockServer::start(MockConfig {
        root: data.clone(),
        uniprot_fasta: Some(data.join(YEAST)),
        ..MockConfig::default()
    })
    .await;
    let mut extensions = Extensions::default();
    extensions.insert(protea_sources::SourcesConfig {
        uniprot_url: server.base_url.clone(),
        quickgo_url: server.url("/quickgo"),
    });
    let registry = protea_ops::registry();
    let transport = Arc::new(PgQueue::new(pool.clone()));
    let service = JobService::new(pool.clone(), registry.clone(), transport.clone());
    let worker = Worker::new(
        pool.clone(),
        registry,
        transport,
        Arc::new(extensions),
        WorkerConfig {
            queues: vec!["protea.jobs".into()],
            poll_interval: Duration::from_millis(20),
            ..WorkerConfig::default()
        },
    );
    let (_stop, rx) = watch::channel(false);
    tokio::spawn(async move { worker.run(rx).await.expect("worker") });

    let run = |operation: &'static str, payload: Value| {
        let service = service.clone();
        async move {
            let started = Instant::now();
            let id = service
                .submit(SubmitRequest {
                    operation: operation.into(),
                    payload,
                    queue_name: None,
                    meta: Value::Null,
                })
                .await
                .expect("submit")
                .id;
            loop {
                let job = service.get(id).await.expect("job");
                if job.status.is_terminal() {
                    assert_eq!(job.status.as_str(), "succeeded", "{job:#?}");
                    return (started.elapsed().as_secs_f64(), job.result.expect("result"));
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    };

    let payload =
        json!({"search_criteria": "proteome:UP000002311", "page_size": 500, "compressed": true});
    for label in ["new", "existing"] {
        let (secs, r) = run("insert_proteins", payload.clone()).await;
        println!(
            "insert_proteins yeast ({label}): {} records in {secs:.2} s = {:.0} proteins/s (inserted {}, sequences inserted {})",
            r["retrieved_records"],
            r["retrieved_records"].as_f64().unwrap() / secs,
            r["proteins_inserted"],
            r["sequences_inserted"]
        );
    }

    let (secs, r) = run(
        "load_ontology_snapshot",
        json!({"obo_url": server.url("/files/go/go-basic.2021-12-15.obo.gz")}),
    )
    .await;
    println!(
        "load_ontology_snapshot go-basic 2021-12-15: {} terms, {} edges in {secs:.2} s",
        r["term_count"], r["rel_count"]
    );
    let snapshot = r["snapshot_id"].clone();

    // Every GAF accession becomes a protein, so filtering keeps most rows.
    let text = {
        use std::io::Read;
        let mut t = String::new();
        protea_formats::io::open(data.join(GAF))
            .expect("gaf")
            .read_to_string(&mut t)
            .expect("gaf");
        t
    };
    let mut accessions: Vec<&str> = text.lines().filter_map(|l| l.split('\t').nth(1)).collect();
    accessions.sort_unstable();
    accessions.dedup();
    sqlx::query("insert into protein (accession, canonical_accession) select a, a from unnest($1::varchar[]) a on conflict do nothing")
        .bind(&accessions)
        .execute(&pool)
        .await
        .expect("proteins");
    let mut rates = Vec::new();
    for i in 0..runs {
        let (secs, r) = run("load_goa_annotations", json!({"ontology_snapshot_id": snapshot,
            "gaf_url": server.url(&format!("/files/{GAF}")), "source_version": format!("bench-{i}")})).await;
        let lines = r["lines"].as_f64().unwrap();
        let inserted = r["inserted"].as_f64().unwrap();
        println!(
            "load_goa_annotations HTP r203 run {}: {lines} rows ({inserted} inserted) in {secs:.2} s = {:.0} rows/s, {:.0} inserted/s",
            i + 1,
            lines / secs,
            inserted / secs
        );
        rates.push(lines / secs);
    }
    // One page, one transaction: the cost of page commits and events.
    let (secs, r) = run(
        "load_goa_annotations",
        json!({"ontology_snapshot_id": snapshot,
        "gaf_url": server.url(&format!("/files/{GAF}")), "source_version": "bench-single",
        "page_size": 1_000_000, "commit_every_page": false}),
    )
    .await;
    println!(
        "load_goa_annotations HTP r203, one page, no page commits: {} rows in {secs:.2} s = {:.0} rows/s (timings: {})",
        r["lines"],
        r["lines"].as_f64().unwrap() / secs,
        r["timings"]
    );
    rates.sort_by(f64::total_cmp);
    println!(
        "load_goa_annotations median: {:.0} rows/s",
        rates[rates.len() / 2]
    );
}
