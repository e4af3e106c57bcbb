//! `/embeddings`: EmbeddingConfigs with their coverage (create, list, get,
//! delete with what depends on them), and submitting a computation or an
//! import of precomputed vectors.

use crate::extract::Json;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use protea_jobs::SubmitRequest;
use protea_ops::embedding_config::EmbeddingConfigRequest;
use protea_store::embeddings::{self, Coverage, EmbeddingConfigRow};
use serde::Serialize;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_configs, create_config))
        .routes(routes!(get_config, delete_config))
        .routes(routes!(compute))
        .routes(routes!(import))
}

/// An embedding config with its coverage.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct EmbeddingConfigView {
    id: Uuid,
    model_name: String,
    /// esm2, esmc, prott5, prostt5, ankh or kmer.
    model_backend: String,
    model_path: Option<String>,
    /// Reverse indices: 0 = last layer.
    layer_indices: Vec<i64>,
    layer_agg: String,
    pooling: String,
    normalize_residues: bool,
    normalize: bool,
    max_length: i32,
    use_chunking: bool,
    chunk_size: i32,
    chunk_overlap: i32,
    /// float32 or float16.
    embedding_dtype: String,
    description: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
    /// Stored vectors (one per chunk).
    embedding_count: i64,
    /// Distinct sequences with a vector.
    sequences_embedded: i64,
    proteins_embedded: i64,
    proteins_total: i64,
    query_sequences_embedded: i64,
    query_sequences_total: i64,
}

fn view(r: EmbeddingConfigRow, c: Coverage) -> EmbeddingConfigView {
    EmbeddingConfigView {
        id: r.id,
        model_name: r.model_name,
        model_backend: r.model_backend,
        model_path: r.model_path,
        layer_indices: serde_json::from_value(r.layer_indices).unwrap_or_default(),
        layer_agg: r.layer_agg,
        pooling: r.pooling,
        normalize_residues: r.normalize_residues,
        normalize: r.normalize,
        max_length: r.max_length,
        use_chunking: r.use_chunking,
        chunk_size: r.chunk_size,
        chunk_overlap: r.chunk_overlap,
        embedding_dtype: r.embedding_dtype,
        description: r.description,
        created_at: r.created_at,
        embedding_count: c.embedding_count,
        sequences_embedded: c.sequences_embedded,
        proteins_embedded: c.proteins_embedded,
        proteins_total: c.proteins_total,
        query_sequences_embedded: c.query_sequences_embedded,
        query_sequences_total: c.query_sequences_total,
    }
}

/// Every config, newest first, with its coverage.
#[utoipa::path(get, path = "/embeddings/configs", tag = "embeddings", responses((status = 200, body = Vec<EmbeddingConfigView>)))]
async fn list_configs(
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<EmbeddingConfigView>>, ApiError> {
    let pool = state.jobs.pool();
    let mut out = Vec::new();
    for r in embeddings::list_configs(pool).await? {
        let c = embeddings::coverage(pool, r.id).await?;
        out.push(view(r, c));
    }
    Ok(axum::Json(out))
}

/// Create a config. Every invalid field is reported in one 422.
#[utoipa::path(post, path = "/embeddings/configs", tag = "embeddings", request_body(content = Object, description = "see the README"), responses(
    (status = 201, body = EmbeddingConfigView),
    (status = 422, body = crate::error::ErrorBody),
))]
async fn create_config(
    State(state): State<AppState>,
    Json(body): Json<Value>,
) -> Result<(StatusCode, axum::Json<EmbeddingConfigView>), ApiError> {
    let request: EmbeddingConfigRequest = serde_json::from_value(body)
        .map_err(|e| ApiError::Unprocessable(format!("invalid embedding config: {e}")))?;
    let new = request.validate().map_err(|errors| {
        let list: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        ApiError::Unprocessable(list.join("; "))
    })?;
    let row = embeddings::insert_config(state.jobs.pool(), &new).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(view(row, Coverage::default())),
    ))
}

/// One config with its coverage.
#[utoipa::path(get, path = "/embeddings/configs/{id}", tag = "embeddings", params(("id" = Uuid, Path)), responses(
    (status = 200, body = EmbeddingConfigView),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn get_config(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<EmbeddingConfigView>, ApiError> {
    let pool = state.jobs.pool();
    let row = embeddings::config(pool, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("embedding config {id} does not exist")))?;
    let c = embeddings::coverage(pool, id).await?;
    Ok(axum::Json(view(row, c)))
}

/// What a delete removed.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Deleted {
    deleted: Uuid,
    embeddings_deleted: i64,
    prediction_sets_deleted: i64,
    predictions_deleted: i64,
}

/// Delete a config with its embeddings, its prediction sets and their
/// predictions (as the reference does); 409 while an embedding job for it
/// is queued or running.
#[utoipa::path(delete, path = "/embeddings/configs/{id}", tag = "embeddings", params(("id" = Uuid, Path)), responses(
    (status = 200, body = Deleted),
    (status = 404, body = crate::error::ErrorBody),
    (status = 409, body = crate::error::ErrorBody),
))]
async fn delete_config(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Deleted>, ApiError> {
    let mut tx = state.jobs.pool().begin().await?;
    let active = embeddings::active_jobs(&mut *tx, id).await?;
    if let Some(job) = active.first() {
        return Err(ApiError::Conflict(format!(
            "embedding config {id} is used by job {job}, which is still queued or running"
        )));
    }
    let d = embeddings::delete_config(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("embedding config {id} does not exist")))?;
    tx.commit().await?;
    Ok(axum::Json(Deleted {
        deleted: id,
        embeddings_deleted: d.embeddings_deleted,
        prediction_sets_deleted: d.prediction_sets_deleted,
        predictions_deleted: d.predictions_deleted,
    }))
}

/// A queued job.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Queued {
    id: Uuid,
    status: &'static str,
    queue_name: String,
}

async fn submit(state: &AppState, operation: &str, payload: Value) -> Result<Queued, ApiError> {
    let id = payload
        .get("embedding_config_id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| ApiError::Unprocessable("embedding_config_id: must be a UUID".into()))?;
    if embeddings::config(state.jobs.pool(), id).await?.is_none() {
        return Err(ApiError::NotFound(format!(
            "embedding config {id} does not exist"
        )));
    }
    let job = state
        .jobs
        .submit(SubmitRequest {
            operation: operation.into(),
            payload,
            queue_name: None,
            meta: Value::Null,
        })
        .await?;
    Ok(Queued {
        id: job.id,
        status: "queued",
        queue_name: job.queue_name,
    })
}

/// Queue `compute_embeddings` (body: its payload; the worker validates the rest).
#[utoipa::path(post, path = "/embeddings/compute", tag = "embeddings", request_body(content = Object, description = "see the README"), responses(
    (status = 201, body = Queued),
    (status = 404, body = crate::error::ErrorBody),
    (status = 422, body = crate::error::ErrorBody),
))]
async fn compute(
    State(state): State<AppState>,
    Json(body): Json<Value>,
) -> Result<(StatusCode, axum::Json<Queued>), ApiError> {
    let queued = submit(&state, "compute_embeddings", body).await?;
    Ok((StatusCode::CREATED, axum::Json(queued)))
}

/// Queue `import_embeddings` (body: `embedding_config_id`, `npy_path`,
/// `accessions_path`, paths on the worker).
#[utoipa::path(post, path = "/embeddings/import", tag = "embeddings", request_body(content = Object, description = "see the README"), responses(
    (status = 201, body = Queued),
    (status = 404, body = crate::error::ErrorBody),
    (status = 422, body = crate::error::ErrorBody),
))]
async fn import(
    State(state): State<AppState>,
    Json(body): Json<Value>,
) -> Result<(StatusCode, axum::Json<Queued>), ApiError> {
    let queued = submit(&state, "import_embeddings", body).await?;
    Ok((StatusCode::CREATED, axum::Json(queued)))
}
