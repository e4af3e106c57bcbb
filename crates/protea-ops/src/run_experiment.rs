//! `run_experiment`: one lifecycle step of an experiment runner as a job on
//! `protea.training` — `fit` a runner on a dataset, `evaluate` a model on a dataset, or
//! `export` a run. The runner does its (blocking) work on a blocking thread; its events
//! go to the job's timeline as they happen. The result is the runner's RunResult,
//! EvalResult or export description.

use std::sync::Arc;

use protea_core::{PayloadError, Validate};
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_runners::{Registry, RunnerError};
use serde::Deserialize;
use serde_json::{Value, json};

/// The runners a worker offers (a worker extension installed by the binary).
#[derive(Clone)]
pub struct Runners(pub Arc<Registry>);

/// What to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Fit,
    Evaluate,
    Export,
}

/// `fit` needs `dataset_uri` (and optionally `spec`); `evaluate` needs `model_uri` and
/// `dataset_uri`; `export` needs `run_id` and `output_uri`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunExperimentPayload {
    pub runner: String,
    pub action: Action,
    #[serde(default)]
    pub spec: Option<Value>,
    #[serde(default)]
    pub dataset_uri: Option<String>,
    #[serde(default)]
    pub model_uri: Option<String>,
    #[serde(default)]
    pub run_id: Option<String>,
    #[serde(default)]
    pub output_uri: Option<String>,
}

fn required<'a>(
    value: &'a Option<String>,
    field: &str,
    action: &str,
) -> Result<&'a str, PayloadError> {
    match value.as_deref() {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(PayloadError::new(field, format!("required for {action}"))),
    }
}

impl Validate for RunExperimentPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        if self.runner.trim().is_empty() {
            return Err(PayloadError::new("runner", "must not be empty"));
        }
        match self.action {
            Action::Fit => {
                required(&self.dataset_uri, "dataset_uri", "fit")?;
                if self.spec.as_ref().is_some_and(|s| !s.is_object()) {
                    return Err(PayloadError::new("spec", "must be an object"));
                }
            }
            Action::Evaluate => {
                required(&self.model_uri, "model_uri", "evaluate")?;
                required(&self.dataset_uri, "dataset_uri", "evaluate")?;
            }
            Action::Export => {
                required(&self.run_id, "run_id", "export")?;
                required(&self.output_uri, "output_uri", "export")?;
            }
        }
        Ok(())
    }
}

fn runner_error(err: RunnerError) -> OperationError {
    let code = match &err {
        RunnerError::Unsupported { .. } => "Unsupported",
        RunnerError::UnknownRunner(..) => "UnknownRunner",
        RunnerError::Spec { .. } => "InvalidSpec",
        RunnerError::Input(_) | RunnerError::Dataset(_) => "InvalidInput",
        RunnerError::Artifact(_) => "ArtifactError",
        RunnerError::Cafa(_) => "EvaluationFailed",
        RunnerError::Training(_) => "TrainingFailed",
    };
    OperationError::failed(code, err.to_string())
}

pub struct RunExperiment;

impl Operation for RunExperiment {
    type Payload = RunExperimentPayload;
    const NAME: &'static str = "run_experiment";
    const QUEUE: &'static str = queues::TRAINING;
    const SUMMARY: &'static str =
        "Runs an experiment runner step (fit, evaluate or export) on a research dataset";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: RunExperimentPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let runners = ctx.extension::<Runners>().cloned().ok_or_else(|| {
            OperationError::failed(
                "RunnersMissing",
                "this worker has no experiment runners configured",
            )
        })?;
        let runner = runners.0.resolve(&payload.runner).map_err(runner_error)?;
        emit.info(
            "run_experiment.start",
            None,
            json!({"runner": payload.runner, "action": payload.action_name()}),
        )
        .await;
        let handle = tokio::runtime::Handle::current();
        let events = emit.clone();
        let result = tokio::task::spawn_blocking(move || {
            // Blocking thread: each runner event is written before the runner goes on.
            let emit_fn = move |event: &str, message: Option<&str>, fields: Value, level| {
                handle.block_on(events.emit(event, message, fields, level));
            };
            let p = &payload;
            let none = String::new();
            match p.action {
                Action::Fit => runner
                    .fit(
                        p.spec.as_ref().unwrap_or(&json!({})),
                        p.dataset_uri.as_ref().unwrap_or(&none),
                        &emit_fn,
                    )
                    .map(|r| json!(r)),
                Action::Evaluate => runner
                    .evaluate(
                        p.model_uri.as_ref().unwrap_or(&none),
                        p.dataset_uri.as_ref().unwrap_or(&none),
                        &emit_fn,
                    )
                    .map(|r| json!(r)),
                Action::Export => runner
                    .export(
                        p.run_id.as_ref().unwrap_or(&none),
                        p.output_uri.as_ref().unwrap_or(&none),
                        &emit_fn,
                    )
                    .map(|r| json!(r)),
            }
        })
        .await
        .map_err(|e| OperationError::failed("InternalError", e.to_string()))?
        .map_err(runner_error)?;
        emit.info("run_experiment.done", None, json!({})).await;
        Ok(OperationResult::done(result))
    }
}

impl RunExperimentPayload {
    fn action_name(&self) -> &'static str {
        match self.action {
            Action::Fit => "fit",
            Action::Evaluate => "evaluate",
            Action::Export => "export",
        }
    }
}
