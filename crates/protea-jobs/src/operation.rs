//! The Operation contract and the registry of operations.

use crate::context::{Emitter, OperationContext};
use futures::future::BoxFuture;
use protea_core::{PayloadError, Validate, decode_payload};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// What an operation returns on success.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OperationResult {
    /// The result object, stored on the job (`job.result`) and in the
    /// `job.succeeded` / `job.dispatched` event.
    pub result: serde_json::Value,
    pub progress_current: Option<i64>,
    pub progress_total: Option<i64>,
    /// True when completion is signalled by children published through
    /// [`OperationContext::publish`]; `progress_total` must then be the number
    /// of children. For a child, true means "handed on to a next-stage
    /// message", so this child is not counted yet.
    pub deferred: bool,
}

impl OperationResult {
    pub fn done(result: serde_json::Value) -> OperationResult {
        OperationResult {
            result,
            ..Default::default()
        }
    }

    pub fn deferred(result: serde_json::Value, children: i64) -> OperationResult {
        OperationResult {
            result,
            progress_current: Some(0),
            progress_total: Some(children),
            deferred: true,
        }
    }
}

/// How an operation fails. The variant decides what the worker does.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OperationError {
    /// The payload is invalid: the job fails before anything is written.
    #[error("{0}")]
    Invalid(#[from] PayloadError),
    /// A definite failure (bad input data, a missing row): the job fails,
    /// the operation's uncommitted writes are discarded. `code` is a stable
    /// name (`FileFormatError`, `NotFound`, …).
    #[error("{message}")]
    Failed { code: String, message: String },
    /// Not now: the job goes back to its queue and runs again after `delay`
    /// (doubled for each earlier retry of the job, capped at 10 minutes)
    /// without holding the worker.
    #[error("retry later ({reason})")]
    RetryLater { delay: Duration, reason: String },
    /// A passing fault (lost connection, I/O): the message is retried with
    /// back-off and dead-lettered after its attempts run out.
    #[error("{0}")]
    Transient(String),
    /// The job was cancelled while running.
    #[error("cancelled")]
    Cancelled,
}

impl OperationError {
    pub fn failed(code: impl Into<String>, message: impl Into<String>) -> OperationError {
        OperationError::Failed {
            code: code.into(),
            message: message.into(),
        }
    }

    /// The error code recorded on a failed job.
    pub fn code(&self) -> &str {
        match self {
            OperationError::Invalid(_) => "ValidationError",
            OperationError::Failed { code, .. } => code,
            OperationError::RetryLater { .. } => "RetryLater",
            OperationError::Transient(_) => "TransientError",
            OperationError::Cancelled => "Cancelled",
        }
    }
}

impl From<sqlx::Error> for OperationError {
    fn from(err: sqlx::Error) -> OperationError {
        match &err {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed => {
                OperationError::Transient(format!("database unavailable: {err}"))
            }
            sqlx::Error::Database(db) if is_transient_sqlstate(db.code().as_deref()) => {
                OperationError::Transient(format!("database: {err}"))
            }
            _ => OperationError::failed("DatabaseError", err.to_string()),
        }
    }
}

/// Serialisation failures, deadlocks and shutdowns are worth a retry.
fn is_transient_sqlstate(code: Option<&str>) -> bool {
    matches!(
        code,
        Some("40001" | "40P01" | "57P01" | "57P02" | "57P03" | "53300")
    )
}

/// A unit of domain logic that a worker runs.
///
/// `NAME` routes jobs to it; `QUEUE` is where its messages go. `execute`
/// receives the decoded, validated payload; writes made through
/// [`OperationContext::tx`] commit together with the job's completion.
/// Operations never manage transactions beyond [`OperationContext::commit`],
/// queue connections or threads.
pub trait Operation: Send + Sync + 'static {
    type Payload: DeserializeOwned + Validate + Send + 'static;
    const NAME: &'static str;
    const QUEUE: &'static str;
    /// Child-only operations (batch and write stages) cannot be submitted.
    const EPHEMERAL: bool = false;
    /// A one-line description for `--help`, the API and the UI.
    const SUMMARY: &'static str;

    fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: Self::Payload,
        emit: &Emitter,
    ) -> impl Future<Output = Result<OperationResult, OperationError>> + Send;
}

/// Static facts about a registered operation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct OperationInfo {
    pub name: &'static str,
    pub queue: &'static str,
    pub ephemeral: bool,
    pub summary: &'static str,
}

/// The type-erased form the registry holds.
pub(crate) trait DynOperation: Send + Sync {
    fn info(&self) -> OperationInfo;
    fn validate_json(&self, payload: &serde_json::Value) -> Result<(), protea_core::PayloadError>;
    fn execute_json<'a>(
        &'a self,
        ctx: &'a mut OperationContext,
        payload: serde_json::Value,
        emit: &'a Emitter,
    ) -> BoxFuture<'a, Result<OperationResult, OperationError>>;
}

impl<O: Operation> DynOperation for O {
    fn info(&self) -> OperationInfo {
        OperationInfo {
            name: O::NAME,
            queue: O::QUEUE,
            ephemeral: O::EPHEMERAL,
            summary: O::SUMMARY,
        }
    }

    fn validate_json(&self, payload: &serde_json::Value) -> Result<(), protea_core::PayloadError> {
        decode_payload::<O::Payload>(payload).map(drop)
    }

    fn execute_json<'a>(
        &'a self,
        ctx: &'a mut OperationContext,
        payload: serde_json::Value,
        emit: &'a Emitter,
    ) -> BoxFuture<'a, Result<OperationResult, OperationError>> {
        Box::pin(async move {
            // Validation happens before the operation can write anything.
            let payload: O::Payload = decode_payload(&payload)?;
            self.execute(ctx, payload, emit).await
        })
    }
}

/// Maps operation names to operations: a closed list built at start-up.
#[derive(Clone, Default)]
pub struct Registry {
    operations: BTreeMap<&'static str, Arc<dyn DynOperation>>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Adds an operation. Names are unique: registering one twice is a bug.
    pub fn register<O: Operation>(mut self, operation: O) -> Registry {
        let previous = self.operations.insert(O::NAME, Arc::new(operation));
        assert!(
            previous.is_none(),
            "operation `{}` registered twice",
            O::NAME
        );
        self
    }

    pub fn info(&self, name: &str) -> Option<OperationInfo> {
        self.operations.get(name).map(|op| op.info())
    }

    /// Checks a payload the way the worker will, without running anything; `None` for
    /// an unknown operation. For endpoints that answer 422 at once.
    pub fn validate(
        &self,
        name: &str,
        payload: &serde_json::Value,
    ) -> Option<Result<(), protea_core::PayloadError>> {
        self.operations
            .get(name)
            .map(|op| op.validate_json(payload))
    }

    pub fn list(&self) -> Vec<OperationInfo> {
        self.operations.values().map(|op| op.info()).collect()
    }

    pub(crate) fn get(&self, name: &str) -> Option<Arc<dyn DynOperation>> {
        self.operations.get(name).cloned()
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.operations.keys()).finish()
    }
}
