//! Edits of the catalogue from the API: the IA URL of a snapshot, and deletions of
//! annotation sets, evaluation sets and evaluation results. Each runs in one
//! transaction; what still depends on a row is reported instead of broken.

use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

/// The outcome of an IA URL update.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct IaUrl {
    pub id: Uuid,
    pub obo_version: String,
    pub ia_url: Option<String>,
}

/// Sets (or clears, with `None` or an empty string) the IA URL of a snapshot;
/// `None` when the snapshot does not exist.
pub async fn set_ia_url(
    pool: &PgPool,
    snapshot: Uuid,
    ia_url: Option<&str>,
) -> Result<Option<IaUrl>, sqlx::Error> {
    let ia_url = ia_url.map(str::trim).filter(|u| !u.is_empty());
    sqlx::query_as(
        "update ontology_snapshot set ia_url = $2 where id = $1 returning id, obo_version, ia_url",
    )
    .bind(snapshot)
    .bind(ia_url)
    .fetch_optional(pool)
    .await
}

/// Why an annotation set cannot be deleted.
#[derive(Debug, Clone, Serialize)]
pub struct SetInUse {
    pub prediction_sets: Vec<Uuid>,
    pub evaluation_sets: Vec<Uuid>,
}

/// What deleting an annotation set did.
#[derive(Debug, Clone, Serialize)]
pub struct SetDeleted {
    pub deleted: Uuid,
    pub annotations_deleted: i64,
}

/// Deletes an annotation set and its annotations, unless a prediction or evaluation
/// set refers to it. `Ok(None)`: no such set.
pub async fn delete_annotation_set(
    pool: &PgPool,
    set: Uuid,
) -> Result<Option<Result<SetDeleted, SetInUse>>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // Lock the set so no prediction or evaluation set can start using it meanwhile.
    let exists: Option<Uuid> =
        sqlx::query_scalar("select id from annotation_set where id = $1 for update")
            .bind(set)
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_none() {
        return Ok(None);
    }
    let prediction_sets: Vec<Uuid> = sqlx::query_scalar(
        "select id from prediction_set where annotation_set_id = $1 order by created_at",
    )
    .bind(set)
    .fetch_all(&mut *tx)
    .await?;
    let evaluation_sets: Vec<Uuid> = sqlx::query_scalar(
        "select id from evaluation_set where old_annotation_set_id = $1 or new_annotation_set_id = $1 \
         order by created_at",
    )
    .bind(set)
    .fetch_all(&mut *tx)
    .await?;
    if !prediction_sets.is_empty() || !evaluation_sets.is_empty() {
        return Ok(Some(Err(SetInUse {
            prediction_sets,
            evaluation_sets,
        })));
    }
    let annotations_deleted =
        sqlx::query("delete from protein_go_annotation where annotation_set_id = $1")
            .bind(set)
            .execute(&mut *tx)
            .await?
            .rows_affected() as i64;
    sqlx::query("delete from annotation_set where id = $1")
        .bind(set)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(Ok(SetDeleted {
        deleted: set,
        annotations_deleted,
    })))
}

/// Deletes an evaluation set with its results; returns the artifact URIs of the
/// deleted results (for the caller to remove), or `None` when there is no such set.
pub async fn delete_evaluation_set(
    pool: &PgPool,
    set: Uuid,
) -> Result<Option<Vec<String>>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let uris: Vec<Option<String>> = sqlx::query_scalar(
        "delete from evaluation_result where evaluation_set_id = $1 returning artifacts_uri",
    )
    .bind(set)
    .fetch_all(&mut *tx)
    .await?;
    let deleted = sqlx::query("delete from evaluation_set where id = $1")
        .bind(set)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if deleted == 0 {
        // Nothing to delete: the transaction rolls back on drop.
        return Ok(None);
    }
    tx.commit().await?;
    Ok(Some(uris.into_iter().flatten().collect()))
}

/// Deletes one result of an evaluation set; `Some(artifacts_uri)` when it existed.
pub async fn delete_evaluation_result(
    pool: &PgPool,
    set: Uuid,
    result: Uuid,
) -> Result<Option<Option<String>>, sqlx::Error> {
    sqlx::query_scalar(
        "delete from evaluation_result where id = $1 and evaluation_set_id = $2 returning artifacts_uri",
    )
    .bind(result)
    .bind(set)
    .fetch_optional(pool)
    .await
}
