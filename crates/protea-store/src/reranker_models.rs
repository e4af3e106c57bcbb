//! `reranker_model` rows: registered LightGBM re-rankers (the text model, the feature
//! schema sha it was trained on, its cell and metrics). Parsing and checking the model is
//! `protea-reranker`'s job; this module stores what it is given.

use sqlx::PgExecutor;
use sqlx::types::chrono::{DateTime, Utc};
use sqlx::types::{JsonValue, Uuid};

use crate::StoreError;

/// One `reranker_model` row without the model text (listings stay small).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RerankerModelRow {
    pub id: Uuid,
    pub name: String,
    pub prediction_set_id: Option<Uuid>,
    pub evaluation_set_id: Option<Uuid>,
    /// `nk`, `lk` or `pk`.
    pub category: String,
    /// `bpo`, `mfo`, `cco`, or `None` for all aspects.
    pub aspect: Option<String>,
    pub artifact_uri: Option<String>,
    pub feature_schema_sha: Option<String>,
    pub metrics: JsonValue,
    pub feature_importance: JsonValue,
    pub created_at: DateTime<Utc>,
    /// Length of the model text in bytes.
    pub model_bytes: i32,
}

const COLUMNS: &str = "id, name, prediction_set_id, evaluation_set_id, category, aspect, \
     artifact_uri, feature_schema_sha, metrics, feature_importance, created_at, \
     octet_length(model_data) as model_bytes";

/// What to insert.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRerankerModel {
    pub name: String,
    pub prediction_set_id: Option<Uuid>,
    pub evaluation_set_id: Option<Uuid>,
    pub category: String,
    pub aspect: Option<String>,
    pub model_data: String,
    pub artifact_uri: Option<String>,
    pub feature_schema_sha: Option<String>,
    pub metrics: JsonValue,
    pub feature_importance: JsonValue,
}

/// Inserts a model with a fresh id, unchecked (see [`import_reranker_model`]). A duplicate
/// name surfaces as the database's unique violation.
pub async fn insert_reranker_model<'e>(
    db: impl PgExecutor<'e>,
    model: &NewRerankerModel,
) -> Result<RerankerModelRow, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "insert into reranker_model (id, name, prediction_set_id, evaluation_set_id, category,
             aspect, model_data, artifact_uri, feature_schema_sha, metrics, feature_importance,
             created_at)
         values (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, clock_timestamp())
         returning {COLUMNS}"
    )))
    .bind(&model.name)
    .bind(model.prediction_set_id)
    .bind(model.evaluation_set_id)
    .bind(&model.category)
    .bind(&model.aspect)
    .bind(&model.model_data)
    .bind(&model.artifact_uri)
    .bind(&model.feature_schema_sha)
    .bind(&model.metrics)
    .bind(&model.feature_importance)
    .fetch_one(db)
    .await?)
}

/// A model by id (without its text).
pub async fn reranker_model<'e>(
    db: impl PgExecutor<'e>,
    id: Uuid,
) -> Result<Option<RerankerModelRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from reranker_model where id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// The LightGBM text of a model and the schema sha it was trained on.
pub async fn reranker_model_data<'e>(
    db: impl PgExecutor<'e>,
    id: Uuid,
) -> Result<Option<(String, Option<String>)>, StoreError> {
    Ok(
        sqlx::query_as("select model_data, feature_schema_sha from reranker_model where id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?,
    )
}

/// Whether a name is taken.
pub async fn name_exists<'e>(db: impl PgExecutor<'e>, name: &str) -> Result<bool, StoreError> {
    Ok(
        sqlx::query_scalar("select exists (select 1 from reranker_model where name = $1)")
            .bind(name)
            .fetch_one(db)
            .await?,
    )
}

/// Every model, oldest first.
pub async fn list_reranker_models<'e>(
    db: impl PgExecutor<'e>,
) -> Result<Vec<RerankerModelRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from reranker_model order by created_at, id"
    )))
    .fetch_all(db)
    .await?)
}

/// Deletes a model; false if it did not exist. Evaluation results keep their numbers
/// (their `reranker_model_id` becomes null).
pub async fn delete_reranker_model<'e>(
    db: impl PgExecutor<'e>,
    id: Uuid,
) -> Result<bool, StoreError> {
    let done = sqlx::query("delete from reranker_model where id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Why an import was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A field that does not hold what it must (the model text included).
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("a re-ranker model named {0:?} already exists")]
    DuplicateName(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &'static str, message: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        field,
        message: message.into(),
    }
}

/// Checks a model before it is stored: name 1..255 characters, category `nk|lk|pk`,
/// aspect `bpo|mfo|cco` or none, a 12–64 character lower-case hex feature schema sha (the
/// guard needs it), JSON objects for metrics and importance, and a LightGBM text model
/// that parses. Returns the parsed booster.
pub fn validate(model: &NewRerankerModel) -> Result<protea_reranker::Booster, ImportError> {
    let name_len = model.name.trim().chars().count();
    if name_len == 0 || model.name.chars().count() > 255 {
        return Err(invalid("name", "must have 1 to 255 characters"));
    }
    if !matches!(model.category.as_str(), "nk" | "lk" | "pk") {
        return Err(invalid(
            "category",
            format!("must be nk, lk or pk, got {:?}", model.category),
        ));
    }
    if let Some(a) = &model.aspect
        && !matches!(a.as_str(), "bpo" | "mfo" | "cco")
    {
        return Err(invalid(
            "aspect",
            format!("must be bpo, mfo or cco (or absent for all), got {a:?}"),
        ));
    }
    match &model.feature_schema_sha {
        Some(sha)
            if (12..=64).contains(&sha.len())
                && sha
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) => {}
        Some(sha) => {
            return Err(invalid(
                "feature_schema_sha",
                format!("must be 12 to 64 lower-case hex characters, got {sha:?}"),
            ));
        }
        None => {
            return Err(invalid(
                "feature_schema_sha",
                "required: scoring refuses a model whose schema cannot be checked",
            ));
        }
    }
    for (field, value) in [
        ("metrics", &model.metrics),
        ("feature_importance", &model.feature_importance),
    ] {
        if !value.is_object() {
            return Err(invalid(field, "must be a JSON object"));
        }
    }
    protea_reranker::Booster::from_text(&model.model_data)
        .map_err(|e| invalid("model_data", e.to_string()))
}

/// Validates and inserts a model in one transaction; a taken name is
/// [`ImportError::DuplicateName`] (also when a concurrent import wins the race).
pub async fn import_reranker_model(
    pool: &sqlx::PgPool,
    model: &NewRerankerModel,
) -> Result<RerankerModelRow, ImportError> {
    validate(model)?;
    let mut tx = pool.begin().await.map_err(StoreError::from)?;
    if name_exists(&mut *tx, &model.name).await? {
        return Err(ImportError::DuplicateName(model.name.clone()));
    }
    for (field, table, id) in [
        (
            "prediction_set_id",
            "prediction_set",
            model.prediction_set_id,
        ),
        (
            "evaluation_set_id",
            "evaluation_set",
            model.evaluation_set_id,
        ),
    ] {
        if let Some(id) = id {
            let found: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "select exists (select 1 from {table} where id = $1)"
            )))
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            if !found {
                return Err(invalid(field, format!("{table} {id} does not exist")));
            }
        }
    }
    let row = match insert_reranker_model(&mut *tx, model).await {
        Ok(row) => row,
        Err(StoreError::Sqlx(sqlx::Error::Database(db)))
            if db.code().as_deref() == Some("23505") =>
        {
            return Err(ImportError::DuplicateName(model.name.clone()));
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await.map_err(StoreError::from)?;
    Ok(row)
}
