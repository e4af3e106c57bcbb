//! Submitting, inspecting and cancelling jobs, and managing dead letters.
//! The API and the CLI both go through this service, so they behave alike.

use crate::JobsError;
use crate::context::insert_event;
use crate::operation::Registry;
use crate::transport::{MessageBody, Transport};
use chrono::{DateTime, Utc};
use protea_core::{JobStatus, Level};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::postgres::{PgPool, PgRow};
use std::sync::Arc;
use uuid::Uuid;

/// A job submission.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// Registered operation name, e.g. `ping`.
    pub operation: String,
    /// The operation's payload (validated by the worker, strictly).
    #[serde(default)]
    pub payload: Value,
    /// Defaults to the operation's queue; another queue is an error.
    #[serde(default)]
    pub queue_name: Option<String>,
    /// Free-form metadata kept on the job.
    #[serde(default)]
    pub meta: Value,
}

/// A job as served by the API and printed by the CLI.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobView {
    pub id: Uuid,
    pub operation: String,
    pub queue_name: String,
    #[schema(value_type = String, example = "queued")]
    pub status: JobStatus,
    pub parent_job_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub progress_current: Option<i64>,
    pub progress_total: Option<i64>,
    /// Children that failed for good (fan-out coordinators).
    pub children_failed: i64,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// Present on single-job responses only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
}

/// One timeline event.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventView {
    pub id: i64,
    pub ts: DateTime<Utc>,
    #[schema(value_type = String, example = "info")]
    pub level: Level,
    pub event: String,
    pub message: Option<String>,
    pub fields: Value,
}

/// Filters for listing jobs.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub status: Option<JobStatus>,
    pub operation: Option<String>,
    pub parent_job_id: Option<Uuid>,
    pub include_children: bool,
    pub limit: i64,
    pub offset: i64,
}

/// Result of a cancellation.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CancelOutcome {
    pub id: Uuid,
    #[schema(value_type = String)]
    pub status: JobStatus,
    pub children_cancelled: i64,
}

/// A message that kept failing.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeadLetterView {
    pub id: i64,
    pub queue_name: String,
    pub kind: String,
    pub job_id: Option<Uuid>,
    pub body: Value,
    pub attempts: i32,
    pub error: String,
    pub dead_at: DateTime<Utc>,
    pub requeued_at: Option<DateTime<Utc>>,
}

/// A live worker process.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WorkerView {
    pub id: String,
    pub hostname: String,
    pub pid: i32,
    pub queues: Vec<String>,
    pub started_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

const JOB_COLUMNS: &str = "id, operation, queue_name, status::text as status, parent_job_id, created_at, \
    started_at, finished_at, progress_current, progress_total, children_failed, error_code, error_message";

#[derive(Clone)]
pub struct JobService {
    pool: PgPool,
    registry: Registry,
    transport: Arc<dyn Transport>,
}

impl JobService {
    pub fn new(pool: PgPool, registry: Registry, transport: Arc<dyn Transport>) -> JobService {
        JobService {
            pool,
            registry,
            transport,
        }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Creates a QUEUED job, its `job.created` event and its queue message in
    /// one transaction: a job is never left without a message.
    pub async fn submit(&self, request: SubmitRequest) -> Result<JobView, JobsError> {
        let operation = request.operation.trim();
        if operation.is_empty() {
            return Err(JobsError::InvalidRequest(
                "`operation` must not be empty".into(),
            ));
        }
        let info = self
            .registry
            .info(operation)
            .ok_or_else(|| JobsError::UnknownOperation(operation.to_owned()))?;
        if info.ephemeral {
            return Err(JobsError::InternalOperation(operation.to_owned()));
        }
        let queue = match request.queue_name.as_deref().map(str::trim) {
            None | Some("") => info.queue.to_owned(),
            Some(given) if given == info.queue => given.to_owned(),
            Some(given) => {
                return Err(JobsError::QueueMismatch {
                    operation: operation.to_owned(),
                    expected: info.queue.to_owned(),
                    given: given.to_owned(),
                });
            }
        };
        let payload = if request.payload.is_null() {
            json!({})
        } else {
            request.payload
        };
        let meta = match request.meta {
            Value::Null => json!({}),
            Value::Object(map) => Value::Object(map),
            _ => {
                return Err(JobsError::InvalidRequest(
                    "`meta` must be a JSON object".into(),
                ));
            }
        };
        let id = Uuid::new_v4();
        let mut tx = self.pool.begin().await?;
        sqlx::query("insert into job (id, operation, queue_name, payload, meta) values ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(operation)
            .bind(&queue)
            .bind(&payload)
            .bind(&meta)
            .execute(&mut *tx)
            .await?;
        insert_event(
            &mut tx,
            id,
            "job.created",
            None,
            &json!({"operation": operation, "queue": queue}),
            Level::Info,
        )
        .await?;
        self.transport
            .publish(&mut tx, &queue, &MessageBody::job(id))
            .await?;
        tx.commit().await?;
        self.get(id).await
    }

    pub async fn get(&self, id: Uuid) -> Result<JobView, JobsError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {JOB_COLUMNS}, payload, meta, result from job where id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(JobsError::JobNotFound(id))?;
        let mut view = job_from_row(&row)?;
        view.payload = Some(row.try_get("payload")?);
        view.meta = Some(row.try_get("meta")?);
        view.result = row.try_get("result")?;
        Ok(view)
    }

    /// Jobs, newest first.
    pub async fn list(&self, filter: &JobFilter) -> Result<Vec<JobView>, JobsError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {JOB_COLUMNS} from job \
             where ($1::text is null or status::text = $1) \
               and ($2::text is null or operation = $2) \
               and ($3::uuid is null or parent_job_id = $3) \
               and ($4 or $3::uuid is not null or parent_job_id is null) \
             order by created_at desc, id desc limit $5 offset $6"
        )))
        .bind(filter.status.map(JobStatus::db_label))
        .bind(filter.operation.as_deref())
        .bind(filter.parent_job_id)
        .bind(filter.include_children)
        .bind(filter.limit)
        .bind(filter.offset)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(job_from_row).collect()
    }

    /// Events of a job. `after_id` pages forward in ascending order;
    /// otherwise the newest `limit` events, newest first (the original API).
    pub async fn events(
        &self,
        id: Uuid,
        after_id: Option<i64>,
        limit: i64,
        ascending: bool,
    ) -> Result<Vec<EventView>, JobsError> {
        self.ensure_exists(id).await?;
        let order = if ascending || after_id.is_some() {
            "asc"
        } else {
            "desc"
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select id, ts, level, event, message, fields from job_event \
             where job_id = $1 and ($2::bigint is null or id > $2) order by id {order} limit $3"
        )))
        .bind(id)
        .bind(after_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_from_row).collect()
    }

    async fn ensure_exists(&self, id: Uuid) -> Result<(), JobsError> {
        let found: Option<i32> = sqlx::query_scalar("select 1 from job where id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        found.map(|_| ()).ok_or(JobsError::JobNotFound(id))
    }

    /// Cancels a queued or running job (and its queued or running child jobs).
    /// A finished job is returned unchanged. Cancellation is cooperative: a
    /// running operation sees it at its next check, and its uncommitted work
    /// is discarded; a CANCELLED job is never overwritten by a late finish.
    pub async fn cancel(&self, id: Uuid) -> Result<CancelOutcome, JobsError> {
        let mut tx = self.pool.begin().await?;
        let status: Option<String> =
            sqlx::query_scalar("select status::text from job where id = $1 for update")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let status: JobStatus = status
            .ok_or(JobsError::JobNotFound(id))?
            .parse()
            .expect("enum labels");
        if status.is_terminal() {
            return Ok(CancelOutcome {
                id,
                status,
                children_cancelled: 0,
            });
        }
        cancel_one(&mut tx, id, json!({"previous_status": status.as_str()})).await?;
        let children: Vec<Uuid> = sqlx::query_scalar(
            "select id from job where parent_job_id = $1 and status in ('QUEUED', 'RUNNING') for update",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        for child in &children {
            cancel_one(&mut tx, *child, json!({"reason": "parent_cancelled"})).await?;
        }
        tx.commit().await?;
        Ok(CancelOutcome {
            id,
            status: JobStatus::Cancelled,
            children_cancelled: children.len() as i64,
        })
    }

    /// Deletes a finished or queued job with its events; a running job is a conflict.
    pub async fn delete(&self, id: Uuid) -> Result<(), JobsError> {
        let status: Option<String> =
            sqlx::query_scalar("select status::text from job where id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        match status.as_deref() {
            None => Err(JobsError::JobNotFound(id)),
            Some("RUNNING") => Err(JobsError::Conflict(format!(
                "job {id} is running; cancel it first"
            ))),
            Some(_) => {
                sqlx::query("delete from job where id = $1 and status <> 'RUNNING'")
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
        }
    }

    pub async fn dead_letters(
        &self,
        limit: i64,
        include_requeued: bool,
    ) -> Result<Vec<DeadLetterView>, JobsError> {
        let rows = sqlx::query(
            "select id, queue_name, kind, job_id, body, attempts, error, dead_at, requeued_at from dead_letter \
             where $2 or requeued_at is null order by id desc limit $1",
        )
        .bind(limit)
        .bind(include_requeued)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DeadLetterView {
                    id: row.try_get("id")?,
                    queue_name: row.try_get("queue_name")?,
                    kind: row.try_get("kind")?,
                    job_id: row.try_get("job_id")?,
                    body: row.try_get("body")?,
                    attempts: row.try_get("attempts")?,
                    error: row.try_get("error")?,
                    dead_at: row.try_get("dead_at")?,
                    requeued_at: row.try_get("requeued_at")?,
                })
            })
            .collect()
    }

    /// Puts a dead letter back on its queue with fresh attempts. A job
    /// message re-opens its job (QUEUED again); a child message re-opens its
    /// parent (RUNNING, one failed child fewer) unless the parent was cancelled.
    pub async fn requeue_dead_letter(&self, id: i64) -> Result<(), JobsError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "select queue_name, kind, job_id, body from dead_letter where id = $1 and requeued_at is null for update",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(JobsError::DeadLetterNotFound(id))?;
        let queue: String = row.try_get("queue_name")?;
        let kind: String = row.try_get("kind")?;
        let body: MessageBody = serde_json::from_value(row.try_get("body")?).map_err(|err| {
            JobsError::Conflict(format!(
                "dead letter {id} has an unreadable body and cannot be re-queued: {err}"
            ))
        })?;
        let job_id = body.job_id;
        let status: Option<String> =
            sqlx::query_scalar("select status::text from job where id = $1 for update")
                .bind(job_id)
                .fetch_optional(&mut *tx)
                .await?;
        let status = status.ok_or(JobsError::JobNotFound(job_id))?;
        if kind == "job" {
            if status == "RUNNING" {
                return Err(JobsError::Conflict(format!("job {job_id} is running")));
            }
            sqlx::query(
                "update job set status = 'QUEUED', started_at = null, finished_at = null, \
                 error_code = null, error_message = null where id = $1",
            )
            .bind(job_id)
            .execute(&mut *tx)
            .await?;
        } else {
            if status == "CANCELLED" || status == "SUCCEEDED" {
                return Err(JobsError::Conflict(format!(
                    "parent job {job_id} is {}",
                    status.to_lowercase()
                )));
            }
            sqlx::query(
                "update job set status = 'RUNNING', finished_at = null, error_code = null, error_message = null, \
                 children_failed = greatest(children_failed - 1, 0) where id = $1",
            )
            .bind(job_id)
            .execute(&mut *tx)
            .await?;
        }
        insert_event(
            &mut tx,
            job_id,
            "job.requeued",
            None,
            &json!({"dead_letter_id": id, "kind": kind}),
            Level::Info,
        )
        .await?;
        self.transport.publish(&mut tx, &queue, &body).await?;
        sqlx::query("update dead_letter set requeued_at = now() where id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Workers seen in the last `fresh_seconds`.
    pub async fn workers(&self, fresh_seconds: f64) -> Result<Vec<WorkerView>, JobsError> {
        let rows = sqlx::query(
            "select id, hostname, pid, queues, started_at, last_seen from worker \
             where last_seen > now() - make_interval(secs => $1) order by started_at",
        )
        .bind(fresh_seconds)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(WorkerView {
                    id: row.try_get("id")?,
                    hostname: row.try_get("hostname")?,
                    pid: row.try_get("pid")?,
                    queues: row.try_get("queues")?,
                    started_at: row.try_get("started_at")?,
                    last_seen: row.try_get("last_seen")?,
                })
            })
            .collect()
    }
}

async fn cancel_one(
    tx: &mut sqlx::PgConnection,
    id: Uuid,
    fields: Value,
) -> Result<(), sqlx::Error> {
    sqlx::query("update job set status = 'CANCELLED', finished_at = now() where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    // A queued job's message is withdrawn; a running one's worker sees the
    // new status through its heartbeat and the notification below.
    sqlx::query(
        "delete from queue_message where job_id = $1 and kind = 'job' and locked_until is null",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    insert_event(tx, id, "job.cancelled", None, &fields, Level::Warning).await
}

pub(crate) fn job_from_row(row: &PgRow) -> Result<JobView, JobsError> {
    let status: String = row.try_get("status")?;
    Ok(JobView {
        id: row.try_get("id")?,
        operation: row.try_get("operation")?,
        queue_name: row.try_get("queue_name")?,
        status: status.parse().expect("job_status labels are known"),
        parent_job_id: row.try_get("parent_job_id")?,
        created_at: row.try_get("created_at")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        progress_current: row.try_get("progress_current")?,
        progress_total: row.try_get("progress_total")?,
        children_failed: row.try_get("children_failed")?,
        error_code: row.try_get("error_code")?,
        error_message: row.try_get("error_message")?,
        payload: None,
        meta: None,
        result: None,
    })
}

pub(crate) fn event_from_row(row: &PgRow) -> Result<EventView, JobsError> {
    let level: String = row.try_get("level")?;
    Ok(EventView {
        id: row.try_get("id")?,
        ts: row.try_get("ts")?,
        level: level.parse().unwrap_or_default(),
        event: row.try_get("event")?,
        message: row.try_get("message")?,
        fields: row.try_get("fields")?,
    })
}
