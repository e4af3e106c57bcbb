use uuid::Uuid;

/// Errors of the job engine's services (submission, queries, cancellation).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JobsError {
    #[error("unknown operation `{0}`")]
    UnknownOperation(String),
    #[error("operation `{0}` runs only as a child of a coordinator and cannot be submitted")]
    InternalOperation(String),
    #[error("operation `{operation}` runs on queue `{expected}`, not `{given}`")]
    QueueMismatch {
        operation: String,
        expected: String,
        given: String,
    },
    #[error("{0}")]
    InvalidRequest(String),
    #[error("job {0} not found")]
    JobNotFound(Uuid),
    #[error("dead letter {0} not found")]
    DeadLetterNotFound(i64),
    #[error("{0}")]
    Conflict(String),
    #[error("database error")]
    Database(#[from] sqlx::Error),
}
