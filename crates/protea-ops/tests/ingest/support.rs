//! Shared helpers: shared-data lookup (skip when absent), the test server,
//! a worker running `protea_ops::registry()`, submit-and-wait.

use protea_jobs::{Extensions, JobService, JobView, PgQueue, SubmitRequest, Worker, WorkerConfig};
use protea_sources::mock::{MockConfig, MockServer};
use protea_testkit::TestDb;
use serde_json::Value;
use sqlx::PgPool;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use uuid::Uuid;

pub const GO_2026: &str = "go/go-basic.2026-05-19.obo.gz";
pub const GO_2021: &str = "go/go-basic.2021-12-15.obo.gz";
pub const GO_SLICE: &str = "go/go-basic.2026-05-19.slice.obo";
pub const YEAST: &str = "uniprot/UP000002311_yeast_S288c.2025-10-19.fasta.gz";

/// `PROTEA_SHARED_DATA`, else `shared/data` beside the repository root.
pub fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("PROTEA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if dir.join("go").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP: shared data not found at {} (set PROTEA_SHARED_DATA)",
            dir.display()
        );
        None
    }
}

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

pub struct Env {
    pub db: TestDb,
    pub service: JobService,
    pub server: MockServer,
    pub data: PathBuf,
    stop: watch::Sender<bool>,
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

pub async fn env(data: &Path, config: MockConfig) -> Env {
    let db = TestDb::new().await;
    let server = MockServer::start(MockConfig {
        root: data.to_path_buf(),
        ..config
    })
    .await;
    let mut extensions = Extensions::default();
    extensions.insert(protea_sources::SourcesConfig {
        uniprot_url: server.base_url.clone(),
        quickgo_url: server.url("/quickgo"),
    });
    let worker = Worker::new(
        db.pool.clone(),
        protea_ops::registry(),
        Arc::new(PgQueue::new(db.pool.clone())),
        Arc::new(extensions),
        WorkerConfig {
            queues: vec!["protea.jobs".into()],
            concurrency: 1,
            lease: Duration::from_secs(30),
            heartbeat: Duration::from_millis(300),
            poll_interval: Duration::from_millis(100),
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
        server,
        data: data.to_path_buf(),
        stop,
    }
}

impl Env {
    pub fn pool(&self) -> &PgPool {
        &self.db.pool
    }

    /// URL of a shared-data file on the test server.
    pub fn url(&self, rel: &str) -> String {
        self.server.url(&format!("/files/{rel}"))
    }

    /// Submits and waits for a terminal state.
    pub async fn run(&self, operation: &str, payload: Value) -> JobView {
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
        self.wait(id).await
    }

    pub async fn wait(&self, id: Uuid) -> JobView {
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

    pub async fn ok(&self, operation: &str, payload: Value) -> Value {
        let job = self.run(operation, payload).await;
        assert_eq!(job.status.as_str(), "succeeded", "{job:#?}");
        job.result.expect("result")
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(self.pool())
            .await
            .expect(sql)
    }

    pub async fn events(&self, id: Uuid) -> Vec<protea_jobs::EventView> {
        self.service
            .events(id, None, 10_000, true)
            .await
            .expect("events")
    }
}

/// Decompressed text of a shared-data file.
pub fn read_text(path: &Path) -> String {
    use std::io::Read;
    let mut text = String::new();
    protea_formats::io::open(path)
        .expect("open")
        .read_to_string(&mut text)
        .expect("read");
    text
}

/// Independent OBO counts by line scanning: [Term] stanzas, obsolete terms,
/// alt_ids, and edges by type (is_a + relationship:), within [Term] only.
pub struct OboCounts {
    pub version: String,
    pub terms: i64,
    pub obsolete: i64,
    pub alt_ids: i64,
    pub edges: std::collections::BTreeMap<String, i64>,
}

pub fn obo_counts(text: &str) -> OboCounts {
    let mut counts = OboCounts {
        version: String::new(),
        terms: 0,
        obsolete: 0,
        alt_ids: 0,
        edges: Default::default(),
    };
    let mut in_term = false;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("data-version: ")
            && counts.version.is_empty()
        {
            counts.version = v.trim().to_owned();
        }
        if line.starts_with('[') {
            in_term = line.trim() == "[Term]";
            counts.terms += in_term as i64;
            continue;
        }
        if !in_term {
            continue;
        }
        if line.trim() == "is_obsolete: true" {
            counts.obsolete += 1;
        } else if line.starts_with("alt_id: ") {
            counts.alt_ids += 1;
        } else if line.starts_with("is_a: ") {
            *counts.edges.entry("is_a".into()).or_default() += 1;
        } else if let Some(rest) = line.strip_prefix("relationship: ") {
            let kind = rest.split_whitespace().next().unwrap_or("").to_owned();
            *counts.edges.entry(kind).or_default() += 1;
        }
    }
    counts
}
