//! Typed queries for InterProScan results: the matches (`interpro_annotation`),
//! the record of which protein was scanned at which release
//! (`interpro_scan`), the inputs of a scan (accession → sequence) and the
//! reads the InterPro → GO propagation needs.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

const CHUNK: usize = 5_000;

/// One match to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewHit {
    pub protein_accession: String,
    pub ipr_accession: Option<String>,
    pub signature_db: String,
    pub signature_accession: String,
    pub signature_name: Option<String>,
    pub start_pos: i32,
    pub end_pos: i32,
    pub score: Option<f64>,
}

/// Inserts matches for one release; rows already stored (same protein,
/// signature, coordinates and release) are left alone. Returns how many
/// rows were new.
pub async fn insert_hits(
    conn: &mut PgConnection,
    release: &str,
    job_id: Option<Uuid>,
    rows: &[NewHit],
) -> Result<u64, sqlx::Error> {
    let mut inserted = 0;
    for chunk in rows.chunks(CHUNK) {
        let acc: Vec<&str> = chunk.iter().map(|r| r.protein_accession.as_str()).collect();
        let ipr: Vec<Option<&str>> = chunk.iter().map(|r| r.ipr_accession.as_deref()).collect();
        let db: Vec<&str> = chunk.iter().map(|r| r.signature_db.as_str()).collect();
        let sig: Vec<&str> = chunk
            .iter()
            .map(|r| r.signature_accession.as_str())
            .collect();
        let name: Vec<Option<&str>> = chunk.iter().map(|r| r.signature_name.as_deref()).collect();
        let start: Vec<i32> = chunk.iter().map(|r| r.start_pos).collect();
        let end: Vec<i32> = chunk.iter().map(|r| r.end_pos).collect();
        let score: Vec<Option<f64>> = chunk.iter().map(|r| r.score).collect();
        inserted += sqlx::query(
            "insert into interpro_annotation (protein_accession, ipr_accession, signature_db, \
             signature_accession, signature_name, start_pos, end_pos, score, ipr_release, job_id) \
             select a, i, d, s, n, st, e, sc, $9, $10 from unnest($1::varchar[], $2::varchar[], \
             $3::varchar[], $4::varchar[], $5::varchar[], $6::int[], $7::int[], $8::float8[]) \
             as x(a, i, d, s, n, st, e, sc) \
             on conflict on constraint uq_interpro_annotation do nothing",
        )
        .bind(&acc)
        .bind(&ipr)
        .bind(&db)
        .bind(&sig)
        .bind(&name)
        .bind(&start)
        .bind(&end)
        .bind(&score)
        .bind(release)
        .bind(job_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(inserted)
}

/// Records that these proteins were scanned at `release` (with their match
/// counts), matches or not.
pub async fn record_scans(
    conn: &mut PgConnection,
    release: &str,
    job_id: Option<Uuid>,
    scans: &[(String, i32)],
) -> Result<(), sqlx::Error> {
    for chunk in scans.chunks(CHUNK) {
        let acc: Vec<&str> = chunk.iter().map(|(a, _)| a.as_str()).collect();
        let count: Vec<i32> = chunk.iter().map(|(_, n)| *n).collect();
        sqlx::query(
            "insert into interpro_scan (protein_accession, ipr_release, match_count, job_id) \
             select a, $3, n, $4 from unnest($1::varchar[], $2::int[]) as x(a, n) \
             on conflict (protein_accession, ipr_release) do update \
             set match_count = excluded.match_count, job_id = excluded.job_id, scanned_at = now()",
        )
        .bind(&acc)
        .bind(&count)
        .bind(release)
        .bind(job_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Every (accession, release) at which these proteins have a stored match or
/// a recorded scan.
pub async fn scanned_releases(
    conn: &mut PgConnection,
    accessions: &[String],
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let mut out = Vec::new();
    for chunk in accessions.chunks(CHUNK) {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "select protein_accession, ipr_release from interpro_annotation \
             where protein_accession = any($1) and ipr_release is not null \
             union select protein_accession, ipr_release from interpro_scan \
             where protein_accession = any($1)",
        )
        .bind(chunk)
        .fetch_all(&mut *conn)
        .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// (accession, sequence) of the known proteins among `accessions`.
pub async fn protein_sequences(
    conn: &mut PgConnection,
    accessions: &[String],
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let mut out = Vec::new();
    for chunk in accessions.chunks(CHUNK) {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "select p.accession, s.sequence from protein p join sequence s on s.id = p.sequence_id \
             where p.accession = any($1)",
        )
        .bind(chunk)
        .fetch_all(&mut *conn)
        .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// (accession, sequence) of a query set's entries in upload order; `None`
/// when the set does not exist.
pub async fn query_set_sequences(
    conn: &mut PgConnection,
    query_set: Uuid,
) -> Result<Option<Vec<(String, String)>>, sqlx::Error> {
    let exists: bool = sqlx::query_scalar("select exists(select 1 from query_set where id = $1)")
        .bind(query_set)
        .fetch_one(&mut *conn)
        .await?;
    if !exists {
        return Ok(None);
    }
    let rows = sqlx::query_as(
        "select e.accession, s.sequence from query_set_entry e join sequence s on s.id = e.sequence_id \
         where e.query_set_id = $1 order by e.id",
    )
    .bind(query_set)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(rows))
}

/// (protein, InterPro entry, release) of the stored matches of these
/// proteins that carry an InterPro accession.
pub async fn interpro_entries(
    conn: &mut PgConnection,
    accessions: &[String],
) -> Result<Vec<(String, String, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "select distinct protein_accession, ipr_accession, ipr_release from interpro_annotation \
         where protein_accession = any($1) and ipr_accession is not null",
    )
    .bind(accessions)
    .fetch_all(&mut *conn)
    .await
}

/// (InterPro entry, GO id, evidence) of one mapping release for these entries.
pub async fn go_mappings(
    conn: &mut PgConnection,
    source_version: &str,
    entries: &[String],
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "select ipr_accession, go_id, evidence from interpro_go_mapping \
         where source_version = $1 and ipr_accession = any($2)",
    )
    .bind(source_version)
    .bind(entries)
    .fetch_all(&mut *conn)
    .await
}

/// How many mapping rows a release has (0: never loaded).
pub async fn mapping_count(
    conn: &mut PgConnection,
    source_version: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select count(*) from interpro_go_mapping where source_version = $1")
        .bind(source_version)
        .fetch_one(&mut *conn)
        .await
}

/// One stored match, for the API and the CLI.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct HitView {
    pub ipr_accession: Option<String>,
    pub ipr_name: Option<String>,
    pub signature_db: String,
    pub signature_accession: String,
    pub signature_name: Option<String>,
    pub start_pos: Option<i32>,
    pub end_pos: Option<i32>,
    pub score: Option<f64>,
    pub ipr_release: Option<String>,
    pub job_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// The stored matches of one protein, by position; `release` keeps one.
/// The InterPro entry name comes from any loaded interpro2go release.
pub async fn protein_hits(
    pool: &PgPool,
    accession: &str,
    release: Option<&str>,
) -> Result<Vec<HitView>, sqlx::Error> {
    sqlx::query_as(
        "select a.ipr_accession, \
         (select m.ipr_name from interpro_go_mapping m where m.ipr_accession = a.ipr_accession \
          and m.ipr_name is not null order by m.source_version desc limit 1) as ipr_name, \
         a.signature_db, a.signature_accession, a.signature_name, a.start_pos, a.end_pos, a.score, \
         a.ipr_release, a.job_id, a.created_at from interpro_annotation a \
         where a.protein_accession = $1 and ($2::varchar is null or a.ipr_release = $2) \
         order by a.ipr_release, a.start_pos, a.end_pos, a.signature_db, a.signature_accession",
    )
    .bind(accession)
    .bind(release)
    .fetch_all(pool)
    .await
}
