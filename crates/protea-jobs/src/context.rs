//! What an operation sees while it runs: its transaction, its job, the
//! emitter for timeline events, cancellation, fan-out and shared services.

use crate::operation::{OperationError, Registry};
use crate::transport::{MessageBody, Transport};
use protea_core::Level;
use serde_json::{Map, Value};
use sqlx::postgres::{PgConnection, PgPool};
use sqlx::{Postgres, Transaction};
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::watch;
use uuid::Uuid;

/// Shared services (HTTP clients, configuration, caches) that the binary
/// installs once and operations look up by type.
#[derive(Default)]
pub struct Extensions {
    map: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl Extensions {
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.map.insert(TypeId::of::<T>(), Arc::new(value));
    }

    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.map
            .get(&TypeId::of::<T>())
            .and_then(|v| v.downcast_ref())
    }
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extensions")
            .field("len", &self.map.len())
            .finish()
    }
}

/// The execution context of one run of an operation.
pub struct OperationContext {
    pool: PgPool,
    tx: Option<Transaction<'static, Postgres>>,
    job_id: Uuid,
    is_child: bool,
    attempt: i32,
    cancel: watch::Receiver<bool>,
    registry: Registry,
    transport: Arc<dyn Transport>,
    extensions: Arc<Extensions>,
    published: usize,
}

impl OperationContext {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        pool: PgPool,
        tx: Transaction<'static, Postgres>,
        job_id: Uuid,
        is_child: bool,
        attempt: i32,
        cancel: watch::Receiver<bool>,
        registry: Registry,
        transport: Arc<dyn Transport>,
        extensions: Arc<Extensions>,
    ) -> OperationContext {
        OperationContext {
            pool,
            tx: Some(tx),
            job_id,
            is_child,
            attempt,
            cancel,
            registry,
            transport,
            extensions,
            published: 0,
        }
    }

    /// The job this run belongs to (the parent job for a child message).
    pub fn job_id(&self) -> Uuid {
        self.job_id
    }

    /// True for a child (ephemeral) message of a coordinator.
    pub fn is_child(&self) -> bool {
        self.is_child
    }

    /// 1 on the first delivery, higher when the message is re-delivered.
    pub fn attempt(&self) -> i32 {
        self.attempt
    }

    /// The transaction that commits with the job's completion. Writes made
    /// here are all-or-nothing with the job's final state.
    pub fn tx(&mut self) -> &mut PgConnection {
        self.tx
            .as_mut()
            .expect("transaction present while the operation runs")
    }

    /// A pool for reads (or writes) outside the job's transaction.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Commits the work so far and opens a new transaction: for operations
    /// that make progress durable page by page (`commit_every_page`). What is
    /// committed stays even if the job later fails, so such operations must
    /// be idempotent on re-run.
    pub async fn commit(&mut self) -> Result<(), OperationError> {
        let tx = self
            .tx
            .take()
            .expect("transaction present while the operation runs");
        tx.commit().await?;
        self.tx = Some(self.pool.begin().await?);
        Ok(())
    }

    pub(crate) fn take_tx(&mut self) -> Transaction<'static, Postgres> {
        self.tx
            .take()
            .expect("transaction present after the operation ran")
    }

    /// True once the job has been cancelled. Long loops check this between
    /// pages or batches.
    pub fn is_cancelled(&self) -> bool {
        *self.cancel.borrow()
    }

    /// `Err(Cancelled)` once the job has been cancelled, for use with `?`.
    pub fn check_cancelled(&self) -> Result<(), OperationError> {
        if self.is_cancelled() {
            Err(OperationError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Resolves when the job is cancelled (for `select!` around slow awaits).
    pub async fn cancelled(&self) {
        let mut rx = self.cancel.clone();
        let _ = rx.wait_for(|cancelled| *cancelled).await;
    }

    /// Publishes a child message for `operation` (a registered ephemeral
    /// operation) to its queue, inside the job's transaction: it becomes
    /// visible only if the job's step commits.
    pub async fn publish(&mut self, operation: &str, payload: Value) -> Result<(), OperationError> {
        let info = self.registry.info(operation).ok_or_else(|| {
            OperationError::failed(
                "UnknownOperation",
                format!("cannot publish unknown operation `{operation}`"),
            )
        })?;
        let body = MessageBody {
            job_id: self.job_id,
            operation: Some(operation.to_owned()),
            payload: Some(payload),
        };
        let transport = self.transport.clone();
        transport.publish(self.tx(), info.queue, &body).await?;
        self.published += 1;
        Ok(())
    }

    /// How many child messages this run has published.
    pub fn published(&self) -> usize {
        self.published
    }

    /// A shared service installed by the binary.
    pub fn extension<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.extensions.get::<T>()
    }
}

/// Writes timeline events. Each event is its own commit, visible at once,
/// whatever happens to the operation's transaction.
#[derive(Clone)]
pub struct Emitter {
    pool: PgPool,
    job_id: Uuid,
    /// `child.` for child messages: their events land on the parent.
    prefix: &'static str,
    apply_progress: bool,
}

impl Emitter {
    pub(crate) fn for_job(pool: PgPool, job_id: Uuid) -> Emitter {
        Emitter {
            pool,
            job_id,
            prefix: "",
            apply_progress: true,
        }
    }

    pub(crate) fn for_child(pool: PgPool, parent_id: Uuid) -> Emitter {
        Emitter {
            pool,
            job_id: parent_id,
            prefix: "child.",
            apply_progress: false,
        }
    }

    /// Records `event` with an optional message, structured fields and a level.
    ///
    /// The reserved fields `_progress_current` / `_progress_total` also update
    /// the job's progress bar (not for child messages, whose progress is the
    /// count of finished children). A failure to write is logged, never
    /// raised: the timeline must not break the work.
    pub async fn emit(&self, event: &str, message: Option<&str>, fields: Value, level: Level) {
        let mut fields = match fields {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => Map::from_iter([("value".to_owned(), other)]),
        };
        let current = fields.remove("_progress_current").and_then(|v| v.as_i64());
        let total = fields.remove("_progress_total").and_then(|v| v.as_i64());
        let name = format!("{}{event}", self.prefix);
        let result = async {
            let fields = Value::Object(fields);
            if !self.apply_progress || (current.is_none() && total.is_none()) {
                // The common case: one autocommitted insert.
                let mut conn = self.pool.acquire().await?;
                return insert_event(&mut conn, self.job_id, &name, message, &fields, level).await;
            }
            let mut tx = self.pool.begin().await?;
            insert_event(&mut tx, self.job_id, &name, message, &fields, level).await?;
            sqlx::query(
                "update job set progress_current = coalesce($2, progress_current), \
                 progress_total = coalesce($3, progress_total) where id = $1 and status = 'RUNNING'",
            )
            .bind(self.job_id)
            .bind(current)
            .bind(total)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        }
        .await;
        if let Err(err) = result {
            tracing::warn!(job_id = %self.job_id, event = %name, error = %err, "could not record job event");
        }
    }

    pub async fn info(&self, event: &str, message: Option<&str>, fields: Value) {
        self.emit(event, message, fields, Level::Info).await;
    }

    pub async fn warning(&self, event: &str, message: Option<&str>, fields: Value) {
        self.emit(event, message, fields, Level::Warning).await;
    }

    pub async fn error(&self, event: &str, message: Option<&str>, fields: Value) {
        self.emit(event, message, fields, Level::Error).await;
    }
}

/// Inserts one event row on `conn` (used inside larger transactions too).
pub(crate) async fn insert_event(
    conn: &mut PgConnection,
    job_id: Uuid,
    event: &str,
    message: Option<&str>,
    fields: &Value,
    level: Level,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into job_event (job_id, level, event, message, fields) values ($1, $2, $3, $4, $5)",
    )
    .bind(job_id)
    .bind(level.as_str())
    .bind(event)
    .bind(message)
    .bind(fields)
    .execute(conn)
    .await?;
    Ok(())
}
