//! The runner contract: [`ExperimentRunner`], its results and errors, and the `emit`
//! callback.

use std::collections::BTreeMap;

use protea_core::Level;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The structured-event callback every lifecycle method receives:
/// `emit(event, message, fields, level)`, with dotted event names
/// (`runner.<name>.fit_start`) and the progress keys `_progress_current` /
/// `_progress_total` in `fields` where useful. It must not fail; the platform wraps it.
pub type Emit<'a> = &'a (dyn Fn(&str, Option<&str>, Value, Level) + Sync);

/// An emit callback that drops every event.
pub fn noop_emit(_: &str, _: Option<&str>, _: Value, _: Level) {}

/// What `fit` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// Store URI of the produced model (`file://` or `s3://`).
    pub model_uri: String,
    /// Runner-side metrics the platform persists.
    #[serde(default)]
    pub metrics: Map<String, Value>,
    /// Runner-specific diagnostics (`run_id` among them).
    #[serde(default)]
    pub extras: Map<String, Value>,
}

/// Per-aspect CAFA numbers, keyed `bpo` / `mfo` / `cco`.
pub type PerAspect = BTreeMap<String, f64>;

/// The canonical CAFA metrics of an evaluation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CafaMetrics {
    pub fmax: PerAspect,
    pub auc_pr: PerAspect,
    pub coverage: PerAspect,
}

/// What `evaluate` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalResult {
    /// `fmax`, `auc_pr`, `coverage`, each per aspect.
    pub metrics: CafaMetrics,
    #[serde(default)]
    pub extras: Map<String, Value>,
}

/// One exported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedFile {
    pub uri: String,
    /// Lower-case hex sha256 of the content.
    pub sha256: String,
    pub size: u64,
}

/// What `export` returns: every file written, by name, with its URI and content hash.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ExportResult {
    pub files: BTreeMap<String, ExportedFile>,
}

/// Errors of a runner.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// The runner has no such step (e.g. a runner without training asked to `fit`).
    #[error("runner {runner:?} does not support {operation}: {reason}")]
    Unsupported {
        runner: String,
        operation: &'static str,
        reason: String,
    },
    #[error("no runner named {0:?} (known: {1})")]
    UnknownRunner(String, String),
    /// A bad spec field.
    #[error("spec field {field:?}: {message}")]
    Spec { field: String, message: String },
    /// Bad or inconsistent input data.
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Artifact(#[from] protea_artifacts::ArtifactError),
    #[error(transparent)]
    Dataset(#[from] protea_dataset::DatasetError),
    #[error("CAFA evaluation: {0}")]
    Cafa(#[from] protea_cafa::Error),
    #[error("training failed: {0}")]
    Training(String),
}

pub type Result<T, E = RunnerError> = std::result::Result<T, E>;

/// An experiment runner: trains and/or evaluates a model on a frozen research dataset.
///
/// Implementations are cheap to construct and hold no state between calls beyond their
/// configuration: everything a later call needs (a model, a run record) is written to
/// the artifact store and found again by URI or run id.
pub trait ExperimentRunner: Send + Sync {
    /// The name the registry resolves (`toy`, `baseline`, `lightgbm`).
    fn name(&self) -> &'static str;

    /// One line for `protea runner list`.
    fn summary(&self) -> &'static str;

    /// Trains on the dataset at `dataset_uri` (a directory URI holding train.parquet,
    /// eval.parquet, manifest.json). `spec` holds the runner's hyperparameters, validated
    /// here. A runner without a training step returns [`RunnerError::Unsupported`].
    fn fit(&self, spec: &Value, dataset_uri: &str, emit: Emit<'_>) -> Result<RunResult>;

    /// Scores the eval split of `eval_dataset_uri` with the model at `model_uri` and
    /// reports CAFA metrics per aspect.
    fn evaluate(
        &self,
        model_uri: &str,
        eval_dataset_uri: &str,
        emit: Emit<'_>,
    ) -> Result<EvalResult>;

    /// Writes the run's artefacts (model.txt / spec.yaml / run.json or equivalent) under
    /// `output_uri` and returns their URIs and content hashes.
    fn export(&self, run_id: &str, output_uri: &str, emit: Emit<'_>) -> Result<ExportResult>;
}
