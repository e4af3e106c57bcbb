//! Writes of the InterPro → GO propagation: one `prediction_set` tagged
//! `meta.algorithm = "interpro_propagation"` and its `go_prediction` rows.

use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

const CHUNK: usize = 5_000;

/// Whether the three trace pointers of a new prediction set exist:
/// (embedding config, annotation set, ontology snapshot).
pub async fn trace_pointers_exist(
    conn: &mut PgConnection,
    embedding_config: Uuid,
    annotation_set: Uuid,
    snapshot: Uuid,
) -> Result<(bool, bool, bool), sqlx::Error> {
    sqlx::query_as(
        "select exists(select 1 from embedding_config where id = $1), \
         exists(select 1 from annotation_set where id = $2), \
         exists(select 1 from ontology_snapshot where id = $3)",
    )
    .bind(embedding_config)
    .bind(annotation_set)
    .bind(snapshot)
    .fetch_one(&mut *conn)
    .await
}

/// The prediction set row.
#[derive(Debug, Clone)]
pub struct NewPredictionSet {
    pub id: Uuid,
    pub embedding_config_id: Uuid,
    pub annotation_set_id: Uuid,
    pub ontology_snapshot_id: Uuid,
    pub query_set_id: Option<Uuid>,
    pub limit_per_entry: i32,
    pub job_id: Option<Uuid>,
    pub meta: Value,
}

pub async fn insert_prediction_set(
    conn: &mut PgConnection,
    set: &NewPredictionSet,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into prediction_set (id, embedding_config_id, annotation_set_id, ontology_snapshot_id, \
         query_set_id, limit_per_entry, distance_threshold, job_id, meta) \
         values ($1, $2, $3, $4, $5, $6, null, $7, $8)",
    )
    .bind(set.id)
    .bind(set.embedding_config_id)
    .bind(set.annotation_set_id)
    .bind(set.ontology_snapshot_id)
    .bind(set.query_set_id)
    .bind(set.limit_per_entry)
    .bind(set.job_id)
    .bind(&set.meta)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One propagated term: `ref_protein_accession` holds the voting InterPro
/// entries (comma-separated), `distance` = 1 / `vote_count`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewVote {
    pub protein_accession: String,
    pub go_term_id: i64,
    pub entries: String,
    pub distance: f64,
    pub vote_count: i32,
    pub evidence_code: Option<String>,
}

/// Inserts the rows of one set; returns how many were written.
pub async fn insert_votes(
    conn: &mut PgConnection,
    prediction_set: Uuid,
    rows: &[NewVote],
) -> Result<u64, sqlx::Error> {
    let mut inserted = 0;
    for chunk in rows.chunks(CHUNK) {
        let acc: Vec<&str> = chunk.iter().map(|r| r.protein_accession.as_str()).collect();
        let term: Vec<i64> = chunk.iter().map(|r| r.go_term_id).collect();
        let refs: Vec<&str> = chunk.iter().map(|r| r.entries.as_str()).collect();
        let distance: Vec<f64> = chunk.iter().map(|r| r.distance).collect();
        let votes: Vec<i32> = chunk.iter().map(|r| r.vote_count).collect();
        let evidence: Vec<Option<&str>> =
            chunk.iter().map(|r| r.evidence_code.as_deref()).collect();
        inserted += sqlx::query(
            "insert into go_prediction (prediction_set_id, protein_accession, go_term_id, \
             ref_protein_accession, distance, vote_count, evidence_code) \
             select $1, a, t, r, d, v, e from unnest($2::varchar[], $3::bigint[], $4::varchar[], \
             $5::float8[], $6::int[], $7::varchar[]) as x(a, t, r, d, v, e)",
        )
        .bind(prediction_set)
        .bind(&acc)
        .bind(&term)
        .bind(&refs)
        .bind(&distance)
        .bind(&votes)
        .bind(&evidence)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(inserted)
}
