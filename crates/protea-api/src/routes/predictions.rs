//! `/embeddings/predict` and `/embeddings/prediction-sets`: queue a prediction run; list,
//! show (with a summary), per-protein predictions with the donor neighbour and every
//! feature behind each term, CAFA and full-feature TSV downloads, delete.

use crate::extract::{Json as JsonBody, Query};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use protea_jobs::SubmitRequest;
use protea_ops::predict_go_terms::PredictGoTermsPayload;
use protea_store::predictions::{self, PredictionFilter};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(predict))
        .routes(routes!(list))
        .routes(routes!(get_one, delete_one))
        .routes(routes!(protein))
        .routes(routes!(tsv))
        .routes(routes!(cafa))
}

/// Queue `predict_go_terms`. The body is its payload, validated here (422 naming the
/// field) and the rows it names checked (404).
#[utoipa::path(post, path = "/embeddings/predict", tag = "predictions", request_body = Object, responses(
    (status = 201, body = Object), (status = 404, body = crate::error::ErrorBody),
    (status = 422, body = crate::error::ErrorBody)))]
async fn predict(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let payload: PredictGoTermsPayload =
        protea_core::decode_payload(&body).map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    let mut conn = state.jobs.pool().acquire().await?;
    for (field, table, id) in [
        (
            "embedding_config_id",
            "embedding_config",
            Some(payload.embedding_config_id),
        ),
        (
            "annotation_set_id",
            "annotation_set",
            Some(payload.annotation_set_id),
        ),
        (
            "ontology_snapshot_id",
            "ontology_snapshot",
            Some(payload.ontology_snapshot_id),
        ),
        ("query_set_id", "query_set", payload.query_set_id),
    ] {
        if let Some(id) = id
            && !predictions::exists(&mut conn, table, id).await?
        {
            return Err(ApiError::NotFound(format!(
                "{field}: {table} {id} does not exist"
            )));
        }
    }
    drop(conn);
    let job = state
        .jobs
        .submit(SubmitRequest {
            operation: "predict_go_terms".into(),
            payload: body,
            queue_name: None,
            meta: Value::Null,
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": job.id, "status": "queued", "queue_name": job.queue_name})),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageQuery {
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Prediction sets, newest first, with labels and prediction counts.
#[utoipa::path(get, path = "/embeddings/prediction-sets", tag = "predictions", params(PageQuery),
    responses((status = 200, body = Object)))]
async fn list(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let (limit, offset) = (q.limit.unwrap_or(100), q.offset.unwrap_or(0));
    if !(1..=500).contains(&limit) || offset < 0 {
        return Err(ApiError::BadRequest(
            "limit must be 1..500 and offset >= 0".into(),
        ));
    }
    let items = predictions::list_sets(state.jobs.pool(), limit, offset).await?;
    Ok(Json(
        json!({"offset": offset, "limit": limit, "items": items}),
    ))
}

async fn load(state: &AppState, id: Uuid) -> Result<predictions::PredictionSetView, ApiError> {
    predictions::get_set(state.jobs.pool(), id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("prediction set {id} does not exist")))
}

/// One prediction set: its parameters, `prediction_count`, rows per aspect and
/// `per_protein_counts`.
#[utoipa::path(get, path = "/embeddings/prediction-sets/{id}", tag = "predictions", params(("id" = Uuid, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    let set = load(&state, id).await?;
    let summary = predictions::summary(state.jobs.pool(), id).await?;
    let mut value = json!(set);
    value["summary"] = json!(summary);
    Ok(Json(value))
}

/// Delete a prediction set and its predictions.
#[utoipa::path(delete, path = "/embeddings/prediction-sets/{id}", tag = "predictions", params(("id" = Uuid, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
async fn delete_one(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    match predictions::delete_set(state.jobs.pool(), id).await? {
        Some(n) => Ok(Json(json!({"deleted": id, "predictions_deleted": n}))),
        None => Err(ApiError::NotFound(format!(
            "prediction set {id} does not exist"
        ))),
    }
}

/// Every prediction of one query protein, closest first: GO id, name and aspect, the
/// donor neighbour (`ref_protein_accession`, `distance`), the vote aggregates
/// (`vote_count`, `k_position`, `neighbor_vote_fraction`, …), alignment and taxonomy
/// features where computed, and `score`.
#[utoipa::path(get, path = "/embeddings/prediction-sets/{id}/proteins/{accession}", tag = "predictions",
    params(("id" = Uuid, Path), ("accession" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
async fn protein(
    State(state): State<AppState>,
    Path((id, accession)): Path<(Uuid, String)>,
) -> Result<Json<Value>, ApiError> {
    load(&state, id).await?;
    let filter = PredictionFilter {
        accession: Some(accession.clone()),
        ..Default::default()
    };
    let rows = predictions::predictions(state.jobs.pool(), id, &filter).await?;
    if rows.is_empty() {
        return Err(ApiError::NotFound(format!(
            "prediction set {id} has no prediction for {accession}"
        )));
    }
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut v = json!(r);
            v["score"] = json!(r.score());
            v
        })
        .collect();
    Ok(Json(
        json!({"accession": accession, "count": items.len(), "predictions": items}),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExportQuery {
    /// One query protein only.
    accession: Option<String>,
    /// `F`, `P` or `C`.
    aspect: Option<String>,
    /// Keep rows with `distance <= max_distance`.
    max_distance: Option<f64>,
}

fn filter(q: ExportQuery) -> Result<PredictionFilter, ApiError> {
    if let Some(a) = &q.aspect
        && !matches!(a.as_str(), "F" | "P" | "C")
    {
        return Err(ApiError::BadRequest(format!(
            "aspect must be F, P or C, got {a:?}"
        )));
    }
    if let Some(d) = q.max_distance
        && !(d.is_finite() && d >= 0.0)
    {
        return Err(ApiError::BadRequest(format!(
            "max_distance must be ≥ 0, got {d}"
        )));
    }
    Ok(PredictionFilter {
        accession: q.accession,
        aspect: q.aspect,
        max_distance: q.max_distance,
    })
}

/// Every prediction with all feature columns (31, as the original's export), ordered by
/// (protein, distance); feature floats with 6 significant digits, NULL as empty.
#[utoipa::path(get, path = "/embeddings/prediction-sets/{id}/predictions.tsv", tag = "predictions",
    params(("id" = Uuid, Path), ExportQuery),
    responses((status = 200, content_type = "text/tab-separated-values", body = String),
        (status = 404, body = crate::error::ErrorBody)))]
async fn tsv(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<ExportQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let filter = filter(q)?;
    load(&state, id).await?;
    let rows = predictions::predictions(state.jobs.pool(), id, &filter).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/tab-separated-values; charset=utf-8",
        )],
        predictions::tsv_text(&rows),
    ))
}

/// CAFA submission lines `protein<TAB>GO id<TAB>score` (4 decimals), one per (protein,
/// term); the score is the re-ranker's when one ran, else `max(0, 1 − distance)`.
#[utoipa::path(get, path = "/embeddings/prediction-sets/{id}/predictions-cafa.tsv", tag = "predictions",
    params(("id" = Uuid, Path), ExportQuery),
    responses((status = 200, content_type = "text/tab-separated-values", body = String),
        (status = 404, body = crate::error::ErrorBody)))]
async fn cafa(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<ExportQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let filter = filter(q)?;
    load(&state, id).await?;
    let rows = predictions::predictions(state.jobs.pool(), id, &filter).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/tab-separated-values; charset=utf-8",
        )],
        predictions::cafa_text(&rows),
    ))
}
