//! `toy`: the template runner of the plugin guide. It trains nothing and reports fixed
//! metrics, so it exercises the dispatch path (registry, CLI, jobs) without any model.
//! Its numbers are placeholders by design and say so in their extras.

use protea_artifacts::open;
use protea_core::Level;
use serde_json::{Map, Value, json};

use crate::contract::{
    CafaMetrics, Emit, EvalResult, ExperimentRunner, ExportResult, ExportedFile, Result, RunResult,
};
use crate::env::RunnerEnv;

/// The constant model URI (no model file exists).
pub const DUMMY_MODEL_URI: &str = "file:///dev/null";

pub struct ToyRunner {
    _env: RunnerEnv,
}

impl ToyRunner {
    pub fn new(env: RunnerEnv) -> ToyRunner {
        ToyRunner { _env: env }
    }
}

fn placeholder() -> Map<String, Value> {
    let mut extras = Map::new();
    extras.insert("placeholder".into(), json!(true));
    extras
}

impl ExperimentRunner for ToyRunner {
    fn name(&self) -> &'static str {
        "toy"
    }

    fn summary(&self) -> &'static str {
        "Template runner: records the spec, reports fixed placeholder metrics (no model)"
    }

    /// Records the spec as `spec.json` under the dataset URI and returns the dummy model.
    fn fit(&self, spec: &Value, dataset_uri: &str, emit: Emit<'_>) -> Result<RunResult> {
        emit(
            "runner.toy.fit_start",
            None,
            json!({"dataset_uri": dataset_uri}),
            Level::Info,
        );
        let store = open(dataset_uri)?;
        let bytes = serde_json::to_vec(spec).unwrap_or_default();
        let spec_uri = store.put("spec.json", &bytes)?;
        emit("runner.toy.fit_done", None, json!({}), Level::Info);
        let mut metrics = Map::new();
        metrics.insert("dummy_loss".into(), json!(0.0));
        let mut extras = placeholder();
        extras.insert("spec_uri".into(), json!(spec_uri));
        Ok(RunResult {
            model_uri: DUMMY_MODEL_URI.into(),
            metrics,
            extras,
        })
    }

    /// Perfect placeholder metrics for every aspect.
    fn evaluate(
        &self,
        _model_uri: &str,
        _eval_dataset_uri: &str,
        emit: Emit<'_>,
    ) -> Result<EvalResult> {
        emit("runner.toy.eval_start", None, json!({}), Level::Info);
        let all = |v: f64| {
            ["bpo", "cco", "mfo"]
                .into_iter()
                .map(|a| (a.to_owned(), v))
                .collect()
        };
        Ok(EvalResult {
            metrics: CafaMetrics {
                fmax: all(1.0),
                auc_pr: all(1.0),
                coverage: all(1.0),
            },
            extras: placeholder(),
        })
    }

    /// Writes `manifest.json` (`run_id`, `model_uri`) under `output_uri`.
    fn export(&self, run_id: &str, output_uri: &str, emit: Emit<'_>) -> Result<ExportResult> {
        let store = open(output_uri)?;
        let manifest = json!({"run_id": run_id, "model_uri": DUMMY_MODEL_URI});
        let stored = store.put_hashed("manifest.json", manifest.to_string().as_bytes())?;
        emit(
            "runner.toy.export_done",
            None,
            json!({"uri": stored.uri}),
            Level::Info,
        );
        let mut out = ExportResult::default();
        out.files.insert(
            "manifest.json".into(),
            ExportedFile {
                uri: stored.uri,
                sha256: stored.sha256,
                size: stored.size,
            },
        );
        Ok(out)
    }
}
