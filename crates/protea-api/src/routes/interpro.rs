//! `/proteins/{accession}/interpro`: the stored InterProScan matches of one
//! protein (what run_interproscan_batch wrote). Read-only.

use crate::extract::Query;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Path, State};
use protea_store::interpro_hits;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(protein_interpro))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct HitsQuery {
    /// Keep one InterProScan release (as stored, e.g. `5.77-108.0`).
    release: Option<String>,
}

/// The InterProScan matches of a protein, by release and position:
/// `{accession, count, hits: [{ipr_accession, ipr_name, signature_db,
/// signature_accession, signature_name, start_pos, end_pos, score,
/// ipr_release, job_id, created_at}]}` (an empty list when never scanned).
#[utoipa::path(get, path = "/proteins/{accession}/interpro", tag = "proteins", params(HitsQuery),
    responses((status = 200, body = Object)))]
async fn protein_interpro(
    State(state): State<AppState>,
    Path(accession): Path<String>,
    Query(q): Query<HitsQuery>,
) -> Result<Json<Value>, ApiError> {
    let hits =
        interpro_hits::protein_hits(state.jobs.pool(), &accession, q.release.as_deref()).await?;
    Ok(Json(
        json!({"accession": accession, "count": hits.len(), "hits": hits}),
    ))
}
