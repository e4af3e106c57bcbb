//! The re-ranker apply step (ecosystem.md §4.5): prediction rows → the model's feature
//! matrix → scores, behind the feature-schema guard, with the `reranker.*` events.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use crate::error::{RerankerError, Result};
use crate::lgbm::Booster;

/// Event names of the scoring path (spec: predict_go_terms, "Reranker scoring and
/// schema-SHA guard").
pub mod events {
    /// Error level: the booster's feature schema differs from the live one.
    pub const SCHEMA_MISMATCH: &str = "reranker.schema_mismatch";
    /// A re-ranker was requested but did not run (with a `reason`).
    pub const SKIPPED: &str = "reranker.skipped";
    /// Info level: scores were written (applied / skipped row counts, mean score).
    pub const APPLIED: &str = "reranker.applied";
    /// The coordinator bound a registered model to a prediction run.
    pub const BOUND: &str = "predict_go_terms.reranker_bound";
}

/// An event for the caller's timeline (the pure crate cannot emit itself).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub name: &'static str,
    /// `info`, `warning` or `error`.
    pub level: &'static str,
    pub message: String,
    pub fields: Value,
}

/// One value of a prediction row's feature column.
#[derive(Debug, Clone, PartialEq)]
pub enum FeatureValue {
    Missing,
    Num(f64),
    Text(String),
}

impl From<f64> for FeatureValue {
    fn from(v: f64) -> Self {
        Self::Num(v)
    }
}

impl From<Option<f64>> for FeatureValue {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Self::Missing, Self::Num)
    }
}

impl From<&str> for FeatureValue {
    fn from(v: &str) -> Self {
        Self::Text(v.to_string())
    }
}

impl From<Option<&str>> for FeatureValue {
    fn from(v: Option<&str>) -> Self {
        v.map_or(Self::Missing, |s| Self::Text(s.to_string()))
    }
}

/// A prediction row seen by column name; an absent column is [`FeatureValue::Missing`].
pub trait FeatureSource {
    fn value(&self, column: &str) -> FeatureValue;
}

impl FeatureSource for HashMap<String, FeatureValue> {
    fn value(&self, column: &str) -> FeatureValue {
        self.get(column).cloned().unwrap_or(FeatureValue::Missing)
    }
}

impl FeatureSource for BTreeMap<String, FeatureValue> {
    fn value(&self, column: &str) -> FeatureValue {
        self.get(column).cloned().unwrap_or(FeatureValue::Missing)
    }
}

/// Fixed categorical vocabularies `{column: [values…]}` (the lab's convention: code =
/// index, unknown → −1). Without one, a model's own `pandas_categorical` is used
/// (LightGBM's convention: unknown → missing).
pub type CategoricalCodes = BTreeMap<String, Vec<String>>;

/// The dense matrix a booster reads: one row per prediction, columns in the model's
/// `feature_names` order.
#[derive(Debug, Clone)]
pub struct FeatureMatrix {
    pub columns: Vec<String>,
    /// Row-major, `columns.len()` values per row; NaN = missing.
    pub values: Vec<f64>,
}

impl FeatureMatrix {
    pub fn rows(&self) -> impl Iterator<Item = &[f64]> {
        self.values.chunks(self.columns.len().max(1))
    }

    pub fn len(&self) -> usize {
        self.values.len() / self.columns.len().max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Builds the feature matrix of `rows` for `booster`: columns from its feature names, an
/// absent column is NaN, numeric text is parsed and other text is NaN (`to_numeric(errors=
/// "coerce")`), "" is missing, and categorical text is encoded against `codes` when given
/// for that column (unknown → −1), else against the model's stored vocabulary (unknown →
/// NaN).
pub fn feature_matrix<R: FeatureSource>(
    booster: &Booster,
    rows: &[R],
    codes: Option<&CategoricalCodes>,
) -> FeatureMatrix {
    let columns = booster.feature_names.clone();
    let encoders: Vec<Encoder<'_>> = columns
        .iter()
        .enumerate()
        .map(|(c, name)| {
            if !booster.categorical_features.contains(&c) {
                return Encoder::Numeric;
            }
            if let Some(values) = codes.and_then(|m| m.get(name)) {
                return Encoder::Fixed(index_of(values));
            }
            match booster.vocabulary(c) {
                Some(values) => Encoder::Pandas(index_of(values)),
                None => Encoder::Numeric,
            }
        })
        .collect();
    let mut values = Vec::with_capacity(rows.len() * columns.len());
    for row in rows {
        for (name, encoder) in columns.iter().zip(&encoders) {
            values.push(encoder.encode(row.value(name)));
        }
    }
    FeatureMatrix { columns, values }
}

fn index_of(values: &[String]) -> HashMap<&str, f64> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| (v.as_str(), i as f64))
        .collect()
}

enum Encoder<'a> {
    Numeric,
    Fixed(HashMap<&'a str, f64>),
    Pandas(HashMap<&'a str, f64>),
}

impl Encoder<'_> {
    fn encode(&self, value: FeatureValue) -> f64 {
        match value {
            FeatureValue::Missing => f64::NAN,
            FeatureValue::Num(v) => v,
            FeatureValue::Text(s) if s.is_empty() => f64::NAN,
            FeatureValue::Text(s) => match self {
                Self::Numeric => s.trim().parse().unwrap_or(f64::NAN),
                Self::Fixed(map) => map.get(s.as_str()).copied().unwrap_or(-1.0),
                Self::Pandas(map) => map.get(s.as_str()).copied().unwrap_or(f64::NAN),
            },
        }
    }
}

/// `_calibrate_scores`: when any score lies outside [0, 1] (a ranking objective's raw
/// output), the logistic function is applied to all of them; probabilities pass unchanged.
pub fn calibrate_scores(scores: &mut [f64]) {
    if scores.iter().any(|s| !(0.0..=1.0).contains(s)) {
        for s in scores {
            *s = 1.0 / (1.0 + (-*s).exp());
        }
    }
}

/// `apply_reranker`: the model's predictions for `rows` (probabilities of a binary model;
/// ranking scores squashed by [`calibrate_scores`]).
pub fn apply_reranker<R: FeatureSource>(
    booster: &Booster,
    rows: &[R],
    codes: Option<&CategoricalCodes>,
) -> Result<Vec<f64>> {
    let matrix = feature_matrix(booster, rows, codes);
    let mut scores = Vec::with_capacity(rows.len());
    for row in matrix.rows().take(rows.len()) {
        scores.push(booster.predict_one(row)?);
    }
    calibrate_scores(&mut scores);
    Ok(scores)
}

/// The FARM-EXP.5 guard: the schema sha recorded with the model must equal the live one
/// (`compute_feature_schema_sha` of the active feature families, computed by the caller).
/// On a mismatch the caller emits [`error_event`] of the error (level error) and fails.
pub fn check_schema(model_sha: &str, live_sha: &str) -> Result<()> {
    if model_sha == live_sha {
        return Ok(());
    }
    Err(RerankerError::SchemaShaMismatch {
        model_sha: model_sha.to_string(),
        live_sha: live_sha.to_string(),
    })
}

/// The event an error calls for: `reranker.schema_mismatch` (level error) for a schema
/// mismatch, none otherwise.
pub fn error_event(error: &RerankerError) -> Option<Event> {
    match error {
        RerankerError::SchemaShaMismatch {
            model_sha,
            live_sha,
        } => Some(Event {
            name: events::SCHEMA_MISMATCH,
            level: "error",
            message: format!(
                "re-ranker feature schema {model_sha} differs from the live schema {live_sha}"
            ),
            fields: json!({"model_sha": model_sha, "live_sha": live_sha}),
        }),
        _ => None,
    }
}

/// Maps an aspect spelling (F/P/C, mfo/bpo/cco, MFO/BPO/CCO) to F/P/C, as
/// `load_boosters_by_aspect` reads file stems and `predict` routes rows.
pub fn aspect_key(aspect: &str) -> Option<char> {
    match aspect {
        "F" | "mfo" | "MFO" => Some('F'),
        "P" | "bpo" | "BPO" => Some('P'),
        "C" | "cco" | "CCO" => Some('C'),
        _ => None,
    }
}

/// What a scoring pass did, for the `reranker` block of the batch's done event.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScoreSummary {
    pub applied: usize,
    pub skipped: usize,
    pub mean_score: Option<f64>,
}

/// What [`RerankerScorer::score`] returns.
#[derive(Debug, Clone)]
pub struct Scored {
    /// One per row; `None` = no booster for the row's aspect.
    pub scores: Vec<Option<f64>>,
    pub summary: ScoreSummary,
    /// `reranker.applied`.
    pub event: Event,
}

/// The scoring step of a prediction batch: one booster for every row, or one per aspect
/// (which wins; rows of an aspect without a booster keep no score: selective re-ranking).
#[derive(Debug, Clone)]
pub struct RerankerScorer {
    pub booster: Option<Booster>,
    pub by_aspect: BTreeMap<char, Booster>,
    /// The schema sha the booster was trained on.
    pub feature_schema_sha: String,
    pub codes: Option<CategoricalCodes>,
}

impl RerankerScorer {
    /// Scores `rows` (their `aspect` column routes them when per-aspect boosters are set)
    /// after the schema guard: one score per row (`None` = not re-ranked), the summary,
    /// and the `reranker.applied` event. On an error, [`error_event`] gives the event to
    /// emit before failing.
    pub fn score<R: FeatureSource>(&self, rows: &[R], live_sha: &str) -> Result<Scored> {
        check_schema(&self.feature_schema_sha, live_sha)?;
        let mut scores = vec![None; rows.len()];
        if self.by_aspect.is_empty() {
            if let Some(booster) = &self.booster {
                let s = apply_reranker(booster, rows, self.codes.as_ref())?;
                for (slot, v) in scores.iter_mut().zip(s) {
                    *slot = Some(v);
                }
            }
        } else {
            let mut groups: BTreeMap<char, Vec<usize>> = BTreeMap::new();
            for (i, row) in rows.iter().enumerate() {
                if let FeatureValue::Text(a) = row.value("aspect")
                    && let Some(key) = aspect_key(&a)
                    && self.by_aspect.contains_key(&key)
                {
                    groups.entry(key).or_default().push(i);
                }
            }
            for (key, indices) in groups {
                let subset: Vec<&R> = indices.iter().map(|&i| &rows[i]).collect();
                let s = apply_reranker(&self.by_aspect[&key], &subset, self.codes.as_ref())?;
                for (i, v) in indices.into_iter().zip(s) {
                    scores[i] = Some(v);
                }
            }
        }
        let applied: Vec<f64> = scores.iter().flatten().copied().collect();
        let summary = ScoreSummary {
            applied: applied.len(),
            skipped: rows.len() - applied.len(),
            mean_score: (!applied.is_empty())
                .then(|| applied.iter().sum::<f64>() / applied.len() as f64),
        };
        let event = Event {
            name: events::APPLIED,
            level: "info",
            message: format!(
                "re-ranker scored {} of {} predictions",
                summary.applied,
                rows.len()
            ),
            fields: serde_json::to_value(&summary).unwrap_or(Value::Null),
        };
        Ok(Scored {
            scores,
            summary,
            event,
        })
    }
}

impl<R: FeatureSource> FeatureSource for &R {
    fn value(&self, column: &str) -> FeatureValue {
        (**self).value(column)
    }
}
