//! `/annotations/evaluation-sets`: evaluation sets and their statistics, ground-truth
//! downloads (recomputed on demand), evaluation runs, results as 3 × 3 tables per metric
//! and PR curve data.

use std::collections::BTreeMap;

use crate::extract::{Json, Query};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use protea_evaluation::Category;
use protea_evaluation::delta::to_tsv;
use protea_jobs::SubmitRequest;
use protea_store::evaluation::{self, EvaluationResultRow, EvaluationSetRow, data};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_sets))
        .routes(routes!(generate_set))
        .routes(routes!(get_set, delete_set))
        .routes(routes!(delete_result))
        .routes(routes!(result_artifacts_zip))
        .routes(routes!(delta_proteins_fasta))
        .routes(routes!(ground_truth_nk))
        .routes(routes!(ground_truth_lk))
        .routes(routes!(ground_truth_pk))
        .routes(routes!(known_terms))
        .routes(routes!(run_evaluation))
        .routes(routes!(list_results))
        .routes(routes!(get_result))
        .routes(routes!(result_metrics_tsv))
        .routes(routes!(result_pr_curves))
}

/// An evaluation set with its statistics.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct EvaluationSetView {
    id: Uuid,
    old_annotation_set_id: Uuid,
    new_annotation_set_id: Uuid,
    pivot_ontology_snapshot_id: Option<Uuid>,
    job_id: Option<Uuid>,
    created_at: chrono::DateTime<chrono::Utc>,
    /// delta_proteins, nk/lk/pk proteins and annotations, known_terms_count, …
    #[schema(value_type = Object)]
    stats: Value,
}

impl From<EvaluationSetRow> for EvaluationSetView {
    fn from(r: EvaluationSetRow) -> Self {
        EvaluationSetView {
            id: r.id,
            old_annotation_set_id: r.old_annotation_set_id,
            new_annotation_set_id: r.new_annotation_set_id,
            pivot_ontology_snapshot_id: r.pivot_ontology_snapshot_id,
            job_id: r.job_id,
            created_at: r.created_at,
            stats: r.stats,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct Page {
    /// 1..500, default 50.
    limit: Option<i64>,
    /// Rows to skip, default 0.
    offset: Option<i64>,
}

/// Evaluation sets, newest first.
#[utoipa::path(get, path = "/annotations/evaluation-sets", tag = "evaluation", params(Page), responses(
    (status = 200, body = Vec<EvaluationSetView>),
    (status = 400, body = crate::error::ErrorBody),
))]
async fn list_sets(
    State(state): State<AppState>,
    Query(page): Query<Page>,
) -> Result<axum::Json<Vec<EvaluationSetView>>, ApiError> {
    let limit = page.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "limit must be between 1 and 500, got {limit}"
        )));
    }
    let offset = page.offset.unwrap_or(0).max(0);
    let rows = evaluation::list_evaluation_sets(state.jobs.pool(), limit, offset).await?;
    Ok(axum::Json(rows.into_iter().map(Into::into).collect()))
}

/// The body of `generate`: the generate_evaluation_set payload.
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GenerateBody {
    old_annotation_set_id: Uuid,
    new_annotation_set_id: Uuid,
    #[serde(default)]
    pivot_ontology_snapshot_id: Option<Uuid>,
}

/// A queued job.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Queued {
    id: Uuid,
    status: &'static str,
    queue_name: String,
}

pub(crate) async fn submit(
    state: &AppState,
    operation: &str,
    payload: Value,
) -> Result<Queued, ApiError> {
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

/// Queue `generate_evaluation_set`.
#[utoipa::path(post, path = "/annotations/evaluation-sets/generate", tag = "evaluation", request_body = GenerateBody, responses(
    (status = 201, body = Queued),
    (status = 422, body = crate::error::ErrorBody),
))]
async fn generate_set(
    State(state): State<AppState>,
    Json(body): Json<GenerateBody>,
) -> Result<(StatusCode, axum::Json<Queued>), ApiError> {
    let payload = serde_json::to_value(&body).map_err(|e| ApiError::Internal(e.to_string()))?;
    let queued = submit(&state, "generate_evaluation_set", payload).await?;
    Ok((StatusCode::CREATED, axum::Json(queued)))
}

async fn load_set(state: &AppState, id: Uuid) -> Result<EvaluationSetRow, ApiError> {
    evaluation::evaluation_set(state.jobs.pool(), id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("evaluation set {id} does not exist")))
}

/// One evaluation set.
#[utoipa::path(get, path = "/annotations/evaluation-sets/{id}", tag = "evaluation", params(("id" = Uuid, Path)), responses(
    (status = 200, body = EvaluationSetView),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn get_set(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<EvaluationSetView>, ApiError> {
    Ok(axum::Json(load_set(&state, id).await?.into()))
}

/// `accession<TAB>GO:…` lines of one category, recomputed from the annotations.
async fn ground_truth(
    state: &AppState,
    id: Uuid,
    category: Option<Category>,
) -> Result<impl IntoResponse + use<>, ApiError> {
    let set = load_set(state, id).await?;
    let mut conn = state.jobs.pool().acquire().await?;
    let delta = data::evaluation_set_delta(&mut conn, &set).await?;
    let body = match category {
        Some(c) => to_tsv(delta.ground_truth(c)),
        None => to_tsv(&delta.known),
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/tab-separated-values; charset=utf-8",
        )],
        body,
    ))
}

/// NK ground truth (`accession<TAB>go_id`, no header, sorted).
#[utoipa::path(get, path = "/annotations/evaluation-sets/{id}/ground-truth-NK.tsv", tag = "evaluation", params(("id" = Uuid, Path)), responses(
    (status = 200, content_type = "text/tab-separated-values", body = String),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn ground_truth_nk(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    ground_truth(&state, id, Some(Category::Nk)).await
}

/// LK ground truth.
#[utoipa::path(get, path = "/annotations/evaluation-sets/{id}/ground-truth-LK.tsv", tag = "evaluation", params(("id" = Uuid, Path)), responses(
    (status = 200, content_type = "text/tab-separated-values", body = String),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn ground_truth_lk(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    ground_truth(&state, id, Some(Category::Lk)).await
}

/// PK ground truth.
#[utoipa::path(get, path = "/annotations/evaluation-sets/{id}/ground-truth-PK.tsv", tag = "evaluation", params(("id" = Uuid, Path)), responses(
    (status = 200, content_type = "text/tab-separated-values", body = String),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn ground_truth_pk(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    ground_truth(&state, id, Some(Category::Pk)).await
}

/// All old experimental (non-negated, non-excluded) annotations.
#[utoipa::path(get, path = "/annotations/evaluation-sets/{id}/known-terms.tsv", tag = "evaluation", params(("id" = Uuid, Path)), responses(
    (status = 200, content_type = "text/tab-separated-values", body = String),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn known_terms(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    ground_truth(&state, id, None).await
}

/// Queue `run_cafa_evaluation` on this set. The body is the operation's payload without
/// `evaluation_set_id` (prediction_set_id, max_distance, scoring_config_id, reranker ids,
/// rerankers, ia_file, restrict_gt_to_predicted); the worker validates it.
#[utoipa::path(post, path = "/annotations/evaluation-sets/{id}/run", tag = "evaluation", params(("id" = Uuid, Path)),
    request_body(content = Object, description = "run_cafa_evaluation payload without evaluation_set_id"), responses(
    (status = 201, body = Queued),
    (status = 404, body = crate::error::ErrorBody),
    (status = 422, body = crate::error::ErrorBody),
))]
async fn run_evaluation(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Json(mut body): Json<Map<String, Value>>,
) -> Result<(StatusCode, axum::Json<Queued>), ApiError> {
    load_set(&state, id).await?;
    if body.contains_key("evaluation_set_id") {
        return Err(ApiError::Unprocessable(
            "evaluation_set_id comes from the path".into(),
        ));
    }
    body.insert("evaluation_set_id".into(), json!(id));
    let queued = submit(&state, "run_cafa_evaluation", Value::Object(body)).await?;
    Ok((StatusCode::CREATED, axum::Json(queued)))
}

/// The metrics of a result's tables, in order.
const METRICS: [&str; 7] = [
    "fmax",
    "precision",
    "recall",
    "tau",
    "coverage",
    "n_proteins",
    "fmax_w",
];

/// An evaluation result, with its results as one NK/LK/PK × BPO/MFO/CCO table per metric.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct EvaluationResultView {
    id: Uuid,
    evaluation_set_id: Uuid,
    prediction_set_id: Uuid,
    scoring_config_id: Option<Uuid>,
    reranker_model_id: Option<Uuid>,
    #[schema(value_type = Option<Object>)]
    reranker_config: Option<Value>,
    job_id: Option<Uuid>,
    created_at: chrono::DateTime<chrono::Utc>,
    /// `{NK|LK|PK: {BPO|MFO|CCO: {fmax, precision, recall, tau, coverage, n_proteins}}}`.
    #[schema(value_type = Object)]
    results: Value,
    /// `{metric: {NK|LK|PK: {BPO|MFO|CCO: value or null}}}`.
    #[schema(value_type = Object)]
    tables: Value,
    artifacts_uri: Option<String>,
}

/// Pivots `results` into one 3 × 3 table per metric (null where a cell is missing).
fn tables(results: &Value) -> Value {
    let mut out = Map::new();
    for metric in METRICS {
        let mut table = Map::new();
        for setting in Category::ALL {
            let mut row = Map::new();
            for aspect in ["BPO", "MFO", "CCO"] {
                let v = results
                    .pointer(&format!("/{}/{aspect}/{metric}", setting.name()))
                    .cloned()
                    .unwrap_or(Value::Null);
                row.insert(aspect.into(), v);
            }
            table.insert(setting.name().into(), Value::Object(row));
        }
        out.insert(metric.into(), Value::Object(table));
    }
    Value::Object(out)
}

impl From<EvaluationResultRow> for EvaluationResultView {
    fn from(r: EvaluationResultRow) -> Self {
        EvaluationResultView {
            tables: tables(&r.results),
            id: r.id,
            evaluation_set_id: r.evaluation_set_id,
            prediction_set_id: r.prediction_set_id,
            scoring_config_id: r.scoring_config_id,
            reranker_model_id: r.reranker_model_id,
            reranker_config: r.reranker_config,
            job_id: r.job_id,
            created_at: r.created_at,
            results: r.results,
            artifacts_uri: r.artifacts_uri,
        }
    }
}

/// The results of an evaluation set, newest first.
#[utoipa::path(get, path = "/annotations/evaluation-sets/{id}/results", tag = "evaluation", params(("id" = Uuid, Path)), responses(
    (status = 200, body = Vec<EvaluationResultView>),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn list_results(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<EvaluationResultView>>, ApiError> {
    load_set(&state, id).await?;
    let rows = evaluation::evaluation_results(state.jobs.pool(), id).await?;
    Ok(axum::Json(rows.into_iter().map(Into::into).collect()))
}

async fn load_result(
    state: &AppState,
    set: Uuid,
    id: Uuid,
) -> Result<EvaluationResultRow, ApiError> {
    evaluation::evaluation_result(state.jobs.pool(), id)
        .await?
        .filter(|r| r.evaluation_set_id == set)
        .ok_or_else(|| ApiError::NotFound(format!("evaluation result {id} does not exist")))
}

/// One evaluation result with its tables.
#[utoipa::path(get, path = "/annotations/evaluation-sets/{id}/results/{rid}", tag = "evaluation",
    params(("id" = Uuid, Path), ("rid" = Uuid, Path)), responses(
    (status = 200, body = EvaluationResultView),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn get_result(
    State(state): State<AppState>,
    Path((id, rid)): Path<(Uuid, Uuid)>,
) -> Result<axum::Json<EvaluationResultView>, ApiError> {
    Ok(axum::Json(load_result(&state, id, rid).await?.into()))
}

/// `setting namespace fmax precision recall tau coverage n_proteins`, one row per cell.
#[utoipa::path(get, path = "/annotations/evaluation-sets/{id}/results/{rid}/metrics.tsv", tag = "evaluation",
    params(("id" = Uuid, Path), ("rid" = Uuid, Path)), responses(
    (status = 200, content_type = "text/tab-separated-values", body = String),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn result_metrics_tsv(
    State(state): State<AppState>,
    Path((id, rid)): Path<(Uuid, Uuid)>,
) -> Result<impl IntoResponse, ApiError> {
    let r = load_result(&state, id, rid).await?;
    let mut out =
        String::from("setting\tnamespace\tfmax\tprecision\trecall\ttau\tcoverage\tn_proteins\n");
    for setting in Category::ALL {
        for aspect in ["BPO", "MFO", "CCO"] {
            let Some(cell) = r.results.pointer(&format!("/{}/{aspect}", setting.name())) else {
                continue;
            };
            out.push_str(&format!("{}\t{aspect}", setting.name()));
            for m in &METRICS[..6] {
                out.push('\t');
                out.push_str(&cell.get(*m).map(Value::to_string).unwrap_or_default());
            }
            out.push('\n');
        }
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/tab-separated-values; charset=utf-8",
        )],
        out,
    ))
}

/// PR curve data per setting: `{NK|LK|PK: [{namespace, tau, precision, recall, f,
/// coverage, …}]}`, read from the result's artifacts.
#[utoipa::path(get, path = "/annotations/evaluation-sets/{id}/results/{rid}/pr-curves", tag = "evaluation",
    params(("id" = Uuid, Path), ("rid" = Uuid, Path)), responses(
    (status = 200, body = Object),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn result_pr_curves(
    State(state): State<AppState>,
    Path((id, rid)): Path<(Uuid, Uuid)>,
) -> Result<axum::Json<BTreeMap<String, Vec<Map<String, Value>>>>, ApiError> {
    let r = load_result(&state, id, rid).await?;
    let root = r
        .artifacts_uri
        .ok_or_else(|| ApiError::NotFound("this result has no artifacts".into()))?;
    let mut out = BTreeMap::new();
    for setting in Category::ALL {
        let uri = format!("{root}/{}/pr_curves.tsv", setting.name());
        // A setting without ground truth or predictions has no curve file.
        let Ok(bytes) = protea_store::artifacts::read_uri(&uri) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
        let points = lines
            .map(|line| {
                header
                    .iter()
                    .zip(line.split('\t'))
                    .map(|(k, v)| {
                        let value = v.parse::<f64>().map_or_else(|_| json!(v), |x| json!(x));
                        (k.to_string(), value)
                    })
                    .collect()
            })
            .collect();
        out.insert(setting.name().to_owned(), points);
    }
    Ok(axum::Json(out))
}

/// Removes a result's artifact directory; best effort (the rows are already gone),
/// a failure is logged rather than returned.
fn remove_artifacts(uri: &str) {
    if let Some(dir) = protea_store::artifacts::file_uri_path(uri)
        && let Err(e) = std::fs::remove_dir_all(&dir)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(uri, error = %e, "could not remove artifacts");
    }
}

/// Deletes an evaluation set with its results and their artifacts (204).
#[utoipa::path(delete, path = "/annotations/evaluation-sets/{id}", tag = "evaluation", params(("id" = Uuid, Path)), responses(
    (status = 204), (status = 404, body = crate::error::ErrorBody)))]
async fn delete_set(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let uris = protea_store::curation::delete_evaluation_set(state.jobs.pool(), id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("evaluation set {id} does not exist")))?;
    uris.iter().for_each(|u| remove_artifacts(u));
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes one evaluation result and its artifacts (204).
#[utoipa::path(delete, path = "/annotations/evaluation-sets/{id}/results/{rid}", tag = "evaluation",
    params(("id" = Uuid, Path), ("rid" = Uuid, Path)), responses(
    (status = 204), (status = 404, body = crate::error::ErrorBody)))]
async fn delete_result(
    State(state): State<AppState>,
    Path((id, rid)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let uri = protea_store::curation::delete_evaluation_result(state.jobs.pool(), id, rid)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "result {rid} of evaluation set {id} does not exist"
            ))
        })?;
    if let Some(uri) = uri {
        remove_artifacts(&uri);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Every artifact of a result (cafaeval's TSVs, PR curves) as one zip.
#[utoipa::path(get, path = "/annotations/evaluation-sets/{id}/results/{rid}/artifacts.zip", tag = "evaluation",
    params(("id" = Uuid, Path), ("rid" = Uuid, Path)), responses(
    (status = 200, content_type = "application/zip", body = Vec<u8>), (status = 404, body = crate::error::ErrorBody)))]
async fn result_artifacts_zip(
    State(state): State<AppState>,
    Path((id, rid)): Path<(Uuid, Uuid)>,
) -> Result<impl IntoResponse, ApiError> {
    let r = load_result(&state, id, rid).await?;
    let dir = r
        .artifacts_uri
        .as_deref()
        .and_then(protea_store::artifacts::file_uri_path)
        .filter(|d| d.is_dir())
        .ok_or_else(|| ApiError::NotFound("this result has no artifacts".into()))?;
    let bytes = tokio::task::spawn_blocking(move || zip_dir(&dir))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"evaluation-{rid}.zip\""),
            ),
        ],
        bytes,
    ))
}

/// The files under `root`, deflated, with `/`-separated relative names in sorted order.
fn zip_dir(root: &std::path::Path) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
    use std::io::Write;
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for path in files {
        let name = path
            .strip_prefix(root)?
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        out.start_file(name, options)?;
        out.write_all(&std::fs::read(&path)?)?;
    }
    Ok(out.finish()?.into_inner())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeltaFastaQuery {
    /// `all` (default), `nk`, `lk` or `pk`.
    category: Option<String>,
}

/// The sequences of the delta proteins that are in the database, sorted by accession,
/// headed `>ACC [entry_name] [OS=organism] [OX=taxid] (NK|LK|PK)` (a protein both LK and
/// PK is labelled LK), wrapped at 60 residues.
#[utoipa::path(get, path = "/annotations/evaluation-sets/{id}/delta-proteins.fasta", tag = "evaluation",
    params(("id" = Uuid, Path), DeltaFastaQuery), responses(
    (status = 200, content_type = "text/x-fasta", body = String),
    (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
async fn delta_proteins_fasta(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<DeltaFastaQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let wanted = match q
        .category
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("all") => None,
        Some(c) => Some(Category::parse(c).ok_or_else(|| {
            ApiError::BadRequest(format!("category must be all, nk, lk or pk, not {c:?}"))
        })?),
    };
    let set = load_set(&state, id).await?;
    let mut conn = state.jobs.pool().acquire().await?;
    let delta = data::evaluation_set_delta(&mut conn, &set).await?;
    drop(conn);
    // One label per protein: NK, else LK, else PK.
    let label = |cats: &[(protea_core::Aspect, Category)]| {
        [Category::Nk, Category::Lk, Category::Pk]
            .into_iter()
            .find(|c| cats.iter().any(|(_, x)| x == c))
    };
    let chosen: Vec<(String, Category)> = delta
        .categories
        .iter()
        .filter(|(_, cats)| wanted.is_none_or(|w| cats.iter().any(|(_, c)| *c == w)))
        .filter_map(|(acc, cats)| label(cats).map(|l| (acc.clone(), l)))
        .collect();
    let accessions: Vec<String> = chosen.iter().map(|(a, _)| a.clone()).collect();
    let labels: BTreeMap<String, Category> = chosen.into_iter().collect();
    let proteins = protea_store::browse::protein_sequences(state.jobs.pool(), &accessions).await?;
    let mut body = String::new();
    for p in proteins {
        body.push('>');
        body.push_str(&p.accession);
        for part in [
            p.entry_name.clone(),
            p.organism.as_ref().map(|o| format!("OS={o}")),
            p.taxonomy_id.as_ref().map(|t| format!("OX={t}")),
        ]
        .into_iter()
        .flatten()
        {
            body.push(' ');
            body.push_str(&part);
        }
        body.push_str(&format!(" ({})\n", labels[&p.accession].name()));
        for line in p.sequence.as_bytes().chunks(60) {
            body.push_str(&String::from_utf8_lossy(line));
            body.push('\n');
        }
    }
    Ok((
        [(header::CONTENT_TYPE, "text/x-fasta; charset=utf-8")],
        body,
    ))
}
