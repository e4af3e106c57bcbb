//! `load_goa_annotations`: a GOA GAF (2.1/2.2, plain or gzip) → one
//! `annotation_set` (source `goa`) and its `protein_go_annotation` rows.
//!
//! Rows are kept when the accession (column 2) is a canonical protein in the
//! database and the GO id is a term (or an alt_id, resolved) of the chosen
//! snapshot; duplicates (set, accession, term, evidence) are dropped.
//!
//! Atomicity vs `commit_every_page`: with page commits (the default, to
//! bound the transaction) a failure half-way would leave a partial set, so
//! the set is created with `meta.complete = false`, deleted by this
//! operation when anything fails, deleted by a re-delivered attempt of the
//! same job before it starts (a killed worker), and marked complete in the
//! final transaction. With `commit_every_page = false` everything is one
//! transaction. A re-run with the same URL, version and snapshot finds the
//! complete set and writes nothing.

use crate::ingest::{
    EmitRetries, check_location, check_timeout, client, format_error, source_error, spawn_producer,
    start_annotation_load, user_agent,
};
use protea_core::{PayloadError, Validate, payload::check_range};
use protea_formats::gaf;
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_sources::Location;
use protea_store::{annotations, annotations::NewAnnotation, ontology, proteins};
use serde::Deserialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadGoaAnnotationsPayload {
    pub ontology_snapshot_id: Uuid,
    pub gaf_url: String,
    pub source_version: String,
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: f64,
    #[serde(default = "default_true")]
    pub commit_every_page: bool,
    #[serde(default)]
    pub total_limit: Option<u64>,
}

fn default_page_size() -> u32 {
    10_000
}
fn default_timeout() -> f64 {
    300.0
}
fn default_true() -> bool {
    true
}

impl Validate for LoadGoaAnnotationsPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        check_location("gaf_url", &self.gaf_url)?;
        if self.source_version.trim().is_empty() {
            return Err(PayloadError::new("source_version", "must not be empty"));
        }
        check_range("page_size", self.page_size, 1, 1_000_000)?;
        check_timeout(self.timeout_seconds)?;
        if let Some(limit) = self.total_limit {
            check_range("total_limit", limit, 1, u64::MAX)?;
        }
        Ok(())
    }
}

pub struct LoadGoaAnnotations;

/// One parsed page.
pub(crate) struct Page {
    pub rows: Vec<NewAnnotation>,
    pub lines: u64,
    pub unknown_protein: u64,
    pub unknown_term: u64,
    pub duplicates: u64,
}

impl Operation for LoadGoaAnnotations {
    type Payload = LoadGoaAnnotationsPayload;
    const NAME: &'static str = "load_goa_annotations";
    const QUEUE: &'static str = queues::JOBS;
    const SUMMARY: &'static str =
        "Load a GOA GAF file into a new annotation set (known proteins and terms only)";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: LoadGoaAnnotationsPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let started = Instant::now();
        let job_id = ctx.job_id();
        let snapshot = payload.ontology_snapshot_id;
        start_annotation_load(ctx, snapshot).await?;
        if let Some((set, count)) = annotations::find_complete_set(
            ctx.tx(),
            "goa",
            &payload.source_version,
            snapshot,
            "gaf_url",
            &payload.gaf_url,
        )
        .await?
        {
            let result = json!({"annotation_set_id": set, "inserted": 0, "skipped": 0,
                                "already_loaded": true, "existing_annotations": count});
            emit.info(
                "load_goa_annotations.skipped",
                Some("annotation set already loaded"),
                result.clone(),
            )
            .await;
            return Ok(OperationResult::done(result));
        }
        let lookups = Instant::now();
        let accessions: HashSet<String> = proteins::canonical_accessions(ctx.tx())
            .await?
            .into_iter()
            .collect();
        let terms = ontology::resolvable_ids(ctx.tx(), snapshot).await?;
        let lookup_seconds = lookups.elapsed().as_secs_f64();
        emit.info("load_goa_annotations.start", None,
            json!({"gaf_url": payload.gaf_url, "known_proteins": accessions.len(), "known_terms": terms.len()})).await;

        let location = Location::parse(&payload.gaf_url).map_err(source_error)?;
        let http = client(&user_agent(Self::NAME), payload.timeout_seconds, None)?;
        let downloading = Instant::now();
        let file = http
            .download(&location, &EmitRetries(emit))
            .await
            .map_err(source_error)?;
        let download_seconds = downloading.elapsed().as_secs_f64();

        let set = annotations::create_set(
            ctx.tx(),
            "goa",
            &payload.source_version,
            snapshot,
            Some(job_id),
            json!({"gaf_url": payload.gaf_url}),
        )
        .await?;
        if payload.commit_every_page {
            ctx.commit().await?;
        }
        let outcome = load(
            ctx,
            &payload,
            emit,
            set,
            file.path().to_path_buf(),
            location.file_name(),
            Arc::new(accessions),
            Arc::new(terms),
        )
        .await;
        match outcome {
            Ok(mut result) => {
                annotations::mark_complete(ctx.tx(), set).await?;
                result["elapsed_seconds"] = json!(started.elapsed().as_secs_f64());
                result["timings"]["lookups_seconds"] = json!(lookup_seconds);
                result["timings"]["download_seconds"] = json!(download_seconds);
                emit.info("load_goa_annotations.done", None, result.clone())
                    .await;
                Ok(OperationResult::done(result))
            }
            Err(err) => {
                if payload.commit_every_page {
                    // Earlier pages are committed: remove the partial set.
                    // End the current transaction first: its uncommitted rows
                    // lock the set row, and deleting it from another
                    // connection would wait on this one forever. (Committing
                    // an aborted transaction just rolls it back.)
                    let _ = ctx.commit().await;
                    let mut conn = ctx.pool().acquire().await?;
                    annotations::delete_set(&mut conn, set).await?;
                }
                Err(err)
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn load(
    ctx: &mut OperationContext,
    payload: &LoadGoaAnnotationsPayload,
    emit: &Emitter,
    set: Uuid,
    path: std::path::PathBuf,
    name: String,
    accessions: Arc<HashSet<String>>,
    terms: Arc<HashMap<String, i64>>,
) -> Result<serde_json::Value, OperationError> {
    let page_size = payload.page_size as usize;
    let mut pages = spawn_producer("gaf", move |send| {
        parse_pages(&path, &name, page_size, &accessions, &terms, send)
    });
    let (mut inserted, mut skipped, mut lines, mut page_no) = (0u64, 0u64, 0u64, 0u64);
    let (mut unknown_protein, mut unknown_term, mut duplicates) = (0u64, 0u64, 0u64);
    let mut limit_reached = false;
    let mut insert_seconds = 0.0;
    while let Some(page) = pages.recv().await {
        let mut page = page?;
        ctx.check_cancelled()?;
        page_no += 1;
        lines += page.lines;
        unknown_protein += page.unknown_protein;
        unknown_term += page.unknown_term;
        duplicates += page.duplicates;
        skipped += page.unknown_protein + page.unknown_term + page.duplicates;
        if let Some(limit) = payload.total_limit {
            let room = limit.saturating_sub(inserted) as usize;
            if page.rows.len() > room {
                page.rows.truncate(room);
                limit_reached = true;
            }
        }
        let inserting = Instant::now();
        let new = annotations::insert_annotations(ctx.tx(), set, &page.rows).await?;
        insert_seconds += inserting.elapsed().as_secs_f64();
        inserted += new;
        skipped += page.rows.len() as u64 - new;
        if payload.commit_every_page {
            ctx.commit().await?;
        }
        emit.info(
            "load_goa_annotations.page_done",
            None,
            json!({
                "page": page_no, "lines": lines, "inserted": inserted, "skipped": skipped,
                "_progress_current": lines,
            }),
        )
        .await;
        if limit_reached || payload.total_limit.is_some_and(|l| inserted >= l) {
            emit.warning(
                "load_goa_annotations.limit_reached",
                Some("total_limit reached"),
                json!({"total_limit": payload.total_limit, "inserted": inserted}),
            )
            .await;
            limit_reached = true;
            break;
        }
    }
    Ok(json!({
        "annotation_set_id": set, "inserted": inserted, "skipped": skipped, "lines": lines,
        "pages": page_no, "skipped_unknown_protein": unknown_protein, "skipped_unknown_term": unknown_term,
        "skipped_duplicate": duplicates, "limit_reached": limit_reached,
        "timings": {"insert_seconds": insert_seconds},
    }))
}

fn parse_pages(
    path: &std::path::Path,
    name: &str,
    page_size: usize,
    accessions: &HashSet<String>,
    terms: &HashMap<String, i64>,
    send: &dyn Fn(Page) -> bool,
) -> Result<(), OperationError> {
    let input = protea_formats::io::open(path)
        .map_err(|e| OperationError::failed("FileFormatError", format!("{name}: {e}")))?;
    let mut reader = gaf::Reader::new(input, name).map_err(format_error)?;
    let mut page = empty_page(page_size);
    let mut seen: HashSet<(String, i64, String)> = HashSet::new();
    // Term look-ups by number avoid formatting a GO id per row.
    let by_number: HashMap<u32, i64> = terms
        .iter()
        .filter_map(|(go, id)| protea_core::GoId::parse(go).ok().map(|g| (g.0, *id)))
        .collect();
    while let Some(row) = reader.next_row().map_err(format_error)? {
        page.lines += 1;
        if !accessions.contains(row.db_object_id) {
            page.unknown_protein += 1;
        } else if let Some(&term) = by_number.get(&row.go_id.0) {
            let key = (
                row.db_object_id.to_owned(),
                term,
                row.evidence_code.to_owned(),
            );
            if seen.insert(key) {
                page.rows.push(NewAnnotation {
                    protein_accession: row.db_object_id.to_owned(),
                    go_term_id: term,
                    qualifier: non_empty(row.qualifier),
                    evidence_code: non_empty(row.evidence_code),
                    assigned_by: non_empty(row.assigned_by),
                    db_reference: non_empty(row.db_reference),
                    with_from: non_empty(row.with_from),
                    annotation_date: non_empty(row.date).filter(|d| d.len() <= 8),
                });
            } else {
                page.duplicates += 1;
            }
        } else {
            page.unknown_term += 1;
        }
        if page.lines as usize >= page_size {
            seen.clear();
            if !send(std::mem::replace(&mut page, empty_page(page_size))) {
                return Ok(());
            }
        }
    }
    if page.lines > 0 {
        send(page);
    }
    Ok(())
}

fn empty_page(page_size: usize) -> Page {
    Page {
        rows: Vec::with_capacity(page_size.min(100_000)),
        lines: 0,
        unknown_protein: 0,
        unknown_term: 0,
        duplicates: 0,
    }
}

pub(crate) fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}
