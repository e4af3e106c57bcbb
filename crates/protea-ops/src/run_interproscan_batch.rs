//! `run_interproscan_batch`: proteins (a query set or an accession list) →
//! InterProScan in chunks → `interpro_annotation` rows, tagged with the
//! release `interproscan.sh --version` reports.
//!
//! Resumable: with `ipr_release_floor`, a protein already scanned at or above
//! the floor is skipped. "Scanned" is a stored match *or* an
//! `interpro_scan` record, so proteins without any match are not rescanned
//! forever (the original looked at matches only). Each chunk's output is
//! parsed and checked whole (every row must name a protein of the chunk,
//! with the MD5 of the sequence sent) before anything is written, so a
//! failing or garbage-writing binary leaves nothing of that chunk behind;
//! with `commit_every_chunk` earlier chunks stay, and inserts are idempotent.

use crate::ingest::{format_error, md5_hex};
use crate::interproscan::{probe_release, resolve_binary, scan};
use protea_core::payload::check_range;
use protea_core::{PayloadError, Validate};
use protea_formats::interproscan::{self, release_at_least};
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_store::interpro_hits::{self, NewHit};
use serde::Deserialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use uuid::Uuid;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunInterproscanBatchPayload {
    #[serde(default)]
    pub query_set_id: Option<Uuid>,
    #[serde(default)]
    pub accessions: Option<Vec<String>>,
    #[serde(default)]
    pub ipr_release_floor: Option<String>,
    #[serde(default = "default_chunk")]
    pub chunk_size: u32,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: f64,
    #[serde(default)]
    pub binary_path: Option<String>,
    #[serde(default)]
    pub extra_args: Vec<String>,
    #[serde(default = "default_true")]
    pub commit_every_chunk: bool,
}

fn default_chunk() -> u32 {
    50
}
fn default_timeout() -> f64 {
    3600.0
}
fn default_true() -> bool {
    true
}

/// Options the operation sets itself; passing them again would redirect the
/// input or the output.
const RESERVED_ARGS: [&str; 10] = [
    "-i",
    "--input",
    "-o",
    "--outfile",
    "-f",
    "--formats",
    "-b",
    "--output-file-base",
    "-d",
    "--output-dir",
];

impl Validate for RunInterproscanBatchPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        match (&self.query_set_id, &self.accessions) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(PayloadError::new(
                    "query_set_id",
                    "exactly one of query_set_id / accessions must be provided",
                ));
            }
            (None, Some(list)) => {
                if list.is_empty() {
                    return Err(PayloadError::new("accessions", "must not be empty"));
                }
                if let Some(i) = list
                    .iter()
                    .position(|a| a.trim().is_empty() || a.contains(char::is_whitespace))
                {
                    return Err(PayloadError::new(
                        "accessions",
                        format!("item {i} is empty or contains whitespace"),
                    ));
                }
            }
            _ => {}
        }
        if let Some(floor) = &self.ipr_release_floor
            && floor.trim().is_empty()
        {
            return Err(PayloadError::new("ipr_release_floor", "must not be empty"));
        }
        check_range("chunk_size", self.chunk_size, 1, 100_000)?;
        if !(self.timeout_seconds.is_finite() && self.timeout_seconds > 0.0) {
            return Err(PayloadError::new(
                "timeout_seconds",
                format!(
                    "must be a positive number of seconds, got {}",
                    self.timeout_seconds
                ),
            ));
        }
        if let Some(path) = &self.binary_path
            && path.trim().is_empty()
        {
            return Err(PayloadError::new("binary_path", "must not be empty"));
        }
        for arg in &self.extra_args {
            let name = arg.split('=').next().unwrap_or(arg);
            if RESERVED_ARGS.contains(&name) {
                return Err(PayloadError::new(
                    "extra_args",
                    format!("{arg:?} is set by the operation (input, output and format)"),
                ));
            }
        }
        Ok(())
    }
}

pub struct RunInterproscanBatch;

/// The proteins to scan, in input order, and the accessions not found.
async fn resolve_inputs(
    ctx: &mut OperationContext,
    payload: &RunInterproscanBatchPayload,
) -> Result<(Vec<(String, String)>, Vec<String>), OperationError> {
    if let Some(id) = payload.query_set_id {
        let rows = interpro_hits::query_set_sequences(ctx.tx(), id)
            .await?
            .ok_or_else(|| {
                OperationError::failed("NotFound", format!("query set {id} not found"))
            })?;
        return Ok((rows, Vec::new()));
    }
    let mut seen = HashSet::new();
    let wanted: Vec<String> = payload
        .accessions
        .iter()
        .flatten()
        .map(|a| a.trim().to_owned())
        .filter(|a| seen.insert(a.clone()))
        .collect();
    let found: HashMap<String, String> = interpro_hits::protein_sequences(ctx.tx(), &wanted)
        .await?
        .into_iter()
        .collect();
    let mut rows = Vec::with_capacity(found.len());
    let mut missing = Vec::new();
    for acc in wanted {
        match found.get(&acc) {
            Some(seq) => rows.push((acc, seq.clone())),
            None => missing.push(acc),
        }
    }
    Ok((rows, missing))
}

fn write_fasta(path: &Path, proteins: &[(String, String)]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for (acc, seq) in proteins {
        writeln!(out, ">{acc}")?;
        for line in seq.as_bytes().chunks(60) {
            out.write_all(line)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()
}

/// Parses one chunk's TSV and checks every row against the chunk's input.
fn read_chunk(
    tsv: &Path,
    name: &str,
    proteins: &[(String, String)],
) -> Result<Vec<NewHit>, OperationError> {
    let md5: HashMap<&str, String> = proteins
        .iter()
        .map(|(acc, seq)| (acc.as_str(), md5_hex(seq)))
        .collect();
    let input = protea_formats::io::open(tsv).map_err(format_error)?;
    let mut reader = interproscan::Reader::new(input, name);
    let mut hits = Vec::new();
    let bad = |line: u64, field: &str, message: String| {
        OperationError::failed(
            "FileFormatError",
            format!("{name}:{line}: field `{field}`: {message}"),
        )
    };
    while let Some(m) = reader.next_match().map_err(format_error)? {
        let Some(expected) = md5.get(m.protein_id.as_str()) else {
            return Err(bad(
                m.line,
                "protein_id",
                format!("{:?} was not in this chunk's input", m.protein_id),
            ));
        };
        if let Some(got) = &m.md5
            && !got.eq_ignore_ascii_case(expected)
        {
            return Err(bad(
                m.line,
                "md5",
                format!(
                    "{got} is not the MD5 of the sequence sent for {}",
                    m.protein_id
                ),
            ));
        }
        let position = |value: u32, field: &str| {
            i32::try_from(value).map_err(|_| bad(m.line, field, format!("{value} is too large")))
        };
        hits.push(NewHit {
            start_pos: position(m.start, "start")?,
            end_pos: position(m.end, "end")?,
            protein_accession: m.protein_id,
            ipr_accession: m.interpro_accession,
            signature_db: m.analysis,
            signature_accession: m.signature_accession,
            signature_name: m.signature_description,
            score: m.score,
        });
    }
    Ok(hits)
}

impl Operation for RunInterproscanBatch {
    type Payload = RunInterproscanBatchPayload;
    const NAME: &'static str = "run_interproscan_batch";
    const QUEUE: &'static str = queues::JOBS;
    const SUMMARY: &'static str =
        "Annotate proteins with InterProScan in chunks (resumable by ipr_release_floor)";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: RunInterproscanBatchPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let (proteins, missing) = resolve_inputs(ctx, &payload).await?;
        if !missing.is_empty() {
            emit.warning(
                "run_interproscan_batch.accessions_not_found",
                Some("accessions with no stored protein are not scanned"),
                json!({"count": missing.len(), "examples": &missing[..missing.len().min(20)]}),
            )
            .await;
        }
        let mut to_scan = proteins;
        let mut skipped = 0usize;
        if let Some(floor) = &payload.ipr_release_floor {
            let accessions: Vec<String> = to_scan.iter().map(|(a, _)| a.clone()).collect();
            let done: HashSet<String> = interpro_hits::scanned_releases(ctx.tx(), &accessions)
                .await?
                .into_iter()
                .filter(|(_, release)| release_at_least(release, floor))
                .map(|(acc, _)| acc)
                .collect();
            let before = to_scan.len();
            to_scan.retain(|(acc, _)| !done.contains(acc));
            skipped = before - to_scan.len();
        }
        let chunk_size = payload.chunk_size as usize;
        let total_chunks = to_scan.len().div_ceil(chunk_size);
        emit.info(
            "run_interproscan_batch.start",
            None,
            json!({"proteins": to_scan.len(), "proteins_skipped": skipped,
                   "accessions_not_found": missing.len(), "chunks": total_chunks,
                   "ipr_release_floor": payload.ipr_release_floor,
                   "_progress_current": 0, "_progress_total": to_scan.len()}),
        )
        .await;
        let mut chunks_done = 0usize;
        let mut processed = 0usize;
        let mut inserted = 0u64;
        let mut releases: Vec<String> = Vec::new();
        if !to_scan.is_empty() {
            let binary = resolve_binary(ctx, payload.binary_path.as_deref());
            let (release, version_line) = probe_release(&binary).await?;
            if let Some(floor) = &payload.ipr_release_floor
                && !release_at_least(&release, floor)
            {
                return Err(OperationError::failed(
                    "InterProScanTooOld",
                    format!(
                        "`{}` reports release {release}, below ipr_release_floor {floor}",
                        binary.display()
                    ),
                ));
            }
            emit.info(
                "run_interproscan_batch.binary",
                None,
                json!({"binary": binary.display().to_string(), "version": version_line, "ipr_release": release}),
            )
            .await;
            releases.push(release.clone());
            let dir = tempfile::tempdir()
                .map_err(|e| OperationError::Transient(format!("temporary directory: {e}")))?;
            let timeout = Duration::from_secs_f64(payload.timeout_seconds);
            let job_id = ctx.job_id();
            for (index, chunk) in to_scan.chunks(chunk_size).enumerate() {
                ctx.check_cancelled()?;
                let fasta: PathBuf = dir.path().join(format!("chunk_{index}.fasta"));
                let tsv: PathBuf = dir.path().join(format!("chunk_{index}.tsv"));
                write_fasta(&fasta, chunk).map_err(|e| {
                    OperationError::Transient(format!("writing {}: {e}", fasta.display()))
                })?;
                scan(&binary, &fasta, &tsv, &payload.extra_args, timeout).await?;
                let name = format!("InterProScan output of chunk {}", index + 1);
                let owned: Vec<(String, String)> = chunk.to_vec();
                let path = tsv.clone();
                let hits = tokio::task::spawn_blocking(move || read_chunk(&path, &name, &owned))
                    .await
                    .map_err(|e| OperationError::Transient(format!("parser thread: {e}")))??;
                let mut counts: HashMap<&str, i32> =
                    chunk.iter().map(|(a, _)| (a.as_str(), 0)).collect();
                for hit in &hits {
                    *counts.entry(hit.protein_accession.as_str()).or_default() += 1;
                }
                let scans: Vec<(String, i32)> = chunk
                    .iter()
                    .map(|(a, _)| (a.clone(), counts[a.as_str()]))
                    .collect();
                let new =
                    interpro_hits::insert_hits(ctx.tx(), &release, Some(job_id), &hits).await?;
                interpro_hits::record_scans(ctx.tx(), &release, Some(job_id), &scans).await?;
                if payload.commit_every_chunk {
                    ctx.commit().await?;
                }
                let _ = std::fs::remove_file(&fasta);
                let _ = std::fs::remove_file(&tsv);
                inserted += new;
                processed += chunk.len();
                chunks_done += 1;
                emit.info(
                    "run_interproscan_batch.chunk_done",
                    None,
                    json!({"chunk": index + 1, "chunks": total_chunks, "proteins": chunk.len(),
                           "matches": hits.len(), "annotations_inserted": new,
                           "_progress_current": processed, "_progress_total": to_scan.len()}),
                )
                .await;
            }
        }
        let result = json!({
            "chunks_done": chunks_done,
            "proteins_processed": processed,
            "proteins_skipped": skipped,
            "annotations_inserted": inserted,
            "ipr_releases_seen": releases,
            "accessions_not_found": missing.len(),
        });
        emit.info("run_interproscan_batch.done", None, result.clone())
            .await;
        Ok(OperationResult::done(result))
    }
}
