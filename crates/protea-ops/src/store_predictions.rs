//! `store_predictions`: bulk-inserts the rows of one batch (queue
//! `protea.predictions.write`, child only). Idempotent: a re-delivered message finds its
//! (set, protein, term) rows present and inserts nothing.

use protea_core::{PayloadError, Validate};
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_store::predictions::{self as store, PredictionRow};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// Payload of `store_predictions`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorePredictionsPayload {
    #[serde(default)]
    pub parent_job_id: Option<Uuid>,
    pub prediction_set_id: Uuid,
    pub predictions: Vec<PredictionRow>,
}

impl Validate for StorePredictionsPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        for (i, p) in self.predictions.iter().enumerate() {
            if !p.distance.is_finite() {
                return Err(PayloadError::new(
                    format!("predictions[{i}].distance"),
                    "must be a finite number",
                ));
            }
            if p.protein_accession.is_empty() {
                return Err(PayloadError::new(
                    format!("predictions[{i}].protein_accession"),
                    "must not be empty",
                ));
            }
        }
        Ok(())
    }
}

/// The operation.
pub struct StorePredictions;

impl Operation for StorePredictions {
    type Payload = StorePredictionsPayload;
    const NAME: &'static str = "store_predictions";
    const QUEUE: &'static str = queues::PREDICTIONS_WRITE;
    const EPHEMERAL: bool = true;
    const SUMMARY: &'static str = "Store the GO predictions of one batch";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        p: StorePredictionsPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let inserted =
            store::insert_predictions(ctx.tx(), p.prediction_set_id, &p.predictions).await?;
        emit.info(
            "store_predictions.done",
            None,
            json!({"received": p.predictions.len(), "inserted": inserted}),
        )
        .await;
        Ok(OperationResult::done(
            json!({"received": p.predictions.len(), "inserted": inserted}),
        ))
    }
}
