//! Typed queries for annotation sets and their GO annotations.
//!
//! A set is created with `meta.complete = false` and marked complete in the
//! loader's final transaction. Loaders that commit page by page delete their
//! own set when they fail, and a re-delivered job first deletes any set an
//! earlier attempt of the same job left behind ([`delete_sets_of_job`]), so
//! no half-written set survives.

use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// Rows per insert statement (spec: chunks of 5 000).
pub const CHUNK: usize = 5_000;

/// One `protein_go_annotation` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnnotation {
    pub protein_accession: String,
    pub go_term_id: i64,
    pub qualifier: Option<String>,
    pub evidence_code: Option<String>,
    pub assigned_by: Option<String>,
    pub db_reference: Option<String>,
    pub with_from: Option<String>,
    pub annotation_date: Option<String>,
}

pub async fn create_set(
    conn: &mut PgConnection,
    source: &str,
    source_version: &str,
    snapshot: Uuid,
    job_id: Option<Uuid>,
    mut meta: Value,
) -> Result<Uuid, sqlx::Error> {
    if let Value::Object(map) = &mut meta {
        map.insert("complete".into(), Value::Bool(false));
    }
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into annotation_set (id, source, source_version, ontology_snapshot_id, job_id, meta) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(source)
    .bind(source_version)
    .bind(snapshot)
    .bind(job_id)
    .bind(meta)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn mark_complete(conn: &mut PgConnection, set: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("update annotation_set set meta = meta || '{\"complete\": true}' where id = $1")
        .bind(set)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A complete set loaded earlier from the same source, version, snapshot
/// and URL (the re-run short cut).
pub async fn find_complete_set(
    conn: &mut PgConnection,
    source: &str,
    source_version: &str,
    snapshot: Uuid,
    url_key: &str,
    url: &str,
) -> Result<Option<(Uuid, i64)>, sqlx::Error> {
    sqlx::query_as(
        "select s.id, (select count(*) from protein_go_annotation a where a.annotation_set_id = s.id) \
         from annotation_set s where s.source = $1 and s.source_version = $2 and s.ontology_snapshot_id = $3 \
         and s.meta ->> $4 = $5 and (s.meta ->> 'complete')::boolean is true order by s.created_at limit 1",
    )
    .bind(source)
    .bind(source_version)
    .bind(snapshot)
    .bind(url_key)
    .bind(url)
    .fetch_optional(&mut *conn)
    .await
}

/// Removes the sets of `job_id` (leftovers of an earlier attempt).
pub async fn delete_sets_of_job(conn: &mut PgConnection, job_id: Uuid) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("delete from annotation_set where job_id = $1")
        .bind(job_id)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

pub async fn delete_set(conn: &mut PgConnection, set: Uuid) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("delete from annotation_set where id = $1")
        .bind(set)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

/// Inserts annotations, ignoring (set, protein, term, evidence) duplicates;
/// returns how many rows were new.
pub async fn insert_annotations(
    conn: &mut PgConnection,
    set: Uuid,
    rows: &[NewAnnotation],
) -> Result<u64, sqlx::Error> {
    let mut inserted = 0;
    for chunk in rows.chunks(CHUNK) {
        let opt = |f: fn(&NewAnnotation) -> Option<&str>| -> Vec<Option<&str>> {
            chunk.iter().map(f).collect()
        };
        let accession: Vec<&str> = chunk.iter().map(|r| r.protein_accession.as_str()).collect();
        let term: Vec<i64> = chunk.iter().map(|r| r.go_term_id).collect();
        inserted += sqlx::query(
            "insert into protein_go_annotation (annotation_set_id, protein_accession, go_term_id, qualifier, \
                evidence_code, assigned_by, db_reference, with_from, annotation_date) \
             select $1, a, t, q, e, b, r, w, d from unnest($2::varchar[], $3::bigint[], $4::varchar[], $5::varchar[], \
                $6::varchar[], $7::varchar[], $8::varchar[], $9::varchar[]) as x(a, t, q, e, b, r, w, d) \
             on conflict on constraint uq_pga_set_protein_term_evidence do nothing",
        )
        .bind(set)
        .bind(&accession)
        .bind(&term)
        .bind(opt(|r| r.qualifier.as_deref()))
        .bind(opt(|r| r.evidence_code.as_deref()))
        .bind(opt(|r| r.assigned_by.as_deref()))
        .bind(opt(|r| r.db_reference.as_deref()))
        .bind(opt(|r| r.with_from.as_deref()))
        .bind(opt(|r| r.annotation_date.as_deref()))
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(inserted)
}
