//! Typed queries for GO snapshots: terms, alternative ids and the DAG.
//! Bulk paths use `UNNEST` of column arrays (one round trip per chunk).

use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// Rows per multi-row statement: keeps bind arrays well under a few MB.
const CHUNK: usize = 10_000;

/// An existing snapshot and whether it has edges.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotState {
    pub id: Uuid,
    pub relationships: i64,
}

pub async fn find_snapshot(
    conn: &mut PgConnection,
    obo_version: &str,
) -> Result<Option<SnapshotState>, sqlx::Error> {
    let row: Option<(Uuid,)> =
        sqlx::query_as("select id from ontology_snapshot where obo_version = $1")
            .bind(obo_version)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((id,)) = row else { return Ok(None) };
    let relationships: i64 = sqlx::query_scalar(
        "select count(*) from go_term_relationship where ontology_snapshot_id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some(SnapshotState { id, relationships }))
}

pub async fn insert_snapshot(
    conn: &mut PgConnection,
    obo_url: &str,
    obo_version: &str,
    job_id: Option<Uuid>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into ontology_snapshot (id, obo_url, obo_version, job_id) values ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(obo_url)
    .bind(obo_version)
    .bind(job_id)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// One `go_term` row to insert.
#[derive(Debug, Clone)]
pub struct NewTerm {
    pub go_id: String,
    pub name: Option<String>,
    pub aspect: Option<String>,
    pub definition: Option<String>,
    pub is_obsolete: bool,
}

/// Inserts terms; returns go_id → row id.
pub async fn insert_terms(
    conn: &mut PgConnection,
    snapshot: Uuid,
    terms: &[NewTerm],
) -> Result<HashMap<String, i64>, sqlx::Error> {
    let mut ids = HashMap::with_capacity(terms.len());
    for chunk in terms.chunks(CHUNK) {
        let go_ids: Vec<&str> = chunk.iter().map(|t| t.go_id.as_str()).collect();
        let names: Vec<Option<&str>> = chunk.iter().map(|t| t.name.as_deref()).collect();
        let aspects: Vec<Option<&str>> = chunk.iter().map(|t| t.aspect.as_deref()).collect();
        let defs: Vec<Option<&str>> = chunk.iter().map(|t| t.definition.as_deref()).collect();
        let obsolete: Vec<bool> = chunk.iter().map(|t| t.is_obsolete).collect();
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "insert into go_term (go_id, name, aspect, definition, is_obsolete, ontology_snapshot_id) \
             select g, n, a, d, o, $6 from unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::text[], $5::bool[]) \
             as t(g, n, a, d, o) returning id, go_id",
        )
        .bind(&go_ids)
        .bind(&names)
        .bind(&aspects)
        .bind(&defs)
        .bind(&obsolete)
        .bind(snapshot)
        .fetch_all(&mut *conn)
        .await?;
        ids.extend(rows.into_iter().map(|(id, go)| (go, id)));
    }
    Ok(ids)
}

/// Inserts (alt_go_id, term row id) pairs; returns how many were new.
pub async fn insert_alt_ids(
    conn: &mut PgConnection,
    snapshot: Uuid,
    alt_ids: &[(String, i64)],
) -> Result<u64, sqlx::Error> {
    let mut inserted = 0;
    for chunk in alt_ids.chunks(CHUNK) {
        let alts: Vec<&str> = chunk.iter().map(|(a, _)| a.as_str()).collect();
        let terms: Vec<i64> = chunk.iter().map(|(_, t)| *t).collect();
        inserted += sqlx::query(
            "insert into go_term_alt_id (ontology_snapshot_id, alt_go_id, go_term_id) \
             select $1, a, t from unnest($2::varchar[], $3::bigint[]) as x(a, t) on conflict do nothing",
        )
        .bind(snapshot)
        .bind(&alts)
        .bind(&terms)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(inserted)
}

/// Inserts (child id, parent id, relation type) edges; returns how many were new.
pub async fn insert_relationships(
    conn: &mut PgConnection,
    snapshot: Uuid,
    edges: &[(i64, i64, String)],
) -> Result<u64, sqlx::Error> {
    let mut inserted = 0;
    for chunk in edges.chunks(CHUNK) {
        let child: Vec<i64> = chunk.iter().map(|e| e.0).collect();
        let parent: Vec<i64> = chunk.iter().map(|e| e.1).collect();
        let kind: Vec<&str> = chunk.iter().map(|e| e.2.as_str()).collect();
        inserted += sqlx::query(
            "insert into go_term_relationship (child_go_term_id, parent_go_term_id, relation_type, ontology_snapshot_id) \
             select c, p, k, $4 from unnest($1::bigint[], $2::bigint[], $3::varchar[]) as x(c, p, k) \
             on conflict on constraint uq_go_term_relationship do nothing",
        )
        .bind(&child)
        .bind(&parent)
        .bind(&kind)
        .bind(snapshot)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(inserted)
}

/// go_id → row id of every term of a snapshot.
pub async fn term_ids(
    conn: &mut PgConnection,
    snapshot: Uuid,
) -> Result<HashMap<String, i64>, sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("select go_id, id from go_term where ontology_snapshot_id = $1")
            .bind(snapshot)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.into_iter().collect())
}

/// go_id → row id for annotation loading: every term plus every alt_id
/// resolved to its primary term.
pub async fn resolvable_ids(
    conn: &mut PgConnection,
    snapshot: Uuid,
) -> Result<HashMap<String, i64>, sqlx::Error> {
    let mut ids = term_ids(conn, snapshot).await?;
    let alts: Vec<(String, i64)> = sqlx::query_as(
        "select alt_go_id, go_term_id from go_term_alt_id where ontology_snapshot_id = $1",
    )
    .bind(snapshot)
    .fetch_all(&mut *conn)
    .await?;
    for (alt, id) in alts {
        ids.entry(alt).or_insert(id);
    }
    Ok(ids)
}

pub async fn snapshot_exists(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select 1 from ontology_snapshot where id = $1)")
        .bind(id)
        .fetch_one(&mut *conn)
        .await
}
