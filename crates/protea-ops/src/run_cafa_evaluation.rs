//! `run_cafa_evaluation`: scores a prediction set against an evaluation set the CAFA way,
//! for the NK, LK and PK settings, with `protea-cafa` in process.
//!
//! Flow: load the sets → recompute the delta → build the predictions file in memory
//! (delta proteins only, `max_distance`, a scoring config or the `1 − d/2` rule) → per
//! setting, evaluate on in-memory ground truth (PK with its known terms), keep the 3 × 3
//! summary and write cafaeval's files and PR curves to the artifact store → one
//! `evaluation_result` row. A setting that fails is stored as `{}` with a `setting_failed`
//! event; the others still run.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::sync::Arc;

use protea_cafa::{InformationAccretion, Ontology};
use protea_core::{GoId, PayloadError, Validate};
use protea_evaluation::cafa::{self, CellSummary};
use protea_evaluation::predictions::{PredictionRow, build_predictions};
use protea_evaluation::{Category, ScoringConfig};
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_store::evaluation::{self, EvaluationResultRow, data};
use protea_store::scoring;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::evaluation_common::{EvaluationArtifacts, store_error};
use crate::ingest::{EmitRetries, client, user_agent};
use protea_sources::{Download, Location, SourceError};

/// Payload of `run_cafa_evaluation`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunCafaEvaluationPayload {
    pub evaluation_set_id: Uuid,
    pub prediction_set_id: Uuid,
    /// Drop predictions whose cosine distance exceeds this (0 – 2).
    #[serde(default)]
    pub max_distance: Option<f64>,
    /// Score with this config instead of `1 − d/2`.
    #[serde(default)]
    pub scoring_config_id: Option<Uuid>,
    #[serde(default)]
    pub reranker_id_nk: Option<Uuid>,
    #[serde(default)]
    pub reranker_id_lk: Option<Uuid>,
    #[serde(default)]
    pub reranker_id_pk: Option<Uuid>,
    /// `{nk|lk|pk: {bpo|mfo|cco: reranker id}}`; overrides the flat fields.
    #[serde(default)]
    pub rerankers: Option<BTreeMap<String, BTreeMap<String, Uuid>>>,
    /// IA file (path or `file://` URI, optionally gzipped) on the worker's filesystem
    /// (relative paths resolve against its working directory); falls back to the
    /// snapshot's `ia_url`, then to uniform weights with an `ia_missing` warning.
    #[serde(default)]
    pub ia_file: Option<String>,
    /// Drop ground-truth proteins that have no prediction in the set (standard CAFA). A
    /// protein counts as predicted if it has any row in the prediction set, before
    /// `max_distance` filtering, so tightening the threshold lowers coverage rather than
    /// shrinking the cohort.
    #[serde(default = "yes")]
    pub restrict_gt_to_predicted: bool,
}

fn yes() -> bool {
    true
}

impl Validate for RunCafaEvaluationPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        if let Some(d) = self.max_distance
            && !(0.0..=2.0).contains(&d)
        {
            return Err(PayloadError::new(
                "max_distance",
                format!("must be between 0 and 2, got {d}"),
            ));
        }
        if let Some(map) = &self.rerankers {
            for (category, aspects) in map {
                if !matches!(category.as_str(), "nk" | "lk" | "pk") {
                    return Err(PayloadError::new(
                        format!("rerankers.{category}"),
                        "category must be nk, lk or pk",
                    ));
                }
                if aspects.is_empty() {
                    return Err(PayloadError::new(
                        format!("rerankers.{category}"),
                        "must name at least one aspect",
                    ));
                }
                for aspect in aspects.keys() {
                    if !matches!(aspect.as_str(), "bpo" | "mfo" | "cco") {
                        return Err(PayloadError::new(
                            format!("rerankers.{category}.{aspect}"),
                            "aspect must be bpo, mfo or cco",
                        ));
                    }
                }
            }
        }
        if self.ia_file.as_deref().is_some_and(|f| f.trim().is_empty()) {
            return Err(PayloadError::new("ia_file", "must not be empty"));
        }
        Ok(())
    }
}

impl RunCafaEvaluationPayload {
    /// The re-ranker configuration in the stored form: `{cat: {aspect: id}}`, or
    /// `{cat: {"all": id}}` for the flat fields. `None` when no re-ranker is asked for.
    pub fn reranker_config(&self) -> Option<Value> {
        if let Some(map) = &self.rerankers {
            return Some(json!(map));
        }
        let flat: BTreeMap<&str, Value> = [
            ("nk", self.reranker_id_nk),
            ("lk", self.reranker_id_lk),
            ("pk", self.reranker_id_pk),
        ]
        .into_iter()
        .filter_map(|(c, id)| id.map(|id| (c, json!({"all": id}))))
        .collect();
        (!flat.is_empty()).then(|| json!(flat))
    }
}

/// The operation.
pub struct RunCafaEvaluation;

fn not_found(what: &str, id: Uuid) -> OperationError {
    OperationError::failed("NotFound", format!("{what} {id} does not exist"))
}

/// Where the IA weights come from, in order of precedence.
fn ia_source(payload: Option<&str>, snapshot: Option<&str>) -> Option<String> {
    payload
        .or(snapshot)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Reads an IA file already on local disk (gzip transparent); `name` is what the user gave.
fn read_ia(
    path: &std::path::Path,
    name: &str,
    ontology: &Ontology,
) -> Result<InformationAccretion, OperationError> {
    let reader: Box<dyn BufRead> = protea_formats::io::open(path)
        .map(|r| Box::new(r) as Box<dyn BufRead>)
        .map_err(|e| OperationError::failed("IaUnavailable", format!("IA file {name}: {e}")))?;
    InformationAccretion::read(reader, name, ontology)
        .map_err(|e| OperationError::failed("IaUnavailable", e.to_string()))
}

/// Makes the IA source readable locally: paths and `file://` as they are, `http(s)://`
/// downloaded with the platform's retry policy (each retry an `http.retry` event).
async fn fetch_ia(source: &str, emit: &Emitter) -> Result<Download, OperationError> {
    let unavailable = |e: SourceError| {
        OperationError::failed("IaUnavailable", format!("IA source {source}: {e}"))
    };
    let location = Location::parse(source).map_err(unavailable)?;
    let http = client(&user_agent(RunCafaEvaluation::NAME), 300.0, None)?;
    http.download(&location, &EmitRetries(emit))
        .await
        .map_err(unavailable)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, OperationError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| OperationError::failed("InternalError", e.to_string()))
}

impl Operation for RunCafaEvaluation {
    type Payload = RunCafaEvaluationPayload;
    const NAME: &'static str = "run_cafa_evaluation";
    const QUEUE: &'static str = queues::EVALUATIONS;
    const SUMMARY: &'static str = "Evaluates a prediction set against an evaluation set (NK/LK/PK × BPO/MFO/CCO) with the CAFA evaluator";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        p: RunCafaEvaluationPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let set = evaluation::evaluation_set(ctx.tx(), p.evaluation_set_id)
            .await
            .map_err(store_error)?
            .ok_or_else(|| not_found("evaluation set", p.evaluation_set_id))?;
        evaluation::prediction_set(ctx.tx(), p.prediction_set_id)
            .await
            .map_err(store_error)?
            .ok_or_else(|| not_found("prediction set", p.prediction_set_id))?;
        let scoring_config = match p.scoring_config_id {
            None => None,
            Some(id) => {
                let row = scoring::scoring_config(ctx.tx(), id)
                    .await
                    .map_err(store_error)?
                    .ok_or_else(|| not_found("scoring config", id))?;
                let config = ScoringConfig::from_parts(
                    &row.formula,
                    &row.weights,
                    row.evidence_weights.as_ref(),
                )
                .map_err(|e| OperationError::failed("InvalidScoringConfig", e.to_string()))?;
                Some(config)
            }
        };
        if let Some(config) = p.reranker_config() {
            let ids: BTreeSet<Uuid> = p
                .rerankers
                .iter()
                .flat_map(|m| m.values().flat_map(|a| a.values().copied()))
                .chain(
                    [p.reranker_id_nk, p.reranker_id_lk, p.reranker_id_pk]
                        .into_iter()
                        .flatten(),
                )
                .collect();
            for id in ids {
                if !evaluation::reranker_exists(ctx.tx(), id)
                    .await
                    .map_err(store_error)?
                {
                    return Err(not_found("reranker model", id));
                }
            }
            // Re-ranker scoring (LightGBM inference) is not part of this platform yet.
            // Evaluating without it would report KNN numbers under a re-ranker's name.
            return Err(OperationError::failed(
                "RerankerNotSupported",
                format!("re-ranker scoring is not implemented yet; requested re-rankers {config}"),
            ));
        }
        let artifacts = ctx
            .extension::<EvaluationArtifacts>()
            .cloned()
            .ok_or_else(|| {
                OperationError::failed(
                    "ArtifactStoreMissing",
                    "this worker has no artifact store configured for evaluation outputs",
                )
            })?;

        // Ground truth, recomputed from the annotations.
        let snapshot_id = data::effective_snapshot(ctx.tx(), &set)
            .await
            .map_err(store_error)?;
        let snapshot = evaluation::snapshot(ctx.tx(), snapshot_id)
            .await
            .map_err(store_error)?
            .ok_or_else(|| not_found("ontology snapshot", snapshot_id))?;
        let delta = data::evaluation_set_delta(ctx.tx(), &set)
            .await
            .map_err(store_error)?;
        if delta.stats.delta_proteins == 0 {
            return Err(OperationError::failed(
                "EmptyDelta",
                format!("evaluation set {} has no delta proteins", set.id),
            ));
        }
        emit.info("evaluation.delta", None, json!(delta.stats))
            .await;
        ctx.check_cancelled()?;

        // Ontology and IA.
        let obo = data::snapshot_obo(ctx.tx(), snapshot_id)
            .await
            .map_err(store_error)?;
        let ia_from = ia_source(p.ia_file.as_deref(), snapshot.ia_url.as_deref());
        let ia_file = match ia_from.as_deref() {
            Some(source) => Some((fetch_ia(source, emit).await?, source.to_owned())),
            None => None,
        };
        let (ontology, ia, ia_file) = blocking(move || -> Result<_, OperationError> {
            let ontology = cafa::parse_ontology(&obo)
                .map_err(|e| OperationError::failed("OntologyError", e.to_string()))?;
            let ia = ia_file
                .as_ref()
                .map(|(file, name)| read_ia(file.path(), name, &ontology))
                .transpose()?;
            // The download (a temporary file) lives until it has been read.
            Ok((ontology, ia, ia_file))
        })
        .await??;
        drop(ia_file);
        match ia_from {
            Some(source) => {
                emit.info("evaluation.ia", None, json!({"source": source}))
                    .await
            }
            None => {
                emit.warning(
                    "ia_missing",
                    Some("no ia_file and no ia_url on the snapshot: uniform term weights (weighted metrics omitted)"),
                    json!({"ontology_snapshot_id": snapshot_id}),
                )
                .await
            }
        }

        // Predictions of the delta proteins.
        let proteins: Vec<String> = delta.proteins().map(str::to_owned).collect();
        let rows = evaluation::prediction_rows(ctx.tx(), p.prediction_set_id, &proteins)
            .await
            .map_err(store_error)?;
        let predicted: BTreeSet<String> =
            rows.iter().map(|r| r.protein_accession.clone()).collect();
        let rows: Vec<PredictionRow> = rows
            .into_iter()
            .filter_map(|r| {
                Some(PredictionRow {
                    go_id: GoId::parse(&r.go_id).ok()?,
                    protein: r.protein_accession,
                    distance: r.distance,
                    identity_nw: r.identity_nw,
                    identity_sw: r.identity_sw,
                    evidence_code: r.evidence_code,
                    taxonomic_distance: r.taxonomic_distance.map(f64::from),
                })
            })
            .collect();
        let delta_set: BTreeSet<&str> = delta.proteins().collect();
        let (predictions, pstats) =
            build_predictions(&rows, &delta_set, p.max_distance, scoring_config.as_ref());
        drop(rows);
        emit.info(
            "evaluation.predictions",
            None,
            json!({"rows": pstats.rows, "written": pstats.written, "proteins": pstats.proteins,
                   "beyond_max_distance": pstats.beyond_max_distance,
                   "predicted_delta_proteins": predicted.len()}),
        )
        .await;

        let result_id = Uuid::new_v4();
        let ontology = Arc::new(ontology);
        let ia = Arc::new(ia);
        let predictions = Arc::new(predictions);
        let delta = Arc::new(delta);
        let predicted = Arc::new(predicted);
        let restrict = p.restrict_gt_to_predicted;
        let mut results = serde_json::Map::new();
        let mut wrote_any = false;
        for category in Category::ALL {
            ctx.check_cancelled()?;
            let name = category.name();
            let (ontology, ia, predictions, delta, predicted) = (
                ontology.clone(),
                ia.clone(),
                predictions.clone(),
                delta.clone(),
                predicted.clone(),
            );
            let outcome = blocking(move || {
                let keep = |p: &str| !restrict || predicted.contains(p);
                let (gt, known) = cafa::setting_inputs(&delta, category, keep);
                if gt.is_empty() {
                    return Ok(None);
                }
                let n_gt = gt.len();
                let eval = cafa::evaluate_setting(
                    &ontology,
                    &gt,
                    known.as_ref(),
                    Option::as_ref(&ia),
                    &predictions,
                )?;
                let files = cafa::output_files(&eval)?;
                Ok::<_, protea_evaluation::EvaluationError>(Some((
                    cafa::summarize(&eval),
                    files,
                    n_gt,
                )))
            })
            .await?;
            match outcome {
                Ok(None) => {
                    results.insert(name.into(), json!({}));
                    emit.warning(
                        "setting_skipped",
                        Some("no ground-truth protein in this setting"),
                        json!({"setting": name}),
                    )
                    .await;
                }
                Ok(Some((summary, files, n_gt))) => {
                    for (file, bytes) in &files {
                        artifacts
                            .0
                            .put(&format!("{result_id}/{name}/{file}"), bytes)
                            .map_err(store_error)?;
                    }
                    wrote_any |= !files.is_empty();
                    let summary: BTreeMap<String, CellSummary> = summary;
                    emit.info(
                        "setting_done",
                        None,
                        json!({"setting": name, "ground_truth_proteins": n_gt, "results": summary}),
                    )
                    .await;
                    results.insert(name.into(), json!(summary));
                }
                Err(e) => {
                    emit.error(
                        "setting_failed",
                        Some(&e.to_string()),
                        json!({"setting": name}),
                    )
                    .await;
                    results.insert(name.into(), json!({}));
                }
            }
        }

        let artifacts_uri = if wrote_any {
            Some(
                artifacts
                    .0
                    .uri(&result_id.to_string())
                    .map_err(store_error)?,
            )
        } else {
            None
        };
        let results = Value::Object(results);
        let job_id = ctx.job_id();
        evaluation::insert_evaluation_result(
            ctx.tx(),
            &EvaluationResultRow {
                id: result_id,
                evaluation_set_id: set.id,
                prediction_set_id: p.prediction_set_id,
                scoring_config_id: p.scoring_config_id,
                reranker_model_id: None,
                reranker_config: None,
                job_id: Some(job_id),
                created_at: Default::default(),
                results: results.clone(),
                artifacts_uri: artifacts_uri.clone(),
            },
        )
        .await
        .map_err(store_error)?;
        Ok(OperationResult::done(json!({
            "evaluation_result_id": result_id,
            "results": results,
            "artifacts_uri": artifacts_uri,
        })))
    }
}
