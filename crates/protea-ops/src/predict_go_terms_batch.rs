//! `predict_go_terms_batch`: one batch of queries of a prediction run (queue
//! `protea.predictions.batch`, child only). Loads the query vectors, takes the reference
//! set from the worker's cache (or loads it), searches and transfers on a blocking
//! thread, optionally expands to ancestors, and hands the rows to `store_predictions`.
//! A batch with nothing to store is counted at once, so the parent still closes.

use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_predict::{Prediction, QueryTransfer, ReferenceSet, expand_to_ancestors, transfer};
use protea_store::predictions::{self as store, PredictionRow};
use serde_json::json;

use crate::predict_go_terms::{PredictGoTermsBatchPayload, unavailable};
use crate::prediction_reference::{ancestor_index, predict_error, reference_set};
use crate::store_predictions::{StorePredictions, StorePredictionsPayload};

/// The operation.
pub struct PredictGoTermsBatch;

impl Operation for PredictGoTermsBatch {
    type Payload = PredictGoTermsBatchPayload;
    const NAME: &'static str = "predict_go_terms_batch";
    const QUEUE: &'static str = queues::PREDICTIONS_BATCH;
    const EPHEMERAL: bool = true;
    const SUMMARY: &'static str = "Search and transfer GO terms for one batch of queries";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        p: PredictGoTermsBatchPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        if let Some(feature) = p.unavailable_feature() {
            return Err(unavailable(feature));
        }
        if let Some(parent) = p.parent_job_id
            && parent != ctx.job_id()
        {
            return Err(OperationError::failed(
                "ParentMismatch",
                format!(
                    "parent_job_id: {parent} is not this message's job {}",
                    ctx.job_id()
                ),
            ));
        }
        let settings = p.settings()?;
        let queries = store::query_vectors(
            ctx.tx(),
            p.embedding_config_id,
            p.query_set_id,
            Some(p.query_accessions.clone()),
        )
        .await?;
        ctx.check_cancelled()?;
        let (refs, cache) = reference_set(ctx, p.reference_key(&settings)).await?;
        if !queries.accessions.is_empty() && queries.dim != refs.dim() {
            return Err(OperationError::failed(
                "DimensionMismatch",
                format!(
                    "query embeddings have dimension {}, references {}",
                    queries.dim,
                    refs.dim()
                ),
            ));
        }
        let ancestors = if p.expand_votes_to_ancestors {
            Some(ancestor_index(ctx, p.ontology_snapshot_id).await?)
        } else {
            None
        };
        ctx.check_cancelled()?;
        let params = settings.transfer.clone();
        let worker_refs = refs.clone();
        let results = tokio::task::spawn_blocking(move || {
            let mut results = transfer(&worker_refs, &queries.accessions, &queries.data, &params)?;
            if let Some(index) = &ancestors {
                for r in &mut results {
                    expand_to_ancestors(&mut r.predictions, index, params.k);
                }
            }
            Ok::<_, protea_predict::PredictError>(results)
        })
        .await
        .map_err(|e| OperationError::failed("PredictionError", e.to_string()))?
        .map_err(predict_error)?;
        let rows = rows(&refs, &results, p.compute_reranker_features);
        emit.info(
            "predict_go_terms_batch.done",
            None,
            json!({
                "queries": p.query_accessions.len(),
                "embedded": results.len(),
                "predictions": rows.len(),
                "reference_cache": cache.as_str(),
            }),
        )
        .await;
        if rows.is_empty() {
            return Ok(OperationResult::done(json!({"predictions": 0})));
        }
        let count = rows.len();
        let payload = StorePredictionsPayload {
            parent_job_id: Some(ctx.job_id()),
            prediction_set_id: p.prediction_set_id,
            predictions: rows,
        };
        let payload = serde_json::to_value(&payload)
            .map_err(|e| OperationError::failed("PredictionError", e.to_string()))?;
        ctx.publish(StorePredictions::NAME, payload).await?;
        Ok(OperationResult {
            result: json!({"predictions": count}),
            deferred: true,
            ..Default::default()
        })
    }
}

/// The stored rows of a batch; the re-ranker aggregates only when asked for.
pub fn rows(
    refs: &ReferenceSet,
    results: &[QueryTransfer],
    aggregates: bool,
) -> Vec<PredictionRow> {
    let mut out = Vec::new();
    for r in results {
        for p in &r.predictions {
            out.push(row(refs, &r.accession, p, aggregates));
        }
    }
    out
}

fn row(refs: &ReferenceSet, query: &str, p: &Prediction, aggregates: bool) -> PredictionRow {
    let a = |v: f64| aggregates.then_some(v);
    let n = |v: u32| aggregates.then_some(v as i32);
    PredictionRow {
        protein_accession: query.to_owned(),
        go_term_id: p.go_term_id,
        ref_protein_accession: refs.accession(p.reference).to_owned(),
        distance: p.distance,
        qualifier: p.qualifier.clone(),
        evidence_code: p.evidence_code.clone(),
        vote_count: n(p.vote_count),
        k_position: n(p.k_position),
        go_term_frequency: n(p.go_term_frequency),
        ref_annotation_density: n(p.ref_annotation_density),
        neighbor_distance_std: a(p.neighbor_distance_std),
        neighbor_vote_fraction: a(p.neighbor_vote_fraction),
        neighbor_min_distance: a(p.neighbor_min_distance),
        neighbor_mean_distance: a(p.neighbor_mean_distance),
        reranker_score: p.reranker_score,
        ..Default::default()
    }
}
