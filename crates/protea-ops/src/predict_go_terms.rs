//! `predict_go_terms`: the coordinator of a prediction run (queue `protea.predictions`).
//!
//! Flow: validate the payload and the rows it names → list the query accessions that have
//! an embedding → count the references → create the `prediction_set` → warm the worker's
//! reference cache (when installed) → publish one `predict_go_terms_batch` per
//! `batch_size` queries on `protea.predictions.batch`, all in the job's transaction →
//! deferred result. Each batch hands its rows to `store_predictions`; the last write
//! closes the job. A run with no query or no reference fails at once instead of leaving a
//! parent that no child will ever close (original_platform.md §9.2).

use protea_core::payload::check_positive;
use protea_core::{PayloadError, Validate};
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_predict::{Backend, Metric, ReferenceOptions, TransferParams};
use protea_store::predictions::{self as store, NewPredictionSet};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use std::sync::Arc;

use crate::prediction_reference::{ReferenceCache, ReferenceKey, reference_set};

fn yes() -> bool {
    true
}
fn default_limit() -> u32 {
    5
}
fn default_batch() -> u32 {
    1024
}
fn numpy() -> String {
    "numpy".into()
}
fn cosine() -> String {
    "cosine".into()
}
fn flat() -> String {
    "Flat".into()
}
fn nlist() -> u32 {
    100
}
fn nprobe() -> u32 {
    10
}
fn hnsw_m() -> u32 {
    32
}
fn ef_search() -> u32 {
    64
}

/// Declares a payload struct with the search, transfer and feature fields shared by the
/// coordinator and its batches (flat, as the spec names them), plus its own fields.
macro_rules! predict_payload {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            pub embedding_config_id: Uuid,
            pub annotation_set_id: Uuid,
            pub ontology_snapshot_id: Uuid,
            #[serde(default)]
            pub query_set_id: Option<Uuid>,
            /// Neighbours per query (per aspect pool when `aspect_separated_knn`).
            #[serde(default = "default_limit")]
            pub limit_per_entry: u32,
            #[serde(default)]
            pub distance_threshold: Option<f64>,
            /// `numpy` (exact) or `faiss` (the index named by `faiss_index_type`).
            #[serde(default = "numpy")]
            pub search_backend: String,
            #[serde(default = "cosine")]
            pub metric: String,
            #[serde(default = "flat")]
            pub faiss_index_type: String,
            #[serde(default = "nlist")]
            pub faiss_nlist: u32,
            #[serde(default = "nprobe")]
            pub faiss_nprobe: u32,
            #[serde(default = "hnsw_m")]
            pub faiss_hnsw_m: u32,
            #[serde(default = "ef_search")]
            pub faiss_hnsw_ef_search: u32,
            #[serde(default = "yes")]
            pub compute_alignments: bool,
            #[serde(default = "yes")]
            pub compute_taxonomy: bool,
            #[serde(default = "yes")]
            pub compute_reranker_features: bool,
            #[serde(default)]
            pub compute_v6_features: bool,
            #[serde(default)]
            pub expand_votes_to_ancestors: bool,
            #[serde(default = "yes")]
            pub aspect_separated_knn: bool,
            #[serde(default)]
            pub reranker_model_id: Option<Uuid>,
            /// Ignore a reference with the query's own accession (the original never did).
            #[serde(default)]
            pub exclude_self: bool,
            /// Transfer only annotations with an experimental evidence code.
            #[serde(default)]
            pub experimental_only: bool,
        }

        impl $name {
            /// The shared fields, checked.
            pub fn settings(&self) -> Result<PredictSettings, PayloadError> {
                check_positive("limit_per_entry", self.limit_per_entry)?;
                if let Some(d) = self.distance_threshold
                    && !(d.is_finite() && d >= 0.0)
                {
                    return Err(PayloadError::new(
                        "distance_threshold",
                        format!("must be a finite number ≥ 0, got {d}"),
                    ));
                }
                let metric = match self.metric.as_str() {
                    "cosine" => Metric::Cosine,
                    "l2" => Metric::L2,
                    other => {
                        return Err(PayloadError::new(
                            "metric",
                            format!("must be \"cosine\" or \"l2\", got {other:?}"),
                        ));
                    }
                };
                let backend = match (self.search_backend.as_str(), self.faiss_index_type.as_str()) {
                    ("numpy", _) | ("faiss", "Flat") => Backend::Exact,
                    ("faiss", "IVFFlat") => {
                        check_positive("faiss_nlist", self.faiss_nlist)?;
                        check_positive("faiss_nprobe", self.faiss_nprobe)?;
                        Backend::IvfFlat {
                            nlist: self.faiss_nlist as usize,
                            nprobe: self.faiss_nprobe as usize,
                        }
                    }
                    ("faiss", "HNSW") => {
                        if self.faiss_hnsw_m < 2 {
                            return Err(PayloadError::new("faiss_hnsw_m", "must be at least 2"));
                        }
                        check_positive("faiss_hnsw_ef_search", self.faiss_hnsw_ef_search)?;
                        Backend::Hnsw {
                            m: self.faiss_hnsw_m as usize,
                            ef_search: self.faiss_hnsw_ef_search as usize,
                        }
                    }
                    ("faiss", other) => {
                        return Err(PayloadError::new(
                            "faiss_index_type",
                            format!("must be \"Flat\", \"IVFFlat\" or \"HNSW\", got {other:?}"),
                        ));
                    }
                    (other, _) => {
                        return Err(PayloadError::new(
                            "search_backend",
                            format!("must be \"numpy\" or \"faiss\", got {other:?}"),
                        ));
                    }
                };
                Ok(PredictSettings {
                    transfer: TransferParams {
                        k: self.limit_per_entry as usize,
                        distance_threshold: self.distance_threshold.map(|d| d as f32),
                        metric,
                        backend,
                        exclude_self: self.exclude_self,
                    },
                    reference: ReferenceOptions {
                        aspect_separated: self.aspect_separated_knn,
                        experimental_only: self.experimental_only,
                    },
                })
            }

            /// Features this build cannot compute yet: the job fails naming the flag
            /// rather than storing rows without them.
            pub fn unavailable_feature(&self) -> Option<&'static str> {
                [
                    ("compute_alignments", self.compute_alignments),
                    ("compute_taxonomy", self.compute_taxonomy),
                    ("compute_v6_features", self.compute_v6_features),
                    ("reranker_model_id", self.reranker_model_id.is_some()),
                ]
                .into_iter()
                .find_map(|(name, on)| on.then_some(name))
            }

            pub fn reference_key(&self, settings: &PredictSettings) -> ReferenceKey {
                ReferenceKey {
                    embedding_config_id: self.embedding_config_id,
                    annotation_set_id: self.annotation_set_id,
                    options: settings.reference,
                }
            }
        }
    };
}

/// The checked search and transfer settings of a payload.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictSettings {
    pub transfer: TransferParams,
    pub reference: ReferenceOptions,
}

predict_payload! {
    /// Payload of `predict_go_terms`.
    PredictGoTermsPayload {
        /// Query proteins by accession; `null` (with no `query_set_id`) = every protein.
        #[serde(default)]
        query_accessions: Option<Vec<String>>,
        /// Query proteins per batch message.
        #[serde(default = "default_batch")]
        batch_size: u32,
    }
}

predict_payload! {
    /// Payload of `predict_go_terms_batch` (published by the coordinator).
    PredictGoTermsBatchPayload {
        prediction_set_id: Uuid,
        #[serde(default)]
        parent_job_id: Option<Uuid>,
        query_accessions: Vec<String>,
    }
}

impl Validate for PredictGoTermsPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        self.settings()?;
        check_positive("batch_size", self.batch_size)?;
        if let Some(list) = &self.query_accessions {
            if self.query_set_id.is_some() {
                return Err(PayloadError::new(
                    "query_accessions",
                    "give query_accessions or query_set_id, not both",
                ));
            }
            if list.is_empty() {
                return Err(PayloadError::new("query_accessions", "must not be empty"));
            }
            if let Some(i) = list.iter().position(|a| a.trim().is_empty()) {
                return Err(PayloadError::new(
                    format!("query_accessions[{i}]"),
                    "must not be empty",
                ));
            }
        }
        Ok(())
    }
}

impl Validate for PredictGoTermsBatchPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        self.settings()?;
        Ok(())
    }
}

pub(crate) fn unavailable(feature: &str) -> OperationError {
    OperationError::failed(
        "FeatureNotAvailable",
        format!(
            "{feature}: not yet available in this build (set it to false); the feature crates are not wired in"
        ),
    )
}

/// The operation.
pub struct PredictGoTerms;

fn not_found(field: &str, what: &str, id: Uuid) -> OperationError {
    OperationError::failed("NotFound", format!("{field}: {what} {id} does not exist"))
}

impl Operation for PredictGoTerms {
    type Payload = PredictGoTermsPayload;
    const NAME: &'static str = "predict_go_terms";
    const QUEUE: &'static str = queues::PREDICTIONS;
    const SUMMARY: &'static str = "Predict GO terms for query proteins by nearest-neighbour annotation transfer (fans out batches)";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        p: PredictGoTermsPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        if let Some(feature) = p.unavailable_feature() {
            return Err(unavailable(feature));
        }
        let settings = p.settings()?;
        for (field, table, id) in [
            (
                "embedding_config_id",
                "embedding_config",
                Some(p.embedding_config_id),
            ),
            (
                "annotation_set_id",
                "annotation_set",
                Some(p.annotation_set_id),
            ),
            (
                "ontology_snapshot_id",
                "ontology_snapshot",
                Some(p.ontology_snapshot_id),
            ),
            ("query_set_id", "query_set", p.query_set_id),
        ] {
            if let Some(id) = id
                && !store::exists(ctx.tx(), table, id).await?
            {
                return Err(not_found(field, table, id));
            }
        }
        // GO term ids are per snapshot: the labels must be on the snapshot named.
        let set_snapshot: Uuid =
            sqlx::query_scalar("select ontology_snapshot_id from annotation_set where id = $1")
                .bind(p.annotation_set_id)
                .fetch_one(&mut *ctx.tx())
                .await?;
        if set_snapshot != p.ontology_snapshot_id {
            return Err(OperationError::failed(
                "SnapshotMismatch",
                format!(
                    "ontology_snapshot_id: annotation set {} is on snapshot {set_snapshot}, not {}",
                    p.annotation_set_id, p.ontology_snapshot_id
                ),
            ));
        }
        emit.info(
            "predict_go_terms.start",
            None,
            json!({"embedding_config_id": p.embedding_config_id, "annotation_set_id": p.annotation_set_id}),
        )
        .await;
        let queries = store::query_accessions(
            ctx.tx(),
            p.embedding_config_id,
            p.query_set_id,
            p.query_accessions.clone(),
        )
        .await?;
        if queries.is_empty() {
            return Err(OperationError::failed(
                "NoQueries",
                format!(
                    "no query protein has an embedding for embedding config {}",
                    p.embedding_config_id
                ),
            ));
        }
        let references =
            store::reference_count(ctx.tx(), p.embedding_config_id, p.annotation_set_id).await?;
        if references == 0 {
            return Err(OperationError::failed(
                "NoReferences",
                format!(
                    "no protein annotated in annotation set {} has an embedding for embedding config {}",
                    p.annotation_set_id, p.embedding_config_id
                ),
            ));
        }
        let job_id = ctx.job_id();
        let set_id = store::create_set(
            ctx.tx(),
            &NewPredictionSet {
                embedding_config_id: p.embedding_config_id,
                annotation_set_id: p.annotation_set_id,
                ontology_snapshot_id: p.ontology_snapshot_id,
                query_set_id: p.query_set_id,
                limit_per_entry: p.limit_per_entry as i32,
                distance_threshold: p.distance_threshold,
                job_id: Some(job_id),
                meta: json!({
                    "search_backend": p.search_backend, "metric": p.metric,
                    "faiss_index_type": p.faiss_index_type,
                    "aspect_separated_knn": p.aspect_separated_knn,
                    "expand_votes_to_ancestors": p.expand_votes_to_ancestors,
                    "compute_reranker_features": p.compute_reranker_features,
                    "exclude_self": p.exclude_self, "experimental_only": p.experimental_only,
                }),
            },
        )
        .await?;
        // Same-process batches then find the references ready.
        let warmed = if ctx.extension::<Arc<ReferenceCache>>().is_some() {
            let (reference, cache) = reference_set(ctx, p.reference_key(&settings)).await?;
            json!({"searchable": reference.searchable(), "cache": cache.as_str()})
        } else {
            serde_json::Value::Null
        };
        let batches: Vec<&[String]> = queries.chunks(p.batch_size as usize).collect();
        emit.info(
            "predict_go_terms.dispatching",
            None,
            json!({
                "prediction_set_id": set_id, "batches": batches.len(), "queries": queries.len(),
                "references": references, "reference_cache": warmed,
                "_progress_total": batches.len(),
            }),
        )
        .await;
        for chunk in &batches {
            let batch = PredictGoTermsBatchPayload {
                prediction_set_id: set_id,
                parent_job_id: Some(ctx.job_id()),
                query_accessions: chunk.to_vec(),
                embedding_config_id: p.embedding_config_id,
                annotation_set_id: p.annotation_set_id,
                ontology_snapshot_id: p.ontology_snapshot_id,
                query_set_id: p.query_set_id,
                limit_per_entry: p.limit_per_entry,
                distance_threshold: p.distance_threshold,
                search_backend: p.search_backend.clone(),
                metric: p.metric.clone(),
                faiss_index_type: p.faiss_index_type.clone(),
                faiss_nlist: p.faiss_nlist,
                faiss_nprobe: p.faiss_nprobe,
                faiss_hnsw_m: p.faiss_hnsw_m,
                faiss_hnsw_ef_search: p.faiss_hnsw_ef_search,
                compute_alignments: p.compute_alignments,
                compute_taxonomy: p.compute_taxonomy,
                compute_reranker_features: p.compute_reranker_features,
                compute_v6_features: p.compute_v6_features,
                expand_votes_to_ancestors: p.expand_votes_to_ancestors,
                aspect_separated_knn: p.aspect_separated_knn,
                reranker_model_id: p.reranker_model_id,
                exclude_self: p.exclude_self,
                experimental_only: p.experimental_only,
            };
            let payload = serde_json::to_value(&batch)
                .map_err(|e| OperationError::failed("PredictionError", e.to_string()))?;
            ctx.publish(
                crate::predict_go_terms_batch::PredictGoTermsBatch::NAME,
                payload,
            )
            .await?;
        }
        Ok(OperationResult::deferred(
            json!({
                "prediction_set_id": set_id,
                "batches": batches.len(),
                "queries": queries.len(),
                "references": references,
            }),
            batches.len() as i64,
        ))
    }
}
