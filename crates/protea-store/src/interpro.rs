//! Typed queries for the InterPro → GO mapping table.

use sqlx::PgConnection;

/// One mapping row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMapping {
    pub ipr_accession: String,
    pub ipr_name: Option<String>,
    pub go_id: String,
    pub go_name: Option<String>,
}

/// Upserts one chunk; rows already present for the release are left alone.
/// Returns how many rows were new.
pub async fn insert_mappings(
    conn: &mut PgConnection,
    source_version: &str,
    evidence: &str,
    rows: &[NewMapping],
) -> Result<u64, sqlx::Error> {
    let ipr: Vec<&str> = rows.iter().map(|r| r.ipr_accession.as_str()).collect();
    let ipr_name: Vec<Option<&str>> = rows.iter().map(|r| r.ipr_name.as_deref()).collect();
    let go: Vec<&str> = rows.iter().map(|r| r.go_id.as_str()).collect();
    let go_name: Vec<Option<&str>> = rows.iter().map(|r| r.go_name.as_deref()).collect();
    Ok(sqlx::query(
        "insert into interpro_go_mapping (ipr_accession, ipr_name, go_id, go_name, source_version, evidence) \
         select i, n, g, gn, $5, $6 from unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[]) as x(i, n, g, gn) \
         on conflict on constraint uq_interpro_go_mapping_pair do nothing",
    )
    .bind(&ipr)
    .bind(&ipr_name)
    .bind(&go)
    .bind(&go_name)
    .bind(source_version)
    .bind(evidence)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}
