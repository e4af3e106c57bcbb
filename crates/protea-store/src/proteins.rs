//! Typed queries for sequences, proteins and UniProt metadata: MD5-keyed
//! sequence dedup, the conservative ("fill blanks only") protein upsert, and
//! the metadata upsert keyed by canonical accession.

use sqlx::PgConnection;
use std::collections::HashMap;

/// Look-ups and inserts per statement (spec: chunks of 5 000).
pub const CHUNK: usize = 5_000;

/// Sequence row ids for `(hash, sequence)` pairs, inserting the missing
/// ones. Returns hash → id and the number inserted.
pub async fn ensure_sequences(
    conn: &mut PgConnection,
    sequences: &[(String, String)],
) -> Result<(HashMap<String, i32>, u64), sqlx::Error> {
    let mut ids = HashMap::with_capacity(sequences.len());
    let mut inserted = 0u64;
    for chunk in sequences.chunks(CHUNK) {
        let hashes: Vec<&str> = chunk.iter().map(|(h, _)| h.as_str()).collect();
        let found: Vec<(i32, String)> =
            sqlx::query_as("select id, sequence_hash from sequence where sequence_hash = any($1)")
                .bind(&hashes)
                .fetch_all(&mut *conn)
                .await?;
        ids.extend(found.into_iter().map(|(id, h)| (h, id)));
        let missing: Vec<&(String, String)> =
            chunk.iter().filter(|(h, _)| !ids.contains_key(h)).collect();
        if missing.is_empty() {
            continue;
        }
        let hashes: Vec<&str> = missing.iter().map(|(h, _)| h.as_str()).collect();
        let residues: Vec<&str> = missing.iter().map(|(_, s)| s.as_str()).collect();
        // `on conflict do nothing` + a second look-up covers a concurrent job
        // inserting the same sequence between our select and insert.
        let new: Vec<(i32, String)> = sqlx::query_as(
            "insert into sequence (sequence, sequence_hash) select s, h from unnest($1::text[], $2::varchar[]) as x(s, h) \
             on conflict (sequence_hash) do nothing returning id, sequence_hash",
        )
        .bind(&residues)
        .bind(&hashes)
        .fetch_all(&mut *conn)
        .await?;
        inserted += new.len() as u64;
        ids.extend(new.into_iter().map(|(id, h)| (h, id)));
        let still: Vec<&str> = hashes
            .into_iter()
            .filter(|h| !ids.contains_key(*h))
            .collect();
        if !still.is_empty() {
            let found: Vec<(i32, String)> = sqlx::query_as(
                "select id, sequence_hash from sequence where sequence_hash = any($1)",
            )
            .bind(&still)
            .fetch_all(&mut *conn)
            .await?;
            ids.extend(found.into_iter().map(|(id, h)| (h, id)));
        }
    }
    Ok((ids, inserted))
}

/// One protein as read from UniProt.
#[derive(Debug, Clone, Default)]
pub struct ProteinRow {
    pub accession: String,
    pub entry_name: Option<String>,
    pub reviewed: Option<bool>,
    pub canonical_accession: String,
    pub isoform_index: Option<i32>,
    pub taxonomy_id: Option<String>,
    pub organism: Option<String>,
    pub gene_name: Option<String>,
    pub length: Option<i32>,
    pub sequence_id: Option<i32>,
}

/// Outcome of [`upsert_proteins`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct UpsertCounts {
    pub inserted: u64,
    /// Existing rows where at least one value changed.
    pub updated: u64,
}

/// Inserts new proteins; for existing ones fills only NULL/empty fields
/// (sequence_id, entry_name, reviewed, taxonomy_id, organism, gene_name,
/// length) and always sets canonical_accession/is_canonical/isoform_index
/// (spec §5.1). Rows that would not change are not touched at all.
pub async fn upsert_proteins(
    conn: &mut PgConnection,
    rows: &[ProteinRow],
) -> Result<UpsertCounts, sqlx::Error> {
    let mut counts = UpsertCounts::default();
    for chunk in rows.chunks(CHUNK) {
        let col = |f: fn(&ProteinRow) -> Option<&str>| -> Vec<Option<&str>> {
            chunk.iter().map(f).collect()
        };
        let accession: Vec<&str> = chunk.iter().map(|r| r.accession.as_str()).collect();
        let canonical: Vec<&str> = chunk
            .iter()
            .map(|r| r.canonical_accession.as_str())
            .collect();
        let entry = col(|r| r.entry_name.as_deref());
        let taxonomy = col(|r| r.taxonomy_id.as_deref());
        let organism = col(|r| r.organism.as_deref());
        let gene = col(|r| r.gene_name.as_deref());
        let reviewed: Vec<Option<bool>> = chunk.iter().map(|r| r.reviewed).collect();
        let isoform: Vec<Option<i32>> = chunk.iter().map(|r| r.isoform_index).collect();
        let length: Vec<Option<i32>> = chunk.iter().map(|r| r.length).collect();
        let sequence: Vec<Option<i32>> = chunk.iter().map(|r| r.sequence_id).collect();
        let flags: Vec<bool> = sqlx::query_scalar(
            "insert into protein as p (accession, canonical_accession, entry_name, taxonomy_id, organism, gene_name, \
                reviewed, isoform_index, is_canonical, length, sequence_id) \
             select a, c, e, t, o, g, r, i, i is null, l, s from unnest($1::varchar[], $2::varchar[], $3::varchar[], \
                $4::varchar[], $5::varchar[], $6::varchar[], $7::bool[], $8::int[], $9::int[], $10::int[]) \
                as x(a, c, e, t, o, g, r, i, l, s) \
             on conflict (accession) do update set \
                sequence_id = coalesce(p.sequence_id, excluded.sequence_id), \
                entry_name = coalesce(nullif(p.entry_name, ''), excluded.entry_name), \
                reviewed = coalesce(p.reviewed, excluded.reviewed), \
                taxonomy_id = coalesce(nullif(p.taxonomy_id, ''), excluded.taxonomy_id), \
                organism = coalesce(nullif(p.organism, ''), excluded.organism), \
                gene_name = coalesce(nullif(p.gene_name, ''), excluded.gene_name), \
                length = coalesce(p.length, excluded.length), \
                canonical_accession = excluded.canonical_accession, \
                is_canonical = excluded.is_canonical, \
                isoform_index = excluded.isoform_index, \
                updated_at = now() \
             where (p.sequence_id is null and excluded.sequence_id is not null) \
                or (coalesce(p.entry_name, '') = '' and coalesce(excluded.entry_name, '') <> '') \
                or (p.reviewed is null and excluded.reviewed is not null) \
                or (coalesce(p.taxonomy_id, '') = '' and coalesce(excluded.taxonomy_id, '') <> '') \
                or (coalesce(p.organism, '') = '' and coalesce(excluded.organism, '') <> '') \
                or (coalesce(p.gene_name, '') = '' and coalesce(excluded.gene_name, '') <> '') \
                or (p.length is null and excluded.length is not null) \
                or p.canonical_accession is distinct from excluded.canonical_accession \
                or p.isoform_index is distinct from excluded.isoform_index \
             returning (xmax = 0)",
        )
        .bind(&accession)
        .bind(&canonical)
        .bind(&entry)
        .bind(&taxonomy)
        .bind(&organism)
        .bind(&gene)
        .bind(&reviewed)
        .bind(&isoform)
        .bind(&length)
        .bind(&sequence)
        .fetch_all(&mut *conn)
        .await?;
        let inserted = flags.iter().filter(|&&f| f).count() as u64;
        counts.inserted += inserted;
        counts.updated += flags.len() as u64 - inserted;
    }
    Ok(counts)
}

/// Accessions of canonical protein rows (the annotation loaders' filter).
pub async fn canonical_accessions(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("select accession from protein where is_canonical order by accession")
        .fetch_all(&mut *conn)
        .await
}

/// Every protein accession (QuickGO keeps rows for any existing accession).
pub async fn all_accessions(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("select accession from protein order by accession")
        .fetch_all(&mut *conn)
        .await
}

/// Metadata values in `protea_formats::uniprot_tsv::METADATA_COLUMNS` order
/// (function_cc first, features last). `None`: the column was not in the
/// table, so the stored value is kept; `Some("")` overwrites (spec §5.2).
#[derive(Debug, Clone)]
pub struct MetadataRow {
    pub canonical_accession: String,
    pub values: [Option<String>; 18],
}

/// Creates or overwrites metadata rows; returns rows written. Accessions
/// must be unique within one call (the caller keeps the last row of each).
pub async fn upsert_metadata(
    conn: &mut PgConnection,
    rows: &[MetadataRow],
) -> Result<u64, sqlx::Error> {
    let mut written = 0;
    for chunk in rows.chunks(CHUNK) {
        let accession: Vec<&str> = chunk
            .iter()
            .map(|r| r.canonical_accession.as_str())
            .collect();
        let mut query = sqlx::query(METADATA_UPSERT).bind(accession);
        for column in 0..18 {
            let values: Vec<Option<&str>> =
                chunk.iter().map(|r| r.values[column].as_deref()).collect();
            query = query.bind(values);
        }
        written += query.execute(&mut *conn).await?.rows_affected();
    }
    Ok(written)
}

const METADATA_UPSERT: &str = "insert into protein_uniprot_metadata as m (canonical_accession, function_cc, catalytic_activity, ec_number, pathway, kinetics, absorption, active_site, binding_site, cofactor, dna_binding, activity_regulation, ph_dependence, redox_potential, rhea_id, site, temperature_dependence, keywords, features) \
             select a, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17 from unnest($1::varchar[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[]) as x(a, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17) \
             on conflict (canonical_accession) do update set function_cc = coalesce(excluded.function_cc, m.function_cc), catalytic_activity = coalesce(excluded.catalytic_activity, m.catalytic_activity), ec_number = coalesce(excluded.ec_number, m.ec_number), pathway = coalesce(excluded.pathway, m.pathway), kinetics = coalesce(excluded.kinetics, m.kinetics), absorption = coalesce(excluded.absorption, m.absorption), active_site = coalesce(excluded.active_site, m.active_site), binding_site = coalesce(excluded.binding_site, m.binding_site), cofactor = coalesce(excluded.cofactor, m.cofactor), dna_binding = coalesce(excluded.dna_binding, m.dna_binding), activity_regulation = coalesce(excluded.activity_regulation, m.activity_regulation), ph_dependence = coalesce(excluded.ph_dependence, m.ph_dependence), redox_potential = coalesce(excluded.redox_potential, m.redox_potential), rhea_id = coalesce(excluded.rhea_id, m.rhea_id), site = coalesce(excluded.site, m.site), temperature_dependence = coalesce(excluded.temperature_dependence, m.temperature_dependence), keywords = coalesce(excluded.keywords, m.keywords), features = coalesce(excluded.features, m.features), updated_at = now()";

/// Core fields backfilled from the metadata TSV.
#[derive(Debug, Clone)]
pub struct CoreBackfill {
    pub accession: String,
    pub reviewed: Option<bool>,
    pub entry_name: Option<String>,
    pub organism: Option<String>,
    pub gene_name: Option<String>,
    pub length: Option<i32>,
}

/// Fills only NULL core fields of existing proteins; returns rows changed.
pub async fn backfill_core(
    conn: &mut PgConnection,
    rows: &[CoreBackfill],
) -> Result<u64, sqlx::Error> {
    let accession: Vec<&str> = rows.iter().map(|r| r.accession.as_str()).collect();
    let reviewed: Vec<Option<bool>> = rows.iter().map(|r| r.reviewed).collect();
    let entry: Vec<Option<&str>> = rows.iter().map(|r| r.entry_name.as_deref()).collect();
    let organism: Vec<Option<&str>> = rows.iter().map(|r| r.organism.as_deref()).collect();
    let gene: Vec<Option<&str>> = rows.iter().map(|r| r.gene_name.as_deref()).collect();
    let length: Vec<Option<i32>> = rows.iter().map(|r| r.length).collect();
    let done = sqlx::query(
        "update protein p set reviewed = coalesce(p.reviewed, x.r), entry_name = coalesce(p.entry_name, x.e), \
            organism = coalesce(p.organism, x.o), gene_name = coalesce(p.gene_name, x.g), length = coalesce(p.length, x.l), \
            updated_at = now() \
         from unnest($1::varchar[], $2::bool[], $3::varchar[], $4::varchar[], $5::varchar[], $6::int[]) as x(a, r, e, o, g, l) \
         where p.accession = x.a and ((p.reviewed is null and x.r is not null) or (p.entry_name is null and x.e is not null) \
            or (p.organism is null and x.o is not null) or (p.gene_name is null and x.g is not null) \
            or (p.length is null and x.l is not null))",
    )
    .bind(&accession)
    .bind(&reviewed)
    .bind(&entry)
    .bind(&organism)
    .bind(&gene)
    .bind(&length)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}
