//! `scoring_config` rows: create, read, list, delete. Validation of formulas and weights is
//! `protea-evaluation`'s job; this module stores what it is given.

use sqlx::PgExecutor;
use sqlx::types::chrono::{DateTime, Utc};
use sqlx::types::{JsonValue, Uuid};

use crate::StoreError;

/// One `scoring_config` row.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ScoringConfigRow {
    pub id: Uuid,
    pub name: String,
    pub formula: String,
    pub weights: JsonValue,
    pub evidence_weights: Option<JsonValue>,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, name, formula, weights, evidence_weights, description, created_at";

/// What to insert.
#[derive(Debug, Clone, PartialEq)]
pub struct NewScoringConfig {
    pub name: String,
    pub formula: String,
    pub weights: JsonValue,
    pub evidence_weights: Option<JsonValue>,
    pub description: Option<String>,
}

/// Inserts a config with a fresh id (drawn by the server). `created_at` is the clock time,
/// not the transaction's, so configs inserted together keep their order.
pub async fn insert_scoring_config<'e>(
    db: impl PgExecutor<'e>,
    config: &NewScoringConfig,
) -> Result<ScoringConfigRow, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "insert into scoring_config (id, name, formula, weights, evidence_weights, description, created_at)
         values (gen_random_uuid(), $1, $2, $3, $4, $5, clock_timestamp()) returning {COLUMNS}"
    )))
    .bind(&config.name)
    .bind(&config.formula)
    .bind(&config.weights)
    .bind(&config.evidence_weights)
    .bind(&config.description)
    .fetch_one(db)
    .await?)
}

/// A config by id.
pub async fn scoring_config<'e>(
    db: impl PgExecutor<'e>,
    id: Uuid,
) -> Result<Option<ScoringConfigRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from scoring_config where id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// Every config, oldest first.
pub async fn list_scoring_configs<'e>(
    db: impl PgExecutor<'e>,
) -> Result<Vec<ScoringConfigRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from scoring_config order by created_at, id"
    )))
    .fetch_all(db)
    .await?)
}

/// Names among `names` that already exist (names are not unique in the schema; presets
/// are deduplicated by name).
pub async fn existing_names<'e>(
    db: impl PgExecutor<'e>,
    names: &[String],
) -> Result<Vec<String>, StoreError> {
    Ok(
        sqlx::query_scalar("select distinct name from scoring_config where name = any($1)")
            .bind(names)
            .fetch_all(db)
            .await?,
    )
}

/// Deletes a config; false if it did not exist.
pub async fn delete_scoring_config<'e>(
    db: impl PgExecutor<'e>,
    id: Uuid,
) -> Result<bool, StoreError> {
    let done = sqlx::query("delete from scoring_config where id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}
