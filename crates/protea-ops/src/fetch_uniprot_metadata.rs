//! `fetch_uniprot_metadata`: UniProt TSV pages (25 fields) →
//! `protein_uniprot_metadata`, one row per canonical accession (isoforms
//! share it), every mapped column overwritten; with `update_protein_core`
//! the NULL core fields of the protein with that exact accession are filled
//! (spec §5.2). Commits per page by default: the upsert converges, so a
//! re-run after a failure completes the work without duplicates.

use crate::ingest::{EmitRetries, client, format_error, source_error, sources_config, user_agent};
use crate::uniprot_payload::{
    RetryFields, check_common, default_base, default_jitter, default_max, default_page_size,
    default_retries, default_timeout,
};
use protea_core::{PayloadError, Validate};
use protea_formats::uniprot_tsv;
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_sources::uniprot::{Format, Pager, SearchQuery};
use protea_store::proteins::{self, CoreBackfill, MetadataRow};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Instant;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchUniprotMetadataPayload {
    pub search_criteria: String,
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    #[serde(default)]
    pub total_limit: Option<u64>,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: f64,
    #[serde(default = "default_true")]
    pub compressed: bool,
    #[serde(default = "default_retries")]
    pub max_retries: u32,
    #[serde(default = "default_base")]
    pub backoff_base_seconds: f64,
    #[serde(default = "default_max")]
    pub backoff_max_seconds: f64,
    #[serde(default = "default_jitter")]
    pub jitter_seconds: f64,
    #[serde(default = "default_true")]
    pub commit_every_page: bool,
    #[serde(default = "default_true")]
    pub update_protein_core: bool,
    #[serde(default)]
    pub user_agent: Option<String>,
}

fn default_true() -> bool {
    true
}

impl FetchUniprotMetadataPayload {
    fn retry(&self) -> RetryFields {
        (
            self.max_retries,
            self.backoff_base_seconds,
            self.backoff_max_seconds,
            self.jitter_seconds,
        )
    }
}

impl Validate for FetchUniprotMetadataPayload {
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

pub struct FetchUniprotMetadata;

impl Operation for FetchUniprotMetadata {
    type Payload = FetchUniprotMetadataPayload;
    const NAME: &'static str = "fetch_uniprot_metadata";
    const QUEUE: &'static str = queues::JOBS;
    const SUMMARY: &'static str =
        "Fetch UniProt functional metadata (TSV, 25 fields) for canonical accessions";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: FetchUniprotMetadataPayload,
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
            format: Format::Tsv,
            query: payload.search_criteria.clone(),
            page_size: payload.page_size,
            include_isoforms: false,
            compressed: payload.compressed,
            fields: Some(uniprot_tsv::FIELDS.to_owned()),
        };
        let mut pager = Pager::new(&http, &query).map_err(source_error)?;
        let observer = EmitRetries(emit);
        let (mut pages, mut rows_read, mut upserted, mut backfilled) = (0u64, 0u64, 0u64, 0u64);
        let mut limit_reached = false;
        let mut total = payload.total_limit;
        while let Some(page) = pager.next_page(&observer).await.map_err(source_error)? {
            ctx.check_cancelled()?;
            pages += 1;
            total = total.or(page.total_results);
            let source = format!("UniProt TSV page {pages} ({})", page.url);
            let mut reader =
                uniprot_tsv::Reader::new(page.body.as_slice(), &source).map_err(format_error)?;
            let mut records = Vec::new();
            while let Some(record) = reader.next_record().map_err(format_error)? {
                records.push(record);
            }
            if let Some(limit) = payload.total_limit {
                let room = limit.saturating_sub(rows_read) as usize;
                if records.len() >= room {
                    limit_reached = true;
                    records.truncate(room);
                }
            }
            rows_read += records.len() as u64;
            let mut metadata: BTreeMap<String, MetadataRow> = BTreeMap::new();
            for record in &records {
                let canonical = record.canonical_accession().to_owned();
                metadata.insert(
                    canonical.clone(),
                    MetadataRow {
                        canonical_accession: canonical,
                        values: record.metadata.values.clone(),
                    },
                );
            }
            let metadata: Vec<MetadataRow> = metadata.into_values().collect();
            upserted += proteins::upsert_metadata(ctx.tx(), &metadata).await?;
            if payload.update_protein_core {
                let core: Vec<CoreBackfill> = records
                    .iter()
                    .map(|r| CoreBackfill {
                        accession: r.entry.clone(),
                        reviewed: r.is_reviewed(),
                        entry_name: r.entry_name.clone().filter(|v| !v.is_empty()),
                        organism: r.organism.clone().filter(|v| !v.is_empty()),
                        gene_name: r.gene_name().map(str::to_owned),
                        length: r.length_value().and_then(|l| i32::try_from(l).ok()),
                    })
                    .collect();
                backfilled += proteins::backfill_core(ctx.tx(), &core).await?;
            }
            if payload.commit_every_page {
                ctx.commit().await?;
            }
            emit.info(
                "fetch_uniprot_metadata.page_done",
                None,
                json!({
                    "page": pages, "rows": rows_read, "metadata_upserted": upserted,
                    "_progress_current": rows_read, "_progress_total": total,
                }),
            )
            .await;
            if limit_reached {
                emit.warning(
                    "fetch_uniprot_metadata.limit_reached",
                    Some("total_limit reached"),
                    json!({"total_limit": payload.total_limit}),
                )
                .await;
                break;
            }
        }
        let result = json!({
            "pages": pages, "rows": rows_read, "metadata_upserted": upserted, "proteins_backfilled": backfilled,
            "http_requests": http.requests(), "http_retries": http.retries(),
            "elapsed_seconds": started.elapsed().as_secs_f64(), "limit_reached": limit_reached,
        });
        emit.info("fetch_uniprot_metadata.done", None, result.clone())
            .await;
        Ok(OperationResult::done(result))
    }
}
