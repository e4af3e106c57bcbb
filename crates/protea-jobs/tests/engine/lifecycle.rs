//! The job lifecycle: validation, retries, dead letters, fan-out, cancellation.

use crate::support::*;
use protea_core::JobStatus;
use protea_jobs::{JobService, JobsError, PgQueue, SubmitRequest, reaper};
use protea_testkit::TestDb;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

async fn setup() -> (TestDb, JobService) {
    let db = TestDb::new().await;
    prepare(&db.pool).await;
    let service = service(&db.pool);
    (db, service)
}

fn queues() -> [&'static str; 3] {
    [
        TEST_QUEUE,
        "protea.predictions.batch",
        "protea.predictions.write",
    ]
}

#[tokio::test]
async fn invalid_payloads_fail_naming_the_field_and_write_nothing() {
    let (db, service) = setup().await;
    let worker = RunningWorker::start(&db.pool, fast_config(&queues()));
    let cases = [
        (json!({"rows": 5, "colour": "red"}), "colour"),
        (json!({"rows": "5"}), "rows"),
        (json!({"rows": 5, "check_cancel": "yes"}), "check_cancel"),
        (json!({"rows": 0}), "rows"),
        (json!({"rows": 5, "sleep_ms": 600_000}), "sleep_ms"),
        (json!({}), "rows"),
    ];
    for (payload, field) in cases {
        let id = submit(&service, "write_rows", payload.clone()).await;
        let job = wait_for(&service, id, WAIT, |j| j.status.is_terminal()).await;
        assert_eq!(job.status, JobStatus::Failed, "{payload}");
        assert_eq!(job.error_code.as_deref(), Some("ValidationError"));
        let message = job.error_message.unwrap();
        assert!(
            message.contains(&format!("`{field}`")),
            "{payload}: {message}"
        );
        assert_eq!(
            count(
                &db.pool,
                "select count(*) from test_output where job_id = $1",
                id
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &db.pool,
                "select count(*) from test_running where job_id = $1",
                id
            )
            .await,
            0
        );
    }
    worker.shutdown().await;
}

#[tokio::test]
async fn submission_rejects_unknown_internal_and_misrouted_operations() {
    let (db, service) = setup().await;
    let request = |operation: &str, queue: Option<&str>| SubmitRequest {
        operation: operation.into(),
        payload: Value::Null,
        queue_name: queue.map(str::to_owned),
        meta: Value::Null,
    };
    assert!(matches!(
        service.submit(request("nope", None)).await,
        Err(JobsError::UnknownOperation(_))
    ));
    assert!(matches!(
        service.submit(request("child_write", None)).await,
        Err(JobsError::InternalOperation(_))
    ));
    assert!(matches!(
        service.submit(request("flaky", Some("protea.ping"))).await,
        Err(JobsError::QueueMismatch { .. })
    ));
    let jobs: i64 = sqlx::query_scalar("select count(*) from job")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(jobs, 0, "rejected submissions leave no job behind");
    let ok = service
        .submit(request("flaky", Some(TEST_QUEUE)))
        .await
        .unwrap();
    assert_eq!(ok.status, JobStatus::Queued);
    assert_eq!(ok.queue_name, TEST_QUEUE);
}

#[tokio::test]
async fn retry_later_requeues_with_growing_delay() {
    let (db, service) = setup().await;
    let worker = RunningWorker::start(&db.pool, fast_config(&queues()));
    let id = submit(&service, "patient", json!({"times": 3, "delay_ms": 100})).await;
    let job = wait_for(&service, id, WAIT, |j| j.status.is_terminal()).await;
    assert_eq!(job.status, JobStatus::Succeeded);
    assert_eq!(job.result, Some(json!({"waited": 3})));
    let events = service.events(id, None, 100, true).await.unwrap();
    let delays: Vec<f64> = events
        .iter()
        .filter(|e| e.event == "job.retry_later")
        .map(|e| e.fields["delay_seconds"].as_f64().unwrap())
        .collect();
    assert_eq!(delays, [0.1, 0.2, 0.4]);
    let counts: Vec<i64> = events
        .iter()
        .filter(|e| e.event == "job.retry_later")
        .map(|e| e.fields["retry_count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [1, 2, 3]);
    // Each wait really happened: started events are spaced by the delays.
    let starts: Vec<_> = events
        .iter()
        .filter(|e| e.event == "job.started")
        .map(|e| e.ts)
        .collect();
    assert_eq!(starts.len(), 4);
    let gap = (starts[3] - starts[2]).num_milliseconds();
    assert!(gap >= 390, "third wait was {gap} ms");
    worker.shutdown().await;
}

#[tokio::test]
async fn repeated_failure_dead_letters_and_can_be_requeued() {
    let (db, _) = setup().await;
    let transport = Arc::new(PgQueue::new(db.pool.clone()).with_max_attempts(3));
    let service = JobService::new(db.pool.clone(), registry(), transport);
    let worker = RunningWorker::start(&db.pool, fast_config(&queues()));
    let id = submit(&service, "flaky", json!({"fail_times": 3})).await;
    let job = wait_for(&service, id, WAIT, |j| j.status.is_terminal()).await;
    assert_eq!(job.status, JobStatus::Failed);
    assert_eq!(job.error_code.as_deref(), Some("DeadLettered"));
    assert!(
        job.error_message
            .as_deref()
            .unwrap()
            .contains("simulated outage #3")
    );
    let events = service.events(id, None, 100, true).await.unwrap();
    let retry_delays: Vec<f64> = events
        .iter()
        .filter(|e| e.event == "job.retrying")
        .map(|e| e.fields["delay_seconds"].as_f64().unwrap())
        .collect();
    assert_eq!(
        retry_delays,
        [0.1, 0.2],
        "back-off doubles between attempts"
    );
    let dead = service.dead_letters(10, false).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].job_id, Some(id));
    assert_eq!(dead[0].attempts, 3);
    let queued: i64 = sqlx::query_scalar("select count(*) from queue_message")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(queued, 0);

    service.requeue_dead_letter(dead[0].id).await.unwrap();
    let job = wait_for(&service, id, WAIT, |j| j.status == JobStatus::Succeeded).await;
    assert_eq!(job.result, Some(json!({"tries": 4})));
    assert!(service.dead_letters(10, false).await.unwrap().is_empty());
    assert!(
        event_names(&service, id)
            .await
            .contains(&"job.requeued".to_owned())
    );
    // A dead letter is re-queued once.
    assert!(matches!(
        service.requeue_dead_letter(dead[0].id).await,
        Err(JobsError::DeadLetterNotFound(_))
    ));
    worker.shutdown().await;
}

#[tokio::test]
async fn fan_out_with_failing_children_ends_with_a_clear_state() {
    let (db, service) = setup().await;
    let worker = RunningWorker::start(&db.pool, fast_config(&queues()));
    let id = submit(
        &service,
        "fan_out",
        json!({"children": 50, "failing": [3, 17, 42], "two_stage": true}),
    )
    .await;
    let job = wait_for(&service, id, WAIT, |j| j.status.is_terminal()).await;
    assert_eq!(job.status, JobStatus::Failed);
    assert_eq!(job.error_code.as_deref(), Some("ChildrenFailed"));
    assert_eq!(
        (
            job.progress_current,
            job.progress_total,
            job.children_failed
        ),
        (Some(47), Some(50), 3)
    );
    assert_eq!(
        job.error_message.as_deref(),
        Some("3 of 50 child tasks failed (47 succeeded)")
    );
    assert_eq!(
        count(
            &db.pool,
            "select count(*) from test_output where job_id = $1",
            id
        )
        .await,
        47
    );
    let names = event_names(&service, id).await;
    assert_eq!(names.iter().filter(|e| *e == "child.failed").count(), 3);
    assert_eq!(
        names
            .iter()
            .filter(|e| *e == "child.child_write.done")
            .count(),
        47
    );
    assert_eq!(names.iter().filter(|e| *e == "job.dispatched").count(), 1);
    let left: i64 = sqlx::query_scalar("select count(*) from queue_message")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    worker.shutdown().await;
}

#[tokio::test]
async fn fan_out_closes_the_parent_on_the_last_child() {
    let (db, service) = setup().await;
    let worker = RunningWorker::start(&db.pool, fast_config(&queues()));
    let id = submit(&service, "fan_out", json!({"children": 20})).await;
    let job = wait_for(&service, id, WAIT, |j| j.status.is_terminal()).await;
    assert_eq!(job.status, JobStatus::Succeeded);
    assert_eq!(
        (
            job.progress_current,
            job.progress_total,
            job.children_failed
        ),
        (Some(20), Some(20), 0)
    );
    assert_eq!(
        count(
            &db.pool,
            "select count(*) from test_output where job_id = $1",
            id
        )
        .await,
        20
    );
    let names = event_names(&service, id).await;
    assert_eq!(names.last().map(String::as_str), Some("job.succeeded"));

    let empty = submit(&service, "fan_out", json!({"children": 0})).await;
    let job = wait_for(&service, empty, WAIT, |j| j.status.is_terminal()).await;
    assert_eq!(
        job.status,
        JobStatus::Succeeded,
        "no children: done at once"
    );
    worker.shutdown().await;
}

#[tokio::test]
async fn cancelling_a_queued_job_means_it_never_runs() {
    let (db, service) = setup().await;
    let id = submit(&service, "write_rows", json!({"rows": 5})).await;
    let outcome = service.cancel(id).await.unwrap();
    assert_eq!(outcome.status, JobStatus::Cancelled);
    let worker = RunningWorker::start(&db.pool, fast_config(&queues()));
    tokio::time::sleep(Duration::from_millis(600)).await;
    worker.shutdown().await;
    let job = service.get(id).await.unwrap();
    assert_eq!(job.status, JobStatus::Cancelled);
    assert!(job.finished_at.is_some());
    assert_eq!(
        count(
            &db.pool,
            "select count(*) from test_running where job_id = $1",
            id
        )
        .await,
        0
    );
    // Cancelling again changes nothing.
    let again = service.cancel(id).await.unwrap();
    assert_eq!(again.status, JobStatus::Cancelled);
    let cancels = event_names(&service, id)
        .await
        .iter()
        .filter(|e| *e == "job.cancelled")
        .count();
    assert_eq!(cancels, 1);
}

#[tokio::test]
async fn cancelling_a_running_job_stops_it_and_discards_its_work() {
    let (db, service) = setup().await;
    let worker = RunningWorker::start(&db.pool, fast_config(&queues()));
    let id = submit(
        &service,
        "write_rows",
        json!({"rows": 100, "sleep_ms": 4000, "check_cancel": true}),
    )
    .await;
    wait_for(&service, id, WAIT, |j| j.status == JobStatus::Running).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    service.cancel(id).await.unwrap();
    // The worker notices within a heartbeat and acknowledges the message.
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let left: i64 = sqlx::query_scalar("select count(*) from queue_message")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "message never acknowledged"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let job = service.get(id).await.unwrap();
    assert_eq!(job.status, JobStatus::Cancelled);
    assert_eq!(
        count(
            &db.pool,
            "select count(*) from test_output where job_id = $1",
            id
        )
        .await,
        0
    );
    let names = event_names(&service, id).await;
    assert!(!names.contains(&"job.succeeded".to_owned()), "{names:?}");
    // It stopped early rather than running its 4 seconds out.
    assert_eq!(
        count(
            &db.pool,
            "select count(*) from test_running where job_id = $1 and finished is null",
            id
        )
        .await,
        1
    );
    worker.shutdown().await;
}

#[tokio::test]
async fn two_workers_never_run_the_same_job() {
    let (db, service) = setup().await;
    let a = RunningWorker::start(&db.pool, fast_config(&queues()));
    let b = RunningWorker::start(&db.pool, fast_config(&queues()));
    let mut ids = Vec::new();
    for _ in 0..30 {
        ids.push(submit(&service, "write_rows", json!({"rows": 20, "sleep_ms": 40})).await);
    }
    for id in &ids {
        let job = wait_for(&service, *id, WAIT, |j| j.status.is_terminal()).await;
        assert_eq!(job.status, JobStatus::Succeeded);
        assert_eq!(
            count(
                &db.pool,
                "select count(*) from test_running where job_id = $1",
                *id
            )
            .await,
            1
        );
        assert_eq!(
            count(
                &db.pool,
                "select count(*) from test_output where job_id = $1",
                *id
            )
            .await,
            20
        );
    }
    let workers: Vec<String> = sqlx::query_scalar(
        "select distinct fields->>'worker' from job_event where event = 'job.started'",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(workers.len(), 2, "both workers took part: {workers:?}");
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test]
async fn reaper_releases_expired_leases_only() {
    let (db, service) = setup().await;
    let stale = submit(&service, "write_rows", json!({"rows": 1})).await;
    let exhausted = submit(&service, "write_rows", json!({"rows": 1})).await;
    let healthy = submit(&service, "write_rows", json!({"rows": 1})).await;
    // Simulate three claimed jobs: two whose worker died (lease in the past),
    // one long-running but alive (started long ago, lease renewed).
    for (id, attempts, lease) in [
        (stale, 1, "-1 second"),
        (exhausted, 5, "-1 second"),
        (healthy, 1, "+1 minute"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "update queue_message set locked_by = 'dead-worker', attempts = {attempts}, \
             locked_until = now() + interval '{lease}' where job_id = $1"
        )))
        .bind(id)
        .execute(&db.pool)
        .await
        .unwrap();
        sqlx::query("update job set status = 'RUNNING', started_at = now() - interval '7 hours' where id = $1")
            .bind(id)
            .execute(&db.pool)
            .await
            .unwrap();
    }
    let transport = PgQueue::new(db.pool.clone());
    let report = reaper::reap_once(&db.pool, &transport).await.unwrap();
    assert_eq!((report.requeued, report.dead_lettered), (1, 1));
    assert_eq!(service.get(stale).await.unwrap().status, JobStatus::Queued);
    let failed = service.get(exhausted).await.unwrap();
    assert_eq!(
        (failed.status, failed.error_code.as_deref()),
        (JobStatus::Failed, Some("LeaseExpired"))
    );
    assert_eq!(
        service.get(healthy).await.unwrap().status,
        JobStatus::Running,
        "old but alive is left alone"
    );
    assert!(
        event_names(&service, stale)
            .await
            .contains(&"job.requeued".to_owned())
    );
    // The released job then runs normally.
    let worker = RunningWorker::start(&db.pool, fast_config(&queues()));
    let job = wait_for(&service, stale, WAIT, |j| j.status.is_terminal()).await;
    assert_eq!(job.status, JobStatus::Succeeded);
    worker.shutdown().await;
}

#[tokio::test]
async fn a_coordinator_whose_children_vanished_is_failed_not_left_running() {
    let (db, service) = setup().await;
    let id = submit(&service, "fan_out", json!({"children": 4})).await;
    sqlx::query(
        "update job set status = 'RUNNING', deferred = true, progress_current = 1, progress_total = 4 where id = $1",
    )
    .bind(id)
    .execute(&db.pool)
    .await
    .unwrap();
    sqlx::query("delete from queue_message")
        .execute(&db.pool)
        .await
        .unwrap();
    let report = reaper::reap_once(&db.pool, &PgQueue::new(db.pool.clone()))
        .await
        .unwrap();
    assert_eq!(report.orphaned_parents_failed, 1);
    let job = service.get(id).await.unwrap();
    assert_eq!(
        (job.status, job.error_code.as_deref()),
        (JobStatus::Failed, Some("ChildrenLost"))
    );
    assert!(job.error_message.unwrap().contains("3 children"));
}
