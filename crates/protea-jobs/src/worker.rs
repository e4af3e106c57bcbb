//! The worker: takes messages from its queues and runs their operations.
//!
//! One delivery, step by step:
//! 1. claim (own transaction): the job goes QUEUED → RUNNING, `job.started`;
//!    a job that is no longer QUEUED (cancelled) is acknowledged and skipped;
//! 2. run the operation in a second transaction while a heartbeat renews the
//!    message's lease and watches for cancellation;
//! 3. commit the operation's writes, the job's final state, its event and the
//!    acknowledgement together. Failures roll the operation's writes back and
//!    then fail, retry or dead-letter the job in a fresh transaction.

use crate::context::{Emitter, Extensions, OperationContext, insert_event};
use crate::fanout;
use crate::operation::{OperationError, OperationResult, Registry};
use crate::reaper;
use crate::transport::{Delivery, Transport, failure_backoff};
use protea_core::Level;
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::postgres::{PgListener, PgPool};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use uuid::Uuid;

/// Longest delay a RetryLater can grow to.
const RETRY_LATER_CAP: Duration = Duration::from_secs(600);

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Queues to consume.
    pub queues: Vec<String>,
    /// Messages run at once per queue.
    pub concurrency: usize,
    /// How long a delivery is ours without a heartbeat.
    pub lease: Duration,
    /// How often the lease is renewed and cancellation checked.
    pub heartbeat: Duration,
    /// Fallback poll when no notification arrives (delayed retries).
    pub poll_interval: Duration,
    /// How often this process runs the reaper; `None` disables it.
    pub reaper_interval: Option<Duration>,
    /// First back-off after a transient failure (doubles per attempt).
    pub retry_base: Duration,
    /// Identifies this worker in leases and events.
    pub worker_id: String,
}

impl Default for WorkerConfig {
    fn default() -> WorkerConfig {
        WorkerConfig {
            queues: Vec::new(),
            concurrency: 1,
            lease: Duration::from_secs(30),
            heartbeat: Duration::from_secs(2),
            poll_interval: Duration::from_secs(1),
            reaper_interval: Some(Duration::from_secs(10)),
            retry_base: Duration::from_secs(1),
            worker_id: default_worker_id(),
        }
    }
}

pub fn default_worker_id() -> String {
    let host =
        std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_else(|_| "localhost".into());
    format!(
        "{}-{}-{:04x}",
        host.trim(),
        std::process::id(),
        rand::random::<u16>()
    )
}

#[derive(Clone)]
pub struct Worker {
    pool: PgPool,
    registry: Registry,
    transport: Arc<dyn Transport>,
    extensions: Arc<Extensions>,
    config: Arc<WorkerConfig>,
}

impl Worker {
    pub fn new(
        pool: PgPool,
        registry: Registry,
        transport: Arc<dyn Transport>,
        extensions: Arc<Extensions>,
        config: WorkerConfig,
    ) -> Worker {
        Worker {
            pool,
            registry,
            transport,
            extensions,
            config: Arc::new(config),
        }
    }

    pub fn config(&self) -> &WorkerConfig {
        &self.config
    }

    /// Runs until `shutdown` turns true, then lets running messages finish.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) -> Result<(), sqlx::Error> {
        self.register().await?;
        let wakers: Arc<HashMap<String, Arc<Notify>>> = Arc::new(
            self.config
                .queues
                .iter()
                .map(|q| (q.clone(), Arc::new(Notify::new())))
                .collect(),
        );
        let mut tasks = JoinSet::new();
        tasks.spawn(listen(self.pool.clone(), wakers.clone(), shutdown.clone()));
        tasks.spawn(self.clone().housekeeping(shutdown.clone()));
        for queue in &self.config.queues {
            for _ in 0..self.config.concurrency.max(1) {
                let waker = wakers[queue].clone();
                tasks.spawn(self.clone().consume(queue.clone(), waker, shutdown.clone()));
            }
        }
        let _ = shutdown.wait_for(|stop| *stop).await;
        while tasks.join_next().await.is_some() {}
        sqlx::query("delete from worker where id = $1")
            .bind(&self.config.worker_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn register(&self) -> Result<(), sqlx::Error> {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .unwrap_or_else(|_| "localhost".into());
        sqlx::query(
            "insert into worker (id, hostname, pid, queues) values ($1, $2, $3, $4) \
             on conflict (id) do update set last_seen = now(), queues = excluded.queues",
        )
        .bind(&self.config.worker_id)
        .bind(host.trim())
        .bind(std::process::id() as i32)
        .bind(&self.config.queues)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn housekeeping(self, mut shutdown: watch::Receiver<bool>) {
        let beat = Duration::from_secs(10);
        let reap_every = self.config.reaper_interval;
        let mut last_reap = tokio::time::Instant::now();
        loop {
            let tick = reap_every.map_or(beat, |r| r.min(beat));
            tokio::select! {
                _ = tokio::time::sleep(tick) => {}
                _ = shutdown.wait_for(|stop| *stop) => return,
            }
            let _ = sqlx::query("update worker set last_seen = now() where id = $1")
                .bind(&self.config.worker_id)
                .execute(&self.pool)
                .await;
            if let Some(every) = reap_every
                && last_reap.elapsed() >= every
            {
                last_reap = tokio::time::Instant::now();
                match reaper::reap_once(&self.pool, self.transport.as_ref()).await {
                    Ok(report) if report != Default::default() => {
                        tracing::info!(?report, "reaper pass")
                    }
                    Ok(_) => {}
                    Err(err) => tracing::warn!(error = %err, "reaper pass failed"),
                }
            }
        }
    }

    async fn consume(self, queue: String, waker: Arc<Notify>, shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            let notified = waker.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match self.run_next(&queue).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(err) => {
                    tracing::warn!(queue = %queue, error = %err, "queue error; backing off");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
            let mut stop = shutdown.clone();
            tokio::select! {
                _ = &mut notified => {}
                _ = tokio::time::sleep(self.config.poll_interval) => {}
                _ = stop.wait_for(|stop| *stop) => return,
            }
        }
    }

    /// Takes and handles one message of `queue`; false when none was ready.
    pub async fn run_next(&self, queue: &str) -> Result<bool, sqlx::Error> {
        let Some(delivery) = self
            .transport
            .receive(queue, &self.config.worker_id, self.config.lease)
            .await?
        else {
            return Ok(false);
        };
        if delivery.body.is_child() {
            self.handle_child(delivery).await?;
        } else {
            self.handle_job(delivery).await?;
        }
        Ok(true)
    }

    async fn handle_job(&self, delivery: Delivery) -> Result<(), sqlx::Error> {
        let job_id = delivery.body.job_id;
        // The claim and its `job.started` event commit together, in one
        // statement (one round trip: this is the hot path of every job).
        let claimed = sqlx::query(
            "with claimed as ( \
                 update job set status = 'RUNNING', started_at = now(), finished_at = null \
                 where id = $1 and status = 'QUEUED' returning id, operation, payload), \
             started as ( \
                 insert into job_event (job_id, level, event, fields) \
                 select id, 'info', 'job.started', $2 from claimed) \
             select operation, payload from claimed",
        )
        .bind(job_id)
        .bind(json!({"worker": self.config.worker_id, "attempt": delivery.attempts}))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = claimed else {
            // Cancelled (or otherwise no longer queued): nothing to run.
            return self.ack_alone(&delivery).await;
        };
        let operation: String = row.get("operation");
        let payload: Value = row.get("payload");

        let emit = Emitter::for_job(self.pool.clone(), job_id);
        let outcome = self
            .execute(&delivery, &operation, payload, false, emit)
            .await?;
        match outcome {
            Execution::Ok(result, mut tx) => {
                let updated = if result.deferred && result.progress_total.unwrap_or(0) > 0 {
                    let updated = sqlx::query(
                        "update job set deferred = true, result = $2, progress_current = coalesce($3, 0), \
                         progress_total = $4 where id = $1 and status = 'RUNNING'",
                    )
                    .bind(job_id)
                    .bind(&result.result)
                    .bind(result.progress_current)
                    .bind(result.progress_total)
                    .execute(&mut *tx)
                    .await?;
                    if updated.rows_affected() == 1 {
                        let fields =
                            json!({"result": result.result, "children": result.progress_total});
                        insert_event(
                            &mut tx,
                            job_id,
                            "job.dispatched",
                            None,
                            &fields,
                            Level::Info,
                        )
                        .await?;
                    }
                    updated
                } else {
                    let updated = sqlx::query(
                        "update job set status = 'SUCCEEDED', finished_at = now(), result = $2, \
                         progress_current = coalesce($3, progress_current), \
                         progress_total = coalesce($4, progress_total) where id = $1 and status = 'RUNNING'",
                    )
                    .bind(job_id)
                    .bind(&result.result)
                    .bind(result.progress_current)
                    .bind(result.progress_total)
                    .execute(&mut *tx)
                    .await?;
                    if updated.rows_affected() == 1 {
                        let fields = json!({"result": result.result});
                        insert_event(&mut tx, job_id, "job.succeeded", None, &fields, Level::Info)
                            .await?;
                    }
                    updated
                };
                if updated.rows_affected() == 0 {
                    // Cancelled while running: the cancellation wins and the
                    // operation's uncommitted work is discarded.
                    tx.rollback().await?;
                    return self.ack_alone(&delivery).await;
                }
                self.transport.ack(&mut tx, &delivery).await?;
                tx.commit().await
            }
            Execution::Err(error) => self.job_failed(&delivery, &operation, error).await,
        }
    }

    async fn job_failed(
        &self,
        delivery: &Delivery,
        operation: &str,
        error: OperationError,
    ) -> Result<(), sqlx::Error> {
        let job_id = delivery.body.job_id;
        let mut tx = self.pool.begin().await?;
        match &error {
            OperationError::Cancelled => {
                self.transport.ack(&mut tx, delivery).await?;
            }
            OperationError::RetryLater { delay, reason } => {
                let earlier: i64 = sqlx::query_scalar(
                    "select count(*) from job_event where job_id = $1 and event = 'job.retry_later'",
                )
                .bind(job_id)
                .fetch_one(&mut *tx)
                .await?;
                let factor = 2u32.saturating_pow(earlier.clamp(0, 16) as u32);
                let wait = delay.saturating_mul(factor).min(RETRY_LATER_CAP);
                let fields = json!({"delay_seconds": wait.as_secs_f64(), "retry_count": earlier + 1, "reason": reason});
                let event = ("job.retry_later", reason.as_str(), fields, Level::Info);
                self.requeue_job(&mut tx, delivery, event, wait, false)
                    .await?;
            }
            OperationError::Transient(message) if !delivery.exhausted() => {
                let wait = failure_backoff(self.config.retry_base, delivery.attempts);
                let fields = json!({
                    "attempt": delivery.attempts, "max_attempts": delivery.max_attempts,
                    "delay_seconds": wait.as_secs_f64(), "error": message,
                });
                let event = ("job.retrying", message.as_str(), fields, Level::Warning);
                self.requeue_job(&mut tx, delivery, event, wait, true)
                    .await?;
            }
            OperationError::Transient(message) => {
                let text = format!("failed {} times; last error: {message}", delivery.attempts);
                self.transport.dead_letter(&mut tx, delivery, &text).await?;
                if self
                    .fail_job(&mut tx, job_id, "DeadLettered", &text)
                    .await?
                {
                    insert_event(
                        &mut tx,
                        job_id,
                        "job.dead_lettered",
                        Some(&text),
                        &json!({"operation": operation}),
                        Level::Error,
                    )
                    .await?;
                }
            }
            OperationError::Invalid(_) | OperationError::Failed { .. } => {
                self.fail_job(&mut tx, job_id, error.code(), &error.to_string())
                    .await?;
                self.transport.ack(&mut tx, delivery).await?;
            }
        }
        tx.commit().await
    }

    /// Puts the job back to QUEUED with an event and re-delivers its message
    /// after `wait`; a job cancelled meanwhile just has its message acknowledged.
    async fn requeue_job(
        &self,
        tx: &mut sqlx::PgConnection,
        delivery: &Delivery,
        (event, message, fields, level): (&str, &str, Value, Level),
        wait: Duration,
        count_attempt: bool,
    ) -> Result<(), sqlx::Error> {
        let job_id = delivery.body.job_id;
        let requeued =
            sqlx::query("update job set status = 'QUEUED', started_at = null where id = $1 and status = 'RUNNING'")
                .bind(job_id)
                .execute(&mut *tx)
                .await?;
        if requeued.rows_affected() == 0 {
            return self.transport.ack(tx, delivery).await;
        }
        insert_event(tx, job_id, event, Some(message), &fields, level).await?;
        self.transport
            .retry(tx, delivery, wait, message, count_attempt)
            .await
    }

    async fn fail_job(
        &self,
        tx: &mut sqlx::PgConnection,
        job_id: Uuid,
        code: &str,
        message: &str,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "update job set status = 'FAILED', finished_at = now(), error_code = $2, error_message = $3 \
             where id = $1 and status = 'RUNNING'",
        )
        .bind(job_id)
        .bind(code)
        .bind(message)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            insert_event(
                tx,
                job_id,
                "job.failed",
                Some(message),
                &json!({"error_code": code}),
                Level::Error,
            )
            .await?;
        }
        Ok(done.rows_affected() == 1)
    }

    async fn handle_child(&self, delivery: Delivery) -> Result<(), sqlx::Error> {
        let parent = delivery.body.job_id;
        let operation = delivery.body.operation.clone().unwrap_or_default();
        let payload = delivery.body.payload.clone().unwrap_or(Value::Null);
        let status: Option<String> =
            sqlx::query_scalar("select status::text from job where id = $1")
                .bind(parent)
                .fetch_optional(&self.pool)
                .await?;
        if status.as_deref() != Some("RUNNING") {
            // The parent was cancelled or closed: this child has nothing to add.
            return self.ack_alone(&delivery).await;
        }
        let emit = Emitter::for_child(self.pool.clone(), parent);
        match self
            .execute(&delivery, &operation, payload, true, emit)
            .await?
        {
            Execution::Ok(result, mut tx) => {
                if !result.deferred && fanout::count_done(&mut tx, parent).await?.is_none() {
                    tx.rollback().await?;
                    return self.ack_alone(&delivery).await;
                }
                self.transport.ack(&mut tx, &delivery).await?;
                tx.commit().await
            }
            Execution::Err(error) => {
                let mut tx = self.pool.begin().await?;
                match &error {
                    OperationError::Cancelled => self.transport.ack(&mut tx, &delivery).await?,
                    OperationError::RetryLater { delay, reason } => {
                        self.transport
                            .retry(&mut tx, &delivery, *delay, reason, false)
                            .await?
                    }
                    OperationError::Transient(message) if !delivery.exhausted() => {
                        let wait = failure_backoff(self.config.retry_base, delivery.attempts);
                        let fields = json!({"operation": operation, "attempt": delivery.attempts, "error": message});
                        insert_event(
                            &mut tx,
                            parent,
                            "child.retrying",
                            Some(message),
                            &fields,
                            Level::Warning,
                        )
                        .await?;
                        self.transport
                            .retry(&mut tx, &delivery, wait, message, true)
                            .await?;
                    }
                    OperationError::Transient(message) => {
                        let text =
                            format!("failed {} times; last error: {message}", delivery.attempts);
                        self.transport
                            .dead_letter(&mut tx, &delivery, &text)
                            .await?;
                        fanout::count_failed(&mut tx, parent, &operation, "DeadLettered", &text)
                            .await?;
                    }
                    OperationError::Invalid(_) | OperationError::Failed { .. } => {
                        fanout::count_failed(
                            &mut tx,
                            parent,
                            &operation,
                            error.code(),
                            &error.to_string(),
                        )
                        .await?;
                        self.transport.ack(&mut tx, &delivery).await?;
                    }
                }
                tx.commit().await
            }
        }
    }

    async fn ack_alone(&self, delivery: &Delivery) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        self.transport.ack(&mut tx, delivery).await?;
        tx.commit().await
    }

    /// Runs the operation under a lease heartbeat, catching panics.
    async fn execute(
        &self,
        delivery: &Delivery,
        operation: &str,
        payload: Value,
        is_child: bool,
        emit: Emitter,
    ) -> Result<Execution, sqlx::Error> {
        let Some(op) = self.registry.get(operation) else {
            return Ok(Execution::Err(OperationError::failed(
                "UnknownOperation",
                format!("operation `{operation}` is not registered in this worker"),
            )));
        };
        let (cancel_tx, cancel_rx) = watch::channel(false);
        let heartbeat = tokio::spawn(heartbeat(
            self.pool.clone(),
            self.transport.clone(),
            delivery.clone(),
            self.config.clone(),
            cancel_tx,
        ));
        let tx = self.pool.begin().await?;
        let mut ctx = OperationContext::new(
            self.pool.clone(),
            tx,
            delivery.body.job_id,
            is_child,
            delivery.attempts,
            cancel_rx,
            self.registry.clone(),
            self.transport.clone(),
            self.extensions.clone(),
        );
        let task = tokio::spawn(async move {
            let result = op.execute_json(&mut ctx, payload, &emit).await;
            (ctx, result)
        });
        let joined = task.await;
        heartbeat.abort();
        Ok(match joined {
            Ok((mut ctx, Ok(result))) => {
                if ctx.is_cancelled() && !is_child {
                    Execution::Err(OperationError::Cancelled)
                } else {
                    Execution::Ok(result, ctx.take_tx())
                }
            }
            Ok((_ctx, Err(error))) => Execution::Err(error),
            Err(join_error) => {
                let message = match join_error.try_into_panic() {
                    Ok(panic) => panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "unknown panic".into()),
                    Err(err) => err.to_string(),
                };
                Execution::Err(OperationError::Transient(format!(
                    "operation panicked: {message}"
                )))
            }
        })
    }
}

enum Execution {
    Ok(OperationResult, sqlx::Transaction<'static, sqlx::Postgres>),
    Err(OperationError),
}

/// Renews the lease and watches the job (or parent) for cancellation.
async fn heartbeat(
    pool: PgPool,
    transport: Arc<dyn Transport>,
    delivery: Delivery,
    config: Arc<WorkerConfig>,
    cancel: watch::Sender<bool>,
) {
    loop {
        tokio::time::sleep(config.heartbeat).await;
        match transport
            .extend_lease(&delivery, &config.worker_id, config.lease)
            .await
        {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                message = delivery.id,
                "lease lost: another worker may run this message"
            ),
            Err(err) => tracing::warn!(error = %err, "lease renewal failed"),
        }
        let status: Result<Option<String>, _> =
            sqlx::query_scalar("select status::text from job where id = $1")
                .bind(delivery.body.job_id)
                .fetch_optional(&pool)
                .await;
        if let Ok(status) = status
            && status.as_deref() != Some("RUNNING")
        {
            let _ = cancel.send(true);
        }
    }
}

/// Turns queue notifications into wake-ups. Polling covers any gap.
async fn listen(
    pool: PgPool,
    wakers: Arc<HashMap<String, Arc<Notify>>>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for queue notifications; polling only");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(5)) => continue,
                    _ = shutdown.wait_for(|stop| *stop) => return,
                }
            }
        };
        if let Err(err) = listener.listen("protea_queue").await {
            tracing::warn!(error = %err, "LISTEN failed");
            continue;
        }
        // Whatever was published while we were not listening.
        wakers.values().for_each(|w| w.notify_waiters());
        loop {
            tokio::select! {
                received = listener.recv() => match received {
                    Ok(notification) => {
                        if let Some(waker) = wakers.get(notification.payload()) {
                            waker.notify_waiters();
                        }
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "notification stream broke; reconnecting");
                        break;
                    }
                },
                _ = shutdown.wait_for(|stop| *stop) => return,
            }
        }
    }
}
