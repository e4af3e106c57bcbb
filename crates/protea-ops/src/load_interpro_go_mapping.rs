//! `load_interpro_go_mapping`: the EBI interpro2go file → `interpro_go_mapping`
//! rows keyed by (ipr_accession, go_id, source_version). Re-running a
//! release is a no-op (the unique constraint); the whole load is one
//! transaction, so a malformed line leaves nothing behind.

use crate::ingest::{
    EmitRetries, check_location, check_timeout, client, format_error, source_error, user_agent,
};
use protea_core::{PayloadError, Validate, payload::check_range};
use protea_formats::interpro2go;
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_sources::Location;
use protea_store::interpro::{self, NewMapping};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadInterproGoMappingPayload {
    pub source_version: String,
    #[serde(default = "default_url")]
    pub mapping_url: String,
    #[serde(default = "default_evidence")]
    pub evidence: String,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: f64,
    #[serde(default = "default_chunk")]
    pub chunk_size: u32,
}

fn default_url() -> String {
    "https://ftp.ebi.ac.uk/pub/databases/GO/goa/external2go/interpro2go".to_owned()
}
fn default_evidence() -> String {
    "IEA".to_owned()
}
fn default_timeout() -> f64 {
    120.0
}
fn default_chunk() -> u32 {
    1000
}

impl Validate for LoadInterproGoMappingPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        if self.source_version.trim().is_empty() {
            return Err(PayloadError::new("source_version", "must not be empty"));
        }
        if self.evidence.trim().is_empty() {
            return Err(PayloadError::new("evidence", "must not be empty"));
        }
        check_location("mapping_url", &self.mapping_url)?;
        check_timeout(self.timeout_seconds)?;
        check_range("chunk_size", self.chunk_size, 1, 100_000)
    }
}

pub struct LoadInterproGoMapping;

impl Operation for LoadInterproGoMapping {
    type Payload = LoadInterproGoMappingPayload;
    const NAME: &'static str = "load_interpro_go_mapping";
    const QUEUE: &'static str = queues::JOBS;
    const SUMMARY: &'static str =
        "Load the interpro2go mapping for one InterPro release (idempotent)";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: LoadInterproGoMappingPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let location = Location::parse(&payload.mapping_url).map_err(source_error)?;
        let http = client(&user_agent(Self::NAME), payload.timeout_seconds, None)?;
        let file = http
            .download(&location, &EmitRetries(emit))
            .await
            .map_err(source_error)?;
        let path = file.path().to_path_buf();
        let name = location.file_name();
        let (rows, date) = tokio::task::spawn_blocking(move || -> Result<_, OperationError> {
            let input = protea_formats::io::open(&path)
                .map_err(|e| OperationError::failed("FileFormatError", format!("{name}: {e}")))?;
            let mut reader = interpro2go::Reader::new(input, &name);
            let mut rows = Vec::new();
            while let Some(m) = reader.next_mapping().map_err(format_error)? {
                if m.db.eq_ignore_ascii_case("InterPro") {
                    rows.push(NewMapping {
                        ipr_accession: m.accession,
                        ipr_name: Some(m.name).filter(|n| !n.is_empty()),
                        go_id: m.go_id.to_string(),
                        go_name: Some(m.go_name).filter(|n| !n.is_empty()),
                    });
                }
            }
            Ok((rows, reader.date().map(str::to_owned)))
        })
        .await
        .map_err(|e| OperationError::Transient(format!("parser thread: {e}")))??;
        let mut inserted = 0;
        for (index, chunk) in rows.chunks(payload.chunk_size as usize).enumerate() {
            ctx.check_cancelled()?;
            inserted += interpro::insert_mappings(
                ctx.tx(),
                &payload.source_version,
                &payload.evidence,
                chunk,
            )
            .await?;
            if index % 10 == 0 {
                emit.info("load_interpro_go_mapping.progress", None, json!({
                    "_progress_current": (index + 1) * payload.chunk_size as usize, "_progress_total": rows.len()})).await;
            }
        }
        let result = json!({
            "source_version": payload.source_version, "rows_parsed": rows.len(),
            "rows_inserted": inserted, "rows_skipped_duplicate": rows.len() as u64 - inserted,
            "file_date": date,
        });
        emit.info("load_interpro_go_mapping.done", None, result.clone())
            .await;
        Ok(OperationResult::done(result))
    }
}
