//! A worker process killed mid-job: the job completes elsewhere, once.
//!
//! The test re-runs this test binary as a separate worker process (the
//! `worker_process_entry` "test" below runs a worker when its environment
//! variable is set), kills it with SIGKILL while it holds a job, and lets a
//! second worker finish the job.

use crate::support::*;
use protea_core::JobStatus;
use protea_jobs::{Extensions, PgQueue, Worker, WorkerConfig};
use protea_testkit::TestDb;
use serde_json::json;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

const ENV_URL: &str = "PROTEA_TEST_WORKER_URL";

/// Harness entry for the child worker process; a no-op in a normal run.
#[tokio::test]
async fn worker_process_entry() {
    let Ok(url) = std::env::var(ENV_URL) else {
        return;
    };
    let pool = protea_store::connect(&url, 5).await.unwrap();
    let config = WorkerConfig {
        worker_id: "doomed-worker".into(),
        lease: Duration::from_secs(2),
        heartbeat: Duration::from_millis(300),
        reaper_interval: None,
        ..fast_config(&[TEST_QUEUE])
    };
    let worker = Worker::new(
        pool.clone(),
        registry(),
        Arc::new(PgQueue::new(pool)),
        Arc::new(Extensions::default()),
        config,
    );
    let (_stop, rx) = tokio::sync::watch::channel(false);
    worker.run(rx).await.unwrap();
}

#[tokio::test]
async fn a_killed_worker_s_job_completes_on_another_worker_exactly_once() {
    let db = TestDb::new().await;
    prepare(&db.pool).await;
    let service = service(&db.pool);
    let id = submit(
        &service,
        "write_rows",
        json!({"rows": 500, "sleep_ms": 3000}),
    )
    .await;

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "recovery::worker_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(ENV_URL, &db.url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(&service, id, Duration::from_secs(30), |j| {
        j.status == JobStatus::Running
    })
    .await;
    // Let it write part of its rows (uncommitted) before the kill.
    tokio::time::sleep(Duration::from_millis(800)).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(service.get(id).await.unwrap().status, JobStatus::Running);

    let worker = RunningWorker::start(&db.pool, fast_config(&[TEST_QUEUE]));
    let job = wait_for(&service, id, Duration::from_secs(30), |j| {
        j.status.is_terminal()
    })
    .await;
    assert_eq!(job.status, JobStatus::Succeeded);
    assert_eq!(
        count(
            &db.pool,
            "select count(*) from test_output where job_id = $1",
            id
        )
        .await,
        500
    );
    assert_eq!(
        count(
            &db.pool,
            "select count(distinct n) from test_output where job_id = $1",
            id
        )
        .await,
        500
    );
    // Two starts (the killed one and the successful one), one requeue by the reaper.
    let events = service.events(id, None, 100, true).await.unwrap();
    let starts: Vec<&str> = events
        .iter()
        .filter(|e| e.event == "job.started")
        .map(|e| e.fields["worker"].as_str().unwrap())
        .collect();
    assert_eq!(starts.len(), 2);
    assert_eq!(starts[0], "doomed-worker");
    assert_ne!(starts[1], "doomed-worker");
    let requeue = events
        .iter()
        .find(|e| e.event == "job.requeued")
        .expect("reaper requeued the job");
    assert_eq!(requeue.fields["reason"], "lease_expired");
    worker.shutdown().await;
}
