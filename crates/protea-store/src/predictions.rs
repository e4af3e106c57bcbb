//! Prediction sets and GO predictions: the inputs of a run (query and reference
//! embeddings, reference annotations), bulk inserts, and the read views of the API and
//! the CLI (list, summary, per-protein rows, CAFA and TSV exports).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgConnection;
use sqlx::{PgPool, Row};
use uuid::Uuid;

const CHUNK: usize = 5_000;

/// Decodes a stored vector (little-endian `float32` or `float16`).
pub fn decode_vector(bytes: &[u8], dtype: &str) -> Option<Vec<f32>> {
    match dtype {
        "float32" if bytes.len().is_multiple_of(4) => Some(
            bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        ),
        "float16" if bytes.len().is_multiple_of(2) => Some(
            bytes
                .chunks_exact(2)
                .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
        ),
        _ => None,
    }
}

/// Vectors keyed by accession, in a stable order, one per accession: a chunked embedding
/// (several rows per sequence) is averaged, so no accession appears twice (the original
/// yielded one row per chunk, duplicating accessions, §9.2).
#[derive(Debug, Clone, Default)]
pub struct Vectors {
    pub accessions: Vec<String>,
    pub dim: usize,
    /// Row-major, `accessions.len() × dim`.
    pub data: Vec<f32>,
}

struct Accumulator {
    index: HashMap<String, usize>,
    sums: Vec<(Vec<f64>, u32)>,
    accessions: Vec<String>,
    dim: usize,
}

impl Accumulator {
    fn new() -> Accumulator {
        Accumulator {
            index: HashMap::new(),
            sums: Vec::new(),
            accessions: Vec::new(),
            dim: 0,
        }
    }

    fn add(&mut self, accession: String, vector: Vec<f32>) -> Result<(), String> {
        if self.dim == 0 {
            self.dim = vector.len();
        } else if vector.len() != self.dim {
            return Err(format!(
                "embedding of {accession} has dimension {}, expected {}",
                vector.len(),
                self.dim
            ));
        }
        let i = match self.index.get(&accession) {
            Some(&i) => i,
            None => {
                self.index.insert(accession.clone(), self.sums.len());
                self.accessions.push(accession);
                self.sums.push((vec![0.0; self.dim], 0));
                self.sums.len() - 1
            }
        };
        let (sum, n) = &mut self.sums[i];
        for (s, v) in sum.iter_mut().zip(vector) {
            *s += v as f64;
        }
        *n += 1;
        Ok(())
    }

    fn finish(self) -> Vectors {
        let mut data = Vec::with_capacity(self.sums.len() * self.dim);
        for (sum, n) in self.sums {
            data.extend(sum.into_iter().map(|s| (s / n as f64) as f32));
        }
        Vectors {
            accessions: self.accessions,
            dim: self.dim,
            data,
        }
    }
}

fn vector_error(message: String) -> sqlx::Error {
    sqlx::Error::Protocol(message)
}

async fn collect_vectors(
    conn: &mut PgConnection,
    sql: &'static str,
    config: Uuid,
    filter: Option<Vec<String>>,
    set: Option<Uuid>,
) -> Result<Vectors, sqlx::Error> {
    let mut acc = Accumulator::new();
    let mut rows = sqlx::query(sql)
        .bind(config)
        .bind(filter)
        .bind(set)
        .fetch(&mut *conn);
    while let Some(row) = rows.try_next().await? {
        let accession: String = row.get(0);
        let bytes: Vec<u8> = row.get(1);
        let dtype: String = row.get(2);
        let vector = decode_vector(&bytes, &dtype)
            .ok_or_else(|| vector_error(format!("embedding of {accession}: bad {dtype} bytes")))?;
        acc.add(accession, vector).map_err(vector_error)?;
    }
    Ok(acc.finish())
}

/// Query vectors: the entries of a query set, or proteins (all, or those of
/// `accessions`); only those with an embedding for `config`.
pub async fn query_vectors(
    conn: &mut PgConnection,
    config: Uuid,
    query_set: Option<Uuid>,
    accessions: Option<Vec<String>>,
) -> Result<Vectors, sqlx::Error> {
    match query_set {
        Some(set) => {
            collect_vectors(
                conn,
                "select e.accession, se.embedding, se.embedding_dtype \
                 from query_set_entry e join sequence_embedding se \
                   on se.sequence_id = e.sequence_id and se.embedding_config_id = $1 \
                 where e.query_set_id = $3 and ($2::varchar[] is null or e.accession = any($2)) \
                 order by e.accession, se.chunk_index_s",
                config,
                accessions,
                Some(set),
            )
            .await
        }
        None => {
            collect_vectors(
                conn,
                "select p.accession, se.embedding, se.embedding_dtype \
                 from protein p join sequence_embedding se \
                   on se.sequence_id = p.sequence_id and se.embedding_config_id = $1 \
                 where ($2::varchar[] is null or p.accession = any($2)) and $3::uuid is null \
                 order by p.accession, se.chunk_index_s",
                config,
                accessions,
                None,
            )
            .await
        }
    }
}

/// Accessions of the queries that have an embedding, sorted (the coordinator splits them).
pub async fn query_accessions(
    conn: &mut PgConnection,
    config: Uuid,
    query_set: Option<Uuid>,
    accessions: Option<Vec<String>>,
) -> Result<Vec<String>, sqlx::Error> {
    let sql = if query_set.is_some() {
        "select distinct e.accession from query_set_entry e \
         where e.query_set_id = $3 and ($2::varchar[] is null or e.accession = any($2)) \
           and exists (select 1 from sequence_embedding se \
                       where se.sequence_id = e.sequence_id and se.embedding_config_id = $1) \
         order by 1"
    } else {
        "select p.accession from protein p \
         where ($2::varchar[] is null or p.accession = any($2)) and $3::uuid is null \
           and exists (select 1 from sequence_embedding se \
                       where se.sequence_id = p.sequence_id and se.embedding_config_id = $1) \
         order by 1"
    };
    sqlx::query_scalar(sql)
        .bind(config)
        .bind(accessions)
        .bind(query_set)
        .fetch_all(conn)
        .await
}

/// A cheap fingerprint of the reference inputs: embeddings of `config` (count, last id)
/// and annotation rows of `set` (count). A reference cache built under another
/// fingerprint is stale (the original's disk cache was never invalidated, §9.2).
pub async fn reference_fingerprint(
    conn: &mut PgConnection,
    config: Uuid,
    set: Uuid,
) -> Result<(i64, i64, i64), sqlx::Error> {
    let row = sqlx::query(
        "select (select count(*) from sequence_embedding where embedding_config_id = $1), \
                (select coalesce(max(id), 0) from sequence_embedding where embedding_config_id = $1), \
                (select count(*) from protein_go_annotation where annotation_set_id = $2)",
    )
    .bind(config)
    .bind(set)
    .fetch_one(conn)
    .await?;
    Ok((row.get(0), row.get(1), row.get(2)))
}

/// How many proteins could serve as references (embedded and annotated in `set`).
pub async fn reference_count(
    conn: &mut PgConnection,
    config: Uuid,
    set: Uuid,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "select count(*) from protein p \
         where exists (select 1 from protein_go_annotation a \
                       where a.annotation_set_id = $2 and a.protein_accession = p.accession) \
           and exists (select 1 from sequence_embedding se \
                       where se.sequence_id = p.sequence_id and se.embedding_config_id = $1)",
    )
    .bind(config)
    .bind(set)
    .fetch_one(conn)
    .await
}

/// One annotation of a reference protein, with its term's aspect.
#[derive(Debug, Clone)]
pub struct ReferenceAnnotation {
    pub protein_accession: String,
    pub go_term_id: i64,
    pub aspect: Option<String>,
    pub qualifier: Option<String>,
    pub evidence_code: Option<String>,
}

/// Reference vectors (proteins embedded for `config` with at least one annotation in
/// `set`) and every annotation of `set` on them, in (accession, id) order.
pub async fn reference_inputs(
    conn: &mut PgConnection,
    config: Uuid,
    set: Uuid,
) -> Result<(Vectors, Vec<ReferenceAnnotation>), sqlx::Error> {
    let vectors = collect_vectors(
        conn,
        "select p.accession, se.embedding, se.embedding_dtype \
         from protein p join sequence_embedding se \
           on se.sequence_id = p.sequence_id and se.embedding_config_id = $1 \
         where $2::varchar[] is null and exists (select 1 from protein_go_annotation a \
                       where a.annotation_set_id = $3 and a.protein_accession = p.accession) \
         order by p.accession, se.chunk_index_s",
        config,
        None,
        Some(set),
    )
    .await?;
    let mut annotations = Vec::new();
    let mut rows = sqlx::query(
        "select a.protein_accession, a.go_term_id, t.aspect, a.qualifier, a.evidence_code \
         from protein_go_annotation a join go_term t on t.id = a.go_term_id \
         where a.annotation_set_id = $1 order by a.protein_accession, a.id",
    )
    .bind(set)
    .fetch(&mut *conn);
    while let Some(row) = rows.try_next().await? {
        annotations.push(ReferenceAnnotation {
            protein_accession: row.get(0),
            go_term_id: row.get(1),
            aspect: row.get(2),
            qualifier: row.get(3),
            evidence_code: row.get(4),
        });
    }
    Ok((vectors, annotations))
}

/// The is_a / part_of edges (child, parent) of a snapshot and every term's aspect.
pub async fn ancestry(
    conn: &mut PgConnection,
    snapshot: Uuid,
) -> Result<(Vec<(i64, i64)>, Vec<(i64, Option<String>)>), sqlx::Error> {
    let edges = sqlx::query_as(
        "select child_go_term_id, parent_go_term_id from go_term_relationship \
         where ontology_snapshot_id = $1 and relation_type in ('is_a', 'part_of')",
    )
    .bind(snapshot)
    .fetch_all(&mut *conn)
    .await?;
    let aspects = sqlx::query_as("select id, aspect from go_term where ontology_snapshot_id = $1")
        .bind(snapshot)
        .fetch_all(&mut *conn)
        .await?;
    Ok((edges, aspects))
}

/// A new prediction set.
#[derive(Debug, Clone)]
pub struct NewPredictionSet {
    pub embedding_config_id: Uuid,
    pub annotation_set_id: Uuid,
    pub ontology_snapshot_id: Uuid,
    pub query_set_id: Option<Uuid>,
    pub limit_per_entry: i32,
    pub distance_threshold: Option<f64>,
    pub job_id: Option<Uuid>,
    pub meta: serde_json::Value,
}

pub async fn create_set(
    conn: &mut PgConnection,
    set: &NewPredictionSet,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into prediction_set (id, embedding_config_id, annotation_set_id, ontology_snapshot_id, \
            query_set_id, limit_per_entry, distance_threshold, job_id, meta) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(set.embedding_config_id)
    .bind(set.annotation_set_id)
    .bind(set.ontology_snapshot_id)
    .bind(set.query_set_id)
    .bind(set.limit_per_entry)
    .bind(set.distance_threshold)
    .bind(set.job_id)
    .bind(&set.meta)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Whether a row exists in `table` (one of the referenced tables) with this id.
pub async fn exists(
    conn: &mut PgConnection,
    table: &'static str,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    let sql = match table {
        "embedding_config" => "select exists (select 1 from embedding_config where id = $1)",
        "annotation_set" => "select exists (select 1 from annotation_set where id = $1)",
        "ontology_snapshot" => "select exists (select 1 from ontology_snapshot where id = $1)",
        "query_set" => "select exists (select 1 from query_set where id = $1)",
        "prediction_set" => "select exists (select 1 from prediction_set where id = $1)",
        "reranker_model" => "select exists (select 1 from reranker_model where id = $1)",
        other => panic!("exists: unknown table {other}"),
    };
    sqlx::query_scalar(sql).bind(id).fetch_one(conn).await
}

/// One GO prediction as stored (and as carried by `store_predictions` messages).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PredictionRow {
    pub protein_accession: String,
    pub go_term_id: i64,
    pub ref_protein_accession: String,
    pub distance: f64,
    #[serde(default)]
    pub qualifier: Option<String>,
    #[serde(default)]
    pub evidence_code: Option<String>,
    #[serde(default)]
    pub identity_nw: Option<f64>,
    #[serde(default)]
    pub similarity_nw: Option<f64>,
    #[serde(default)]
    pub alignment_score_nw: Option<f64>,
    #[serde(default)]
    pub gaps_pct_nw: Option<f64>,
    #[serde(default)]
    pub alignment_length_nw: Option<f64>,
    #[serde(default)]
    pub identity_sw: Option<f64>,
    #[serde(default)]
    pub similarity_sw: Option<f64>,
    #[serde(default)]
    pub alignment_score_sw: Option<f64>,
    #[serde(default)]
    pub gaps_pct_sw: Option<f64>,
    #[serde(default)]
    pub alignment_length_sw: Option<f64>,
    #[serde(default)]
    pub length_query: Option<i32>,
    #[serde(default)]
    pub length_ref: Option<i32>,
    #[serde(default)]
    pub vote_count: Option<i32>,
    #[serde(default)]
    pub k_position: Option<i32>,
    #[serde(default)]
    pub go_term_frequency: Option<i32>,
    #[serde(default)]
    pub ref_annotation_density: Option<i32>,
    #[serde(default)]
    pub neighbor_distance_std: Option<f64>,
    #[serde(default)]
    pub neighbor_vote_fraction: Option<f64>,
    #[serde(default)]
    pub neighbor_min_distance: Option<f64>,
    #[serde(default)]
    pub neighbor_mean_distance: Option<f64>,
    #[serde(default)]
    pub query_taxonomy_id: Option<i32>,
    #[serde(default)]
    pub ref_taxonomy_id: Option<i32>,
    #[serde(default)]
    pub taxonomic_lca: Option<i32>,
    #[serde(default)]
    pub taxonomic_distance: Option<i32>,
    #[serde(default)]
    pub taxonomic_common_ancestors: Option<i32>,
    #[serde(default)]
    pub taxonomic_relation: Option<String>,
    #[serde(default)]
    pub reranker_score: Option<f64>,
}

/// Inserts predictions, ignoring rows whose (set, protein, term) already exists, so a
/// re-delivered message writes nothing twice; returns how many rows were new.
pub async fn insert_predictions(
    conn: &mut PgConnection,
    set: Uuid,
    rows: &[PredictionRow],
) -> Result<u64, sqlx::Error> {
    let mut inserted = 0;
    for chunk in rows.chunks(CHUNK) {
        let f = |g: fn(&PredictionRow) -> Option<f64>| -> Vec<Option<f64>> {
            chunk.iter().map(g).collect()
        };
        let i = |g: fn(&PredictionRow) -> Option<i32>| -> Vec<Option<i32>> {
            chunk.iter().map(g).collect()
        };
        let s = |g: fn(&PredictionRow) -> Option<&str>| -> Vec<Option<&str>> {
            chunk.iter().map(g).collect()
        };
        inserted += sqlx::query(
            "insert into go_prediction (prediction_set_id, protein_accession, go_term_id, ref_protein_accession, \
                distance, qualifier, evidence_code, identity_nw, similarity_nw, alignment_score_nw, gaps_pct_nw, \
                alignment_length_nw, identity_sw, similarity_sw, alignment_score_sw, gaps_pct_sw, alignment_length_sw, \
                length_query, length_ref, vote_count, k_position, go_term_frequency, ref_annotation_density, \
                neighbor_distance_std, neighbor_vote_fraction, neighbor_min_distance, neighbor_mean_distance, \
                query_taxonomy_id, ref_taxonomy_id, taxonomic_lca, taxonomic_distance, taxonomic_common_ancestors, \
                taxonomic_relation, reranker_score) \
             select $1, * from unnest($2::varchar[], $3::bigint[], $4::varchar[], $5::float8[], $6::varchar[], \
                $7::varchar[], $8::float8[], $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::float8[], \
                $14::float8[], $15::float8[], $16::float8[], $17::float8[], $18::int4[], $19::int4[], $20::int4[], \
                $21::int4[], $22::int4[], $23::int4[], $24::float8[], $25::float8[], $26::float8[], $27::float8[], \
                $28::int4[], $29::int4[], $30::int4[], $31::int4[], $32::int4[], $33::varchar[], $34::float8[]) \
             on conflict on constraint uq_go_prediction_set_protein_term do nothing",
        )
        .bind(set)
        .bind(chunk.iter().map(|r| r.protein_accession.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.go_term_id).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.ref_protein_accession.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.distance).collect::<Vec<_>>())
        .bind(s(|r| r.qualifier.as_deref()))
        .bind(s(|r| r.evidence_code.as_deref()))
        .bind(f(|r| r.identity_nw))
        .bind(f(|r| r.similarity_nw))
        .bind(f(|r| r.alignment_score_nw))
        .bind(f(|r| r.gaps_pct_nw))
        .bind(f(|r| r.alignment_length_nw))
        .bind(f(|r| r.identity_sw))
        .bind(f(|r| r.similarity_sw))
        .bind(f(|r| r.alignment_score_sw))
        .bind(f(|r| r.gaps_pct_sw))
        .bind(f(|r| r.alignment_length_sw))
        .bind(i(|r| r.length_query))
        .bind(i(|r| r.length_ref))
        .bind(i(|r| r.vote_count))
        .bind(i(|r| r.k_position))
        .bind(i(|r| r.go_term_frequency))
        .bind(i(|r| r.ref_annotation_density))
        .bind(f(|r| r.neighbor_distance_std))
        .bind(f(|r| r.neighbor_vote_fraction))
        .bind(f(|r| r.neighbor_min_distance))
        .bind(f(|r| r.neighbor_mean_distance))
        .bind(i(|r| r.query_taxonomy_id))
        .bind(i(|r| r.ref_taxonomy_id))
        .bind(i(|r| r.taxonomic_lca))
        .bind(i(|r| r.taxonomic_distance))
        .bind(i(|r| r.taxonomic_common_ancestors))
        .bind(s(|r| r.taxonomic_relation.as_deref()))
        .bind(f(|r| r.reranker_score))
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(inserted)
}

/// A prediction set with its labels and row count.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PredictionSetView {
    pub id: Uuid,
    pub embedding_config_id: Uuid,
    pub embedding_config_name: String,
    pub annotation_set_id: Uuid,
    pub annotation_set_label: String,
    pub ontology_snapshot_id: Uuid,
    pub ontology_snapshot_version: String,
    pub query_set_id: Option<Uuid>,
    pub limit_per_entry: i32,
    pub distance_threshold: Option<f64>,
    pub job_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub meta: serde_json::Value,
    pub prediction_count: i64,
}

const SET_VIEW: &str = "select s.id, s.embedding_config_id, c.model_name as embedding_config_name, \
        s.annotation_set_id, trim(a.source || ' ' || coalesce(a.source_version, '')) as annotation_set_label, \
        s.ontology_snapshot_id, o.obo_version as ontology_snapshot_version, s.query_set_id, s.limit_per_entry, \
        s.distance_threshold, s.job_id, s.created_at, s.meta, \
        (select count(*) from go_prediction g where g.prediction_set_id = s.id) as prediction_count \
     from prediction_set s join embedding_config c on c.id = s.embedding_config_id \
        join annotation_set a on a.id = s.annotation_set_id join ontology_snapshot o on o.id = s.ontology_snapshot_id";

/// The newest prediction sets first.
pub async fn list_sets(
    pool: &PgPool,
    limit: i64,
    offset: i64,
) -> Result<Vec<PredictionSetView>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SET_VIEW} order by s.created_at desc, s.id limit $1 offset $2"
    )))
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
}

pub async fn get_set(pool: &PgPool, id: Uuid) -> Result<Option<PredictionSetView>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SET_VIEW} where s.id = $1")))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Summary of a set: proteins, rows per aspect, rows per protein.
#[derive(Debug, Clone, Serialize)]
pub struct SetSummary {
    pub protein_count: i64,
    pub per_aspect: BTreeMap<String, i64>,
    pub per_protein_counts: BTreeMap<String, i64>,
}

pub async fn summary(pool: &PgPool, id: Uuid) -> Result<SetSummary, sqlx::Error> {
    let per_protein: Vec<(String, i64)> = sqlx::query_as(
        "select protein_accession, count(*) from go_prediction where prediction_set_id = $1 group by 1 order by 1",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let per_aspect: Vec<(Option<String>, i64)> = sqlx::query_as(
        "select t.aspect, count(*) from go_prediction g join go_term t on t.id = g.go_term_id \
         where g.prediction_set_id = $1 group by 1 order by 1",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(SetSummary {
        protein_count: per_protein.len() as i64,
        per_aspect: per_aspect
            .into_iter()
            .map(|(a, n)| (a.unwrap_or_else(|| "other".into()), n))
            .collect(),
        per_protein_counts: per_protein.into_iter().collect(),
    })
}

/// One stored prediction with its term's id, name and aspect: every feature column.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PredictionView {
    pub protein_accession: String,
    pub go_id: String,
    pub go_name: Option<String>,
    pub go_aspect: Option<String>,
    pub distance: f64,
    pub ref_protein_accession: String,
    pub qualifier: Option<String>,
    pub evidence_code: Option<String>,
    pub identity_nw: Option<f64>,
    pub similarity_nw: Option<f64>,
    pub alignment_score_nw: Option<f64>,
    pub gaps_pct_nw: Option<f64>,
    pub alignment_length_nw: Option<f64>,
    pub identity_sw: Option<f64>,
    pub similarity_sw: Option<f64>,
    pub alignment_score_sw: Option<f64>,
    pub gaps_pct_sw: Option<f64>,
    pub alignment_length_sw: Option<f64>,
    pub length_query: Option<i32>,
    pub length_ref: Option<i32>,
    pub query_taxonomy_id: Option<i32>,
    pub ref_taxonomy_id: Option<i32>,
    pub taxonomic_lca: Option<i32>,
    pub taxonomic_distance: Option<i32>,
    pub taxonomic_common_ancestors: Option<i32>,
    pub taxonomic_relation: Option<String>,
    pub vote_count: Option<i32>,
    pub k_position: Option<i32>,
    pub go_term_frequency: Option<i32>,
    pub ref_annotation_density: Option<i32>,
    pub neighbor_distance_std: Option<f64>,
    pub neighbor_vote_fraction: Option<f64>,
    pub neighbor_min_distance: Option<f64>,
    pub neighbor_mean_distance: Option<f64>,
    pub reranker_score: Option<f64>,
}

impl PredictionView {
    /// The re-ranker's score when one ran, else `max(0, 1 − distance)`.
    pub fn score(&self) -> f64 {
        self.reranker_score
            .unwrap_or_else(|| (1.0 - self.distance).clamp(0.0, 1.0))
    }
}

/// The 31 columns of the TSV export, in order (original_platform.md §3.5).
pub const TSV_COLUMNS: [&str; 31] = [
    "protein_accession",
    "go_id",
    "go_name",
    "go_aspect",
    "distance",
    "ref_protein_accession",
    "qualifier",
    "evidence_code",
    "identity_nw",
    "similarity_nw",
    "alignment_score_nw",
    "gaps_pct_nw",
    "alignment_length_nw",
    "identity_sw",
    "similarity_sw",
    "alignment_score_sw",
    "gaps_pct_sw",
    "alignment_length_sw",
    "length_query",
    "length_ref",
    "query_taxonomy_id",
    "ref_taxonomy_id",
    "taxonomic_lca",
    "taxonomic_distance",
    "taxonomic_common_ancestors",
    "taxonomic_relation",
    "vote_count",
    "k_position",
    "go_term_frequency",
    "ref_annotation_density",
    "neighbor_distance_std",
];

/// Filters of the prediction rows.
#[derive(Debug, Clone, Default)]
pub struct PredictionFilter {
    pub accession: Option<String>,
    /// `P`, `F` or `C`.
    pub aspect: Option<String>,
    pub max_distance: Option<f64>,
}

/// Rows of a set ordered by (protein, distance, GO id).
pub async fn predictions(
    pool: &PgPool,
    set: Uuid,
    filter: &PredictionFilter,
) -> Result<Vec<PredictionView>, sqlx::Error> {
    sqlx::query_as(
        "select g.protein_accession, t.go_id, t.name as go_name, t.aspect as go_aspect, g.distance, \
            g.ref_protein_accession, g.qualifier, g.evidence_code, g.identity_nw, g.similarity_nw, \
            g.alignment_score_nw, g.gaps_pct_nw, g.alignment_length_nw, g.identity_sw, g.similarity_sw, \
            g.alignment_score_sw, g.gaps_pct_sw, g.alignment_length_sw, g.length_query, g.length_ref, \
            g.query_taxonomy_id, g.ref_taxonomy_id, g.taxonomic_lca, g.taxonomic_distance, \
            g.taxonomic_common_ancestors, g.taxonomic_relation, g.vote_count, g.k_position, \
            g.go_term_frequency, g.ref_annotation_density, g.neighbor_distance_std, \
            g.neighbor_vote_fraction, g.neighbor_min_distance, g.neighbor_mean_distance, g.reranker_score \
         from go_prediction g join go_term t on t.id = g.go_term_id \
         where g.prediction_set_id = $1 and ($2::varchar is null or g.protein_accession = $2) \
           and ($3::varchar is null or t.aspect = $3) and ($4::float8 is null or g.distance <= $4) \
         order by g.protein_accession, g.distance, t.go_id",
    )
    .bind(set)
    .bind(&filter.accession)
    .bind(&filter.aspect)
    .bind(filter.max_distance)
    .fetch_all(pool)
    .await
}

/// Deletes a set and its predictions; `None` when it does not exist, else the number of
/// predictions deleted.
pub async fn delete_set(pool: &PgPool, id: Uuid) -> Result<Option<u64>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let predictions = sqlx::query("delete from go_prediction where prediction_set_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let sets = sqlx::query("delete from prediction_set where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if sets == 0 {
        return Ok(None);
    }
    tx.commit().await?;
    Ok(Some(predictions))
}

/// Formats a feature value with 6 significant digits (`%g`-like); `None` is empty.
pub fn format_feature(value: Option<f64>) -> String {
    let Some(v) = value else { return String::new() };
    if v == 0.0 || !v.is_finite() {
        return if v == 0.0 { "0".into() } else { v.to_string() };
    }
    let exp = v.abs().log10().floor() as i32;
    if !(-5..6).contains(&exp) {
        let s = format!("{v:.5e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = trim_zeros(m);
        let e: i32 = e.parse().unwrap_or(0);
        return format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    }
    let decimals = (5 - exp).max(0) as usize;
    trim_zeros(&format!("{v:.decimals$}")).to_owned()
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

impl PredictionView {
    /// The TSV line (without newline) for [`TSV_COLUMNS`].
    pub fn tsv_line(&self) -> String {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let i = |v: Option<i32>| v.map(|x| x.to_string()).unwrap_or_default();
        let f = format_feature;
        [
            self.protein_accession.clone(),
            self.go_id.clone(),
            s(&self.go_name),
            s(&self.go_aspect),
            format!("{:.4}", self.distance),
            self.ref_protein_accession.clone(),
            s(&self.qualifier),
            s(&self.evidence_code),
            f(self.identity_nw),
            f(self.similarity_nw),
            f(self.alignment_score_nw),
            f(self.gaps_pct_nw),
            f(self.alignment_length_nw),
            f(self.identity_sw),
            f(self.similarity_sw),
            f(self.alignment_score_sw),
            f(self.gaps_pct_sw),
            f(self.alignment_length_sw),
            i(self.length_query),
            i(self.length_ref),
            i(self.query_taxonomy_id),
            i(self.ref_taxonomy_id),
            i(self.taxonomic_lca),
            i(self.taxonomic_distance),
            i(self.taxonomic_common_ancestors),
            s(&self.taxonomic_relation),
            i(self.vote_count),
            i(self.k_position),
            i(self.go_term_frequency),
            i(self.ref_annotation_density),
            f(self.neighbor_distance_std),
        ]
        .join("\t")
    }
}

/// The CAFA submission text: `protein<TAB>GO id<TAB>score` (4 decimals), one line per
/// (protein, term) of `rows`.
pub fn cafa_text(rows: &[PredictionView]) -> String {
    let mut out = String::new();
    for r in rows {
        out.push_str(&format!(
            "{}\t{}\t{:.4}\n",
            r.protein_accession,
            r.go_id,
            r.score()
        ));
    }
    out
}

/// The TSV export: header and one line per row.
pub fn tsv_text(rows: &[PredictionView]) -> String {
    let mut out = TSV_COLUMNS.join("\t");
    out.push('\n');
    for r in rows {
        out.push_str(&r.tsv_line());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_have_six_significant_digits() {
        assert_eq!(format_feature(Some(0.123456789)), "0.123457");
        assert_eq!(format_feature(Some(1234.5678)), "1234.57");
        assert_eq!(format_feature(Some(2.0)), "2");
        assert_eq!(format_feature(Some(1.5e-7)), "1.5e-07");
        assert_eq!(format_feature(Some(0.0)), "0");
        assert_eq!(format_feature(None), "");
    }

    #[test]
    fn vectors_decode_from_both_dtypes() {
        let f32s: Vec<u8> = [1.0f32, -2.5]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        assert_eq!(decode_vector(&f32s, "float32"), Some(vec![1.0, -2.5]));
        let f16s: Vec<u8> = [half::f16::from_f32(0.5)]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        assert_eq!(decode_vector(&f16s, "float16"), Some(vec![0.5]));
        assert_eq!(decode_vector(&[0, 0, 0], "float32"), None);
    }
}
