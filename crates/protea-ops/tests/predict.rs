//! predict_go_terms end to end on real data: go-basic 2021, real UniProt-GOA rows (HTP and
//! NOT) for the 500 human proteins whose real ESM-2 vectors are in shared/data/embeddings,
//! a worker on the three prediction queues, fan-out into batches and writes. The stored
//! rows are compared with `protea-predict` run directly on the same files.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use protea_core::Aspect;
use protea_jobs::{
    Extensions, JobService, JobView, PgQueue, SubmitRequest, Worker, WorkerConfig, queues,
};
use protea_ops::prediction_reference::ReferenceCache;
use protea_predict::{
    Metric, RefAnnotation, ReferenceMatrix, ReferenceOptions, ReferenceSet, TransferParams,
    transfer,
};
use protea_testkit::TestDb;
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio::sync::watch;
use uuid::Uuid;

const GO_2021: &str = "go/go-basic.2021-12-15.obo.gz";
const NPY: &str = "embeddings/esm2_t6_8M_UR50D.meanpool_l2norm.human500.npy";
const ACCESSIONS: &str = "embeddings/esm2_t6_8M_UR50D.meanpool_l2norm.human500.accessions.tsv";
const SEQUENCES: &str = "uniprot/uniprotkb_human_reviewed.first500.rest.tsv";

fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("PROTEA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if dir.join(NPY).is_file() && dir.join(GO_2021).is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP: shared data not found at {} (set PROTEA_SHARED_DATA)",
            dir.display()
        );
        None
    }
}

fn gaf_fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/human500.htp_not.gaf")
}

/// A little-endian f32 `.npy` (version 1 header): (rows, cols, data).
fn read_npy(path: &Path) -> (usize, usize, Vec<f32>) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..6], b"\x93NUMPY");
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
    assert!(
        header.contains("'<f4'") && header.contains("'fortran_order': False"),
        "{header}"
    );
    let shape = header
        .split("'shape': (")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap();
    let dims: Vec<usize> = shape
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let data: Vec<f32> = bytes[10 + header_len..]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    assert_eq!(data.len(), dims[0] * dims[1]);
    (dims[0], dims[1], data)
}

struct Env {
    db: TestDb,
    service: JobService,
    data: PathBuf,
    stop: watch::Sender<bool>,
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

impl Env {
    async fn new(data: PathBuf) -> Env {
        let db = TestDb::new().await;
        let mut extensions = Extensions::default();
        extensions.insert(Arc::new(ReferenceCache::default()));
        let worker = Worker::new(
            db.pool.clone(),
            protea_ops::registry(),
            Arc::new(PgQueue::new(db.pool.clone())),
            Arc::new(extensions),
            WorkerConfig {
                queues: vec![
                    queues::JOBS.into(),
                    queues::PREDICTIONS.into(),
                    queues::PREDICTIONS_BATCH.into(),
                    queues::PREDICTIONS_WRITE.into(),
                ],
                concurrency: 2,
                lease: Duration::from_secs(60),
                heartbeat: Duration::from_millis(300),
                poll_interval: Duration::from_millis(50),
                reaper_interval: None,
                retry_base: Duration::from_millis(100),
                ..WorkerConfig::default()
            },
        );
        let (stop, rx) = watch::channel(false);
        tokio::spawn(async move {
            let _ = worker.run(rx).await;
        });
        let service = JobService::new(
            db.pool.clone(),
            protea_ops::registry(),
            Arc::new(PgQueue::new(db.pool.clone())),
        );
        Env {
            db,
            service,
            data,
            stop,
        }
    }

    fn pool(&self) -> &PgPool {
        &self.db.pool
    }

    async fn run(&self, operation: &str, payload: Value) -> JobView {
        let id = self
            .service
            .submit(SubmitRequest {
                operation: operation.into(),
                payload,
                queue_name: None,
                meta: Value::Null,
            })
            .await
            .expect("submit")
            .id;
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            let job = self.service.get(id).await.expect("job");
            if job.status.is_terminal() {
                return job;
            }
            assert!(Instant::now() < deadline, "timed out: {job:#?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn ok(&self, operation: &str, payload: Value) -> Value {
        let job = self.run(operation, payload).await;
        assert_eq!(job.status.as_str(), "succeeded", "{job:#?}");
        job.result.expect("result")
    }
}

struct Loaded {
    snapshot: String,
    annotation_set: String,
    config: Uuid,
    accessions: Vec<String>,
    vectors: Vec<f32>,
    dim: usize,
}

/// Snapshot, proteins with sequences, the GAF fixture as an annotation set, an embedding
/// config and the 500 real vectors.
async fn load(env: &Env) -> Loaded {
    let obo = env.data.join(GO_2021).display().to_string();
    let snapshot = env
        .ok("load_ontology_snapshot", json!({"obo_url": obo}))
        .await["snapshot_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let text = std::fs::read_to_string(env.data.join(SEQUENCES)).unwrap();
    let mut sequences: HashMap<String, String> = HashMap::new();
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        sequences.insert(cols[0].to_owned(), cols.last().unwrap().to_string());
    }
    let accessions: Vec<String> = std::fs::read_to_string(env.data.join(ACCESSIONS))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split('\t').nth(1).unwrap().to_owned())
        .collect();
    let seqs: Vec<String> = accessions.iter().map(|a| sequences[a].clone()).collect();
    sqlx::query(
        "insert into sequence (sequence, sequence_hash) select distinct s, md5(s) from unnest($1::text[]) s \
         on conflict do nothing",
    )
    .bind(&seqs)
    .execute(env.pool())
    .await
    .unwrap();
    sqlx::query(
        "insert into protein (accession, canonical_accession, sequence_id, length) \
         select a, a, q.id, length(s) from unnest($1::varchar[], $2::text[]) x(a, s) \
         join sequence q on q.sequence_hash = md5(s)",
    )
    .bind(&accessions)
    .bind(&seqs)
    .execute(env.pool())
    .await
    .unwrap();
    let result = env
        .ok(
            "load_goa_annotations",
            json!({"ontology_snapshot_id": snapshot, "gaf_url": gaf_fixture().display().to_string(),
                   "source_version": "203-human500"}),
        )
        .await;
    let annotation_set = result["annotation_set_id"].as_str().unwrap().to_owned();
    let config = Uuid::new_v4();
    sqlx::query("insert into embedding_config (id, model_name, layer_indices) values ($1, 'esm2_t6_8M_UR50D', '[-1]')")
        .bind(config)
        .execute(env.pool())
        .await
        .unwrap();
    let (rows, dim, vectors) = read_npy(&env.data.join(NPY));
    assert_eq!(rows, accessions.len());
    let blobs: Vec<Vec<u8>> = vectors
        .chunks_exact(dim)
        .map(|v| v.iter().flat_map(|x| x.to_le_bytes()).collect())
        .collect();
    // Proteins sharing a sequence share one embedding: keep the first vector per sequence.
    sqlx::query(
        "insert into sequence_embedding (sequence_id, embedding_config_id, embedding, embedding_dim) \
         select p.sequence_id, $3, e, $4 from unnest($1::varchar[], $2::bytea[]) x(a, e) \
         join protein p on p.accession = a on conflict do nothing",
    )
    .bind(&accessions)
    .bind(&blobs)
    .bind(config)
    .bind(dim as i32)
    .execute(env.pool())
    .await
    .unwrap();
    Loaded {
        snapshot,
        annotation_set,
        config,
        accessions,
        vectors,
        dim,
    }
}

fn payload(l: &Loaded, extra: Value) -> Value {
    let mut p = json!({
        "embedding_config_id": l.config,
        "annotation_set_id": l.annotation_set,
        "ontology_snapshot_id": l.snapshot,
        "compute_alignments": false,
        "compute_taxonomy": false,
        "batch_size": 128,
    });
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    p
}

type Key = (String, String);

/// (protein, GO id) → (ref, distance, vote_count, k_position) as stored.
async fn stored(pool: &PgPool, set: &str) -> BTreeMap<Key, (String, f64, i32, i32)> {
    let rows: Vec<(String, String, String, f64, i32, i32)> = sqlx::query_as(
        "select g.protein_accession, t.go_id, g.ref_protein_accession, g.distance, g.vote_count, g.k_position \
         from go_prediction g join go_term t on t.id = g.go_term_id where g.prediction_set_id = $1::uuid",
    )
    .bind(set)
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(p, go, r, d, v, k)| ((p, go), (r, d, v, k)))
        .collect()
}

/// The same transfer computed directly from the files: GAF rows resolved against the
/// snapshot (primary ids and alt ids) and de-duplicated on (protein, term, evidence) as
/// the loader does; references are the embedded proteins with an annotation, in
/// accession order; each query uses its own vector.
async fn expected(
    env: &Env,
    l: &Loaded,
    options: ReferenceOptions,
    params: &TransferParams,
) -> BTreeMap<Key, (String, f64, i32, i32)> {
    let ids: Vec<(String, i64, Option<String>)> = sqlx::query_as(
        "select t.go_id, t.id, t.aspect from go_term t where t.ontology_snapshot_id = $1::uuid \
         union all select a.alt_go_id, t.id, t.aspect from go_term_alt_id a join go_term t on t.id = a.go_term_id \
         where a.ontology_snapshot_id = $1::uuid",
    )
    .bind(&l.snapshot)
    .fetch_all(env.pool())
    .await
    .unwrap();
    // Primary ids first, alt ids only where no primary id has the name (as the loader).
    let mut resolved: HashMap<String, (i64, Option<String>)> = HashMap::new();
    for (g, id, a) in ids {
        resolved.entry(g).or_insert((id, a));
    }
    let ids = resolved;
    let go_of: HashMap<i64, String> = sqlx::query_as::<_, (i64, String)>(
        "select id, go_id from go_term where ontology_snapshot_id = $1::uuid",
    )
    .bind(&l.snapshot)
    .fetch_all(env.pool())
    .await
    .unwrap()
    .into_iter()
    .collect();
    let mut by_protein: BTreeMap<String, Vec<RefAnnotation>> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for line in std::fs::read_to_string(gaf_fixture()).unwrap().lines() {
        let c: Vec<&str> = line.split('\t').collect();
        let Some((term, Some(aspect))) = ids.get(c[4]) else {
            continue;
        };
        let evidence = (!c[6].is_empty()).then(|| c[6].to_owned());
        if !seen.insert((c[1].to_owned(), *term, evidence.clone())) {
            continue;
        }
        let qualifier = (!c[3].is_empty()).then(|| c[3].to_owned());
        by_protein
            .entry(c[1].to_owned())
            .or_default()
            .push(RefAnnotation {
                go_term_id: *term,
                aspect: Aspect::from_code(aspect).unwrap(),
                qualifier,
                evidence_code: evidence,
            });
    }
    let row_of: HashMap<&str, usize> = l
        .accessions
        .iter()
        .enumerate()
        .map(|(i, a)| (a.as_str(), i))
        .collect();
    let mut data = Vec::new();
    let mut accessions = Vec::new();
    let mut annotations = Vec::new();
    for (acc, list) in by_protein {
        let i = row_of[acc.as_str()];
        data.extend_from_slice(&l.vectors[i * l.dim..(i + 1) * l.dim]);
        accessions.push(acc);
        annotations.push(list);
    }
    let matrix = ReferenceMatrix::from_f32(&data, l.dim).unwrap();
    let set = ReferenceSet::build(&matrix, accessions, annotations, options).unwrap();
    let mut queries = l.accessions.clone();
    queries.sort();
    let vectors: Vec<f32> = queries
        .iter()
        .flat_map(|a| {
            let i = row_of[a.as_str()];
            l.vectors[i * l.dim..(i + 1) * l.dim].to_vec()
        })
        .collect();
    let results = transfer(&set, &queries, &vectors, params).unwrap();
    let mut out = BTreeMap::new();
    for r in results {
        for p in r.predictions {
            out.insert(
                (r.accession.clone(), go_of[&p.go_term_id].clone()),
                (
                    set.accession(p.reference).to_owned(),
                    p.distance,
                    p.vote_count as i32,
                    p.k_position as i32,
                ),
            );
        }
    }
    out
}

fn assert_same(
    got: &BTreeMap<Key, (String, f64, i32, i32)>,
    want: &BTreeMap<Key, (String, f64, i32, i32)>,
) {
    assert_eq!(got.len(), want.len(), "row counts differ");
    for (key, w) in want {
        let g = got.get(key).unwrap_or_else(|| panic!("missing {key:?}"));
        assert_eq!((&g.0, g.2, g.3), (&w.0, w.2, w.3), "{key:?}");
        assert!((g.1 - w.1).abs() < 1e-9, "{key:?}: {} vs {}", g.1, w.1);
    }
}

#[tokio::test]
async fn predict_go_terms_fans_out_and_stores_what_the_pure_transfer_computes() {
    let Some(data) = shared_data() else { return };
    let env = Env::new(data).await;
    let l = load(&env).await;

    // Aspect-separated (the default), self excluded, 500 queries in 4 batches.
    let job = env
        .run(
            "predict_go_terms",
            payload(&l, json!({"exclude_self": true})),
        )
        .await;
    assert_eq!(job.status.as_str(), "succeeded", "{job:#?}");
    let result = job.result.clone().unwrap();
    assert_eq!(result["batches"], 4);
    assert_eq!(result["queries"], 500);
    assert_eq!(job.progress_total, Some(4));
    assert_eq!(job.progress_current, Some(4));
    let set = result["prediction_set_id"].as_str().unwrap().to_owned();
    let got = stored(env.pool(), &set).await;
    let params = TransferParams {
        exclude_self: true,
        ..TransferParams::exact(5, Metric::Cosine)
    };
    let want = expected(
        &env,
        &l,
        ReferenceOptions {
            aspect_separated: true,
            experimental_only: false,
        },
        &params,
    )
    .await;
    assert!(
        want.len() > 500,
        "a real amount of predictions: {}",
        want.len()
    );
    assert_same(&got, &want);

    // Nothing negated was transferred: every stored row has a donor annotation without NOT.
    let negated: i64 = sqlx::query_scalar(
        "select count(*) from go_prediction g where g.prediction_set_id = $1::uuid and not exists ( \
           select 1 from protein_go_annotation a where a.annotation_set_id = $2::uuid \
             and a.protein_accession = g.ref_protein_accession and a.go_term_id = g.go_term_id \
             and (a.qualifier is null or a.qualifier not like '%NOT%'))",
    )
    .bind(&set)
    .bind(&l.annotation_set)
    .fetch_one(env.pool())
    .await
    .unwrap();
    assert_eq!(negated, 0);
    let self_hits: i64 = sqlx::query_scalar(
        "select count(*) from go_prediction where prediction_set_id = $1::uuid and protein_accession = ref_protein_accession",
    )
    .bind(&set)
    .fetch_one(env.pool())
    .await
    .unwrap();
    assert_eq!(self_hits, 0);

    // The coordinator warmed the worker's cache: every batch found the references there.
    let events = env
        .service
        .events(job.id, None, 10_000, true)
        .await
        .unwrap();
    let caches: Vec<String> = events
        .iter()
        .filter(|e| e.event == "child.predict_go_terms_batch.done")
        .map(|e| e.fields["reference_cache"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(caches, ["hit"; 4]);
    assert!(
        events
            .iter()
            .any(|e| e.event == "predict_go_terms.dispatching")
    );

    // Unified mode, self included: the same comparison.
    let result = env
        .ok(
            "predict_go_terms",
            payload(
                &l,
                json!({"aspect_separated_knn": false, "limit_per_entry": 3, "batch_size": 1000}),
            ),
        )
        .await;
    assert_eq!(result["batches"], 1);
    let unified = stored(env.pool(), result["prediction_set_id"].as_str().unwrap()).await;
    let want = expected(
        &env,
        &l,
        ReferenceOptions::default(),
        &TransferParams::exact(3, Metric::Cosine),
    )
    .await;
    assert_same(&unified, &want);
}

#[tokio::test]
async fn re_runs_write_nothing_twice() {
    let Some(data) = shared_data() else { return };
    let env = Env::new(data).await;
    let l = load(&env).await;
    let p = payload(
        &l,
        json!({"query_accessions": l.accessions[..60].to_vec(), "batch_size": 25}),
    );
    let first = env.ok("predict_go_terms", p.clone()).await;
    let set: Uuid = first["prediction_set_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let before = stored(env.pool(), &set.to_string()).await;
    assert!(!before.is_empty());
    // A re-delivered store message: the same rows again insert nothing.
    let rows: Vec<protea_store::predictions::PredictionRow> = sqlx::query_as::<_, (String, i64, String, f64)>(
        "select protein_accession, go_term_id, ref_protein_accession, distance from go_prediction where prediction_set_id = $1",
    )
    .bind(set)
    .fetch_all(env.pool())
    .await
    .unwrap()
    .into_iter()
    .map(|(p, t, r, d)| protea_store::predictions::PredictionRow {
        protein_accession: p,
        go_term_id: t,
        ref_protein_accession: r,
        distance: d,
        ..Default::default()
    })
    .collect();
    let mut conn = env.pool().acquire().await.unwrap();
    let inserted = protea_store::predictions::insert_predictions(&mut conn, set, &rows)
        .await
        .unwrap();
    assert_eq!(inserted, 0);
    assert_eq!(stored(env.pool(), &set.to_string()).await, before);
    // A second run is a new set with the same predictions.
    let second = env.ok("predict_go_terms", p).await;
    assert_ne!(second["prediction_set_id"], first["prediction_set_id"]);
    let again = stored(env.pool(), second["prediction_set_id"].as_str().unwrap()).await;
    assert_eq!(again, before);
}

#[tokio::test]
async fn bad_payloads_fail_naming_the_field() {
    let Some(data) = shared_data() else { return };
    let env = Env::new(data).await;
    let l = load(&env).await;
    let cases = [
        (json!({"metric": "manhattan"}), "metric"),
        (json!({"search_backend": "torch"}), "search_backend"),
        (
            json!({"search_backend": "faiss", "faiss_index_type": "PQ"}),
            "faiss_index_type",
        ),
        (json!({"limit_per_entry": 0}), "limit_per_entry"),
        (json!({"distance_threshold": -1.0}), "distance_threshold"),
        (json!({"batch_size": 0}), "batch_size"),
        (json!({"query_accessions": []}), "query_accessions"),
        (json!({"limit_per_entry": "5"}), "limit_per_entry"),
        (json!({"nearest": 3}), "nearest"),
        (json!({"compute_alignments": true}), "compute_alignments"),
        (json!({"compute_v6_features": true}), "compute_v6_features"),
        (
            json!({"ontology_snapshot_id": Uuid::new_v4()}),
            "ontology_snapshot_id",
        ),
        (
            json!({"embedding_config_id": Uuid::new_v4()}),
            "embedding_config_id",
        ),
        (json!({"query_accessions": ["NOT_A_PROTEIN"]}), "embedding"),
    ];
    for (extra, field) in cases {
        let job = env
            .run("predict_go_terms", payload(&l, extra.clone()))
            .await;
        assert_eq!(job.status.as_str(), "failed", "{extra}");
        let message = job.error_message.clone().unwrap_or_default();
        assert!(message.contains(field), "{extra}: {message}");
    }
    let sets: i64 = sqlx::query_scalar("select count(*) from prediction_set")
        .fetch_one(env.pool())
        .await
        .unwrap();
    assert_eq!(sets, 0, "a failed run leaves no prediction set");
    // Default payload: the spec's defaults ask for alignments, which this build lacks.
    let job = env
        .run(
            "predict_go_terms",
            json!({"embedding_config_id": l.config, "annotation_set_id": l.annotation_set,
                   "ontology_snapshot_id": l.snapshot}),
        )
        .await;
    assert_eq!(job.error_code.as_deref(), Some("FeatureNotAvailable"));
}
