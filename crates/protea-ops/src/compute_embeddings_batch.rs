//! `compute_embeddings_batch`: one batch of a compute_embeddings run. Loads
//! the config's model once per worker process (the [`EmbeddingModels`]
//! cache), embeds the batch's sequences with protea-plm (length-aware
//! batches, the config's layers, aggregation, pooling, normalisation,
//! truncation and chunking) on a blocking thread, and hands the float32
//! vectors to `store_embeddings` in one message. It always publishes that
//! message, even for an empty batch, so the parent's count always reaches
//! its total (the original could stall when a batch returned early).

use protea_core::{PayloadError, Validate};
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_store::embeddings;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::compute_embeddings::{check_device, not_found, store_err};
use crate::embedding_config::{model_dir, plm_settings};
use crate::embedding_models::{EmbeddingModels, ModelKey};
use crate::store_embeddings::{StoreChunk, StoreSequence};

fn default_device() -> String {
    "cuda".into()
}
fn default_true() -> bool {
    true
}
fn default_batch_size() -> u32 {
    1
}

/// Payload of `compute_embeddings_batch` (published by the coordinator).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComputeEmbeddingsBatchPayload {
    pub embedding_config_id: Uuid,
    pub sequence_ids: Vec<i32>,
    pub parent_job_id: Uuid,
    #[serde(default = "default_device")]
    pub device: String,
    #[serde(default = "default_true")]
    pub skip_existing: bool,
    #[serde(default = "default_batch_size")]
    pub batch_size: u32,
}

impl Validate for ComputeEmbeddingsBatchPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        if self.batch_size == 0 {
            return Err(PayloadError::new("batch_size", "must be > 0"));
        }
        check_device(&self.device)
    }
}

/// The operation.
pub struct ComputeEmbeddingsBatch;

impl Operation for ComputeEmbeddingsBatch {
    type Payload = ComputeEmbeddingsBatchPayload;
    const NAME: &'static str = "compute_embeddings_batch";
    const QUEUE: &'static str = queues::EMBEDDINGS_BATCH;
    const EPHEMERAL: bool = true;
    const SUMMARY: &'static str = "Runs the language model over one batch of sequences and forwards the vectors to store_embeddings";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        p: ComputeEmbeddingsBatchPayload,
        emit: &Emitter,
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
        let settings = plm_settings(&config).map_err(|e| {
            OperationError::failed(
                "InvalidEmbeddingConfig",
                format!("{}: {}", e.field, e.message),
            )
        })?;
        let mut rows = embeddings::sequences_by_id(ctx.tx(), &p.sequence_ids)
            .await
            .map_err(store_err)?;
        if p.skip_existing && !rows.is_empty() {
            // A re-delivered batch, or a run that overlapped another one.
            let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
            let done = embeddings::embedded_among(ctx.tx(), config.id, &ids)
                .await
                .map_err(store_err)?;
            rows.retain(|r| !done.contains(&r.0));
        }

        let mut sequences = Vec::with_capacity(rows.len());
        let mut loaded = false;
        if !rows.is_empty() {
            let models = EmbeddingModels::of(ctx);
            let dir = model_dir(&config, models.models_dir.as_deref())
                .map_err(|m| OperationError::failed("ModelNotFound", m))?;
            let key = ModelKey {
                backend: config.model_backend.clone(),
                dir,
                cuda: p.device == "cuda",
            };
            let (model, fresh) = models
                .get(key, settings.backend)
                .await
                .map_err(|m| OperationError::failed("ModelLoadError", m))?;
            loaded = fresh;
            if fresh {
                emit.info(
                    "compute_embeddings_batch.model_loaded",
                    None,
                    json!({"model": model.name(), "hidden_states": model.num_hidden_states()}),
                )
                .await;
            }
            let budget = p.batch_size as usize * settings.options.max_length.unwrap_or(1024);
            let options = settings.options.clone();
            let rows_for_model = rows.clone();
            let pooled = tokio::task::spawn_blocking(move || {
                let ids: Vec<String> = rows_for_model.iter().map(|r| r.0.to_string()).collect();
                let seqs: Vec<(&str, &str)> = ids
                    .iter()
                    .zip(&rows_for_model)
                    .map(|(id, r)| (id.as_str(), r.1.as_str()))
                    .collect();
                model.embed(&seqs, &options, budget)
            })
            .await
            .map_err(|e| OperationError::failed("EmbeddingError", format!("panicked: {e}")))?
            .map_err(|e| OperationError::failed("EmbeddingError", e.to_string()))?;
            for ((id, _), chunks) in rows.iter().zip(pooled) {
                sequences.push(StoreSequence {
                    sequence_id: *id,
                    chunks: chunks
                        .into_iter()
                        .map(|c| StoreChunk {
                            chunk_index_s: c.chunk_s as i32,
                            chunk_index_e: c.chunk_e.map(|e| e as i32),
                            embedding_dim: c.vector.len() as i32,
                            vector: c.vector,
                        })
                        .collect(),
                });
            }
        }
        let embedded = sequences.len();
        let vectors: usize = sequences.iter().map(|s| s.chunks.len()).sum();
        ctx.publish(
            "store_embeddings",
            json!({
                "parent_job_id": p.parent_job_id,
                "embedding_config_id": config.id,
                "skip_existing": p.skip_existing,
                "sequences": sequences,
            }),
        )
        .await?;
        // Handed on: the store stage counts this batch on the parent.
        Ok(OperationResult {
            result: json!({"sequences": embedded, "vectors": vectors, "model_loaded": loaded,
                           "skipped": p.sequence_ids.len() - embedded}),
            deferred: true,
            ..Default::default()
        })
    }
}
