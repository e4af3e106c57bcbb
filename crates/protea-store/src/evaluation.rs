//! Queries of the evaluation feature: the snapshot graph and annotation rows the CAFA delta
//! needs, evaluation sets, evaluation results, and the prediction rows of an evaluation run.
//!
//! Rows are plain structs of database types (GO ids as text); the evaluation logic itself
//! lives in `protea-evaluation`. These queries read `go_term`, `go_term_relationship` and
//! `protein_go_annotation` directly, so this module does not depend on the ingestion ones.

pub mod data;

use sqlx::PgExecutor;
use sqlx::types::chrono::{DateTime, Utc};
use sqlx::types::{JsonValue, Uuid};

use crate::StoreError;

/// The columns of `annotation_set` the evaluation needs.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AnnotationSetRef {
    pub id: Uuid,
    pub ontology_snapshot_id: Uuid,
}

/// Looks up an annotation set.
pub async fn annotation_set<'e>(
    db: impl PgExecutor<'e>,
    id: Uuid,
) -> Result<Option<AnnotationSetRef>, StoreError> {
    Ok(
        sqlx::query_as("select id, ontology_snapshot_id from annotation_set where id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?,
    )
}

/// The columns of `ontology_snapshot` the evaluation needs.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SnapshotRef {
    pub id: Uuid,
    pub obo_version: String,
    pub ia_url: Option<String>,
}

/// Looks up an ontology snapshot.
pub async fn snapshot<'e>(
    db: impl PgExecutor<'e>,
    id: Uuid,
) -> Result<Option<SnapshotRef>, StoreError> {
    Ok(
        sqlx::query_as("select id, obo_version, ia_url from ontology_snapshot where id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?,
    )
}

/// One term of a snapshot.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TermRow {
    pub go_id: String,
    /// `P`, `F`, `C` or NULL.
    pub aspect: Option<String>,
    pub is_obsolete: bool,
}

/// Every term of a snapshot, by GO id.
pub async fn snapshot_terms<'e>(
    db: impl PgExecutor<'e>,
    snapshot: Uuid,
) -> Result<Vec<TermRow>, StoreError> {
    Ok(sqlx::query_as(
        "select go_id, aspect, is_obsolete from go_term where ontology_snapshot_id = $1 order by go_id",
    )
    .bind(snapshot)
    .fetch_all(db)
    .await?)
}

/// One edge `child → parent` of a snapshot, by GO id.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EdgeRow {
    pub child: String,
    pub parent: String,
    pub relation_type: String,
}

/// The `is_a` and `part_of` edges of a snapshot (the only ones the evaluation uses).
pub async fn snapshot_edges<'e>(
    db: impl PgExecutor<'e>,
    snapshot: Uuid,
) -> Result<Vec<EdgeRow>, StoreError> {
    Ok(sqlx::query_as(
        "select c.go_id as child, p.go_id as parent, r.relation_type
           from go_term_relationship r
           join go_term c on c.id = r.child_go_term_id
           join go_term p on p.id = r.parent_go_term_id
          where r.ontology_snapshot_id = $1 and r.relation_type in ('is_a', 'part_of')
          order by c.go_id, r.relation_type, p.go_id",
    )
    .bind(snapshot)
    .fetch_all(db)
    .await?)
}

/// Alternative ids of a snapshot: `(alt_go_id, primary go_id)`.
pub async fn snapshot_alt_ids<'e>(
    db: impl PgExecutor<'e>,
    snapshot: Uuid,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "select a.alt_go_id, t.go_id from go_term_alt_id a join go_term t on t.id = a.go_term_id
          where a.ontology_snapshot_id = $1 order by a.alt_go_id",
    )
    .bind(snapshot)
    .fetch_all(db)
    .await?)
}

/// One annotation as the delta reads it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DeltaAnnotationRow {
    pub protein_accession: String,
    pub go_id: String,
    pub qualifier: Option<String>,
    pub evidence_code: Option<String>,
}

/// The annotations of a set that can matter to the delta: negated ones (any evidence) and
/// those whose evidence code is in `experimental`. The delta re-applies both rules; this
/// filter only keeps IEA-sized sets out of memory.
pub async fn delta_annotations<'e>(
    db: impl PgExecutor<'e>,
    annotation_set: Uuid,
    experimental: &[&str],
) -> Result<Vec<DeltaAnnotationRow>, StoreError> {
    let codes: Vec<String> = experimental.iter().map(|c| c.to_string()).collect();
    Ok(sqlx::query_as(
        "select a.protein_accession, t.go_id, a.qualifier, a.evidence_code
           from protein_go_annotation a join go_term t on t.id = a.go_term_id
          where a.annotation_set_id = $1
            and (a.qualifier like '%NOT%' or a.evidence_code = any($2))",
    )
    .bind(annotation_set)
    .bind(codes)
    .fetch_all(db)
    .await?)
}

/// One `evaluation_set` row.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EvaluationSetRow {
    pub id: Uuid,
    pub old_annotation_set_id: Uuid,
    pub new_annotation_set_id: Uuid,
    pub pivot_ontology_snapshot_id: Option<Uuid>,
    pub job_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub stats: JsonValue,
}

const SET_COLUMNS: &str = "id, old_annotation_set_id, new_annotation_set_id, \
     pivot_ontology_snapshot_id, job_id, created_at, stats";

/// The evaluation set of an (old, new) pair, if one exists.
pub async fn evaluation_set_by_pair<'e>(
    db: impl PgExecutor<'e>,
    old: Uuid,
    new: Uuid,
) -> Result<Option<EvaluationSetRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {SET_COLUMNS} from evaluation_set
          where old_annotation_set_id = $1 and new_annotation_set_id = $2"
    )))
    .bind(old)
    .bind(new)
    .fetch_optional(db)
    .await?)
}

/// An evaluation set by id.
pub async fn evaluation_set<'e>(
    db: impl PgExecutor<'e>,
    id: Uuid,
) -> Result<Option<EvaluationSetRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {SET_COLUMNS} from evaluation_set where id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// Evaluation sets, newest first.
pub async fn list_evaluation_sets<'e>(
    db: impl PgExecutor<'e>,
    limit: i64,
    offset: i64,
) -> Result<Vec<EvaluationSetRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {SET_COLUMNS} from evaluation_set order by created_at desc, id limit $1 offset $2"
    )))
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?)
}

/// What to insert into `evaluation_set`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvaluationSet {
    pub id: Uuid,
    pub old_annotation_set_id: Uuid,
    pub new_annotation_set_id: Uuid,
    pub pivot_ontology_snapshot_id: Option<Uuid>,
    pub job_id: Option<Uuid>,
    pub stats: JsonValue,
}

/// Inserts an evaluation set unless its (old, new) pair exists; `None` when the unique
/// constraint kept it out (a concurrent job won the race).
pub async fn insert_evaluation_set<'e>(
    db: impl PgExecutor<'e>,
    set: &NewEvaluationSet,
) -> Result<Option<EvaluationSetRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "insert into evaluation_set (id, old_annotation_set_id, new_annotation_set_id,
                pivot_ontology_snapshot_id, job_id, stats)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (old_annotation_set_id, new_annotation_set_id) do nothing
         returning {SET_COLUMNS}"
    )))
    .bind(set.id)
    .bind(set.old_annotation_set_id)
    .bind(set.new_annotation_set_id)
    .bind(set.pivot_ontology_snapshot_id)
    .bind(set.job_id)
    .bind(&set.stats)
    .fetch_optional(db)
    .await?)
}

/// One `evaluation_result` row.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EvaluationResultRow {
    pub id: Uuid,
    pub evaluation_set_id: Uuid,
    pub prediction_set_id: Uuid,
    pub scoring_config_id: Option<Uuid>,
    pub reranker_model_id: Option<Uuid>,
    pub reranker_config: Option<JsonValue>,
    pub job_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub results: JsonValue,
    /// URI of the folder of output files in the artifact store.
    pub artifacts_uri: Option<String>,
}

const RESULT_COLUMNS: &str = "id, evaluation_set_id, prediction_set_id, scoring_config_id, \
     reranker_model_id, reranker_config, job_id, created_at, results, artifacts_uri";

/// Inserts an evaluation result (`created_at` from the server).
pub async fn insert_evaluation_result<'e>(
    db: impl PgExecutor<'e>,
    row: &EvaluationResultRow,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into evaluation_result (id, evaluation_set_id, prediction_set_id,
                scoring_config_id, reranker_model_id, reranker_config, job_id, results,
                artifacts_uri)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(row.id)
    .bind(row.evaluation_set_id)
    .bind(row.prediction_set_id)
    .bind(row.scoring_config_id)
    .bind(row.reranker_model_id)
    .bind(&row.reranker_config)
    .bind(row.job_id)
    .bind(&row.results)
    .bind(&row.artifacts_uri)
    .execute(db)
    .await?;
    Ok(())
}

/// The results of an evaluation set, newest first.
pub async fn evaluation_results<'e>(
    db: impl PgExecutor<'e>,
    evaluation_set: Uuid,
) -> Result<Vec<EvaluationResultRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {RESULT_COLUMNS} from evaluation_result where evaluation_set_id = $1
          order by created_at desc, id"
    )))
    .bind(evaluation_set)
    .fetch_all(db)
    .await?)
}

/// One evaluation result by id.
pub async fn evaluation_result<'e>(
    db: impl PgExecutor<'e>,
    id: Uuid,
) -> Result<Option<EvaluationResultRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {RESULT_COLUMNS} from evaluation_result where id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// The columns of `prediction_set` the evaluation needs.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PredictionSetRef {
    pub id: Uuid,
    pub ontology_snapshot_id: Uuid,
}

/// Looks up a prediction set.
pub async fn prediction_set<'e>(
    db: impl PgExecutor<'e>,
    id: Uuid,
) -> Result<Option<PredictionSetRef>, StoreError> {
    Ok(
        sqlx::query_as("select id, ontology_snapshot_id from prediction_set where id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?,
    )
}

/// One prediction with the signals the scoring configs use.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PredictionSignalRow {
    pub protein_accession: String,
    pub go_id: String,
    pub distance: f64,
    pub identity_nw: Option<f64>,
    pub identity_sw: Option<f64>,
    pub evidence_code: Option<String>,
    pub taxonomic_distance: Option<i32>,
}

/// The predictions of a set for the given proteins, ordered by (protein, term, distance).
pub async fn prediction_rows<'e>(
    db: impl PgExecutor<'e>,
    prediction_set: Uuid,
    proteins: &[String],
) -> Result<Vec<PredictionSignalRow>, StoreError> {
    Ok(sqlx::query_as(
        "select p.protein_accession, t.go_id, p.distance, p.identity_nw, p.identity_sw,
                p.evidence_code, p.taxonomic_distance
           from go_prediction p join go_term t on t.id = p.go_term_id
          where p.prediction_set_id = $1 and p.protein_accession = any($2)
          order by p.protein_accession, t.go_id, p.distance",
    )
    .bind(prediction_set)
    .bind(proteins)
    .fetch_all(db)
    .await?)
}

/// Whether a reranker model exists.
pub async fn reranker_exists<'e>(db: impl PgExecutor<'e>, id: Uuid) -> Result<bool, StoreError> {
    Ok(
        sqlx::query_scalar("select exists (select 1 from reranker_model where id = $1)")
            .bind(id)
            .fetch_one(db)
            .await?,
    )
}
