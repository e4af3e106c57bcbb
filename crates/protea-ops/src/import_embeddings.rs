//! `import_embeddings`: precomputed vectors (an `.npy` matrix plus a TSV
//! naming its rows, read by `protea_plm::import`) stored under an
//! EmbeddingConfig. Everything is checked before anything is written —
//! the files, duplicate (accession, chunk) rows, accessions without a
//! protein, chunking against the config, the dimension against vectors
//! already stored — and the rows go in with the job's transaction, so a bad
//! file writes nothing. Re-running writes nothing new (`ON CONFLICT DO
//! NOTHING`).

use protea_core::{PayloadError, Validate};
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_store::embeddings::{self, NewVector, VectorDtype};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::path::PathBuf;
use uuid::Uuid;

use crate::compute_embeddings::{not_found, store_err};

/// Payload of `import_embeddings`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportEmbeddingsPayload {
    pub embedding_config_id: Uuid,
    /// float32 `.npy` matrix, one vector per row (a path on the worker).
    pub npy_path: String,
    /// TSV with an `accession` column (optional `row`, `chunk_s`, `chunk_e`), one line per row.
    pub accessions_path: String,
}

impl Validate for ImportEmbeddingsPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        for (field, v) in [
            ("npy_path", &self.npy_path),
            ("accessions_path", &self.accessions_path),
        ] {
            if v.trim().is_empty() {
                return Err(PayloadError::new(field, "must be a non-empty path"));
            }
        }
        Ok(())
    }
}

/// The operation.
pub struct ImportEmbeddings;

const SHOWN: usize = 10;

fn invalid(message: String) -> OperationError {
    OperationError::failed("ImportError", message)
}

impl Operation for ImportEmbeddings {
    type Payload = ImportEmbeddingsPayload;
    const NAME: &'static str = "import_embeddings";
    const QUEUE: &'static str = queues::JOBS;
    const SUMMARY: &'static str =
        "Imports precomputed embeddings (npy + accession TSV) into an EmbeddingConfig";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        p: ImportEmbeddingsPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let config = embeddings::config(ctx.tx(), p.embedding_config_id)
            .await
            .map_err(store_err)?
            .ok_or_else(|| not_found("embedding config", p.embedding_config_id))?;
        let (npy, tsv) = (
            PathBuf::from(&p.npy_path),
            PathBuf::from(&p.accessions_path),
        );
        let rows =
            tokio::task::spawn_blocking(move || protea_plm::import::read_precomputed(&npy, &tsv))
                .await
                .map_err(|e| invalid(format!("reader panicked: {e}")))?
                .map_err(|e| OperationError::failed("FileFormatError", e.to_string()))?;
        let file = &p.accessions_path;

        // Duplicate (accession, chunk) rows.
        let mut first: HashMap<(&str, usize), usize> = HashMap::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            if let Some(j) = first.insert((r.accession.as_str(), r.chunk_s), i) {
                return Err(invalid(format!(
                    "{file}: row {i} repeats row {j} (accession {}, chunk_s {})",
                    r.accession, r.chunk_s
                )));
            }
        }
        // Chunking must match the recipe.
        for (i, r) in rows.iter().enumerate() {
            match (config.use_chunking, r.chunk_e) {
                (false, Some(_)) => {
                    return Err(invalid(format!(
                        "{file}: row {i} ({}) has chunk_e but config {} does not chunk",
                        r.accession, config.id
                    )));
                }
                (true, None) => {
                    return Err(invalid(format!(
                        "{file}: row {i} ({}) has no chunk_e but config {} chunks",
                        r.accession, config.id
                    )));
                }
                (_, Some(e)) if e <= r.chunk_s => {
                    return Err(invalid(format!(
                        "{file}: row {i} ({}): chunk_e {e} is not after chunk_s {}",
                        r.accession, r.chunk_s
                    )));
                }
                _ => {}
            }
        }
        // Dimension against what the config already holds.
        let dim = rows.first().map_or(0, |r| r.vector.len());
        let stored: Option<i32> = sqlx::query_scalar(
            "select embedding_dim from sequence_embedding where embedding_config_id = $1 limit 1",
        )
        .bind(config.id)
        .fetch_optional(ctx.tx())
        .await?;
        if let Some(d) = stored
            && !rows.is_empty()
            && d as usize != dim
        {
            return Err(invalid(format!(
                "{}: vectors have dimension {dim} but config {} already stores dimension {d}",
                p.npy_path, config.id
            )));
        }
        // Every accession must name a protein with a sequence.
        let mut accs: Vec<String> = rows.iter().map(|r| r.accession.clone()).collect();
        accs.sort_unstable();
        accs.dedup();
        let ids = embeddings::sequence_ids_by_accession(ctx.tx(), &accs)
            .await
            .map_err(store_err)?;
        let unknown: Vec<String> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| !ids.contains_key(&r.accession))
            .map(|(i, r)| format!("row {i}: {}", r.accession))
            .collect();
        if !unknown.is_empty() {
            return Err(invalid(format!(
                "{file}: {} row(s) name no protein with a sequence (load the proteins first): {}{}",
                unknown.len(),
                unknown[..unknown.len().min(SHOWN)].join(", "),
                if unknown.len() > SHOWN { ", …" } else { "" }
            )));
        }

        let total = rows.len();
        let vectors: Vec<NewVector> = rows
            .into_iter()
            .map(|r| NewVector {
                sequence_id: ids[&r.accession],
                chunk_index_s: r.chunk_s as i32,
                chunk_index_e: r.chunk_e.map(|e| e as i32),
                vector: r.vector,
            })
            .collect();
        let mut sequences: Vec<i32> = vectors.iter().map(|v| v.sequence_id).collect();
        sequences.sort_unstable();
        sequences.dedup();
        let dtype = VectorDtype::parse(&config.embedding_dtype).unwrap_or(VectorDtype::Float32);
        let inserted = embeddings::insert_vectors(ctx.tx(), config.id, dtype, &vectors)
            .await
            .map_err(store_err)?;
        let result = json!({
            "embedding_config_id": config.id,
            "rows": total,
            "inserted": inserted,
            "already_present": total as u64 - inserted,
            "sequences": sequences.len(),
            "embedding_dim": dim,
        });
        emit.info("import_embeddings.done", None, result.clone())
            .await;
        Ok(OperationResult::done(result))
    }
}
