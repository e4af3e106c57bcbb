//! `/scoring/configs`: scoring configs (formula, signal weights, evidence-weight overrides)
//! and the five presets.

use crate::extract::Json;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use protea_evaluation::scoring::{ScoringConfig, SignalWeights, presets};
use protea_store::scoring::{self, NewScoringConfig, ScoringConfigRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_configs, create_config))
        .routes(routes!(create_presets))
        .routes(routes!(get_config, delete_config))
}

/// A scoring config.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ScoringConfigView {
    id: Uuid,
    name: String,
    /// `linear` or `evidence_weighted`.
    formula: String,
    /// Signal → weight (embedding_similarity, identity_nw, identity_sw, evidence_weight,
    /// taxonomic_proximity).
    #[schema(value_type = Object)]
    weights: Value,
    /// GO evidence code → weight in [0, 1], overriding the default table.
    #[schema(value_type = Option<Object>)]
    evidence_weights: Option<Value>,
    description: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
}

impl From<ScoringConfigRow> for ScoringConfigView {
    fn from(r: ScoringConfigRow) -> Self {
        ScoringConfigView {
            id: r.id,
            name: r.name,
            formula: r.formula,
            weights: r.weights,
            evidence_weights: r.evidence_weights,
            description: r.description,
            created_at: r.created_at,
        }
    }
}

/// All scoring configs, oldest first.
#[utoipa::path(get, path = "/scoring/configs", tag = "scoring", responses((status = 200, body = Vec<ScoringConfigView>)))]
async fn list_configs(
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<ScoringConfigView>>, ApiError> {
    let rows = scoring::list_scoring_configs(state.jobs.pool()).await?;
    Ok(axum::Json(rows.into_iter().map(Into::into).collect()))
}

/// The body of a new config.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateConfig {
    /// 1..255 characters.
    name: String,
    /// `linear` (default) or `evidence_weighted`.
    #[serde(default)]
    formula: Option<String>,
    /// Default: embedding_similarity 1, the others 0.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    weights: Option<Value>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    evidence_weights: Option<Value>,
    #[serde(default)]
    description: Option<String>,
}

/// Create a scoring config; formula, weights and evidence weights are checked.
#[utoipa::path(post, path = "/scoring/configs", tag = "scoring", request_body = CreateConfig, responses(
    (status = 201, body = ScoringConfigView),
    (status = 422, body = crate::error::ErrorBody),
))]
async fn create_config(
    State(state): State<AppState>,
    Json(body): Json<CreateConfig>,
) -> Result<(StatusCode, axum::Json<ScoringConfigView>), ApiError> {
    if body.name.trim().is_empty() || body.name.chars().count() > 255 {
        return Err(ApiError::Unprocessable(
            "name must have 1 to 255 characters".into(),
        ));
    }
    let formula = body.formula.unwrap_or_else(|| "linear".into());
    let weights = body
        .weights
        .unwrap_or_else(|| SignalWeights::default().to_json());
    let evidence_weights = body.evidence_weights.filter(|v| !v.is_null());
    ScoringConfig::from_parts(&formula, &weights, evidence_weights.as_ref())
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    let row = scoring::insert_scoring_config(
        state.jobs.pool(),
        &NewScoringConfig {
            name: body.name,
            formula,
            weights,
            evidence_weights,
            description: body.description,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(row.into())))
}

/// The presets created by a call.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PresetsCreated {
    created: Vec<String>,
}

/// Insert the five presets whose names do not exist yet (idempotent).
#[utoipa::path(post, path = "/scoring/configs/presets", tag = "scoring", responses((status = 201, body = PresetsCreated)))]
async fn create_presets(
    State(state): State<AppState>,
) -> Result<(StatusCode, axum::Json<PresetsCreated>), ApiError> {
    let all = presets();
    let names: Vec<String> = all.iter().map(|p| p.name.to_owned()).collect();
    let mut tx = state.jobs.pool().begin().await?;
    // Serialise concurrent calls so each preset is inserted once.
    sqlx::query("select pg_advisory_xact_lock(hashtext('protea.scoring_presets'))")
        .execute(&mut *tx)
        .await?;
    let existing = scoring::existing_names(&mut *tx, &names).await?;
    let mut created = Vec::new();
    for p in all {
        if existing.iter().any(|n| n == p.name) {
            continue;
        }
        scoring::insert_scoring_config(
            &mut *tx,
            &NewScoringConfig {
                name: p.name.into(),
                formula: p.config.formula.name().into(),
                weights: p.config.weights.to_json(),
                evidence_weights: None,
                description: Some(p.description.into()),
            },
        )
        .await?;
        created.push(p.name.to_owned());
    }
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(PresetsCreated { created })))
}

/// One scoring config.
#[utoipa::path(get, path = "/scoring/configs/{id}", tag = "scoring", params(("id" = Uuid, Path)), responses(
    (status = 200, body = ScoringConfigView),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn get_config(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ScoringConfigView>, ApiError> {
    scoring::scoring_config(state.jobs.pool(), id)
        .await?
        .map(|r| axum::Json(r.into()))
        .ok_or_else(|| ApiError::NotFound(format!("scoring config {id} does not exist")))
}

/// Delete a scoring config (results keep their numbers; their reference is cleared).
#[utoipa::path(delete, path = "/scoring/configs/{id}", tag = "scoring", params(("id" = Uuid, Path)), responses(
    (status = 204),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn delete_config(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    if scoring::delete_scoring_config(state.jobs.pool(), id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!(
            "scoring config {id} does not exist"
        )))
    }
}
