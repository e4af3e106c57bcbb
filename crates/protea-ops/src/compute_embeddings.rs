//! `compute_embeddings`: the coordinator of an embedding run. It selects the
//! sequences (a query set, a list of accessions, or every sequence), drops
//! those already embedded for the config (`skip_existing`), and fans out one
//! `compute_embeddings_batch` message per `sequences_per_job` sequences;
//! each batch hands its vectors to `store_embeddings`, whose completion
//! counts on this job, and the last one closes it.
//!
//! GPU serialisation: while another compute_embeddings job is RUNNING (the
//! coordinator stays RUNNING until its last batch is stored, so this covers
//! whole runs) the job returns `RetryLater` (60 s, doubled by the worker up
//! to 10 min) instead of holding the consumer. Only a job that started
//! *earlier* blocks a newer one, so two coordinators claimed at once cannot
//! both back off forever.

use protea_core::{PayloadError, Validate};
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_store::embeddings;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::embedding_config::plm_settings;
use crate::embedding_models::EmbeddingModels;

fn default_sequences_per_job() -> u32 {
    64
}
fn default_device() -> String {
    "cuda".into()
}
fn default_true() -> bool {
    true
}
fn default_batch_size() -> u32 {
    1
}

/// Payload of `compute_embeddings` (the spec's fields and defaults).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComputeEmbeddingsPayload {
    /// The EmbeddingConfig that defines model, layers, pooling.
    pub embedding_config_id: Uuid,
    /// UniProt accessions to embed; null (and no query set) = every sequence.
    #[serde(default)]
    pub accessions: Option<Vec<String>>,
    /// A query set (alternative to `accessions`).
    #[serde(default)]
    pub query_set_id: Option<Uuid>,
    /// Sequences per batch message.
    #[serde(default = "default_sequences_per_job")]
    pub sequences_per_job: u32,
    /// `cuda` or `cpu` for the batch workers (`cuda` falls back to the CPU
    /// when the build or the machine has no GPU).
    #[serde(default = "default_device")]
    pub device: String,
    /// Skip sequences that already have a vector for this config.
    #[serde(default = "default_true")]
    pub skip_existing: bool,
    /// Forward-pass batch size inside a batch worker: the token budget of a
    /// pass is `batch_size × max_length` (length-aware packing).
    #[serde(default = "default_batch_size")]
    pub batch_size: u32,
}

pub(crate) fn check_device(device: &str) -> Result<(), PayloadError> {
    if matches!(device, "cuda" | "cpu") {
        Ok(())
    } else {
        Err(PayloadError::new(
            "device",
            format!("{device:?} is not one of cuda, cpu"),
        ))
    }
}

impl Validate for ComputeEmbeddingsPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        if self.sequences_per_job == 0 {
            return Err(PayloadError::new("sequences_per_job", "must be > 0"));
        }
        if self.batch_size == 0 {
            return Err(PayloadError::new("batch_size", "must be > 0"));
        }
        check_device(&self.device)?;
        if self.accessions.is_some() && self.query_set_id.is_some() {
            return Err(PayloadError::new(
                "query_set_id",
                "give either accessions or query_set_id, not both",
            ));
        }
        if let Some(accs) = &self.accessions
            && let Some(i) = accs.iter().position(|a| a.trim().is_empty())
        {
            return Err(PayloadError::new(
                format!("accessions[{i}]"),
                "must be a non-empty string",
            ));
        }
        Ok(())
    }
}

/// The operation.
pub struct ComputeEmbeddings;

pub(crate) fn not_found(what: &str, id: Uuid) -> OperationError {
    OperationError::failed("NotFound", format!("{what} {id} does not exist"))
}

pub(crate) fn store_err(e: protea_store::StoreError) -> OperationError {
    crate::evaluation_common::store_error(e)
}

impl Operation for ComputeEmbeddings {
    type Payload = ComputeEmbeddingsPayload;
    const NAME: &'static str = "compute_embeddings";
    const QUEUE: &'static str = queues::EMBEDDINGS;
    const SUMMARY: &'static str =
        "Computes protein language-model embeddings for an EmbeddingConfig (fans out batches)";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        p: ComputeEmbeddingsPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let config = embeddings::config(ctx.tx(), p.embedding_config_id)
            .await
            .map_err(store_err)?
            .ok_or_else(|| not_found("embedding config", p.embedding_config_id))?;
        // The recipe must be runnable before anything is dispatched.
        plm_settings(&config).map_err(|e| {
            OperationError::failed(
                "InvalidEmbeddingConfig",
                format!("embedding config {}: {}: {}", config.id, e.field, e.message),
            )
        })?;

        // 1. One embedding run at a time (the GPU is exclusive).
        let busy: Option<Uuid> = sqlx::query_scalar(
            "select o.id from job o, job me where me.id = $1 and o.id <> me.id \
               and o.operation = 'compute_embeddings' and o.status = 'RUNNING' \
               and (o.started_at, o.id) < (me.started_at, me.id) \
             order by o.started_at limit 1",
        )
        .bind(ctx.job_id())
        .fetch_optional(ctx.pool())
        .await?;
        if let Some(other) = busy {
            return Err(OperationError::RetryLater {
                delay: EmbeddingModels::of(ctx).busy_retry,
                reason: format!("compute_embeddings job {other} is running (GPU exclusive)"),
            });
        }
        emit.info(
            "compute_embeddings.start",
            None,
            json!({"embedding_config_id": config.id, "model_name": config.model_name,
                   "model_backend": config.model_backend, "device": p.device}),
        )
        .await;

        // 2. Which sequences.
        let mut ids = match (&p.query_set_id, &p.accessions) {
            (Some(qs), _) => {
                let exists: Option<Uuid> =
                    sqlx::query_scalar("select id from query_set where id = $1")
                        .bind(qs)
                        .fetch_optional(ctx.tx())
                        .await?;
                exists.ok_or_else(|| not_found("query set", *qs))?;
                embeddings::query_set_sequences(ctx.tx(), *qs)
                    .await
                    .map_err(store_err)?
            }
            (None, Some(accs)) => {
                let (ids, missing) = embeddings::accession_sequences(ctx.tx(), accs)
                    .await
                    .map_err(store_err)?;
                if !missing.is_empty() {
                    let shown: Vec<&String> = missing.iter().take(20).collect();
                    emit.warning(
                        "compute_embeddings.unknown_accessions",
                        Some(&format!(
                            "{} accession(s) name no protein with a sequence",
                            missing.len()
                        )),
                        json!({"count": missing.len(), "accessions": shown}),
                    )
                    .await;
                }
                ids
            }
            (None, None) => embeddings::all_sequences(ctx.tx())
                .await
                .map_err(store_err)?,
        };
        let requested = ids.len();

        // 3. Drop what is already there.
        let mut skipped = 0;
        if p.skip_existing && !ids.is_empty() {
            let done = embeddings::embedded_among(ctx.tx(), config.id, &ids)
                .await
                .map_err(store_err)?;
            ids.retain(|id| !done.contains(id));
            skipped = requested - ids.len();
        }

        // 4–5. Partition and publish.
        let batches: Vec<&[i32]> = ids.chunks(p.sequences_per_job as usize).collect();
        let n = batches.len();
        emit.info(
            "compute_embeddings.dispatching",
            None,
            json!({"batches": n, "sequences": ids.len(), "skipped_existing": skipped,
                   "sequences_per_job": p.sequences_per_job}),
        )
        .await;
        for chunk in &batches {
            ctx.publish(
                "compute_embeddings_batch",
                json!({
                    "embedding_config_id": config.id,
                    "sequence_ids": chunk,
                    "parent_job_id": ctx.job_id(),
                    "device": p.device,
                    "skip_existing": p.skip_existing,
                    "batch_size": p.batch_size,
                }),
            )
            .await?;
        }
        let result = json!({
            "batches": n,
            "sequences": ids.len(),
            "requested": requested,
            "skipped_existing": skipped,
            "embedding_config_id": config.id,
        });
        // 6–8. Progress counts stored batches; zero batches succeed at once.
        if n == 0 {
            Ok(OperationResult {
                result,
                progress_current: Some(0),
                progress_total: Some(0),
                deferred: false,
            })
        } else {
            Ok(OperationResult::deferred(result, n as i64))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protea_core::decode_payload;

    #[test]
    fn defaults_are_the_spec_ones() {
        let id = Uuid::new_v4();
        let p: ComputeEmbeddingsPayload =
            decode_payload(&json!({"embedding_config_id": id})).unwrap();
        assert_eq!(p.embedding_config_id, id);
        assert_eq!((p.accessions, p.query_set_id), (None, None));
        assert_eq!((p.sequences_per_job, p.batch_size), (64, 1));
        assert_eq!(p.device, "cuda");
        assert!(p.skip_existing);
    }

    #[test]
    fn bad_payloads_name_their_field() {
        let id = Uuid::new_v4();
        for (payload, field) in [
            (json!({}), "embedding_config_id"),
            (
                json!({"embedding_config_id": id, "batch_size": 0}),
                "batch_size",
            ),
            (
                json!({"embedding_config_id": id, "sequences_per_job": "8"}),
                "sequences_per_job",
            ),
            (
                json!({"embedding_config_id": id, "accessions": ["P1", ""]}),
                "accessions[1]",
            ),
            (json!({"embedding_config_id": id, "gpu": true}), "gpu"),
        ] {
            let err = decode_payload::<ComputeEmbeddingsPayload>(&payload).unwrap_err();
            assert!(
                err.field.contains(field) || err.message.contains(field),
                "{payload}: {err:?}"
            );
        }
    }
}
