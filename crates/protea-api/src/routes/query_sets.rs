//! `/query-sets`: upload a FASTA as a named query set (raw body with
//! `?name=&description=`, or a multipart form with a `file` field), list, show (entries paginated), delete. An
//! invalid upload is a 422 with a per-record report and writes nothing.

use crate::extract::Query;
use crate::{ApiError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Request};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use protea_ops::query_set_upload::{self, UploadError};
use protea_store::query_sets;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload, list))
        .routes(routes!(get_one, delete_one))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct UploadQuery {
    /// Name of the set (required here or as a form field).
    name: Option<String>,
    description: Option<String>,
}

/// Upload a FASTA as a query set: either the raw request body (name and
/// description as query parameters) or a `multipart/form-data` form with a
/// `file` field (and optional `name` / `description` fields). 201 `{id,
/// name, description, created_at, entry_count, sequences_inserted}`; 422
/// with `records: [{line, accession, issues}]` when records are invalid.
#[utoipa::path(post, path = "/query-sets", tag = "query-sets", params(UploadQuery),
    request_body(content = String, content_type = "text/plain", description = "FASTA text (or multipart/form-data with a `file` field)"),
    responses((status = 201, body = Object), (status = 422, body = Object)))]
async fn upload(
    State(state): State<AppState>,
    Query(q): Query<UploadQuery>,
    request: Request,
) -> Result<Response, ApiError> {
    let (mut name, mut description) = (q.name, q.description);
    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (fasta, source) = if is_form {
        let mut form = Multipart::from_request(request, &())
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        let mut file = None;
        while let Some(field) = form.next_field().await.map_err(multipart_error)? {
            match field.name() {
                Some("file") => {
                    let source = field.file_name().unwrap_or("upload").to_owned();
                    file = Some((field.bytes().await.map_err(multipart_error)?, source));
                }
                Some("name") => name = Some(field.text().await.map_err(multipart_error)?),
                Some("description") => {
                    description = Some(field.text().await.map_err(multipart_error)?)
                }
                other => {
                    return Err(ApiError::BadRequest(format!(
                        "unexpected form field {other:?}: expected `file`, `name` or `description`"
                    )));
                }
            }
        }
        file.ok_or_else(|| {
            ApiError::BadRequest("the form has no `file` field with the FASTA".into())
        })?
    } else {
        let body = Bytes::from_request(request, &())
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge("request body too large".into())
                } else {
                    ApiError::BadRequest(rejection.body_text())
                }
            })?;
        (body, "upload".to_owned())
    };
    let name = name.filter(|n| !n.trim().is_empty()).ok_or_else(|| {
        ApiError::BadRequest("a query set needs a `name` (query parameter or form field)".into())
    })?;
    match query_set_upload::upload(
        state.jobs.pool(),
        &name,
        description.as_deref(),
        &fasta,
        &source,
    )
    .await
    {
        Ok(uploaded) => Ok((StatusCode::CREATED, Json(json!(uploaded))).into_response()),
        Err(UploadError::Invalid(detail)) => Err(ApiError::Unprocessable(detail)),
        Err(err @ UploadError::BadRecords { .. }) => {
            let detail = err.to_string();
            let UploadError::BadRecords { report, .. } = err else {
                unreachable!()
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({"detail": detail, "code": "invalid_fasta", "records": report})),
            )
                .into_response())
        }
        Err(UploadError::Database(db)) => Err(db.into()),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageQuery {
    limit: Option<i64>,
    offset: Option<i64>,
}

fn page(q: &PageQuery) -> Result<(i64, i64), ApiError> {
    let (limit, offset) = (q.limit.unwrap_or(50), q.offset.unwrap_or(0));
    if !(1..=500).contains(&limit) || offset < 0 {
        return Err(ApiError::BadRequest(
            "limit must be 1..500 and offset >= 0".into(),
        ));
    }
    Ok((limit, offset))
}

/// Query sets, newest first, with entry counts.
#[utoipa::path(get, path = "/query-sets", tag = "query-sets", params(PageQuery), responses((status = 200, body = Object)))]
async fn list(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let (limit, offset) = page(&q)?;
    let (total, items) = query_sets::list(state.jobs.pool(), limit, offset).await?;
    Ok(Json(
        json!({"total": total, "offset": offset, "limit": limit, "items": items}),
    ))
}

/// One query set with its entries (paginated, upload order).
#[utoipa::path(get, path = "/query-sets/{id}", tag = "query-sets", params(PageQuery), responses(
    (status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let (limit, offset) = page(&q)?;
    let mut conn = state.jobs.pool().acquire().await?;
    let Some(set) = query_sets::get(&mut conn, id).await? else {
        return Err(ApiError::NotFound(format!("query set {id} not found")));
    };
    drop(conn);
    let entries = query_sets::entries(state.jobs.pool(), id, limit, offset).await?;
    let mut value = json!(set);
    value["entries"] = json!(entries);
    Ok(Json(value))
}

/// Delete a query set and its entries (sequences are kept).
#[utoipa::path(delete, path = "/query-sets/{id}", tag = "query-sets", responses(
    (status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
async fn delete_one(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    if query_sets::delete(state.jobs.pool(), id).await? {
        Ok(Json(json!({"deleted": id})))
    } else {
        Err(ApiError::NotFound(format!("query set {id} not found")))
    }
}

fn multipart_error(err: MultipartError) -> ApiError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge("request body too large".into())
    } else {
        ApiError::BadRequest(err.body_text())
    }
}
