//! `generate_evaluation_set`: the CAFA temporal delta between two annotation sets (old t0 →
//! new t1), stored as an `evaluation_set` row with its statistics.
//!
//! Idempotent: an existing evaluation set for the (old, new) pair is returned as is, and
//! the unique constraint on the pair settles races between concurrent jobs. Ground-truth
//! rows are never stored; they are recomputed from the annotations when needed.

use protea_core::{PayloadError, Validate};
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_store::evaluation::{self, EvaluationSetRow, NewEvaluationSet, data};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::evaluation_common::store_error;

/// Payload of `generate_evaluation_set`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateEvaluationSetPayload {
    /// The older annotation set (t0, the reference).
    pub old_annotation_set_id: Uuid,
    /// The newer annotation set (t1, the ground-truth source).
    pub new_annotation_set_id: Uuid,
    /// The snapshot to compute in when the two sets use different snapshots; ignored when
    /// they share one.
    #[serde(default)]
    pub pivot_ontology_snapshot_id: Option<Uuid>,
}

impl Validate for GenerateEvaluationSetPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        if self.old_annotation_set_id == self.new_annotation_set_id {
            return Err(PayloadError::new(
                "new_annotation_set_id",
                "must differ from old_annotation_set_id",
            ));
        }
        Ok(())
    }
}

/// The operation.
pub struct GenerateEvaluationSet;

/// The summary returned for a new or an existing set: its id and its statistics.
fn summary(set: &EvaluationSetRow, existing: bool) -> Value {
    let mut out = json!({
        "evaluation_set_id": set.id,
        "old_annotation_set_id": set.old_annotation_set_id,
        "new_annotation_set_id": set.new_annotation_set_id,
        "pivot_ontology_snapshot_id": set.pivot_ontology_snapshot_id,
        "existing": existing,
    });
    if let (Value::Object(o), Value::Object(stats)) = (&mut out, &set.stats) {
        o.extend(stats.clone());
    }
    out
}

fn not_found(what: &str, id: Uuid) -> OperationError {
    OperationError::failed("NotFound", format!("{what} {id} does not exist"))
}

impl Operation for GenerateEvaluationSet {
    type Payload = GenerateEvaluationSetPayload;
    const NAME: &'static str = "generate_evaluation_set";
    const QUEUE: &'static str = queues::JOBS;
    const SUMMARY: &'static str =
        "Computes the CAFA NK/LK/PK delta between two annotation sets and stores an evaluation set";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        p: GenerateEvaluationSetPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let (old_id, new_id) = (p.old_annotation_set_id, p.new_annotation_set_id);
        let old = evaluation::annotation_set(ctx.tx(), old_id)
            .await
            .map_err(store_error)?
            .ok_or_else(|| not_found("annotation set", old_id))?;
        let new = evaluation::annotation_set(ctx.tx(), new_id)
            .await
            .map_err(store_error)?
            .ok_or_else(|| not_found("annotation set", new_id))?;

        if let Some(existing) = evaluation::evaluation_set_by_pair(ctx.tx(), old_id, new_id)
            .await
            .map_err(store_error)?
        {
            emit.info(
                "evaluation_set.exists",
                Some("an evaluation set for this pair exists; returning it"),
                json!({"evaluation_set_id": existing.id}),
            )
            .await;
            return Ok(OperationResult::done(summary(&existing, true)));
        }

        // The pivot rule: a shared snapshot wins; otherwise a pivot is required.
        let pivot = if old.ontology_snapshot_id == new.ontology_snapshot_id {
            if p.pivot_ontology_snapshot_id.is_some() {
                emit.info(
                    "evaluation_set.pivot_ignored",
                    Some("both annotation sets share a snapshot; the pivot is ignored"),
                    json!({"ontology_snapshot_id": old.ontology_snapshot_id}),
                )
                .await;
            }
            None
        } else {
            let pivot = p.pivot_ontology_snapshot_id.ok_or_else(|| {
                OperationError::failed(
                    "SnapshotMismatch",
                    format!(
                        "annotation sets use different ontology snapshots ({} and {}); give pivot_ontology_snapshot_id",
                        old.ontology_snapshot_id, new.ontology_snapshot_id
                    ),
                )
            })?;
            evaluation::snapshot(ctx.tx(), pivot)
                .await
                .map_err(store_error)?
                .ok_or_else(|| not_found("ontology snapshot", pivot))?;
            Some(pivot)
        };
        let snapshot = pivot.unwrap_or(old.ontology_snapshot_id);

        emit.info(
            "evaluation_set.computing",
            Some("computing the NK/LK/PK delta"),
            json!({"ontology_snapshot_id": snapshot}),
        )
        .await;
        let delta = data::compute_set_delta(ctx.tx(), old_id, new_id, snapshot)
            .await
            .map_err(store_error)?;
        ctx.check_cancelled()?;
        let stats = serde_json::to_value(&delta.stats)
            .map_err(|e| OperationError::failed("InternalError", e.to_string()))?;
        emit.info("evaluation_set.stats", None, stats.clone()).await;

        let row = NewEvaluationSet {
            id: Uuid::new_v4(),
            old_annotation_set_id: old_id,
            new_annotation_set_id: new_id,
            pivot_ontology_snapshot_id: pivot,
            job_id: Some(ctx.job_id()),
            stats,
        };
        let (set, existing) = match evaluation::insert_evaluation_set(ctx.tx(), &row)
            .await
            .map_err(store_error)?
        {
            Some(set) => (set, false),
            // A concurrent job inserted the pair first: the constraint keeps one row.
            None => {
                let set = evaluation::evaluation_set_by_pair(ctx.tx(), old_id, new_id)
                    .await
                    .map_err(store_error)?
                    .ok_or_else(|| {
                        OperationError::Transient("evaluation set vanished after a race".into())
                    })?;
                (set, true)
            }
        };
        emit.info(
            "evaluation_set.done",
            None,
            json!({"evaluation_set_id": set.id, "delta_proteins": delta.stats.delta_proteins}),
        )
        .await;
        Ok(OperationResult::done(summary(&set, existing)))
    }
}
