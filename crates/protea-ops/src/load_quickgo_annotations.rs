//! `load_quickgo_annotations`: QuickGO bulk-download TSV → one
//! `annotation_set` (source `quickgo`), spec §5.4.
//!
//! Gene products come in batches of `gene_product_batch_size` from the
//! database's canonical accessions (or `gene_product_ids`); rows are kept
//! when the accession is an existing protein and the GO id (or alt_id) is in
//! the snapshot. Evidence: the ECO mapping file's code, else the built-in
//! ECO → GO code table, else the raw ECO id (the original used the raw id
//! whenever no file was given, which left most QuickGO sets unusable for
//! experimental-evidence filters). Same set life cycle as
//! `load_goa_annotations`: incomplete sets never survive a failure.

use crate::ingest::{
    EmitRetries, check_location, check_timeout, client, format_error, source_error, sources_config,
    start_annotation_load, user_agent,
};
use crate::load_goa_annotations::non_empty;
use protea_core::{PayloadError, Validate, payload::check_range};
use protea_formats::{eco::EcoMap, quickgo_tsv};
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_sources::{HttpClient, Location, quickgo};
use protea_store::{annotations, annotations::NewAnnotation, ontology, proteins};
use serde::Deserialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::time::Instant;
use uuid::Uuid;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadQuickgoAnnotationsPayload {
    pub ontology_snapshot_id: Uuid,
    pub source_version: String,
    /// Defaults to the configured QuickGO URL (`PROTEA_QUICKGO_URL`).
    #[serde(default)]
    pub quickgo_base_url: Option<String>,
    #[serde(default)]
    pub gene_product_ids: Option<Vec<String>>,
    #[serde(default = "default_true")]
    pub use_db_accessions: bool,
    #[serde(default)]
    pub eco_mapping_url: Option<String>,
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: f64,
    #[serde(default = "default_true")]
    pub commit_every_page: bool,
    #[serde(default)]
    pub total_limit: Option<u64>,
    #[serde(default = "default_batch")]
    pub gene_product_batch_size: u32,
}

fn default_true() -> bool {
    true
}
fn default_page_size() -> u32 {
    10_000
}
fn default_timeout() -> f64 {
    300.0
}
fn default_batch() -> u32 {
    200
}

impl Validate for LoadQuickgoAnnotationsPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        if self.source_version.trim().is_empty() {
            return Err(PayloadError::new("source_version", "must not be empty"));
        }
        if let Some(url) = &self.quickgo_base_url {
            check_location("quickgo_base_url", url)?;
        }
        if let Some(url) = &self.eco_mapping_url {
            check_location("eco_mapping_url", url)?;
        }
        check_range("page_size", self.page_size, 1, 1_000_000)?;
        check_timeout(self.timeout_seconds)?;
        check_range(
            "gene_product_batch_size",
            self.gene_product_batch_size,
            1,
            5_000,
        )?;
        if let Some(limit) = self.total_limit {
            check_range("total_limit", limit, 1, u64::MAX)?;
        }
        Ok(())
    }
}

pub struct LoadQuickgoAnnotations;

struct Filters {
    proteins: HashSet<String>,
    terms: HashMap<u32, i64>,
    eco: EcoMap,
}

#[derive(Default)]
struct Tally {
    inserted: u64,
    skipped: u64,
    rows: u64,
    limit_reached: bool,
}

impl Operation for LoadQuickgoAnnotations {
    type Payload = LoadQuickgoAnnotationsPayload;
    const NAME: &'static str = "load_quickgo_annotations";
    const QUEUE: &'static str = queues::JOBS;
    const SUMMARY: &'static str =
        "Load GO annotations from the QuickGO bulk download for the proteins in the database";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: LoadQuickgoAnnotationsPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let started = Instant::now();
        let job_id = ctx.job_id();
        let snapshot = payload.ontology_snapshot_id;
        start_annotation_load(ctx, snapshot).await?;
        let base = payload
            .quickgo_base_url
            .clone()
            .unwrap_or_else(|| sources_config(ctx).quickgo_url);
        let http = client(&user_agent(Self::NAME), payload.timeout_seconds, None)?;
        let observer = EmitRetries(emit);
        let eco = match &payload.eco_mapping_url {
            Some(url) => {
                let location = Location::parse(url).map_err(source_error)?;
                let file = http
                    .download(&location, &observer)
                    .await
                    .map_err(source_error)?;
                let input = protea_formats::io::open(file.path()).map_err(|e| {
                    OperationError::failed(
                        "FileFormatError",
                        format!("{}: {e}", location.file_name()),
                    )
                })?;
                EcoMap::read(input, &location.file_name()).map_err(format_error)?
            }
            None => EcoMap::default(),
        };
        let proteins_known: HashSet<String> = proteins::all_accessions(ctx.tx())
            .await?
            .into_iter()
            .collect();
        let ids: Vec<String> = match &payload.gene_product_ids {
            Some(ids) => ids.clone(),
            None if payload.use_db_accessions => proteins::canonical_accessions(ctx.tx()).await?,
            None => Vec::new(),
        };
        let terms = ontology::resolvable_ids(ctx.tx(), snapshot).await?;
        let filters = Filters {
            proteins: proteins_known,
            terms: terms
                .iter()
                .filter_map(|(g, id)| protea_core::GoId::parse(g).ok().map(|g| (g.0, *id)))
                .collect(),
            eco,
        };
        let batches: Vec<Vec<String>> = if ids.is_empty() {
            vec![Vec::new()]
        } else {
            ids.chunks(payload.gene_product_batch_size as usize)
                .map(<[String]>::to_vec)
                .collect()
        };
        let set = annotations::create_set(
            ctx.tx(),
            "quickgo",
            &payload.source_version,
            snapshot,
            Some(job_id),
            json!({"quickgo_base_url": base}),
        )
        .await?;
        if payload.commit_every_page {
            ctx.commit().await?;
        }
        let outcome = run_batches(ctx, &payload, emit, &http, &base, &batches, &filters, set).await;
        match outcome {
            Ok(tally) => {
                annotations::mark_complete(ctx.tx(), set).await?;
                let result = json!({
                    "annotation_set_id": set, "inserted": tally.inserted, "skipped": tally.skipped,
                    "rows": tally.rows, "batches": batches.len(), "limit_reached": tally.limit_reached,
                    "http_requests": http.requests(), "http_retries": http.retries(),
                    "elapsed_seconds": started.elapsed().as_secs_f64(),
                });
                emit.info("load_quickgo_annotations.done", None, result.clone())
                    .await;
                Ok(OperationResult::done(result))
            }
            Err(err) => {
                if payload.commit_every_page {
                    // See load_goa_annotations: end our transaction, then delete.
                    let _ = ctx.commit().await;
                    annotations::delete_set(&mut *ctx.pool().acquire().await?, set).await?;
                }
                Err(err)
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_batches(
    ctx: &mut OperationContext,
    payload: &LoadQuickgoAnnotationsPayload,
    emit: &Emitter,
    http: &HttpClient,
    base: &str,
    batches: &[Vec<String>],
    filters: &Filters,
    set: Uuid,
) -> Result<Tally, OperationError> {
    let observer = EmitRetries(emit);
    let mut tally = Tally::default();
    let mut buffer: Vec<NewAnnotation> = Vec::new();
    let local = Location::parse(base).map_err(source_error)?;
    for (index, batch) in batches.iter().enumerate() {
        ctx.check_cancelled()?;
        let (body, source) = match &local {
            Location::Local(path) => {
                let raw = tokio::fs::read(path).await.map_err(|e| {
                    source_error(protea_sources::SourceError::Io {
                        path: path.clone(),
                        source: e,
                    })
                })?;
                (raw, local.file_name())
            }
            Location::Http(_) => {
                let url = quickgo::batch_url(base, batch).map_err(source_error)?;
                let fetched = http
                    .get(&url, Some(quickgo::ACCEPT_TSV), &observer)
                    .await
                    .map_err(source_error)?;
                (
                    fetched.body.to_vec(),
                    format!("QuickGO batch {} ({url})", index + 1),
                )
            }
        };
        let body = protea_sources::uniprot::gunzip_if_needed(body)
            .map_err(|e| OperationError::failed("FileFormatError", format!("{source}: {e}")))?;
        let wanted: HashSet<&str> = batch.iter().map(String::as_str).collect();
        let mut reader =
            quickgo_tsv::Reader::new(body.as_slice(), &source).map_err(format_error)?;
        while let Some(record) = reader.next_record().map_err(format_error)? {
            tally.rows += 1;
            let term = record.go_id.and_then(|g| filters.terms.get(&g.0).copied());
            let keep = filters.proteins.contains(&record.gene_product_id)
                && (wanted.is_empty() || wanted.contains(record.gene_product_id.as_str()));
            match (keep, term) {
                (true, Some(term)) => {
                    let evidence = record
                        .eco_id
                        .as_deref()
                        .map(|eco| filters.eco.resolve(eco).to_owned());
                    buffer.push(NewAnnotation {
                        protein_accession: record.gene_product_id.clone(),
                        go_term_id: term,
                        qualifier: record.qualifier.as_deref().and_then(non_empty),
                        evidence_code: evidence,
                        assigned_by: record.assigned_by.as_deref().and_then(non_empty),
                        db_reference: record.reference.as_deref().and_then(non_empty),
                        with_from: record.with_from.as_deref().and_then(non_empty),
                        annotation_date: record
                            .date
                            .as_deref()
                            .and_then(non_empty)
                            .filter(|d| d.len() <= 8),
                    });
                }
                _ => tally.skipped += 1,
            }
            if buffer.len() >= payload.page_size as usize
                && flush(ctx, payload, set, &mut buffer, &mut tally).await?
            {
                break;
            }
        }
        if !tally.limit_reached {
            flush(ctx, payload, set, &mut buffer, &mut tally).await?;
        }
        emit.info(
            "load_quickgo_annotations.batch_done",
            None,
            json!({
                "batch": index + 1, "inserted": tally.inserted, "skipped": tally.skipped,
                "_progress_current": index + 1, "_progress_total": batches.len(),
            }),
        )
        .await;
        if tally.limit_reached {
            emit.warning(
                "load_quickgo_annotations.limit_reached",
                Some("total_limit reached"),
                json!({"total_limit": payload.total_limit}),
            )
            .await;
            break;
        }
    }
    Ok(tally)
}

/// Writes the buffer; true once total_limit is reached.
async fn flush(
    ctx: &mut OperationContext,
    payload: &LoadQuickgoAnnotationsPayload,
    set: Uuid,
    buffer: &mut Vec<NewAnnotation>,
    tally: &mut Tally,
) -> Result<bool, OperationError> {
    if let Some(limit) = payload.total_limit {
        let room = limit.saturating_sub(tally.inserted) as usize;
        if buffer.len() >= room {
            buffer.truncate(room);
            tally.limit_reached = true;
        }
    }
    let new = annotations::insert_annotations(ctx.tx(), set, buffer).await?;
    tally.inserted += new;
    tally.skipped += buffer.len() as u64 - new;
    buffer.clear();
    if payload.commit_every_page {
        ctx.commit().await?;
    }
    Ok(tally.limit_reached)
}
