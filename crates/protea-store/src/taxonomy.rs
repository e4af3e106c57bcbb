//! Typed queries for NCBI taxonomy snapshots.

use sqlx::PgConnection;
use uuid::Uuid;

const CHUNK: usize = 10_000;

pub async fn find_snapshot(
    conn: &mut PgConnection,
    version: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar("select id from taxonomy_snapshot where version = $1")
        .bind(version)
        .fetch_optional(&mut *conn)
        .await
}

pub async fn insert_snapshot(
    conn: &mut PgConnection,
    source_url: &str,
    version: &str,
    job_id: Option<Uuid>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into taxonomy_snapshot (id, source_url, version, job_id) values ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(source_url)
    .bind(version)
    .bind(job_id)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// (tax_id, parent, rank, scientific name) rows.
pub async fn insert_taxa(
    conn: &mut PgConnection,
    snapshot: Uuid,
    taxa: &[(i32, i32, String, Option<String>)],
) -> Result<u64, sqlx::Error> {
    let mut inserted = 0;
    for chunk in taxa.chunks(CHUNK) {
        let id: Vec<i32> = chunk.iter().map(|t| t.0).collect();
        let parent: Vec<i32> = chunk.iter().map(|t| t.1).collect();
        let rank: Vec<&str> = chunk.iter().map(|t| t.2.as_str()).collect();
        let name: Vec<Option<&str>> = chunk.iter().map(|t| t.3.as_deref()).collect();
        inserted += sqlx::query(
            "insert into taxon (taxonomy_snapshot_id, tax_id, parent_tax_id, rank, name) \
             select $1, i, p, r, n from unnest($2::int[], $3::int[], $4::varchar[], $5::varchar[]) as x(i, p, r, n)",
        )
        .bind(snapshot)
        .bind(&id)
        .bind(&parent)
        .bind(&rank)
        .bind(&name)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(inserted)
}

/// (old, new) rows of merged.dmp.
pub async fn insert_merged(
    conn: &mut PgConnection,
    snapshot: Uuid,
    merged: &[(i32, i32)],
) -> Result<u64, sqlx::Error> {
    let mut inserted = 0;
    for chunk in merged.chunks(CHUNK) {
        let old: Vec<i32> = chunk.iter().map(|m| m.0).collect();
        let new: Vec<i32> = chunk.iter().map(|m| m.1).collect();
        inserted += sqlx::query(
            "insert into taxon_merged (taxonomy_snapshot_id, old_tax_id, new_tax_id) \
             select $1, o, n from unnest($2::int[], $3::int[]) as x(o, n) on conflict do nothing",
        )
        .bind(snapshot)
        .bind(&old)
        .bind(&new)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(inserted)
}
