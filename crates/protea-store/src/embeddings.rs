//! Embedding configs and stored vectors: `embedding_config` rows (create,
//! read, list with coverage, delete with what depends on them) and
//! `sequence_embedding` rows (sequence selection for a run, bulk insert with
//! `ON CONFLICT DO NOTHING`). Vectors are little-endian bytes with their
//! dtype and dimension; conversion from `f32` is [`encode_vector`]'s job.

use sqlx::types::chrono::{DateTime, Utc};
use sqlx::types::{JsonValue, Uuid};
use sqlx::{PgConnection, PgExecutor};

use crate::StoreError;

/// Rows per bulk statement.
pub const CHUNK: usize = 2_000;

/// One `embedding_config` row.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EmbeddingConfigRow {
    pub id: Uuid,
    pub model_name: String,
    pub model_backend: String,
    pub model_path: Option<String>,
    pub layer_indices: JsonValue,
    pub layer_agg: String,
    pub pooling: String,
    pub normalize_residues: bool,
    pub normalize: bool,
    pub max_length: i32,
    pub use_chunking: bool,
    pub chunk_size: i32,
    pub chunk_overlap: i32,
    pub embedding_dtype: String,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, model_name, model_backend, model_path, layer_indices, layer_agg, pooling, \
    normalize_residues, normalize, max_length, use_chunking, chunk_size, chunk_overlap, embedding_dtype, \
    description, created_at";

/// What to insert (validated by the caller).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEmbeddingConfig {
    pub model_name: String,
    pub model_backend: String,
    pub model_path: Option<String>,
    pub layer_indices: Vec<i64>,
    pub layer_agg: String,
    pub pooling: String,
    pub normalize_residues: bool,
    pub normalize: bool,
    pub max_length: i32,
    pub use_chunking: bool,
    pub chunk_size: i32,
    pub chunk_overlap: i32,
    pub embedding_dtype: String,
    pub description: Option<String>,
}

/// Inserts a config with a fresh id; `created_at` is the clock time so
/// configs created in one transaction keep their order.
pub async fn insert_config<'e>(
    db: impl PgExecutor<'e>,
    c: &NewEmbeddingConfig,
) -> Result<EmbeddingConfigRow, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "insert into embedding_config (id, model_name, model_backend, model_path, layer_indices, layer_agg, \
            pooling, normalize_residues, normalize, max_length, use_chunking, chunk_size, chunk_overlap, \
            embedding_dtype, description, created_at) \
         values (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, clock_timestamp()) \
         returning {COLUMNS}"
    )))
    .bind(&c.model_name)
    .bind(&c.model_backend)
    .bind(&c.model_path)
    .bind(serde_json::json!(c.layer_indices))
    .bind(&c.layer_agg)
    .bind(&c.pooling)
    .bind(c.normalize_residues)
    .bind(c.normalize)
    .bind(c.max_length)
    .bind(c.use_chunking)
    .bind(c.chunk_size)
    .bind(c.chunk_overlap)
    .bind(&c.embedding_dtype)
    .bind(&c.description)
    .fetch_one(db)
    .await?)
}

/// A config by id.
pub async fn config<'e>(
    db: impl PgExecutor<'e>,
    id: Uuid,
) -> Result<Option<EmbeddingConfigRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from embedding_config where id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// How much of the database a config covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Coverage {
    /// Stored vectors (one per chunk).
    pub embedding_count: i64,
    /// Distinct sequences with at least one vector.
    pub sequences_embedded: i64,
    /// Proteins whose sequence has a vector, of all proteins with a sequence.
    pub proteins_embedded: i64,
    pub proteins_total: i64,
    /// Distinct query-set sequences with a vector, of all query-set sequences.
    pub query_sequences_embedded: i64,
    pub query_sequences_total: i64,
}

/// Coverage of config `id`.
pub async fn coverage<'e>(db: impl PgExecutor<'e>, id: Uuid) -> Result<Coverage, StoreError> {
    let row: (i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "with e as (select sequence_id, count(*) as n from sequence_embedding \
                    where embedding_config_id = $1 group by sequence_id), \
              q as (select distinct sequence_id from query_set_entry) \
         select coalesce((select sum(n) from e), 0)::bigint, \
                (select count(*) from e), \
                (select count(*) from protein p join e on e.sequence_id = p.sequence_id), \
                (select count(*) from protein where sequence_id is not null), \
                (select count(*) from q join e using (sequence_id)), \
                (select count(*) from q)",
    )
    .bind(id)
    .fetch_one(db)
    .await?;
    Ok(Coverage {
        embedding_count: row.0,
        sequences_embedded: row.1,
        proteins_embedded: row.2,
        proteins_total: row.3,
        query_sequences_embedded: row.4,
        query_sequences_total: row.5,
    })
}

/// Every config, newest first.
pub async fn list_configs<'e>(
    db: impl PgExecutor<'e>,
) -> Result<Vec<EmbeddingConfigRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from embedding_config order by created_at desc, id"
    )))
    .fetch_all(db)
    .await?)
}

/// What [`delete_config`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeletedConfig {
    pub embeddings_deleted: i64,
    pub prediction_sets_deleted: i64,
    pub predictions_deleted: i64,
}

/// Deletes a config with everything that depends on it, as the reference
/// does: the GO predictions of its prediction sets, those sets (their
/// evaluation results cascade), its embeddings, then the config. `None`
/// when it does not exist. Runs on the caller's connection: wrap it in a
/// transaction so it is all or nothing.
pub async fn delete_config(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<DeletedConfig>, StoreError> {
    let exists: Option<Uuid> =
        sqlx::query_scalar("select id from embedding_config where id = $1 for update")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    if exists.is_none() {
        return Ok(None);
    }
    let predictions_deleted = sqlx::query(
        "delete from go_prediction where prediction_set_id in \
         (select id from prediction_set where embedding_config_id = $1)",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected() as i64;
    let prediction_sets_deleted =
        sqlx::query("delete from prediction_set where embedding_config_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected() as i64;
    let embeddings_deleted =
        sqlx::query("delete from sequence_embedding where embedding_config_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected() as i64;
    sqlx::query("delete from embedding_config where id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(Some(DeletedConfig {
        embeddings_deleted,
        prediction_sets_deleted,
        predictions_deleted,
    }))
}

/// Queued or running embedding jobs (compute or import) that name `config`:
/// a config is not deleted under them.
pub async fn active_jobs<'e>(
    db: impl PgExecutor<'e>,
    config: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    Ok(sqlx::query_scalar(
        "select id from job where operation in ('compute_embeddings', 'import_embeddings') \
         and status in ('QUEUED', 'RUNNING') and payload->>'embedding_config_id' = $1::text order by created_at",
    )
    .bind(config)
    .fetch_all(db)
    .await?)
}

/// Sequence ids of a query set's entries (distinct, ascending).
pub async fn query_set_sequences<'e>(
    db: impl PgExecutor<'e>,
    query_set: Uuid,
) -> Result<Vec<i32>, StoreError> {
    Ok(sqlx::query_scalar(
        "select distinct sequence_id from query_set_entry where query_set_id = $1 order by 1",
    )
    .bind(query_set)
    .fetch_all(db)
    .await?)
}

/// Distinct non-null sequence ids of `accessions` (ascending) and the
/// accessions that name no protein with a sequence.
pub async fn accession_sequences(
    conn: &mut PgConnection,
    accessions: &[String],
) -> Result<(Vec<i32>, Vec<String>), StoreError> {
    let rows: Vec<(String, i32)> = sqlx::query_as(
        "select accession, sequence_id from protein where accession = any($1) and sequence_id is not null",
    )
    .bind(accessions)
    .fetch_all(&mut *conn)
    .await?;
    let found: std::collections::HashSet<&str> = rows.iter().map(|(a, _)| a.as_str()).collect();
    let missing = accessions
        .iter()
        .filter(|a| !found.contains(a.as_str()))
        .cloned()
        .collect();
    let mut ids: Vec<i32> = rows.iter().map(|(_, s)| *s).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok((ids, missing))
}

/// Every sequence id (ascending).
pub async fn all_sequences<'e>(db: impl PgExecutor<'e>) -> Result<Vec<i32>, StoreError> {
    Ok(sqlx::query_scalar("select id from sequence order by id")
        .fetch_all(db)
        .await?)
}

/// The subset of `ids` that already has at least one vector for `config`.
pub async fn embedded_among(
    conn: &mut PgConnection,
    config: Uuid,
    ids: &[i32],
) -> Result<std::collections::HashSet<i32>, StoreError> {
    let mut out = std::collections::HashSet::new();
    for chunk in ids.chunks(crate::proteins::CHUNK) {
        let found: Vec<i32> = sqlx::query_scalar(
            "select distinct sequence_id from sequence_embedding \
             where embedding_config_id = $1 and sequence_id = any($2)",
        )
        .bind(config)
        .bind(chunk)
        .fetch_all(&mut *conn)
        .await?;
        out.extend(found);
    }
    Ok(out)
}

/// `(id, residues)` of the given sequences, in id order.
pub async fn sequences_by_id(
    conn: &mut PgConnection,
    ids: &[i32],
) -> Result<Vec<(i32, String)>, StoreError> {
    Ok(
        sqlx::query_as("select id, sequence from sequence where id = any($1) order by id")
            .bind(ids)
            .fetch_all(&mut *conn)
            .await?,
    )
}

/// Deletes the vectors of `ids` for `config` (a recompute without skip_existing).
pub async fn delete_vectors(
    conn: &mut PgConnection,
    config: Uuid,
    ids: &[i32],
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "delete from sequence_embedding where embedding_config_id = $1 and sequence_id = any($2)",
    )
    .bind(config)
    .bind(ids)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// One vector to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewVector {
    pub sequence_id: i32,
    pub chunk_index_s: i32,
    pub chunk_index_e: Option<i32>,
    pub vector: Vec<f32>,
}

/// Element type of stored vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorDtype {
    Float32,
    Float16,
}

impl VectorDtype {
    pub fn parse(s: &str) -> Option<VectorDtype> {
        match s {
            "float32" => Some(VectorDtype::Float32),
            "float16" => Some(VectorDtype::Float16),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VectorDtype::Float32 => "float32",
            VectorDtype::Float16 => "float16",
        }
    }
}

/// Little-endian bytes of `v` in `dtype`.
pub fn encode_vector(v: &[f32], dtype: VectorDtype) -> Vec<u8> {
    match dtype {
        VectorDtype::Float32 => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        VectorDtype::Float16 => v
            .iter()
            .flat_map(|x| half::f16::from_f32(*x).to_le_bytes())
            .collect(),
    }
}

/// The `f32` values of stored bytes.
pub fn decode_vector(bytes: &[u8], dtype: VectorDtype) -> Vec<f32> {
    match dtype {
        VectorDtype::Float32 => bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        VectorDtype::Float16 => bytes
            .chunks_exact(2)
            .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
    }
}

/// Inserts vectors for `config` in bulk; an existing (sequence, config,
/// chunk start) is left alone. Returns the rows inserted.
pub async fn insert_vectors(
    conn: &mut PgConnection,
    config: Uuid,
    dtype: VectorDtype,
    vectors: &[NewVector],
) -> Result<u64, StoreError> {
    let mut inserted = 0;
    for chunk in vectors.chunks(CHUNK) {
        let seq: Vec<i32> = chunk.iter().map(|v| v.sequence_id).collect();
        let s: Vec<i32> = chunk.iter().map(|v| v.chunk_index_s).collect();
        let e: Vec<Option<i32>> = chunk.iter().map(|v| v.chunk_index_e).collect();
        let dim: Vec<i32> = chunk.iter().map(|v| v.vector.len() as i32).collect();
        let bytes: Vec<Vec<u8>> = chunk
            .iter()
            .map(|v| encode_vector(&v.vector, dtype))
            .collect();
        inserted += sqlx::query(
            "insert into sequence_embedding (sequence_id, embedding_config_id, chunk_index_s, chunk_index_e, \
                embedding, embedding_dtype, embedding_dim) \
             select q, $1, s, e, b, $2, d from unnest($3::int[], $4::int[], $5::int[], $6::bytea[], $7::int[]) \
                as x(q, s, e, b, d) \
             on conflict (sequence_id, embedding_config_id, chunk_index_s) do nothing",
        )
        .bind(config)
        .bind(dtype.as_str())
        .bind(&seq)
        .bind(&s)
        .bind(&e)
        .bind(&bytes)
        .bind(&dim)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(inserted)
}

/// A stored vector, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVector {
    pub sequence_id: i32,
    pub chunk_index_s: i32,
    pub chunk_index_e: Option<i32>,
    pub vector: Vec<f32>,
}

/// Every vector of `config`, ordered by sequence and chunk.
pub async fn vectors<'e>(
    db: impl PgExecutor<'e>,
    config: Uuid,
) -> Result<Vec<StoredVector>, StoreError> {
    type Row = (i32, i32, Option<i32>, Vec<u8>, String);
    let rows: Vec<Row> = sqlx::query_as(
        "select sequence_id, chunk_index_s, chunk_index_e, embedding, embedding_dtype from sequence_embedding \
         where embedding_config_id = $1 order by sequence_id, chunk_index_s",
    )
    .bind(config)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(q, s, e, b, d)| StoredVector {
            sequence_id: q,
            chunk_index_s: s,
            chunk_index_e: e,
            vector: decode_vector(&b, VectorDtype::parse(&d).unwrap_or(VectorDtype::Float32)),
        })
        .collect())
}

/// Sequence id per accession for the given accessions (those with a sequence).
pub async fn sequence_ids_by_accession(
    conn: &mut PgConnection,
    accessions: &[String],
) -> Result<std::collections::HashMap<String, i32>, StoreError> {
    let rows: Vec<(String, i32)> = sqlx::query_as(
        "select accession, sequence_id from protein where accession = any($1) and sequence_id is not null",
    )
    .bind(accessions)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_round_trip_in_both_dtypes() {
        let v = [0.0f32, -1.5, 3.25, 1e-3];
        assert_eq!(
            decode_vector(
                &encode_vector(&v, VectorDtype::Float32),
                VectorDtype::Float32
            ),
            v
        );
        let h = decode_vector(
            &encode_vector(&v, VectorDtype::Float16),
            VectorDtype::Float16,
        );
        assert_eq!(h.len(), 4);
        assert!(h.iter().zip(v).all(|(a, b)| (a - b).abs() < 1e-3));
        assert_eq!(encode_vector(&v, VectorDtype::Float16).len(), 8);
    }
}
