//! Test operations and helpers shared by the engine tests.

use protea_core::{PayloadError, Validate, payload::check_range};
use protea_jobs::{
    Emitter, Extensions, JobService, JobView, Operation, OperationContext, OperationError,
    OperationResult, PgQueue, Registry, SubmitRequest, Worker, WorkerConfig,
};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use uuid::Uuid;

pub const TEST_QUEUE: &str = "protea.jobs";

/// Writes `rows` rows keyed by the job id, sleeping `sleep_ms` in between
/// chunks; checks cancellation between chunks.
pub struct WriteRows;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteRowsPayload {
    pub rows: u32,
    #[serde(default)]
    pub sleep_ms: u64,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub check_cancel: bool,
}

impl Validate for WriteRowsPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        check_range("rows", self.rows, 1, 10_000)?;
        check_range("sleep_ms", self.sleep_ms, 0, 60_000)
    }
}

impl Operation for WriteRows {
    type Payload = WriteRowsPayload;
    const NAME: &'static str = "write_rows";
    const QUEUE: &'static str = TEST_QUEUE;
    const SUMMARY: &'static str = "test: writes rows slowly";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: WriteRowsPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let job = ctx.job_id();
        sqlx::query("insert into test_running (job_id, started) values ($1, clock_timestamp())")
            .bind(job)
            .execute(ctx.pool())
            .await?;
        emit.info("write_rows.start", None, json!({"rows": payload.rows}))
            .await;
        let chunks = 10u32.min(payload.rows);
        for chunk in 0..chunks {
            if payload.check_cancel {
                ctx.check_cancelled()?;
            }
            let from = payload.rows * chunk / chunks;
            let to = payload.rows * (chunk + 1) / chunks;
            sqlx::query("insert into test_output (job_id, n, label) select $1, g, $4 from generate_series($2, $3 - 1) g")
                .bind(job)
                .bind(from as i32)
                .bind(to as i32)
                .bind(payload.label.as_deref())
                .execute(ctx.tx())
                .await?;
            tokio::time::sleep(Duration::from_millis(payload.sleep_ms / chunks as u64)).await;
        }
        sqlx::query("update test_running set finished = clock_timestamp() where job_id = $1 and finished is null")
            .bind(job)
            .execute(ctx.pool())
            .await?;
        Ok(OperationResult::done(json!({"rows": payload.rows})))
    }
}

/// Fails transiently `fail_times` times (counted in a committed table), then succeeds.
pub struct Flaky;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlakyPayload {
    pub fail_times: u32,
}
impl Validate for FlakyPayload {}

impl Operation for Flaky {
    type Payload = FlakyPayload;
    const NAME: &'static str = "flaky";
    const QUEUE: &'static str = TEST_QUEUE;
    const SUMMARY: &'static str = "test: fails transiently, then succeeds";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: FlakyPayload,
        _emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let tries: i32 = sqlx::query_scalar(
            "insert into test_counter (key, n) values ($1, 1) on conflict (key) do update set n = test_counter.n + 1 returning n",
        )
        .bind(ctx.job_id().to_string())
        .fetch_one(ctx.pool())
        .await?;
        if tries as u32 <= payload.fail_times {
            return Err(OperationError::Transient(format!(
                "simulated outage #{tries}"
            )));
        }
        Ok(OperationResult::done(json!({"tries": tries})))
    }
}

/// Asks to be retried later `times` times (counted by its events), then succeeds.
pub struct Patient;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientPayload {
    pub times: u32,
    pub delay_ms: u64,
}
impl Validate for PatientPayload {}

impl Operation for Patient {
    type Payload = PatientPayload;
    const NAME: &'static str = "patient";
    const QUEUE: &'static str = TEST_QUEUE;
    const SUMMARY: &'static str = "test: RetryLater, then success";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: PatientPayload,
        _emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let earlier: i64 = sqlx::query_scalar(
            "select count(*) from job_event where job_id = $1 and event = 'job.retry_later'",
        )
        .bind(ctx.job_id())
        .fetch_one(ctx.pool())
        .await?;
        if (earlier as u32) < payload.times {
            return Err(OperationError::RetryLater {
                delay: Duration::from_millis(payload.delay_ms),
                reason: "resource busy".into(),
            });
        }
        Ok(OperationResult::done(json!({"waited": earlier})))
    }
}

/// A coordinator fanning out `children` child messages; the ones listed in
/// `failing` fail.
pub struct FanOut;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FanOutPayload {
    pub children: u32,
    #[serde(default)]
    pub failing: Vec<u32>,
    #[serde(default)]
    pub two_stage: bool,
}
impl Validate for FanOutPayload {}

impl Operation for FanOut {
    type Payload = FanOutPayload;
    const NAME: &'static str = "fan_out";
    const QUEUE: &'static str = TEST_QUEUE;
    const SUMMARY: &'static str = "test: coordinator";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: FanOutPayload,
        _emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        if payload.children == 0 {
            return Ok(OperationResult::done(json!({"children": 0})));
        }
        for index in 0..payload.children {
            let fail = payload.failing.contains(&index);
            let stage = if payload.two_stage {
                "child_batch"
            } else {
                "child_write"
            };
            ctx.publish(stage, json!({"index": index, "fail": fail}))
                .await?;
        }
        Ok(OperationResult::deferred(
            json!({"children": payload.children}),
            payload.children as i64,
        ))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildPayload {
    pub index: u32,
    pub fail: bool,
}
impl Validate for ChildPayload {}

/// First stage: hands on to the write stage.
pub struct ChildBatch;

impl Operation for ChildBatch {
    type Payload = ChildPayload;
    const NAME: &'static str = "child_batch";
    const QUEUE: &'static str = "protea.predictions.batch";
    const EPHEMERAL: bool = true;
    const SUMMARY: &'static str = "test: batch stage";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: ChildPayload,
        _emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        ctx.publish(
            "child_write",
            json!({"index": payload.index, "fail": payload.fail}),
        )
        .await?;
        Ok(OperationResult {
            deferred: true,
            ..Default::default()
        })
    }
}

/// Last stage: writes one row, or fails.
pub struct ChildWrite;

impl Operation for ChildWrite {
    type Payload = ChildPayload;
    const NAME: &'static str = "child_write";
    const QUEUE: &'static str = "protea.predictions.write";
    const EPHEMERAL: bool = true;
    const SUMMARY: &'static str = "test: write stage";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: ChildPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        if payload.fail {
            return Err(OperationError::failed(
                "SimulatedFailure",
                format!("child {} failed", payload.index),
            ));
        }
        let parent = ctx.job_id();
        sqlx::query("insert into test_output (job_id, n) values ($1, $2)")
            .bind(parent)
            .bind(payload.index as i32)
            .execute(ctx.tx())
            .await?;
        emit.info("child_write.done", None, json!({"index": payload.index}))
            .await;
        Ok(OperationResult::done(Value::Null))
    }
}

pub fn registry() -> Registry {
    protea_ops_free_registry()
}

fn protea_ops_free_registry() -> Registry {
    Registry::new()
        .register(WriteRows)
        .register(Flaky)
        .register(Patient)
        .register(FanOut)
        .register(ChildBatch)
        .register(ChildWrite)
}

pub async fn prepare(pool: &PgPool) {
    for sql in [
        "create table test_output (job_id uuid not null, n int not null, label text, unique (job_id, n))",
        "create table test_counter (key text primary key, n int not null)",
        "create table test_running (job_id uuid not null, started timestamptz not null, finished timestamptz)",
    ] {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
}

pub fn service(pool: &PgPool) -> JobService {
    JobService::new(
        pool.clone(),
        registry(),
        Arc::new(PgQueue::new(pool.clone())),
    )
}

pub fn fast_config(queues: &[&str]) -> WorkerConfig {
    WorkerConfig {
        queues: queues.iter().map(|q| q.to_string()).collect(),
        concurrency: 2,
        lease: Duration::from_secs(3),
        heartbeat: Duration::from_millis(200),
        poll_interval: Duration::from_millis(200),
        reaper_interval: Some(Duration::from_millis(500)),
        retry_base: Duration::from_millis(100),
        ..WorkerConfig::default()
    }
}

/// A worker running in this process until the guard drops.
pub struct RunningWorker {
    stop: watch::Sender<bool>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl RunningWorker {
    pub fn start(pool: &PgPool, config: WorkerConfig) -> RunningWorker {
        let worker = Worker::new(
            pool.clone(),
            registry(),
            Arc::new(PgQueue::new(pool.clone())),
            Arc::new(Extensions::default()),
            config,
        );
        let (stop, rx) = watch::channel(false);
        let handle = tokio::spawn(async move {
            worker.run(rx).await.unwrap();
        });
        RunningWorker {
            stop,
            handle: Some(handle),
        }
    }

    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(handle) = self.handle.take() {
            handle.await.unwrap();
        }
    }
}

impl Drop for RunningWorker {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

pub async fn submit(service: &JobService, operation: &str, payload: Value) -> Uuid {
    service
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

/// Polls until `done(job)` or panics after `timeout`.
pub async fn wait_for(
    service: &JobService,
    id: Uuid,
    timeout: Duration,
    done: impl Fn(&JobView) -> bool,
) -> JobView {
    let deadline = Instant::now() + timeout;
    loop {
        let job = service.get(id).await.unwrap();
        if done(&job) {
            return job;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting on job {id}: {job:#?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub async fn event_names(service: &JobService, id: Uuid) -> Vec<String> {
    service
        .events(id, None, 10_000, true)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect()
}

pub async fn count(pool: &PgPool, sql: &str, job: Uuid) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(job)
        .fetch_one(pool)
        .await
        .unwrap()
}
