//! Typed queries for query sets: user FASTA uploads stored as entries that
//! point at MD5-deduplicated sequences.

use crate::proteins::ensure_sequences;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// One query set with its entry count.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct QuerySetView {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub entry_count: i64,
}

/// One entry, in upload order.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EntryView {
    pub accession: String,
    pub sequence_id: i32,
    pub length: i32,
}

/// Stores a validated upload in one transaction: (accession, md5, sequence).
pub async fn create(
    pool: &PgPool,
    name: &str,
    description: Option<&str>,
    entries: &[(String, String, String)],
) -> Result<(QuerySetView, u64), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let pairs: Vec<(String, String)> = entries
        .iter()
        .map(|(_, h, s)| (h.clone(), s.clone()))
        .collect();
    let mut unique = pairs.clone();
    unique.sort();
    unique.dedup();
    let (ids, inserted) = ensure_sequences(&mut tx, &unique).await?;
    let id = Uuid::new_v4();
    sqlx::query("insert into query_set (id, name, description) values ($1, $2, $3)")
        .bind(id)
        .bind(name)
        .bind(description)
        .execute(&mut *tx)
        .await?;
    let accessions: Vec<&str> = entries.iter().map(|(a, _, _)| a.as_str()).collect();
    let sequence_ids: Vec<i32> = entries.iter().map(|(_, h, _)| ids[h]).collect();
    // `with ordinality` keeps upload order in the bigserial ids.
    sqlx::query(
        "insert into query_set_entry (query_set_id, accession, sequence_id) \
         select $1, a, s from unnest($2::varchar[], $3::int[]) with ordinality as x(a, s, n) order by n",
    )
    .bind(id)
    .bind(&accessions)
    .bind(&sequence_ids)
    .execute(&mut *tx)
    .await?;
    let view = get(&mut tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    tx.commit().await?;
    Ok((view, inserted))
}

pub async fn get(conn: &mut PgConnection, id: Uuid) -> Result<Option<QuerySetView>, sqlx::Error> {
    sqlx::query_as(
        "select q.id, q.name, q.description, q.created_at, \
         (select count(*) from query_set_entry e where e.query_set_id = q.id) as entry_count \
         from query_set q where q.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

pub async fn list(
    pool: &PgPool,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<QuerySetView>), sqlx::Error> {
    let total: i64 = sqlx::query_scalar("select count(*) from query_set")
        .fetch_one(pool)
        .await?;
    let items = sqlx::query_as(
        "select q.id, q.name, q.description, q.created_at, \
         (select count(*) from query_set_entry e where e.query_set_id = q.id) as entry_count \
         from query_set q order by q.created_at desc, q.id limit $1 offset $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    Ok((total, items))
}

pub async fn entries(
    pool: &PgPool,
    id: Uuid,
    limit: i64,
    offset: i64,
) -> Result<Vec<EntryView>, sqlx::Error> {
    sqlx::query_as(
        "select e.accession, e.sequence_id, length(s.sequence) as length from query_set_entry e \
         join sequence s on s.id = e.sequence_id where e.query_set_id = $1 order by e.id limit $2 offset $3",
    )
    .bind(id)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
}

/// Removes the set and its entries (sequences are kept); false if absent.
pub async fn delete(pool: &PgPool, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("delete from query_set where id = $1")
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
        > 0)
}
