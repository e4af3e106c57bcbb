//! What was loaded: `/proteins` (search, one protein, stats),
//! `/annotations/snapshots` (+ one term with ancestors and descendants) and
//! `/annotations/sets` (counts by aspect and evidence). Read-only and
//! paginated; the queries live in `protea_store::browse`.

use crate::extract::{Json as JsonBody, Query};
use crate::routes::evaluation::{Queued, submit};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use protea_store::browse::{self, ProteinFilter};
use protea_store::curation;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_proteins))
        .routes(routes!(protein_stats))
        .routes(routes!(get_protein))
        .routes(routes!(list_snapshots))
        .routes(routes!(get_snapshot))
        .routes(routes!(get_term))
        .routes(routes!(list_sets))
        .routes(routes!(get_set, delete_set))
        .routes(routes!(protein_annotations))
        .routes(routes!(subgraph))
        .routes(routes!(set_ia_url))
        .routes(routes!(load_snapshot))
        .routes(routes!(load_goa))
        .routes(routes!(load_quickgo))
}

/// Pagination: `limit` 1..500 (default 50), `offset` ≥ 0.
fn page(limit: Option<i64>, offset: Option<i64>) -> Result<(i64, i64), ApiError> {
    let limit = limit.unwrap_or(50);
    let offset = offset.unwrap_or(0);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::BadRequest(
            "limit must be between 1 and 500".into(),
        ));
    }
    if offset < 0 {
        return Err(ApiError::BadRequest("offset must be >= 0".into()));
    }
    Ok((limit, offset))
}

fn to_json<T: serde::Serialize>(value: T) -> Result<Json<Value>, ApiError> {
    serde_json::to_value(value)
        .map(Json)
        .map_err(|e| ApiError::Internal(e.to_string()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProteinQuery {
    /// Substring of accession, entry name, gene name or organism (case-insensitive).
    search: Option<String>,
    reviewed: Option<bool>,
    /// Default true: isoforms are hidden.
    canonical_only: Option<bool>,
    taxonomy_id: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Proteins ordered by accession: `{total, offset, limit, items}`.
#[utoipa::path(get, path = "/proteins", tag = "proteins", params(ProteinQuery), responses((status = 200, body = Object)))]
async fn list_proteins(
    State(state): State<AppState>,
    Query(q): Query<ProteinQuery>,
) -> Result<Json<Value>, ApiError> {
    let (limit, offset) = page(q.limit, q.offset)?;
    let filter = ProteinFilter {
        search: q.search.filter(|s| !s.trim().is_empty()),
        reviewed: q.reviewed,
        canonical_only: q.canonical_only.unwrap_or(true),
        taxonomy_id: q.taxonomy_id,
    };
    to_json(browse::proteins(state.jobs.pool(), &filter, limit, offset).await?)
}

/// Counts: total, canonical, isoforms, reviewed, with metadata, with annotations.
#[utoipa::path(get, path = "/proteins/stats", tag = "proteins", responses((status = 200, body = Object)))]
async fn protein_stats(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    to_json(browse::protein_stats(state.jobs.pool()).await?)
}

/// One protein with its sequence, UniProt metadata and isoforms.
#[utoipa::path(get, path = "/proteins/{accession}", tag = "proteins", responses(
    (status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
async fn get_protein(
    State(state): State<AppState>,
    Path(accession): Path<String>,
) -> Result<Json<Value>, ApiError> {
    match browse::protein(state.jobs.pool(), &accession).await? {
        Some(p) => to_json(p),
        None => Err(ApiError::NotFound(format!("protein {accession} not found"))),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageQuery {
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Ontology snapshots, newest first, with term and relationship counts.
#[utoipa::path(get, path = "/annotations/snapshots", tag = "ontology", params(PageQuery), responses((status = 200, body = Object)))]
async fn list_snapshots(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let (limit, offset) = page(q.limit, q.offset)?;
    to_json(browse::snapshots(state.jobs.pool(), limit, offset).await?)
}

#[utoipa::path(get, path = "/annotations/snapshots/{id}", tag = "ontology", responses(
    (status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
async fn get_snapshot(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    match browse::snapshot(state.jobs.pool(), id).await? {
        Some(s) => to_json(s),
        None => Err(ApiError::NotFound(format!(
            "ontology snapshot {id} not found"
        ))),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct TermQuery {
    /// Levels to walk up and down, 1..20 (default 3).
    depth: Option<i32>,
    /// Comma-separated relation types (default: all).
    relations: Option<String>,
}

/// One term (GO id or alt_id) with its ancestors and descendants.
#[utoipa::path(get, path = "/annotations/snapshots/{id}/terms/{go_id}", tag = "ontology", params(TermQuery), responses(
    (status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
async fn get_term(
    State(state): State<AppState>,
    Path((id, go_id)): Path<(Uuid, String)>,
    Query(q): Query<TermQuery>,
) -> Result<Json<Value>, ApiError> {
    let depth = q.depth.unwrap_or(3);
    if !(1..=20).contains(&depth) {
        return Err(ApiError::BadRequest(
            "depth must be between 1 and 20".into(),
        ));
    }
    let relations: Vec<String> = q
        .relations
        .map(|r| {
            r.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    match browse::term(state.jobs.pool(), id, &go_id, depth, &relations).await? {
        Some(t) => to_json(t),
        None => Err(ApiError::NotFound(format!(
            "term {go_id} not found in snapshot {id}"
        ))),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetQuery {
    /// `goa` or `quickgo`.
    source: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Annotation sets, newest first, with annotation counts.
#[utoipa::path(get, path = "/annotations/sets", tag = "annotations", params(SetQuery), responses((status = 200, body = Object)))]
async fn list_sets(
    State(state): State<AppState>,
    Query(q): Query<SetQuery>,
) -> Result<Json<Value>, ApiError> {
    let (limit, offset) = page(q.limit, q.offset)?;
    to_json(browse::annotation_sets(state.jobs.pool(), q.source.as_deref(), limit, offset).await?)
}

/// One set with counts by aspect and by evidence code.
#[utoipa::path(get, path = "/annotations/sets/{id}", tag = "annotations", responses(
    (status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
async fn get_set(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    match browse::annotation_set(state.jobs.pool(), id).await? {
        Some(set) => {
            let mut value =
                serde_json::to_value(&set).map_err(|e| ApiError::Internal(e.to_string()))?;
            value["by_aspect"] = json!(
                set.by_aspect
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(v)))
                    .collect::<serde_json::Map<_, _>>()
            );
            value["by_evidence"] = json!(
                set.by_evidence
                    .iter()
                    .map(|(k, v)| json!({"evidence_code": k, "count": v}))
                    .collect::<Vec<_>>()
            );
            Ok(Json(value))
        }
        None => Err(ApiError::NotFound(format!("annotation set {id} not found"))),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProteinAnnotationsQuery {
    /// Only this annotation set.
    annotation_set_id: Option<Uuid>,
}

/// The GO annotations of a protein, by aspect then term name, with their sets.
#[utoipa::path(get, path = "/proteins/{accession}/annotations", tag = "proteins", params(ProteinAnnotationsQuery), responses(
    (status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
async fn protein_annotations(
    State(state): State<AppState>,
    Path(accession): Path<String>,
    Query(q): Query<ProteinAnnotationsQuery>,
) -> Result<Json<Value>, ApiError> {
    let rows =
        browse::protein_annotations(state.jobs.pool(), &accession, q.annotation_set_id).await?;
    if rows.is_empty()
        && browse::protein(state.jobs.pool(), &accession)
            .await?
            .is_none()
    {
        return Err(ApiError::NotFound(format!("protein {accession} not found")));
    }
    to_json(rows)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubgraphQuery {
    /// Comma-separated GO ids (alt_ids resolve to their term).
    go_ids: String,
    /// Levels to walk upwards, 1..6 (default 3).
    depth: Option<i32>,
}

/// The listed terms and their ancestors up to `depth` levels, through every relation
/// type: `{nodes: [{id, go_id, name, aspect, is_query}], edges: [{source, target, relation_type}]}`
/// (edges child → parent; empty lists when no listed term is in the snapshot).
#[utoipa::path(get, path = "/annotations/snapshots/{id}/subgraph", tag = "ontology", params(SubgraphQuery), responses(
    (status = 200, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
async fn subgraph(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<SubgraphQuery>,
) -> Result<Json<Value>, ApiError> {
    let depth = q.depth.unwrap_or(3);
    if !(1..=6).contains(&depth) {
        return Err(ApiError::BadRequest("depth must be between 1 and 6".into()));
    }
    if browse::snapshot(state.jobs.pool(), id).await?.is_none() {
        return Err(ApiError::NotFound(format!(
            "ontology snapshot {id} not found"
        )));
    }
    let go_ids: Vec<String> = q
        .go_ids
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    to_json(browse::subgraph(state.jobs.pool(), id, &go_ids, depth).await?)
}

/// Sets the IA file URL of a snapshot (used by evaluations without an explicit
/// `ia_file`). The body must contain `ia_url`: a string, or null (an empty string
/// also clears it).
#[utoipa::path(patch, path = "/annotations/snapshots/{id}/ia-url", tag = "ontology",
    request_body(content = Object, description = "{\"ia_url\": string | null}"), responses(
    (status = 200, body = Object), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
async fn set_ia_url(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let ia_url = match body.as_object().and_then(|o| o.get("ia_url")) {
        None => {
            return Err(ApiError::Unprocessable(
                "the body must be an object with the key `ia_url`".into(),
            ));
        }
        Some(Value::Null) => None,
        Some(Value::String(url)) => Some(url.as_str()),
        Some(_) => {
            return Err(ApiError::Unprocessable(
                "`ia_url` must be a string or null".into(),
            ));
        }
    };
    match curation::set_ia_url(state.jobs.pool(), id, ia_url).await? {
        Some(updated) => to_json(updated),
        None => Err(ApiError::NotFound(format!(
            "ontology snapshot {id} not found"
        ))),
    }
}

/// Deletes an annotation set and its annotations: `{deleted, annotations_deleted}`;
/// 409 while a prediction or evaluation set refers to it.
#[utoipa::path(delete, path = "/annotations/sets/{id}", tag = "annotations", responses(
    (status = 200, body = Object), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
async fn delete_set(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    match curation::delete_annotation_set(state.jobs.pool(), id).await? {
        None => Err(ApiError::NotFound(format!("annotation set {id} not found"))),
        Some(Ok(deleted)) => to_json(deleted),
        Some(Err(in_use)) => Err(ApiError::Conflict(format!(
            "annotation set {id} is used by {} prediction set(s) {:?} and {} evaluation set(s) {:?}; delete those first",
            in_use.prediction_sets.len(),
            in_use.prediction_sets,
            in_use.evaluation_sets.len(),
            in_use.evaluation_sets
        ))),
    }
}

/// Validates `payload` as `operation` would, then queues it (201).
async fn validated_submit(
    state: &AppState,
    operation: &str,
    payload: Value,
) -> Result<(StatusCode, axum::Json<Queued>), ApiError> {
    match state.jobs.registry().validate(operation, &payload) {
        Some(Err(e)) => return Err(ApiError::Unprocessable(e.to_string())),
        None => return Err(ApiError::Internal(format!("{operation} is not registered"))),
        Some(Ok(())) => {}
    }
    Ok((
        StatusCode::CREATED,
        axum::Json(submit(state, operation, payload).await?),
    ))
}

/// Queues `load_ontology_snapshot`; the body is its payload, checked before queueing.
#[utoipa::path(post, path = "/annotations/snapshots/load", tag = "ontology",
    request_body(content = Object, description = "load_ontology_snapshot payload"), responses(
    (status = 201, body = Queued), (status = 422, body = crate::error::ErrorBody)))]
async fn load_snapshot(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Value>,
) -> Result<(StatusCode, axum::Json<Queued>), ApiError> {
    validated_submit(&state, "load_ontology_snapshot", body).await
}

/// Queues `load_goa_annotations`; the body is its payload, checked before queueing.
#[utoipa::path(post, path = "/annotations/sets/load-goa", tag = "annotations",
    request_body(content = Object, description = "load_goa_annotations payload"), responses(
    (status = 201, body = Queued), (status = 422, body = crate::error::ErrorBody)))]
async fn load_goa(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Value>,
) -> Result<(StatusCode, axum::Json<Queued>), ApiError> {
    validated_submit(&state, "load_goa_annotations", body).await
}

/// Queues `load_quickgo_annotations`; the body is its payload, checked before queueing.
#[utoipa::path(post, path = "/annotations/sets/load-quickgo", tag = "annotations",
    request_body(content = Object, description = "load_quickgo_annotations payload"), responses(
    (status = 201, body = Queued), (status = 422, body = crate::error::ErrorBody)))]
async fn load_quickgo(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Value>,
) -> Result<(StatusCode, axum::Json<Queued>), ApiError> {
    validated_submit(&state, "load_quickgo_annotations", body).await
}
