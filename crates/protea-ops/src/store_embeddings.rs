//! `store_embeddings`: the write stage of a compute_embeddings run. Inserts
//! one `sequence_embedding` row per (sequence, config, chunk) in bulk with
//! `ON CONFLICT DO NOTHING`, in the config's dtype; its success counts one
//! batch on the parent (the worker closes the parent after the last one).
//! With `skip_existing` a sequence already embedded is left alone; without
//! it, that sequence's rows for the config are replaced.

use protea_core::{PayloadError, Validate};
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_store::embeddings::{self, NewVector, VectorDtype};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::compute_embeddings::{not_found, store_err};

fn default_true() -> bool {
    true
}

/// One pooled vector (a whole sequence, or residues `chunk_index_s..chunk_index_e`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreChunk {
    pub chunk_index_s: i32,
    /// Exclusive end; null when the config does not chunk.
    pub chunk_index_e: Option<i32>,
    pub vector: Vec<f32>,
    pub embedding_dim: i32,
}

/// The vectors of one sequence.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSequence {
    pub sequence_id: i32,
    pub chunks: Vec<StoreChunk>,
}

/// Payload of `store_embeddings` (published by compute_embeddings_batch).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreEmbeddingsPayload {
    pub parent_job_id: Uuid,
    pub embedding_config_id: Uuid,
    #[serde(default = "default_true")]
    pub skip_existing: bool,
    pub sequences: Vec<StoreSequence>,
}

impl Validate for StoreEmbeddingsPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        for (i, s) in self.sequences.iter().enumerate() {
            for (j, c) in s.chunks.iter().enumerate() {
                let at = |f: &str| format!("sequences[{i}].chunks[{j}].{f}");
                if c.embedding_dim <= 0 || c.vector.len() != c.embedding_dim as usize {
                    return Err(PayloadError::new(
                        at("embedding_dim"),
                        format!(
                            "is {} but the vector has {} values",
                            c.embedding_dim,
                            c.vector.len()
                        ),
                    ));
                }
                if c.chunk_index_s < 0 {
                    return Err(PayloadError::new(at("chunk_index_s"), "must be >= 0"));
                }
                if matches!(c.chunk_index_e, Some(e) if e <= c.chunk_index_s) {
                    return Err(PayloadError::new(
                        at("chunk_index_e"),
                        "must be greater than chunk_index_s",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The operation.
pub struct StoreEmbeddings;

impl Operation for StoreEmbeddings {
    type Payload = StoreEmbeddingsPayload;
    const NAME: &'static str = "store_embeddings";
    const QUEUE: &'static str = queues::EMBEDDINGS_WRITE;
    const EPHEMERAL: bool = true;
    const SUMMARY: &'static str =
        "Bulk-inserts one batch of computed embeddings and counts it on the parent job";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        p: StoreEmbeddingsPayload,
        _emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        if p.parent_job_id != ctx.job_id() {
            return Err(OperationError::failed(
                "InvalidMessage",
                format!(
                    "parent_job_id {} differs from the message's job {}",
                    p.parent_job_id,
                    ctx.job_id()
                ),
            ));
        }
        let config = embeddings::config(ctx.tx(), p.embedding_config_id)
            .await
            .map_err(store_err)?
            .ok_or_else(|| not_found("embedding config", p.embedding_config_id))?;
        let dtype = VectorDtype::parse(&config.embedding_dtype).unwrap_or(VectorDtype::Float32);
        let ids: Vec<i32> = p.sequences.iter().map(|s| s.sequence_id).collect();
        let mut replaced = 0;
        let keep: std::collections::HashSet<i32> = if p.skip_existing {
            let done = embeddings::embedded_among(ctx.tx(), config.id, &ids)
                .await
                .map_err(store_err)?;
            ids.iter().copied().filter(|i| !done.contains(i)).collect()
        } else {
            replaced = embeddings::delete_vectors(ctx.tx(), config.id, &ids)
                .await
                .map_err(store_err)?;
            ids.iter().copied().collect()
        };
        let vectors: Vec<NewVector> = p
            .sequences
            .into_iter()
            .filter(|s| keep.contains(&s.sequence_id))
            .flat_map(|s| {
                let id = s.sequence_id;
                s.chunks.into_iter().map(move |c| NewVector {
                    sequence_id: id,
                    chunk_index_s: c.chunk_index_s,
                    chunk_index_e: c.chunk_index_e,
                    vector: c.vector,
                })
            })
            .collect();
        let inserted = embeddings::insert_vectors(ctx.tx(), config.id, dtype, &vectors)
            .await
            .map_err(store_err)?;
        Ok(OperationResult::done(json!({
            "inserted": inserted,
            "sequences": keep.len(),
            "replaced": replaced,
        })))
    }
}
