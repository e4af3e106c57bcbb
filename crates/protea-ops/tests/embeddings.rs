//! The embedding operations end to end on real workers and PostgreSQL, with
//! real proteins from the shared data: compute_embeddings fanning out to
//! compute_embeddings_batch and store_embeddings (kmer backend and the tiny
//! ESM-2 fixture model of protea-plm), skip_existing, chunked configs, the
//! GPU serialisation (RetryLater), and import_embeddings of the real ESM-2
//! vectors of 500 human proteins. Stored vectors are compared with
//! protea-plm run directly on the same sequences.

use flate2::read::GzDecoder;
use protea_jobs::{Extensions, JobService, JobView, PgQueue, SubmitRequest, Worker, WorkerConfig};
use protea_ops::embedding_config::EmbeddingConfigRequest;
use protea_ops::embedding_models::EmbeddingModels;
use protea_ops::ingest::md5_hex;
use protea_plm::{BackendKind, Device, EmbedOptions, Embedder};
use protea_store::embeddings::{self, StoredVector};
use protea_store::proteins::{ProteinRow, ensure_sequences, upsert_proteins};
use protea_testkit::TestDb;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use uuid::Uuid;

const YEAST: &str = "uniprot/UP000002311_yeast_S288c.2025-10-19.fasta.gz";
const HUMAN_TSV: &str = "uniprot/uniprotkb_human_reviewed.first500.rest.tsv";
const HUMAN_NPY: &str = "embeddings/esm2_t6_8M_UR50D.meanpool_l2norm.human500.npy";
const HUMAN_IDS: &str = "embeddings/esm2_t6_8M_UR50D.meanpool_l2norm.human500.accessions.tsv";

fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("PROTEA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if dir.join(YEAST).is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP: shared data not found at {} (set PROTEA_SHARED_DATA)",
            dir.display()
        );
        None
    }
}

fn esm2_tiny() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../protea-plm/tests/data/esm2_tiny")
}

/// The first `n` records of the yeast proteome: (accession, sequence).
fn yeast(data: &Path, n: usize) -> Vec<(String, String)> {
    let mut text = String::new();
    GzDecoder::new(std::fs::File::open(data.join(YEAST)).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix('>') {
            if out.len() == n {
                break;
            }
            out.push((h.split('|').nth(1).unwrap().to_owned(), String::new()));
        } else {
            out.last_mut().unwrap().1.push_str(line.trim());
        }
    }
    out
}

/// The 500 human proteins of the REST TSV: (accession, sequence).
fn human(data: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(data.join(HUMAN_TSV)).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_owned(), f[f.len() - 1].to_owned())
        })
        .collect()
}

async fn insert_proteins(pool: &PgPool, proteins: &[(String, String)]) -> HashMap<String, i32> {
    let mut tx = pool.begin().await.unwrap();
    let pairs: Vec<(String, String)> = proteins
        .iter()
        .map(|(_, s)| (md5_hex(s), s.clone()))
        .collect();
    let (ids, _) = ensure_sequences(&mut tx, &pairs).await.unwrap();
    let rows: Vec<ProteinRow> = proteins
        .iter()
        .map(|(a, s)| ProteinRow {
            accession: a.clone(),
            canonical_accession: a.clone(),
            length: Some(s.len() as i32),
            sequence_id: Some(ids[&md5_hex(s)]),
            ..Default::default()
        })
        .collect();
    upsert_proteins(&mut tx, &rows).await.unwrap();
    tx.commit().await.unwrap();
    proteins
        .iter()
        .map(|(a, s)| (a.clone(), ids[&md5_hex(s)]))
        .collect()
}

struct Harness {
    db: TestDb,
    service: JobService,
    stops: Vec<watch::Sender<bool>>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        for s in &self.stops {
            let _ = s.send(true);
        }
    }
}

impl Harness {
    async fn new() -> Harness {
        let db = TestDb::new().await;
        let service = JobService::new(
            db.pool.clone(),
            protea_ops::registry(),
            Arc::new(PgQueue::new(db.pool.clone())),
        );
        Harness {
            db,
            service,
            stops: Vec::new(),
        }
    }

    /// Starts a worker on `queues`.
    fn worker(&mut self, queues: &[&str]) {
        let mut ext = Extensions::default();
        let mut models = EmbeddingModels::new(None);
        models.busy_retry = Duration::from_millis(500);
        ext.insert(models);
        let worker = Worker::new(
            self.db.pool.clone(),
            protea_ops::registry(),
            Arc::new(PgQueue::new(self.db.pool.clone())),
            Arc::new(ext),
            WorkerConfig {
                queues: queues.iter().map(|q| q.to_string()).collect(),
                concurrency: 1,
                poll_interval: Duration::from_millis(50),
                heartbeat: Duration::from_millis(300),
                reaper_interval: None,
                ..WorkerConfig::default()
            },
        );
        let (stop, rx) = watch::channel(false);
        tokio::spawn(async move { worker.run(rx).await.unwrap() });
        self.stops.push(stop);
    }

    fn all_workers(&mut self) {
        self.worker(&[
            "protea.jobs",
            "protea.embeddings",
            "protea.embeddings.batch",
            "protea.embeddings.write",
        ]);
    }

    fn pool(&self) -> &PgPool {
        &self.db.pool
    }

    async fn submit(&self, operation: &str, payload: Value) -> Uuid {
        self.service
            .submit(SubmitRequest {
                operation: operation.into(),
                payload,
                queue_name: None,
                meta: Value::Null,
            })
            .await
            .unwrap()
            .id
    }

    async fn wait(&self, id: Uuid) -> JobView {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let job = self.service.get(id).await.unwrap();
            if job.finished_at.is_some() {
                return job;
            }
            assert!(
                Instant::now() < deadline,
                "job {id} did not finish: {job:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn run(&self, operation: &str, payload: Value) -> JobView {
        let id = self.submit(operation, payload).await;
        self.wait(id).await
    }

    async fn events(&self, job: Uuid) -> Vec<protea_jobs::EventView> {
        self.service.events(job, None, 10_000, true).await.unwrap()
    }

    async fn config(&self, request: Value) -> Uuid {
        let req: EmbeddingConfigRequest = serde_json::from_value(request).unwrap();
        embeddings::insert_config(self.pool(), &req.validate().unwrap())
            .await
            .unwrap()
            .id
    }
}

fn succeeded(job: &JobView) -> &Value {
    assert_eq!(
        (job.error_code.as_deref(), job.error_message.as_deref()),
        (None, None),
        "{job:?}"
    );
    assert_eq!(job.status, protea_core::JobStatus::Succeeded, "{job:?}");
    job.result.as_ref().unwrap()
}

/// What protea-plm gives directly, keyed by sequence id.
fn direct(
    kind: BackendKind,
    dir: Option<&Path>,
    proteins: &[(String, String)],
    ids: &HashMap<String, i32>,
    opts: &EmbedOptions,
) -> Vec<StoredVector> {
    let model = Embedder::load(kind, dir, &Device::Cpu).unwrap();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (acc, seq) in proteins {
        let id = ids[acc];
        if !seen.insert(id) {
            continue;
        }
        for c in model
            .embed(&[(acc.as_str(), seq.as_str())], opts, 1 << 20)
            .unwrap()
            .remove(0)
        {
            out.push(StoredVector {
                sequence_id: id,
                chunk_index_s: c.chunk_s as i32,
                chunk_index_e: c.chunk_e.map(|e| e as i32),
                vector: c.vector,
            });
        }
    }
    out.sort_by_key(|v| (v.sequence_id, v.chunk_index_s));
    out
}

fn assert_close(stored: &[StoredVector], expected: &[StoredVector], tol: f32) {
    assert_eq!(stored.len(), expected.len());
    for (s, e) in stored.iter().zip(expected) {
        assert_eq!(
            (s.sequence_id, s.chunk_index_s, s.chunk_index_e),
            (e.sequence_id, e.chunk_index_s, e.chunk_index_e)
        );
        assert_eq!(s.vector.len(), e.vector.len());
        let worst = s
            .vector
            .iter()
            .zip(&e.vector)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(
            worst <= tol,
            "sequence {} chunk {}: max abs error {worst}",
            s.sequence_id,
            s.chunk_index_s
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kmer_run_fans_out_stores_every_sequence_and_skips_existing_on_rerun() {
    let Some(data) = shared_data() else { return };
    let mut h = Harness::new().await;
    h.all_workers();
    let proteins = yeast(&data, 30);
    let ids = insert_proteins(h.pool(), &proteins).await;
    let config = h
        .config(json!({"model_name": "kmer2", "model_backend": "kmer"}))
        .await;

    let job = h
        .run(
            "compute_embeddings",
            json!({"embedding_config_id": config, "sequences_per_job": 8, "device": "cpu"}),
        )
        .await;
    let result = succeeded(&job).clone();
    let distinct = ids.values().collect::<std::collections::HashSet<_>>().len();
    assert_eq!(result["batches"], distinct.div_ceil(8));
    assert_eq!(result["sequences"], distinct);
    assert_eq!(
        (job.progress_current, job.progress_total),
        (
            Some(distinct.div_ceil(8) as i64),
            Some(distinct.div_ceil(8) as i64)
        )
    );
    let events: Vec<String> = h
        .events(job.id)
        .await
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert!(events.contains(&"compute_embeddings.dispatching".to_owned()));
    assert!(events.contains(&"job.dispatched".to_owned()));
    assert_eq!(events.last().unwrap(), "job.succeeded");

    let stored = embeddings::vectors(h.pool(), config).await.unwrap();
    assert_eq!(stored.len(), distinct);
    let row = embeddings::config(h.pool(), config).await.unwrap().unwrap();
    let opts = protea_ops::embedding_config::plm_settings(&row)
        .unwrap()
        .options;
    let expected = direct(BackendKind::Kmer { k: 2 }, None, &proteins, &ids, &opts);
    assert_close(&stored, &expected, 0.0);
    let cov = embeddings::coverage(h.pool(), config).await.unwrap();
    assert_eq!((cov.proteins_embedded, cov.proteins_total), (30, 30));
    assert_eq!(cov.sequences_embedded as usize, distinct);

    // skip_existing: nothing to do, nothing written, success at once.
    let again = h
        .run(
            "compute_embeddings",
            json!({"embedding_config_id": config, "sequences_per_job": 8}),
        )
        .await;
    let r = succeeded(&again);
    assert_eq!(
        (r["batches"].as_u64(), r["skipped_existing"].as_u64()),
        (Some(0), Some(distinct as u64))
    );
    assert_eq!(embeddings::vectors(h.pool(), config).await.unwrap(), stored);

    // An accession subset without skip_existing recomputes (replaces) those rows only.
    let subset: Vec<&String> = proteins.iter().take(3).map(|p| &p.0).collect();
    let redo = h
        .run(
            "compute_embeddings",
            json!({"embedding_config_id": config, "accessions": subset, "skip_existing": false,
                   "sequences_per_job": 2}),
        )
        .await;
    assert_eq!(succeeded(&redo)["batches"], 2);
    assert_eq!(embeddings::vectors(h.pool(), config).await.unwrap(), stored);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn chunked_config_stores_one_row_per_window_with_exclusive_ends() {
    let Some(data) = shared_data() else { return };
    let mut h = Harness::new().await;
    h.all_workers();
    let proteins = yeast(&data, 12);
    let ids = insert_proteins(h.pool(), &proteins).await;
    let config = h
        .config(json!({"model_name": "kmer1", "model_backend": "kmer", "use_chunking": true,
                       "chunk_size": 100, "chunk_overlap": 30, "max_length": 400, "normalize": false}))
        .await;
    let job = h
        .run(
            "compute_embeddings",
            json!({"embedding_config_id": config, "sequences_per_job": 5, "batch_size": 4}),
        )
        .await;
    assert_eq!(succeeded(&job)["batches"], 3);
    let stored = embeddings::vectors(h.pool(), config).await.unwrap();
    let row = embeddings::config(h.pool(), config).await.unwrap().unwrap();
    let opts = protea_ops::embedding_config::plm_settings(&row)
        .unwrap()
        .options;
    let expected = direct(BackendKind::Kmer { k: 1 }, None, &proteins, &ids, &opts);
    assert_close(&stored, &expected, 0.0);
    // Windows: start 0, 70, 140, …; the last ends at min(len, max_length).
    for (acc, seq) in &proteins {
        let mine: Vec<&StoredVector> = stored
            .iter()
            .filter(|v| v.sequence_id == ids[acc])
            .collect();
        let len = seq.len().min(400) as i32;
        assert!(mine.iter().all(|v| v.chunk_index_s % 70 == 0));
        assert!(
            mine.iter()
                .all(|v| v.chunk_index_e == Some((v.chunk_index_s + 100).min(len)))
        );
        assert_eq!(mine.len() as i32, (len + 69) / 70, "{acc} ({len} residues)");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn esm2_fixture_model_runs_through_the_job_and_matches_protea_plm() {
    let Some(data) = shared_data() else { return };
    let mut h = Harness::new().await;
    h.all_workers();
    let proteins = yeast(&data, 7);
    let ids = insert_proteins(h.pool(), &proteins).await;
    let dir = esm2_tiny();
    let config = h
        .config(json!({"model_name": "esm2_tiny", "model_backend": "esm", "model_path": dir,
                       "layer_indices": [0, 2], "layer_agg": "concat", "pooling": "mean_max",
                       "max_length": 300, "use_chunking": true, "chunk_size": 128, "chunk_overlap": 16}))
        .await;
    let job = h
        .run(
            "compute_embeddings",
            json!({"embedding_config_id": config, "sequences_per_job": 4, "batch_size": 2}),
        )
        .await;
    assert_eq!(succeeded(&job)["batches"], 2);
    let events = h.events(job.id).await;
    let loads = events
        .iter()
        .filter(|e| e.event == "child.compute_embeddings_batch.model_loaded")
        .count();
    assert_eq!(loads, 1, "the model is loaded once per worker process");
    let stored = embeddings::vectors(h.pool(), config).await.unwrap();
    let row = embeddings::config(h.pool(), config).await.unwrap().unwrap();
    let opts = protea_ops::embedding_config::plm_settings(&row)
        .unwrap()
        .options;
    let expected = direct(
        BackendKind::Esm2,
        Some(dir.as_path()),
        &proteins,
        &ids,
        &opts,
    );
    // 2 layers × 32 dims, mean ‖ max.
    assert!(stored.iter().all(|v| v.vector.len() == 128));
    assert!(stored.iter().any(|v| v.chunk_index_s > 0));
    assert_close(&stored, &expected, 1e-4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_second_embedding_run_waits_with_retry_later_until_the_first_is_stored() {
    let Some(data) = shared_data() else { return };
    let mut h = Harness::new().await;
    // Coordinators only: the first run stays RUNNING with its batches queued.
    h.worker(&["protea.embeddings"]);
    let proteins = yeast(&data, 10);
    insert_proteins(h.pool(), &proteins).await;
    let config = h
        .config(json!({"model_name": "kmer2", "model_backend": "kmer"}))
        .await;
    let first = h
        .submit(
            "compute_embeddings",
            json!({"embedding_config_id": config, "sequences_per_job": 3}),
        )
        .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while h.service.get(first).await.unwrap().progress_total.is_none() {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let second = h
        .submit(
            "compute_embeddings",
            json!({"embedding_config_id": config, "sequences_per_job": 3}),
        )
        .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ev = h.events(second).await;
        if let Some(e) = ev.iter().find(|e| e.event == "job.retry_later") {
            assert!(e.message.as_deref().unwrap().contains(&first.to_string()));
            break;
        }
        assert!(Instant::now() < deadline, "no retry_later: {ev:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        h.service.get(first).await.unwrap().status,
        protea_core::JobStatus::Running
    );
    // Batch and write workers arrive: the first finishes, then the second
    // runs and finds everything embedded.
    h.worker(&["protea.embeddings.batch", "protea.embeddings.write"]);
    let first = h.wait(first).await;
    assert_eq!(succeeded(&first)["batches"], 4);
    let second = h.wait(second).await;
    let r = succeeded(&second);
    assert_eq!(
        (r["batches"].as_u64(), r["skipped_existing"].as_u64()),
        (Some(0), Some(10))
    );
    assert!(second.started_at.unwrap() >= first.finished_at.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_payloads_and_unrunnable_configs_fail_naming_the_field() {
    let mut h = Harness::new().await;
    h.all_workers();
    let config = h
        .config(json!({"model_name": "esmc_300m", "model_backend": "esm3c"}))
        .await;
    let job = h
        .run(
            "compute_embeddings",
            json!({"embedding_config_id": config, "sequences_per_job": 0}),
        )
        .await;
    assert_eq!(job.error_code.as_deref(), Some("ValidationError"));
    assert!(job.error_message.unwrap().contains("sequences_per_job"));
    let job = h
        .run(
            "compute_embeddings",
            json!({"embedding_config_id": config, "device": "tpu"}),
        )
        .await;
    assert!(job.error_message.unwrap().contains("device"));
    let job = h
        .run(
            "compute_embeddings",
            json!({"embedding_config_id": config, "accessions": ["P1"], "query_set_id": Uuid::new_v4()}),
        )
        .await;
    assert!(job.error_message.unwrap().contains("query_set_id"));
    let job = h
        .run(
            "compute_embeddings",
            json!({"embedding_config_id": config, "extra": 1}),
        )
        .await;
    assert!(job.error_message.unwrap().contains("extra"));
    let job = h
        .run("compute_embeddings", json!({"embedding_config_id": config}))
        .await;
    assert_eq!(job.error_code.as_deref(), Some("InvalidEmbeddingConfig"));
    assert!(job.error_message.unwrap().contains("esmc"));
    let job = h
        .run(
            "compute_embeddings",
            json!({"embedding_config_id": Uuid::new_v4()}),
        )
        .await;
    assert_eq!(job.error_code.as_deref(), Some("NotFound"));
    // A model that is not on disk fails the batch, and the parent with it.
    let missing = h
        .config(
            json!({"model_name": "facebook/esm2_t6_8M_UR50D", "model_backend": "esm2",
                       "model_path": "/nonexistent/esm2"}),
        )
        .await;
    let ids = insert_proteins(h.pool(), &[("P00001".into(), "MKTAYIAKQR".into())]).await;
    assert_eq!(ids.len(), 1);
    let job = h
        .run(
            "compute_embeddings",
            json!({"embedding_config_id": missing}),
        )
        .await;
    assert_eq!(job.error_code.as_deref(), Some("ChildrenFailed"));
    let events = h.events(job.id).await;
    let failed = events.iter().find(|e| e.event == "child.failed").unwrap();
    assert_eq!(failed.fields["error_code"], "ModelNotFound");
    assert!(
        failed
            .message
            .as_deref()
            .unwrap()
            .contains("/nonexistent/esm2")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn import_of_real_esm2_vectors_covers_the_500_human_proteins_and_is_idempotent() {
    let Some(data) = shared_data() else { return };
    let mut h = Harness::new().await;
    h.all_workers();
    let proteins = human(&data);
    assert_eq!(proteins.len(), 500);
    let ids = insert_proteins(h.pool(), &proteins).await;
    let config = h
        .config(
            json!({"model_name": "facebook/esm2_t6_8M_UR50D", "model_backend": "esm2",
                       "max_length": 512, "description": "imported human500"}),
        )
        .await;
    let payload = json!({"embedding_config_id": config,
        "npy_path": data.join(HUMAN_NPY), "accessions_path": data.join(HUMAN_IDS)});
    let job = h.run("import_embeddings", payload.clone()).await;
    let r = succeeded(&job).clone();
    assert_eq!(
        (r["rows"].as_u64(), r["embedding_dim"].as_u64()),
        (Some(500), Some(320))
    );
    let cov = embeddings::coverage(h.pool(), config).await.unwrap();
    assert_eq!(cov.proteins_embedded, 500);
    assert_eq!(cov.embedding_count, r["inserted"].as_i64().unwrap());
    // Row i of the npy is stored for accession i.
    let m = protea_plm::npy::read_npy(&data.join(HUMAN_NPY)).unwrap();
    let stored = embeddings::vectors(h.pool(), config).await.unwrap();
    let by_seq: HashMap<i32, &StoredVector> = stored.iter().map(|v| (v.sequence_id, v)).collect();
    let tsv = std::fs::read_to_string(data.join(HUMAN_IDS)).unwrap();
    for line in tsv.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let row: usize = f[0].parse().unwrap();
        let v = by_seq[&ids[f[1]]];
        // Identical sequences share a row: the first accession's vector wins.
        if v.vector != m.row(row) {
            let first = tsv
                .lines()
                .skip(1)
                .map(|l| l.split('\t').collect::<Vec<_>>())
                .find(|g| ids[g[1]] == ids[f[1]])
                .unwrap();
            assert_ne!(first[1], f[1], "row {row} ({}) differs", f[1]);
        }
    }

    // Again: nothing new.
    let again = h.run("import_embeddings", payload).await;
    let r2 = succeeded(&again);
    assert_eq!(
        (r2["inserted"].as_u64(), r2["already_present"].as_u64()),
        (Some(0), Some(500))
    );

    // Bad files write nothing and name the row.
    let dir = tempfile::tempdir().unwrap();
    let fresh = h
        .config(json!({"model_name": "facebook/esm2_t6_8M_UR50D", "model_backend": "esm2"}))
        .await;
    let npy = dir.path().join("v.npy");
    let small = protea_plm::Matrix {
        rows: 3,
        cols: 4,
        data: (0..12).map(|x| x as f32).collect(),
    };
    protea_plm::npy::write_npy(&npy, &small).unwrap();
    let tsv = dir.path().join("ids.tsv");
    let import = |tsv: &Path, config: Uuid| json!({"embedding_config_id": config, "npy_path": npy, "accessions_path": tsv});
    std::fs::write(&tsv, "row\taccession\n0\tA0A0C5B5G6\n1\tNOPE1\n2\tNOPE2\n").unwrap();
    let job = h.run("import_embeddings", import(&tsv, fresh)).await;
    let msg = job.error_message.unwrap();
    assert!(
        msg.contains("2 row(s)") && msg.contains("row 1: NOPE1"),
        "{msg}"
    );
    std::fs::write(&tsv, "accession\nA0A0C5B5G6\nA0A1B0GTW7\nA0A0C5B5G6\n").unwrap();
    let msg = h
        .run("import_embeddings", import(&tsv, fresh))
        .await
        .error_message
        .unwrap();
    assert!(msg.contains("row 2 repeats row 0"), "{msg}");
    std::fs::write(&tsv, "accession\nA0A0C5B5G6\nA0A1B0GTW7\n").unwrap();
    let msg = h
        .run("import_embeddings", import(&tsv, fresh))
        .await
        .error_message
        .unwrap();
    assert!(msg.contains("2 rows named but"), "{msg}");
    // Dimension 4 into a config holding 320.
    std::fs::write(&tsv, "accession\nA0A0C5B5G6\nA0A1B0GTW7\nA0JNW5\n").unwrap();
    let msg = h
        .run("import_embeddings", import(&tsv, config))
        .await
        .error_message
        .unwrap();
    assert!(msg.contains("dimension 4") && msg.contains("320"), "{msg}");
    assert_eq!(
        embeddings::coverage(h.pool(), fresh)
            .await
            .unwrap()
            .embedding_count,
        0
    );
    assert_eq!(
        embeddings::coverage(h.pool(), config)
            .await
            .unwrap()
            .embedding_count,
        cov.embedding_count
    );

    // Deleting the config takes its vectors with it.
    let mut tx = h.pool().begin().await.unwrap();
    let deleted = embeddings::delete_config(&mut tx, config)
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(deleted.embeddings_deleted, cov.embedding_count);
    assert!(
        embeddings::config(h.pool(), config)
            .await
            .unwrap()
            .is_none()
    );
}
