//! `/reranker-models`: registered LightGBM re-rankers (trained offline, by the lab or any
//! LightGBM) — import, list, show, delete.

use crate::extract::Json;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use protea_store::reranker_models::{self, NewRerankerModel, RerankerModelRow};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_models))
        .routes(routes!(import_model))
        .routes(routes!(get_model, delete_model))
}

/// A registered re-ranker (without its model text).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct RerankerModelView {
    id: Uuid,
    name: String,
    /// `nk`, `lk` or `pk`.
    category: String,
    /// `bpo`, `mfo`, `cco`, or null for every aspect.
    aspect: Option<String>,
    prediction_set_id: Option<Uuid>,
    evaluation_set_id: Option<Uuid>,
    artifact_uri: Option<String>,
    /// The feature schema the booster was trained on; scoring refuses a different live one.
    feature_schema_sha: Option<String>,
    #[schema(value_type = Object)]
    metrics: Value,
    /// Feature → total gain.
    #[schema(value_type = Object)]
    feature_importance: Value,
    /// Size of the LightGBM text model.
    model_bytes: i32,
    created_at: chrono::DateTime<chrono::Utc>,
    /// Only on `GET /reranker-models/{id}`: objective, trees, iterations, feature names.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    model: Option<Value>,
}

impl From<RerankerModelRow> for RerankerModelView {
    fn from(r: RerankerModelRow) -> Self {
        RerankerModelView {
            id: r.id,
            name: r.name,
            category: r.category,
            aspect: r.aspect,
            prediction_set_id: r.prediction_set_id,
            evaluation_set_id: r.evaluation_set_id,
            artifact_uri: r.artifact_uri,
            feature_schema_sha: r.feature_schema_sha,
            metrics: r.metrics,
            feature_importance: r.feature_importance,
            model_bytes: r.model_bytes,
            created_at: r.created_at,
            model: None,
        }
    }
}

/// All re-ranker models, oldest first.
#[utoipa::path(get, path = "/reranker-models", tag = "reranker-models", responses((status = 200, body = Vec<RerankerModelView>)))]
async fn list_models(
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<RerankerModelView>>, ApiError> {
    let rows = reranker_models::list_reranker_models(state.jobs.pool()).await?;
    Ok(axum::Json(rows.into_iter().map(Into::into).collect()))
}

/// The body of an import.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImportModel {
    /// Unique, 1..255 characters.
    name: String,
    /// `nk`, `lk` or `pk` (or give `cell`).
    #[serde(default)]
    category: Option<String>,
    /// `bpo`, `mfo`, `cco`; absent = every aspect.
    #[serde(default)]
    aspect: Option<String>,
    /// The lab's cell, `{category}-{aspect}` (e.g. `nk-mfo`) or `{category}`: an
    /// alternative to `category` + `aspect`.
    #[serde(default)]
    cell: Option<String>,
    /// The LightGBM text model (`model.txt`).
    model_data: String,
    /// `compute_feature_schema_sha` of the families the booster was trained on.
    feature_schema_sha: String,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    metrics: Option<Value>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    feature_importance: Option<Value>,
    /// Where the model came from (run directory, object-store URI).
    #[serde(default)]
    artifact_uri: Option<String>,
    #[serde(default)]
    prediction_set_id: Option<Uuid>,
    #[serde(default)]
    evaluation_set_id: Option<Uuid>,
}

/// Splits a lab cell (`nk-mfo`, `NK`) into category and aspect.
pub(crate) fn split_cell(cell: &str) -> (String, Option<String>) {
    let cell = cell.to_lowercase();
    match cell.split_once('-') {
        Some((c, a)) => (c.to_string(), Some(a.to_string())),
        None => (cell, None),
    }
}

/// Register a LightGBM re-ranker: the model text must parse and the feature schema sha is
/// required (the scoring guard compares it with the live schema).
#[utoipa::path(post, path = "/reranker-models/import", tag = "reranker-models", request_body = ImportModel, responses(
    (status = 201, body = RerankerModelView),
    (status = 409, body = crate::error::ErrorBody),
    (status = 422, body = crate::error::ErrorBody),
))]
async fn import_model(
    State(state): State<AppState>,
    Json(body): Json<ImportModel>,
) -> Result<(StatusCode, axum::Json<RerankerModelView>), ApiError> {
    let (category, aspect) = match (&body.cell, body.category) {
        (Some(cell), None) if body.aspect.is_none() => split_cell(cell),
        (None, Some(category)) => (category, body.aspect),
        (None, None) => {
            return Err(ApiError::Unprocessable(
                "category: required (or give cell)".into(),
            ));
        }
        _ => {
            return Err(ApiError::Unprocessable(
                "cell: give either cell or category/aspect, not both".into(),
            ));
        }
    };
    let model = NewRerankerModel {
        name: body.name,
        prediction_set_id: body.prediction_set_id,
        evaluation_set_id: body.evaluation_set_id,
        category,
        aspect,
        model_data: body.model_data,
        artifact_uri: body.artifact_uri,
        feature_schema_sha: Some(body.feature_schema_sha),
        metrics: body.metrics.unwrap_or_else(|| json!({})),
        feature_importance: body.feature_importance.unwrap_or_else(|| json!({})),
    };
    let row = reranker_models::import_reranker_model(state.jobs.pool(), &model).await?;
    Ok((StatusCode::CREATED, axum::Json(row.into())))
}

/// One re-ranker model, with a summary of its booster.
#[utoipa::path(get, path = "/reranker-models/{id}", tag = "reranker-models", responses(
    (status = 200, body = RerankerModelView),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn get_model(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<RerankerModelView>, ApiError> {
    let pool = state.jobs.pool();
    let row = reranker_models::reranker_model(pool, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("re-ranker model {id} does not exist")))?;
    let (text, _) = reranker_models::reranker_model_data(pool, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("re-ranker model {id} does not exist")))?;
    let mut view = RerankerModelView::from(row);
    view.model = Some(model_summary(&text));
    Ok(axum::Json(view))
}

/// What the stored booster holds (or why it no longer reads).
pub(crate) fn model_summary(text: &str) -> Value {
    match protea_reranker::Booster::from_text(text) {
        Ok(b) => json!({
            "objective": format!("{:?}", b.objective),
            "num_trees": b.trees.len(),
            "num_iterations": b.num_iterations(),
            "feature_names": b.feature_names,
            "categorical_features": b.categorical_features
                .iter()
                .map(|&c| b.feature_names[c].clone())
                .collect::<Vec<_>>(),
        }),
        Err(e) => json!({"error": e.to_string()}),
    }
}

/// Delete a re-ranker model (evaluation results keep their numbers).
#[utoipa::path(delete, path = "/reranker-models/{id}", tag = "reranker-models", responses(
    (status = 204),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn delete_model(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    if reranker_models::delete_reranker_model(state.jobs.pool(), id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!(
            "re-ranker model {id} does not exist"
        )))
    }
}
