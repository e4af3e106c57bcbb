//! `baseline`: the naive term-frequency predictor (CAFA's "naive" method).
//!
//! fit: per aspect, the frequency of each GO term among the train proteins with a
//! positive in that aspect (`proteins positive for t / proteins positive in the
//! aspect`). evaluate: every eval candidate (protein, term) scores its term's frequency in
//! its aspect (0 for terms never seen), then our CAFA evaluator scores the ranking. It
//! ignores embeddings and neighbours: a floor that a real method has to beat.

use std::collections::{BTreeMap, BTreeSet};

use protea_artifacts::read_uri;
use protea_core::Level;
use protea_dataset::Frame;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::contract::{
    Emit, EvalResult, ExperimentRunner, ExportResult, Result, RunResult, RunnerError,
};
use crate::dataset_io::{Split, load_split};
use crate::env::RunnerEnv;
use crate::metrics::cafa_metrics;
use crate::run::{RunDir, export_run};

/// The model file of a baseline run.
pub const MODEL_FILE: &str = "model.json";

/// The baseline's spec: nothing to tune but which rows count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BaselineSpec {
    /// Restrict training to one category (`nk` | `lk` | `pk`); all by default.
    #[serde(default)]
    pub category: Option<String>,
}

/// The fitted model: per aspect (`bpo`/`mfo`/`cco`), term → frequency in [0, 1].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrequencyModel {
    pub runner: String,
    pub frequencies: BTreeMap<String, BTreeMap<String, f64>>,
    /// Proteins with a positive, per aspect (the denominators).
    pub proteins: BTreeMap<String, usize>,
}

impl FrequencyModel {
    /// Learns the frequencies from the positive rows of a frame.
    pub fn fit(frame: &Frame) -> FrequencyModel {
        let mut by_term: BTreeMap<(String, String), BTreeSet<&str>> = BTreeMap::new();
        let mut by_aspect: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        for r in frame.rows.iter().filter(|r| r.label) {
            let aspect = r.aspect().to_ascii_lowercase();
            by_term
                .entry((aspect.clone(), r.go_term_id.clone()))
                .or_default()
                .insert(&r.protein_accession);
            by_aspect
                .entry(aspect)
                .or_default()
                .insert(&r.protein_accession);
        }
        let mut frequencies: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
        for ((aspect, term), proteins) in by_term {
            let n = by_aspect[&aspect].len() as f64;
            frequencies
                .entry(aspect)
                .or_default()
                .insert(term, proteins.len() as f64 / n);
        }
        FrequencyModel {
            runner: "baseline".into(),
            frequencies,
            proteins: by_aspect.into_iter().map(|(a, p)| (a, p.len())).collect(),
        }
    }

    /// The score of every row of a frame.
    pub fn score(&self, frame: &Frame) -> Vec<f64> {
        frame
            .rows
            .iter()
            .map(|r| {
                self.frequencies
                    .get(&r.aspect().to_ascii_lowercase())
                    .and_then(|f| f.get(&r.go_term_id))
                    .copied()
                    .unwrap_or(0.0)
            })
            .collect()
    }
}

pub struct BaselineRunner {
    env: RunnerEnv,
}

impl BaselineRunner {
    pub fn new(env: RunnerEnv) -> BaselineRunner {
        BaselineRunner { env }
    }
}

/// Decodes a spec object strictly (unknown fields rejected, the field named).
pub(crate) fn decode_spec<T: serde::de::DeserializeOwned>(spec: &Value) -> Result<T> {
    let spec = if spec.is_null() { &json!({}) } else { spec };
    serde_path_to_error::deserialize(spec).map_err(|e| RunnerError::Spec {
        field: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

impl ExperimentRunner for BaselineRunner {
    fn name(&self) -> &'static str {
        "baseline"
    }

    fn summary(&self) -> &'static str {
        "Naive GO term-frequency prior per aspect (ignores embeddings)"
    }

    fn fit(&self, spec: &Value, dataset_uri: &str, emit: Emit<'_>) -> Result<RunResult> {
        let parsed: BaselineSpec = decode_spec(spec)?;
        if let Some(c) = &parsed.category
            && !matches!(c.as_str(), "nk" | "lk" | "pk")
        {
            return Err(RunnerError::Spec {
                field: "category".into(),
                message: format!("{c:?} is not nk, lk or pk"),
            });
        }
        emit(
            "runner.baseline.fit_start",
            None,
            json!({"dataset_uri": dataset_uri}),
            Level::Info,
        );
        let mut split = load_split(dataset_uri, Split::Train)?;
        if let Some(c) = &parsed.category {
            split.frame.rows.retain(|r| &r.category == c);
        }
        let mut run = RunDir::start(&self.env, self.name(), spec, dataset_uri)?;
        let result = (|| {
            let model = FrequencyModel::fit(&split.frame);
            if model.frequencies.is_empty() {
                return Err(RunnerError::Input(format!(
                    "{dataset_uri}: no positive train rows to learn frequencies from"
                )));
            }
            let bytes = serde_json::to_vec_pretty(&model).unwrap_or_default();
            let model_uri = run.put(MODEL_FILE, &bytes)?;
            let mut metrics = Map::new();
            for (aspect, terms) in &model.frequencies {
                metrics.insert(format!("n_terms_{aspect}"), json!(terms.len()));
                metrics.insert(
                    format!("n_proteins_{aspect}"),
                    json!(model.proteins[aspect]),
                );
            }
            metrics.insert("n_train_rows".into(), json!(split.frame.len()));
            Ok((model_uri, metrics))
        })();
        match result {
            Ok((model_uri, metrics)) => {
                let mut fields = Map::new();
                fields.insert("model_uri".into(), json!(model_uri));
                fields.insert("metrics".into(), Value::Object(metrics.clone()));
                fields.insert("resolved_hparams".into(), json!(parsed));
                if let Some(m) = &split.manifest {
                    fields.insert("dataset".into(), json!(m));
                }
                let run_id = run.finish(fields)?;
                emit(
                    "runner.baseline.fit_done",
                    None,
                    json!({"run_id": run_id}),
                    Level::Info,
                );
                let mut extras = Map::new();
                extras.insert("run_id".into(), json!(run_id));
                Ok(RunResult {
                    model_uri,
                    metrics,
                    extras,
                })
            }
            Err(e) => {
                run.fail(&e);
                Err(e)
            }
        }
    }

    fn evaluate(
        &self,
        model_uri: &str,
        eval_dataset_uri: &str,
        emit: Emit<'_>,
    ) -> Result<EvalResult> {
        emit(
            "runner.baseline.eval_start",
            None,
            json!({"model_uri": model_uri}),
            Level::Info,
        );
        let model: FrequencyModel = serde_json::from_slice(&read_uri(model_uri)?)
            .map_err(|e| RunnerError::Input(format!("{model_uri}: not a baseline model: {e}")))?;
        let split = load_split(eval_dataset_uri, Split::Eval)?;
        let scores = model.score(&split.frame);
        let (metrics, mut extras) = cafa_metrics(&split.frame, &scores, split.parent_map.as_ref())?;
        extras.insert("n_eval_rows".into(), json!(split.frame.len()));
        extras.insert(
            "n_scored_rows".into(),
            json!(scores.iter().filter(|s| **s > 0.0).count()),
        );
        emit(
            "runner.baseline.eval_done",
            None,
            json!({"fmax": metrics.fmax}),
            Level::Info,
        );
        Ok(EvalResult { metrics, extras })
    }

    fn export(&self, run_id: &str, output_uri: &str, emit: Emit<'_>) -> Result<ExportResult> {
        export_run(
            &self.env,
            self.name(),
            run_id,
            &[MODEL_FILE],
            output_uri,
            emit,
        )
    }
}
