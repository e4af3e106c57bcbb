//! `load_ontology_snapshot`: a GO OBO release → `ontology_snapshot`,
//! `go_term`, `go_term_alt_id` and `go_term_relationship` (every `is_a` and
//! every `relationship:` edge, with its type).
//!
//! Idempotent by `data-version` (spec §5.3): a snapshot with that version
//! and ≥ 1 relationship is skipped; one without relationships gets them
//! backfilled; otherwise everything is inserted. The whole file is parsed
//! before the first write and all writes go through the job's transaction,
//! so a broken stanza or a truncated gzip leaves nothing behind.

use crate::ingest::{
    EmitRetries, check_location, check_timeout, client, format_error, source_error, user_agent,
};
use protea_core::{PayloadError, Validate};
use protea_formats::obo;
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_sources::Location;
use protea_store::ontology::{self, NewTerm};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadOntologySnapshotPayload {
    /// HTTP(S) URL, `file://` URL or path of the `.obo` (plain or gzip).
    pub obo_url: String,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: f64,
    /// Also re-insert missing relationships of an existing snapshot that
    /// already has some (the original accepted and ignored this field).
    #[serde(default)]
    pub force_relationships: bool,
}

fn default_timeout() -> f64 {
    120.0
}

impl Validate for LoadOntologySnapshotPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        check_location("obo_url", &self.obo_url)?;
        check_timeout(self.timeout_seconds)
    }
}

pub struct LoadOntologySnapshot;

/// The parsed file.
struct Parsed {
    version: String,
    terms: Vec<obo::Term>,
}

impl Operation for LoadOntologySnapshot {
    type Payload = LoadOntologySnapshotPayload;
    const NAME: &'static str = "load_ontology_snapshot";
    const QUEUE: &'static str = queues::JOBS;
    const SUMMARY: &'static str =
        "Load a GO OBO release: terms, alt ids and every relationship (idempotent by data-version)";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: LoadOntologySnapshotPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let location = Location::parse(&payload.obo_url).map_err(source_error)?;
        let http = client(&user_agent(Self::NAME), payload.timeout_seconds, None)?;
        emit.info(
            "load_ontology_snapshot.start",
            None,
            json!({"obo_url": payload.obo_url}),
        )
        .await;
        let file = http
            .download(&location, &EmitRetries(emit))
            .await
            .map_err(source_error)?;
        let path = file.path().to_path_buf();
        let name = location.file_name();
        let parsed = tokio::task::spawn_blocking(move || parse(&path, &name))
            .await
            .map_err(|e| OperationError::Transient(format!("parser thread: {e}")))??;
        ctx.check_cancelled()?;
        let job_id = Some(ctx.job_id());
        let conn = ctx.tx();
        let existing = ontology::find_snapshot(conn, &parsed.version).await?;
        let (snapshot, mode, ids) = match existing {
            Some(state) if state.relationships > 0 && !payload.force_relationships => {
                emit.info(
                    "load_ontology_snapshot.skipped",
                    Some("snapshot already loaded"),
                    json!({"snapshot_id": state.id, "obo_version": parsed.version}),
                )
                .await;
                return Ok(OperationResult::done(json!({
                    "snapshot_id": state.id, "obo_version": parsed.version, "skipped": true,
                    "term_count": 0, "rel_count": 0,
                })));
            }
            Some(state) => {
                let ids = ontology::term_ids(conn, state.id).await?;
                (state.id, "backfill_relationships", ids)
            }
            None => {
                let id = ontology::insert_snapshot(conn, &payload.obo_url, &parsed.version, job_id)
                    .await?;
                let rows: Vec<NewTerm> = parsed.terms.iter().map(new_term).collect();
                let ids = ontology::insert_terms(conn, id, &rows).await?;
                let alts: Vec<(String, i64)> = parsed
                    .terms
                    .iter()
                    .flat_map(|t| {
                        let term = ids.get(&t.id.to_string()).copied();
                        t.alt_ids
                            .iter()
                            .filter_map(move |alt| term.map(|id| (alt.to_string(), id)))
                    })
                    .collect();
                ontology::insert_alt_ids(conn, id, &alts).await?;
                (id, "full", ids)
            }
        };
        let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
        let mut dropped = 0u64;
        let mut edges = Vec::new();
        for term in &parsed.terms {
            let Some(&child) = ids.get(&term.id.to_string()) else {
                continue;
            };
            for edge in term.edges() {
                match ids.get(&edge.target.to_string()) {
                    Some(&parent) => {
                        *by_type
                            .entry(edge.relation.as_str().to_owned())
                            .or_default() += 1;
                        edges.push((child, parent, edge.relation.as_str().to_owned()));
                    }
                    // The spec drops edges whose parent is not in the file.
                    None => dropped += 1,
                }
            }
        }
        let rel_inserted = ontology::insert_relationships(ctx.tx(), snapshot, &edges).await?;
        let term_count = if mode == "full" {
            parsed.terms.len()
        } else {
            0
        };
        let obsolete = parsed.terms.iter().filter(|t| t.is_obsolete).count();
        let alt_ids: usize = parsed.terms.iter().map(|t| t.alt_ids.len()).sum();
        let result = json!({
            "snapshot_id": snapshot, "obo_version": parsed.version, "skipped": false, "mode": mode,
            "term_count": term_count, "rel_count": rel_inserted, "obsolete_terms": obsolete,
            "alt_ids": alt_ids, "relationships_by_type": Value::Object(Map::from_iter(
                by_type.into_iter().map(|(k, v)| (k, json!(v))))),
            "edges_dropped": dropped,
        });
        emit.info("load_ontology_snapshot.done", None, result.clone())
            .await;
        Ok(OperationResult::done(result))
    }
}

fn parse(path: &std::path::Path, name: &str) -> Result<Parsed, OperationError> {
    let input = protea_formats::io::open(path).map_err(|e| rename(e, name))?;
    let mut reader = obo::Reader::new(input, name).map_err(format_error)?;
    let version = reader
        .header()
        .data_version
        .clone()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| {
            OperationError::failed(
                "FileFormatError",
                format!("{name}: no `data-version:` header line"),
            )
        })?;
    let terms = reader
        .terms()
        .collect::<Result<Vec<_>, _>>()
        .map_err(format_error)?;
    Ok(Parsed { version, terms })
}

/// Errors from `io::open` carry the full path; name the file as given.
fn rename(err: protea_formats::Error, name: &str) -> OperationError {
    OperationError::failed("FileFormatError", format!("{name}: {err}"))
}

fn new_term(term: &obo::Term) -> NewTerm {
    NewTerm {
        go_id: term.id.to_string(),
        name: term.name.clone(),
        aspect: term.aspect.map(|a| a.code().to_string()),
        definition: term.definition.clone(),
        is_obsolete: term.is_obsolete,
    }
}
