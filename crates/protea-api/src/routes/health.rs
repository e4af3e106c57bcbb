//! Liveness and readiness.

use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Status {
    status: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, body = Status)))]
async fn health() -> Json<Status> {
    Json(Status { status: "ok" })
}

/// Readiness: the database answers (503 while it does not).
#[utoipa::path(get, path = "/health/ready", tag = "health", responses(
    (status = 200, body = Status),
    (status = 503, body = crate::error::ErrorBody),
))]
async fn ready(State(state): State<AppState>) -> Result<Json<Status>, ApiError> {
    let ping = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        sqlx::query_scalar::<_, i32>("select 1").fetch_one(state.jobs.pool()),
    )
    .await;
    match ping {
        Ok(Ok(_)) => Ok(Json(Status { status: "ready" })),
        Ok(Err(err)) => Err(ApiError::Unavailable(format!(
            "the database is unreachable: {err}"
        ))),
        Err(_) => Err(ApiError::Unavailable(
            "the database did not answer within 3 s".into(),
        )),
    }
}
