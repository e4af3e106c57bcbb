//! `insert_proteins`: UniProt FASTA pages → `sequence` (MD5-deduplicated) and
//! `protein` (isoforms with their canonical accession), spec §5.1.
//!
//! Existing proteins get the conservative update: blank fields are filled,
//! set values are never overwritten (canonical_accession / is_canonical /
//! isoform_index are always set from the accession). As in the spec the
//! whole ingest is one transaction committed with the job, so a bad header
//! or a non-amino-acid letter on page 40 leaves nothing behind; rows are
//! written per page through multi-row `UNNEST` upserts in chunks of 5 000.

use crate::ingest::{
    EmitRetries, client, format_error, md5_hex, source_error, sources_config, user_agent,
};
use crate::uniprot_payload::{
    RetryFields, check_common, default_base, default_jitter, default_max, default_page_size,
    default_retries, default_timeout,
};
use protea_core::{PayloadError, Validate};
use protea_formats::fasta::{self, validate::first_invalid_residue};
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_sources::uniprot::{Format, Pager, SearchQuery};
use protea_store::proteins::{self, ProteinRow};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Instant;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsertProteinsPayload {
    pub search_criteria: String,
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    #[serde(default)]
    pub total_limit: Option<u64>,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: f64,
    #[serde(default = "default_true")]
    pub include_isoforms: bool,
    #[serde(default)]
    pub compressed: bool,
    #[serde(default = "default_retries")]
    pub max_retries: u32,
    #[serde(default = "default_base")]
    pub backoff_base_seconds: f64,
    #[serde(default = "default_max")]
    pub backoff_max_seconds: f64,
    #[serde(default = "default_jitter")]
    pub jitter_seconds: f64,
    #[serde(default)]
    pub user_agent: Option<String>,
}

fn default_true() -> bool {
    true
}

impl InsertProteinsPayload {
    fn retry(&self) -> RetryFields {
        (
            self.max_retries,
            self.backoff_base_seconds,
            self.backoff_max_seconds,
            self.jitter_seconds,
        )
    }
}

impl Validate for InsertProteinsPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        check_common(
            &self.search_criteria,
            self.page_size,
            self.total_limit,
            self.timeout_seconds,
            self.retry(),
            &self.user_agent,
        )
    }
}

pub struct InsertProteins;

#[derive(Debug, Default)]
struct Counts {
    pages: u64,
    retrieved: u64,
    isoforms: u64,
    proteins_inserted: u64,
    proteins_updated: u64,
    sequences_inserted: u64,
    sequences_reused: u64,
}

impl Operation for InsertProteins {
    type Payload = InsertProteinsPayload;
    const NAME: &'static str = "insert_proteins";
    const QUEUE: &'static str = queues::JOBS;
    const SUMMARY: &'static str = "Fetch protein sequences from UniProt (FASTA, cursor pages) and upsert proteins and sequences";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: InsertProteinsPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let started = Instant::now();
        let agent = payload
            .user_agent
            .clone()
            .unwrap_or_else(|| user_agent(Self::NAME));
        let http = client(&agent, payload.timeout_seconds, Some(payload.retry()))?;
        let query = SearchQuery {
            base_url: sources_config(ctx).uniprot_url,
            format: Format::Fasta,
            query: payload.search_criteria.clone(),
            page_size: payload.page_size,
            include_isoforms: payload.include_isoforms,
            compressed: payload.compressed,
            fields: None,
        };
        let mut pager = Pager::new(&http, &query).map_err(source_error)?;
        let observer = EmitRetries(emit);
        let mut counts = Counts::default();
        let mut total = payload.total_limit;
        let mut limit_reached = false;
        while let Some(page) = pager.next_page(&observer).await.map_err(source_error)? {
            ctx.check_cancelled()?;
            counts.pages += 1;
            if total.is_none() {
                total = page.total_results;
            }
            let source = if counts.pages == 1 && pager_is_single(&page.url) {
                file_name(&page.url)
            } else {
                format!("UniProt page {} ({})", counts.pages, page.url)
            };
            let mut records = parse_page(&page.body, &source)?;
            if let Some(limit) = payload.total_limit {
                let room = limit.saturating_sub(counts.retrieved) as usize;
                if records.len() >= room {
                    limit_reached =
                        records.len() > room || counts.retrieved + records.len() as u64 == limit;
                    records.truncate(room);
                }
            }
            counts.retrieved += records.len() as u64;
            write_page(ctx, &records, &mut counts).await?;
            emit.info("insert_proteins.page_done", None, json!({
                "page": counts.pages, "records": records.len(), "retrieved": counts.retrieved,
                "proteins_inserted": counts.proteins_inserted, "proteins_updated": counts.proteins_updated,
                "_progress_current": counts.retrieved, "_progress_total": total,
            })).await;
            if limit_reached {
                emit.warning(
                    "insert_proteins.limit_reached",
                    Some("total_limit reached"),
                    json!({"total_limit": payload.total_limit}),
                )
                .await;
                break;
            }
        }
        let result = json!({
            "pages": counts.pages, "retrieved_records": counts.retrieved, "isoform_records": counts.isoforms,
            "proteins_inserted": counts.proteins_inserted, "proteins_updated": counts.proteins_updated,
            "sequences_inserted": counts.sequences_inserted, "sequences_reused": counts.sequences_reused,
            "http_requests": http.requests(), "http_retries": http.retries(),
            "elapsed_seconds": started.elapsed().as_secs_f64(), "limit_reached": limit_reached,
        });
        emit.info("insert_proteins.done", None, result.clone())
            .await;
        Ok(OperationResult::done(result))
    }
}

/// A local base URL yields the file itself as the only page.
fn pager_is_single(url: &str) -> bool {
    !url.starts_with("http://") && !url.starts_with("https://")
}

fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_owned())
}

/// Parses and checks one page: headers must parse, residues must be amino
/// acid letters; records with an empty sequence are skipped (spec).
fn parse_page(body: &[u8], source: &str) -> Result<Vec<fasta::FastaRecord>, OperationError> {
    let mut reader = fasta::Reader::new(body, source);
    let mut records = Vec::new();
    while let Some(record) = reader.next_record().map_err(format_error)? {
        if record.sequence.is_empty() {
            continue;
        }
        if let Some((letter, position)) = first_invalid_residue(&record.sequence) {
            return Err(format_error(protea_formats::Error::parse(
                source,
                record.line,
                "sequence",
                format!(
                    "{}: invalid residue {letter:?} at position {position}",
                    record.accession
                ),
            )));
        }
        records.push(record);
    }
    Ok(records)
}

async fn write_page(
    ctx: &mut OperationContext,
    records: &[fasta::FastaRecord],
    counts: &mut Counts,
) -> Result<(), OperationError> {
    let mut unique: BTreeMap<String, &str> = BTreeMap::new();
    let hashes: Vec<String> = records.iter().map(|r| md5_hex(&r.sequence)).collect();
    for (hash, record) in hashes.iter().zip(records) {
        unique.entry(hash.clone()).or_insert(&record.sequence);
    }
    let pairs: Vec<(String, String)> = unique.into_iter().map(|(h, s)| (h, s.to_owned())).collect();
    let (ids, inserted) = proteins::ensure_sequences(ctx.tx(), &pairs).await?;
    counts.sequences_inserted += inserted;
    counts.sequences_reused += pairs.len() as u64 - inserted;
    // One row per accession: a page repeating an accession keeps its last record.
    let mut rows: BTreeMap<&str, ProteinRow> = BTreeMap::new();
    for (hash, record) in hashes.iter().zip(records) {
        let parts = record.isoform();
        if !parts.is_canonical() {
            counts.isoforms += 1;
        }
        rows.insert(
            &record.accession,
            ProteinRow {
                accession: record.accession.clone(),
                entry_name: record.entry_name.clone(),
                reviewed: Some(record.reviewed),
                canonical_accession: parts.canonical.to_owned(),
                isoform_index: parts.isoform_index.map(|i| i as i32),
                taxonomy_id: record.taxonomy_id.clone(),
                organism: record.organism.clone(),
                gene_name: record.gene_name.clone(),
                length: i32::try_from(record.length()).ok(),
                sequence_id: ids.get(hash).copied(),
            },
        );
    }
    let rows: Vec<ProteinRow> = rows.into_values().collect();
    let upserted = proteins::upsert_proteins(ctx.tx(), &rows).await?;
    counts.proteins_inserted += upserted.inserted;
    counts.proteins_updated += upserted.updated;
    Ok(())
}
