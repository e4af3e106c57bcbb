//! The REST API over real HTTP on loopback, with a real worker and PostgreSQL.

use protea_api::{ApiConfig, AppState, EventHub};
use protea_jobs::{Extensions, JobService, PgQueue, Worker, WorkerConfig};
use protea_testkit::TestDb;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

struct Server {
    base: String,
    client: reqwest::Client,
    _db: TestDb,
    _stop: watch::Sender<bool>,
}

async fn start(with_worker: bool) -> Server {
    let db = TestDb::new().await;
    let pool = db.pool.clone();
    let transport = Arc::new(PgQueue::new(pool.clone()));
    let registry = protea_ops::registry();
    let jobs = JobService::new(pool.clone(), registry.clone(), transport.clone());
    let state = AppState {
        jobs,
        events: EventHub::start(pool.clone()),
    };
    let app = protea_api::app(
        state,
        &ApiConfig {
            max_body_bytes: 64 * 1024,
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let (stop, rx) = watch::channel(false);
    if with_worker {
        let config = WorkerConfig {
            queues: vec!["protea.ping".into()],
            heartbeat: Duration::from_millis(200),
            ..WorkerConfig::default()
        };
        let worker = Worker::new(
            pool,
            registry,
            transport,
            Arc::new(Extensions::default()),
            config,
        );
        tokio::spawn(async move { worker.run(rx).await.unwrap() });
    }
    Server {
        base,
        client: reqwest::Client::new(),
        _db: db,
        _stop: stop,
    }
}

impl Server {
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn wait_terminal(&self, id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (_, job) = self.get(&format!("/jobs/{id}")).await;
            if ["succeeded", "failed", "cancelled"].contains(&job["status"].as_str().unwrap()) {
                return job;
            }
            assert!(Instant::now() < deadline, "job {id} never finished: {job}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

#[tokio::test]
async fn ping_submitted_over_http_succeeds_with_its_pong_event() {
    let server = start(true).await;
    let started = Instant::now();
    let (status, created) = server
        .post("/jobs", json!({"operation": "ping", "payload": {}}))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "queued");
    assert_eq!(created["queue_name"], "protea.ping");
    let id = created["id"].as_str().unwrap().to_owned();
    let job = server.wait_terminal(&id).await;
    let elapsed = started.elapsed();
    assert_eq!(job["status"], "succeeded", "{job}");
    assert!(
        elapsed < Duration::from_millis(900),
        "ping took {elapsed:?}"
    );
    assert_eq!(job["result"]["pong"], true);
    assert_eq!(job["payload"], json!({}));
    let (_, events) = server.get(&format!("/jobs/{id}/events?order=asc")).await;
    let names: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["job.created", "job.started", "ping.pong", "job.succeeded"]
    );
    // Default order is newest first, as the original API served it.
    let (_, newest) = server.get(&format!("/jobs/{id}/events")).await;
    assert_eq!(newest[0]["event"], "job.succeeded");
}

#[tokio::test]
async fn bad_submissions_are_rejected_with_one_error_shape() {
    let server = start(false).await;
    let (status, body) = server
        .post("/jobs", json!({"operation": "no_such_op"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "bad_request");
    assert!(body["detail"].as_str().unwrap().contains("no_such_op"));

    let (status, body) = server
        .post(
            "/jobs",
            json!({"operation": "ping", "queue_name": "protea.jobs"}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["detail"].as_str().unwrap().contains("protea.ping"),
        "{body}"
    );

    let (status, body) = server.post("/jobs", json!({"payload": {}})).await;
    assert_eq!(status, 422);
    assert!(
        body["detail"].as_str().unwrap().contains("operation"),
        "{body}"
    );

    let (status, body) = server
        .post("/jobs", json!({"operation": "ping", "extra": 1}))
        .await;
    assert_eq!(status, 422, "{body}");

    let big = "x".repeat(100 * 1024);
    let (status, body) = server
        .post("/jobs", json!({"operation": "ping", "meta": {"blob": big}}))
        .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["code"], "payload_too_large");

    let (status, _) = server.get("/jobs?status=done").await;
    assert_eq!(status, 400);
    let (status, _) = server.get("/jobs?limit=0").await;
    assert_eq!(status, 400);
    let (status, body) = server
        .get("/jobs/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
    let (status, _) = server.get("/jobs/not-a-uuid").await;
    assert_eq!(status, 400);
    let (_, jobs) = server.get("/jobs").await;
    assert_eq!(
        jobs,
        json!([]),
        "nothing was created by rejected submissions"
    );
}

#[tokio::test]
async fn an_invalid_ping_payload_fails_the_job_naming_the_field() {
    let server = start(true).await;
    let (_, created) = server
        .post(
            "/jobs",
            json!({"operation": "ping", "payload": {"colour": "red"}}),
        )
        .await;
    let job = server.wait_terminal(created["id"].as_str().unwrap()).await;
    assert_eq!(job["status"], "failed");
    assert_eq!(job["error_code"], "ValidationError");
    assert!(
        job["error_message"].as_str().unwrap().contains("`colour`"),
        "{job}"
    );
}

#[tokio::test]
async fn listing_filters_and_paginates() {
    let server = start(true).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let (_, created) = server
            .post("/jobs", json!({"operation": "ping", "meta": {"i": i}}))
            .await;
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    for id in &ids {
        server.wait_terminal(id).await;
    }
    let (_, page1) = server.get("/jobs?status=succeeded&limit=2").await;
    let (_, page2) = server.get("/jobs?status=succeeded&limit=2&offset=2").await;
    let (_, page3) = server.get("/jobs?status=succeeded&limit=2&offset=4").await;
    let seen: Vec<&str> = [&page1, &page2, &page3]
        .iter()
        .flat_map(|p| {
            p.as_array()
                .unwrap()
                .iter()
                .map(|j| j["id"].as_str().unwrap())
        })
        .collect();
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);
    assert!(page1[0].get("payload").is_none(), "lists carry no payloads");
    let (_, none) = server.get("/jobs?status=failed").await;
    assert_eq!(none, json!([]));
    let (_, by_op) = server.get("/jobs?operation=ping&limit=500").await;
    assert_eq!(by_op.as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn the_event_stream_delivers_every_event_in_order_then_ends() {
    let server = start(false).await;
    let (_, created) = server.post("/jobs", json!({"operation": "ping"})).await;
    let id = created["id"].as_str().unwrap().to_owned();
    // Open the stream before any worker exists, so events arrive live.
    let response = server
        .client
        .get(format!("{}/jobs/{id}/events/stream", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let reader = tokio::spawn(read_sse(response));
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Now start a worker on the same database.
    let pool = server._db.pool.clone();
    let worker = Worker::new(
        pool.clone(),
        protea_ops::registry(),
        Arc::new(PgQueue::new(pool)),
        Arc::new(Extensions::default()),
        WorkerConfig {
            queues: vec!["protea.ping".into()],
            ..WorkerConfig::default()
        },
    );
    let (_stop, rx) = watch::channel(false);
    tokio::spawn(async move { worker.run(rx).await.unwrap() });
    let frames = tokio::time::timeout(Duration::from_secs(20), reader)
        .await
        .unwrap()
        .unwrap();
    let (data, end): (Vec<_>, Vec<_>) = frames.into_iter().partition(|(kind, _, _)| kind.is_none());
    assert_eq!(end.len(), 1, "one end event");
    let names: Vec<String> = data
        .iter()
        .map(|(_, _, body)| {
            serde_json::from_str::<Value>(body).unwrap()["event"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        names,
        ["job.created", "job.started", "ping.pong", "job.succeeded"]
    );
    let ids: Vec<i64> = data.iter().map(|(_, id, _)| id.unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");

    // Resuming with Last-Event-ID sends only what came after.
    let response = server
        .client
        .get(format!("{}/jobs/{id}/events/stream", server.base))
        .header("Last-Event-ID", ids[1].to_string())
        .send()
        .await
        .unwrap();
    let frames = read_sse(response).await;
    let resumed: Vec<i64> = frames.iter().filter_map(|(_, id, _)| *id).collect();
    assert_eq!(resumed, ids[2..]);
}

/// Reads SSE frames until the `end` event: (event name, id, data).
async fn read_sse(response: reqwest::Response) -> Vec<(Option<String>, Option<i64>, String)> {
    use futures::StreamExt;
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    let mut frames = Vec::new();
    while let Some(chunk) = stream.next().await {
        buffer.push_str(std::str::from_utf8(&chunk.unwrap()).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let (mut event, mut id, mut data) = (None, None, String::new());
            for line in frame.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    event = Some(v.trim().to_owned());
                } else if let Some(v) = line.strip_prefix("id:") {
                    id = v.trim().parse().ok();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if event.is_none() && data.is_empty() {
                continue; // keep-alive comment
            }
            let is_end = event.as_deref() == Some("end");
            frames.push((event, id, data));
            if is_end {
                return frames;
            }
        }
    }
    frames
}

#[tokio::test]
async fn cancel_over_http() {
    let server = start(false).await;
    let (_, created) = server.post("/jobs", json!({"operation": "ping"})).await;
    let id = created["id"].as_str().unwrap();
    let (status, outcome) = server
        .post(&format!("/jobs/{id}/cancel"), json!(null))
        .await;
    assert_eq!(status, 200);
    assert_eq!(outcome["status"], "cancelled");
    assert_eq!(outcome["children_cancelled"], 0);
    let (_, job) = server.get(&format!("/jobs/{id}")).await;
    assert_eq!(job["status"], "cancelled");
    let (status, _) = server
        .post(
            "/jobs/00000000-0000-0000-0000-000000000000/cancel",
            json!(null),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn health_readiness_and_openapi() {
    let server = start(false).await;
    assert_eq!(server.get("/health").await, (200, json!({"status": "ok"})));
    assert_eq!(
        server.get("/health/ready").await,
        (200, json!({"status": "ready"}))
    );
    let (status, doc) = server.get("/openapi.json").await;
    assert_eq!(status, 200);
    for path in [
        "/jobs",
        "/jobs/{id}",
        "/jobs/{id}/events",
        "/jobs/{id}/events/stream",
        "/jobs/{id}/cancel",
        "/health/ready",
    ] {
        assert!(doc["paths"].get(path).is_some(), "missing {path}");
    }
    assert!(doc["components"]["schemas"].get("JobView").is_some());
    let (_, operations) = server.get("/operations").await;
    assert!(
        operations
            .as_array()
            .unwrap()
            .iter()
            .any(|op| op["name"] == "ping" && op["queue"] == "protea.ping")
    );
}

#[tokio::test]
async fn readiness_is_503_while_the_database_is_unreachable() {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_millis(500))
        .connect_lazy("postgresql:///nowhere?host=/nonexistent-socket-dir&user=x")
        .unwrap();
    let jobs = JobService::new(
        pool.clone(),
        protea_ops::registry(),
        Arc::new(PgQueue::new(pool.clone())),
    );
    let state = AppState {
        jobs,
        events: EventHub::start(pool),
    };
    let app = protea_api::app(state, &ApiConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let response = reqwest::get(format!("{base}/health/ready")).await.unwrap();
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "unavailable");
    let live = reqwest::get(format!("{base}/health")).await.unwrap();
    assert_eq!(
        live.status(),
        200,
        "liveness does not depend on the database"
    );
}
