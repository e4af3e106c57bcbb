use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use protea_jobs::JobsError;
use serde::Serialize;

/// Every error the API returns.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

/// The JSON error body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Human-readable explanation.
    pub detail: String,
    /// Stable machine-readable code.
    pub code: &'static str,
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ApiError::Internal(detail) = &self {
            // Internals (SQL text, paths) stay in the log.
            tracing::error!(%detail, "internal error");
        }
        (
            status,
            Json(ErrorBody {
                detail: self.to_string(),
                code,
            }),
        )
            .into_response()
    }
}

/// The one mapping from job-engine errors to HTTP.
impl From<JobsError> for ApiError {
    fn from(err: JobsError) -> ApiError {
        match err {
            JobsError::UnknownOperation(_)
            | JobsError::InternalOperation(_)
            | JobsError::QueueMismatch { .. }
            | JobsError::InvalidRequest(_) => ApiError::BadRequest(err.to_string()),
            JobsError::JobNotFound(_) | JobsError::DeadLetterNotFound(_) => {
                ApiError::NotFound(err.to_string())
            }
            JobsError::Conflict(_) => ApiError::Conflict(err.to_string()),
            JobsError::Database(db) => database_error(db),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

fn database_error(err: sqlx::Error) -> ApiError {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
            ApiError::Unavailable("the database is unreachable".into())
        }
        other => ApiError::Internal(other.to_string()),
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> ApiError {
        database_error(err)
    }
}

/// The one mapping from store errors to HTTP.
impl From<protea_store::StoreError> for ApiError {
    fn from(err: protea_store::StoreError) -> ApiError {
        match err {
            protea_store::StoreError::Sqlx(db) => database_error(db),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// Re-ranker model imports: a bad field is 422, a taken name 409.
impl From<protea_store::reranker_models::ImportError> for ApiError {
    fn from(err: protea_store::reranker_models::ImportError) -> ApiError {
        use protea_store::reranker_models::ImportError;
        match err {
            ImportError::Invalid { .. } => ApiError::Unprocessable(err.to_string()),
            ImportError::DuplicateName(_) => ApiError::Conflict(err.to_string()),
            ImportError::Store(store) => store.into(),
        }
    }
}
