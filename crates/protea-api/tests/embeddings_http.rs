//! `/embeddings` over real HTTP: config validation (every field in one 422),
//! create, a computation submitted through the API and run by real workers
//! on the kmer backend (query set of real yeast proteins from the ops
//! fixtures), coverage in list/get, the 409 while a job uses a config, and
//! the cascading delete.

use protea_api::{ApiConfig, AppState, EventHub};
use protea_jobs::{Extensions, JobService, PgQueue, Worker, WorkerConfig};
use protea_testkit::TestDb;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

struct Server {
    base: String,
    client: reqwest::Client,
    _db: TestDb,
    _stop: watch::Sender<bool>,
}

async fn start() -> Server {
    let db = TestDb::new().await;
    let pool = db.pool.clone();
    let transport = Arc::new(PgQueue::new(pool.clone()));
    let registry = protea_ops::registry();
    let state = AppState {
        jobs: JobService::new(pool.clone(), registry.clone(), transport.clone()),
        events: EventHub::start(pool.clone()),
    };
    let app = protea_api::app(state, &ApiConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let config = WorkerConfig {
        queues: [
            "protea.embeddings",
            "protea.embeddings.batch",
            "protea.embeddings.write",
        ]
        .map(String::from)
        .to_vec(),
        heartbeat: Duration::from_millis(200),
        poll_interval: Duration::from_millis(50),
        ..WorkerConfig::default()
    };
    let worker = Worker::new(
        pool,
        registry,
        transport,
        Arc::new(Extensions::default()),
        config,
    );
    let (stop, rx) = watch::channel(false);
    tokio::spawn(async move { worker.run(rx).await.unwrap() });
    Server {
        base,
        client: reqwest::Client::new(),
        _db: db,
        _stop: stop,
    }
}

impl Server {
    async fn send(&self, r: reqwest::RequestBuilder) -> (u16, Value) {
        let r = r.send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }
    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.client.get(format!("{}{path}", self.base)))
            .await
    }
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.client.post(format!("{}{path}", self.base)).json(&body))
            .await
    }
    async fn delete(&self, path: &str) -> (u16, Value) {
        self.send(self.client.delete(format!("{}{path}", self.base)))
            .await
    }
    async fn finished(&self, id: &Value) -> Value {
        for _ in 0..1200 {
            let (_, job) = self.get(&format!("/jobs/{}", id.as_str().unwrap())).await;
            if ["succeeded", "failed", "cancelled"].contains(&job["status"].as_str().unwrap()) {
                return job;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("job {id} did not finish");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn configs_are_validated_computed_covered_and_deleted() {
    let s = start().await;
    let (status, body) = s
        .post(
            "/embeddings/configs",
            json!({"model_name": "", "model_backend": "bert", "pooling": "median",
                   "chunk_size": 10, "chunk_overlap": 10}),
        )
        .await;
    assert_eq!(status, 422);
    let detail = body["detail"].as_str().unwrap();
    for field in ["model_name", "model_backend", "pooling", "chunk_overlap"] {
        assert!(detail.contains(field), "{detail}");
    }
    let (status, _) = s
        .post(
            "/embeddings/configs",
            json!({"model_name": "kmer2", "surprise": 1}),
        )
        .await;
    assert_eq!(status, 422);

    let (status, config) = s
        .post(
            "/embeddings/configs",
            json!({"model_name": "kmer2", "model_backend": "kmer", "description": "baseline"}),
        )
        .await;
    assert_eq!(status, 201, "{config}");
    assert_eq!(config["embedding_count"], 0);
    assert_eq!(config["layer_indices"], json!([0]));
    let id = config["id"].as_str().unwrap().to_owned();

    // A query set of real yeast proteins (the ops fixture), then a computation.
    let fasta = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../protea-ops/tests/data/yeast4.isoforms.fasta"),
    )
    .unwrap();
    let (status, qs) = s
        .send(
            s.client
                .post(format!("{}/query-sets?name=yeast", s.base))
                .body(fasta),
        )
        .await;
    assert_eq!(status, 201, "{qs}");
    let (status, queued) = s
        .post(
            "/embeddings/compute",
            json!({"embedding_config_id": id, "query_set_id": qs["id"], "sequences_per_job": 2}),
        )
        .await;
    assert_eq!(status, 201, "{queued}");
    let job = s.finished(&queued["id"]).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let n = qs["entry_count"].as_i64().unwrap();
    let (_, got) = s.get(&format!("/embeddings/configs/{id}")).await;
    assert_eq!(
        got["query_sequences_embedded"],
        got["query_sequences_total"]
    );
    assert!(got["sequences_embedded"].as_i64().unwrap() >= 1);
    assert!(got["sequences_embedded"].as_i64().unwrap() <= n);
    assert_eq!(got["embedding_count"], got["sequences_embedded"]);
    let (_, list) = s.get("/embeddings/configs").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["embedding_count"], got["embedding_count"]);

    // Unknown config: 404 before anything is queued.
    let (status, _) = s
        .post(
            "/embeddings/compute",
            json!({"embedding_config_id": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(status, 404);

    let (status, deleted) = s.delete(&format!("/embeddings/configs/{id}")).await;
    assert_eq!(status, 200, "{deleted}");
    assert_eq!(deleted["embeddings_deleted"], got["embedding_count"]);
    let (status, _) = s.get(&format!("/embeddings/configs/{id}")).await;
    assert_eq!(status, 404);
}
