//! `lightgbm`: a LightGBM re-ranker trained on the dataset's candidate rows.
//!
//! fit follows the lab's `TrainConfig` defaults (ecosystem.md §6.4): lambdarank (or
//! binary), 5000 rounds with early stopping after 50 on the validation split, learning
//! rate 0.05, 63 leaves, 100 rows per leaf, feature and bagging fractions 0.9 with
//! bagging every 5 iterations, seed 42. Before the split, negatives may be down-sampled
//! to `neg_pos_ratio` per positive; the split is stratified by label (the platform's
//! rule: shuffle positives and negatives apart, the first `val_fraction` of each go to
//! validation) or by protein (`protein_group`); optional IA sample weights
//! `w = 1 + ia_scale·IA(term)` (positives only, or all rows). evaluate re-scores the eval
//! split and runs our CAFA evaluator; export writes model.txt / spec.yaml / run.json.
//!
//! Two deviations forced by the safe `lightgbm3` API, both recorded in run.json:
//! categorical columns enter as their integer codes (sorted train vocabulary, −1 for
//! unseen values, as the lab encodes them) without LightGBM's categorical splits, and
//! lambdarank's query groups reach LightGBM through its `<data>.query` side file, so
//! lambdarank training data goes through a temporary TSV file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use lightgbm3::{Booster, Dataset, ImportanceType};
use protea_artifacts::read_uri;
use protea_core::Level;
use protea_dataset::schema::{
    CATEGORICAL_FEATURES, NUMERIC_FEATURES, categorical_index, numeric_index,
};
use protea_dataset::{Frame, Row};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::baseline::decode_spec;
use crate::contract::{
    Emit, EvalResult, ExperimentRunner, ExportResult, Result, RunResult, RunnerError,
};
use crate::dataset_io::{Split, load_split};
use crate::env::RunnerEnv;
use crate::metrics::cafa_metrics;
use crate::run::{RunDir, export_run};

/// The booster file of a run.
pub const MODEL_FILE: &str = "model.txt";
/// What the booster needs at scoring time (feature columns, categorical vocabularies).
pub const META_FILE: &str = "model_meta.json";

/// LightGBM's limit on rows per lambdarank query is 10 000; the lab caps groups at 9 999.
pub const GROUP_CAP: usize = 9_999;

/// The runner's spec (`TrainConfig` plus the training section of the lab's
/// `ExperimentSpec`). Unknown fields are rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainSpec {
    /// `lambdarank` | `binary`.
    pub objective: String,
    pub num_boost_round: u32,
    pub early_stopping_rounds: u32,
    pub learning_rate: f64,
    pub num_leaves: u32,
    pub min_data_in_leaf: u32,
    pub feature_fraction: f64,
    pub bagging_fraction: f64,
    pub bagging_freq: u32,
    pub seed: u64,
    /// Keep all positives and `floor(n_pos · ratio)` random negatives.
    pub neg_pos_ratio: Option<f64>,
    pub val_fraction: f64,
    /// `stratified` | `protein_group` | `none`.
    pub val_strategy: String,
    /// A cell `"{category}-{aspect}"` (e.g. `nk-mfo`) to train on; all rows by default.
    pub cell: Option<String>,
    /// Feature columns; default: the catalogue without the lineage family (the lab's
    /// default training set for the v2 catalogue).
    pub features: Option<Vec<String>>,
    pub drop_features: Vec<String>,
    /// `none` | `positives` | `all`.
    pub ia_weighting: String,
    pub ia_scale: f64,
    /// URI of an IA file (`GO<TAB>bits`), required when `ia_weighting` is not `none`.
    pub ia_uri: Option<String>,
}

impl Default for TrainSpec {
    fn default() -> Self {
        TrainSpec {
            objective: "lambdarank".into(),
            num_boost_round: 5000,
            early_stopping_rounds: 50,
            learning_rate: 0.05,
            num_leaves: 63,
            min_data_in_leaf: 100,
            feature_fraction: 0.9,
            bagging_fraction: 0.9,
            bagging_freq: 5,
            seed: 42,
            neg_pos_ratio: None,
            val_fraction: 0.2,
            val_strategy: "stratified".into(),
            cell: None,
            features: None,
            drop_features: Vec::new(),
            ia_weighting: "none".into(),
            ia_scale: 1.0,
            ia_uri: None,
        }
    }
}

fn spec_err(field: &str, message: impl Into<String>) -> RunnerError {
    RunnerError::Spec {
        field: field.into(),
        message: message.into(),
    }
}

impl TrainSpec {
    fn validate(&self) -> Result<()> {
        if !matches!(self.objective.as_str(), "lambdarank" | "binary") {
            return Err(spec_err("objective", "must be lambdarank or binary"));
        }
        if !matches!(
            self.val_strategy.as_str(),
            "stratified" | "protein_group" | "none"
        ) {
            return Err(spec_err(
                "val_strategy",
                "must be stratified, protein_group or none",
            ));
        }
        if !matches!(self.ia_weighting.as_str(), "none" | "positives" | "all") {
            return Err(spec_err("ia_weighting", "must be none, positives or all"));
        }
        if self.ia_weighting != "none" && self.ia_uri.is_none() {
            return Err(spec_err("ia_uri", "required when ia_weighting is not none"));
        }
        if !(self.val_fraction > 0.0 && self.val_fraction < 1.0) {
            return Err(spec_err("val_fraction", "must be in (0, 1)"));
        }
        if self.neg_pos_ratio.is_some_and(|r| r.is_nan() || r <= 0.0) {
            return Err(spec_err("neg_pos_ratio", "must be positive"));
        }
        if self.num_boost_round == 0 {
            return Err(spec_err("num_boost_round", "must be positive"));
        }
        if self.learning_rate.is_nan() || self.learning_rate <= 0.0 {
            return Err(spec_err("learning_rate", "must be positive"));
        }
        for (name, v) in [
            ("feature_fraction", self.feature_fraction),
            ("bagging_fraction", self.bagging_fraction),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                return Err(spec_err(name, "must be in (0, 1]"));
            }
        }
        if let Some(cell) = &self.cell {
            let ok = cell.split_once('-').is_some_and(|(c, a)| {
                matches!(c, "nk" | "lk" | "pk") && matches!(a, "bpo" | "mfo" | "cco")
            });
            if !ok {
                return Err(spec_err("cell", "must be {nk|lk|pk}-{bpo|mfo|cco}"));
            }
        }
        for f in self.features.iter().flatten().chain(&self.drop_features) {
            if numeric_index(f).is_none() && categorical_index(f).is_none() {
                return Err(spec_err(
                    "features",
                    format!("{f:?} is not a catalogue feature"),
                ));
            }
        }
        Ok(())
    }

    /// The feature columns, in catalogue order.
    pub fn feature_columns(&self) -> Vec<String> {
        let all = NUMERIC_FEATURES.iter().chain(CATEGORICAL_FEATURES.iter());
        all.filter(|c| match &self.features {
            Some(list) => list.iter().any(|f| f == *c),
            None => !c.starts_with("lineage_"),
        })
        .filter(|c| !self.drop_features.iter().any(|d| d == *c))
        .map(|c| (*c).to_owned())
        .collect()
    }

    /// The LightGBM parameters. Early stopping watches the first metric, hence a single
    /// metric each (`ndcg` at 5 and 10, or `auc`).
    pub fn params(&self, with_validation: bool) -> Value {
        let mut p = json!({
            "objective": self.objective,
            "num_iterations": self.num_boost_round,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": self.bagging_freq,
            "seed": self.seed,
            "verbose": -1,
            "num_threads": 1,
            "deterministic": true,
        });
        let m = p.as_object_mut().expect("an object");
        if self.objective == "lambdarank" {
            m.insert("metric".into(), json!("ndcg"));
            m.insert("ndcg_eval_at".into(), json!("5,10"));
            m.insert("label_gain".into(), json!("0,1"));
        } else {
            m.insert("metric".into(), json!("auc"));
        }
        if with_validation {
            m.insert(
                "early_stopping_rounds".into(),
                json!(self.early_stopping_rounds),
            );
        }
        p
    }
}

/// What scoring needs besides the booster: the columns and categorical vocabularies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    pub runner: String,
    pub objective: String,
    pub feature_columns: Vec<String>,
    /// Per categorical column: the sorted train vocabulary (code = index).
    pub vocabularies: BTreeMap<String, Vec<String>>,
    pub feature_schema_sha: String,
}

impl ModelMeta {
    fn new(spec: &TrainSpec, train: &[&Row]) -> ModelMeta {
        let feature_columns = spec.feature_columns();
        let mut vocabularies = BTreeMap::new();
        for c in &feature_columns {
            if let Some(j) = categorical_index(c) {
                let vocab: BTreeSet<&str> = train
                    .iter()
                    .map(|r| r.categorical[j].as_str())
                    .filter(|v| !v.is_empty())
                    .collect();
                vocabularies.insert(c.clone(), vocab.into_iter().map(str::to_owned).collect());
            }
        }
        ModelMeta {
            runner: "lightgbm".into(),
            objective: spec.objective.clone(),
            feature_schema_sha: protea_dataset::schema::compute_schema_sha(&feature_columns),
            feature_columns,
            vocabularies,
        }
    }

    /// Row-major feature matrix: numeric values (NaN = missing), categorical codes
    /// (−1 = unseen or empty).
    pub fn matrix(&self, rows: &[&Row]) -> Vec<f64> {
        enum Col<'a> {
            Num(usize),
            Cat(usize, HashMap<&'a str, usize>),
        }
        let cols: Vec<Col<'_>> = self
            .feature_columns
            .iter()
            .map(|c| match numeric_index(c) {
                Some(j) => Col::Num(j),
                None => {
                    let j = categorical_index(c).expect("validated column");
                    let vocab = self.vocabularies[c]
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (v.as_str(), i))
                        .collect();
                    Col::Cat(j, vocab)
                }
            })
            .collect();
        let mut out = Vec::with_capacity(rows.len() * cols.len());
        for r in rows {
            for col in &cols {
                out.push(match col {
                    Col::Num(j) => r.numeric[*j],
                    Col::Cat(j, vocab) => vocab
                        .get(r.categorical[*j].as_str())
                        .map_or(-1.0, |&i| i as f64),
                });
            }
        }
        out
    }
}

/// Scores of a frame's rows with a booster: probabilities for binary; lambdarank scores
/// mapped through a sigmoid only when some fall outside [0, 1] (the platform's rule).
pub fn score_rows(booster: &Booster, meta: &ModelMeta, rows: &[&Row]) -> Result<Vec<f64>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let x = meta.matrix(rows);
    let n = meta.feature_columns.len() as i32;
    let mut scores = booster
        .predict(&x, n, true)
        .map_err(|e| RunnerError::Training(format!("predict: {e}")))?;
    if scores.iter().any(|s| !(0.0..=1.0).contains(s)) {
        for s in &mut scores {
            *s = 1.0 / (1.0 + (-*s).exp());
        }
    }
    Ok(scores)
}

/// Reads an IA file (`GO<TAB>bits`, no header); negative or NaN IA is clamped to 0.
pub fn read_ia(text: &str, source: &str) -> Result<HashMap<String, f64>> {
    let mut out = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut it = line.split_whitespace();
        let (Some(go), Some(v)) = (it.next(), it.next()) else {
            return Err(RunnerError::Input(format!(
                "{source}:{}: expected GO<TAB>IA",
                i + 1
            )));
        };
        let v: f64 = v.parse().map_err(|_| {
            RunnerError::Input(format!("{source}:{}: IA {v:?} is not a number", i + 1))
        })?;
        out.insert(go.to_owned(), if v.is_nan() { 0.0 } else { v.max(0.0) });
    }
    Ok(out)
}

/// The train/validation split: indices into the candidate rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SplitIdx {
    pub train: Vec<usize>,
    pub val: Vec<usize>,
}

/// Down-sampling, then the split, reproducible from the seed.
pub fn split_rows(rows: &[&Row], spec: &TrainSpec) -> SplitIdx {
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let mut pos: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].label).collect();
    let mut neg: Vec<usize> = (0..rows.len()).filter(|&i| !rows[i].label).collect();
    if let Some(ratio) = spec.neg_pos_ratio {
        let keep = ((pos.len() as f64 * ratio).floor() as usize).min(neg.len());
        neg.shuffle(&mut rng);
        neg.truncate(keep);
        neg.sort_unstable();
    }
    match spec.val_strategy.as_str() {
        "none" => {
            let mut train: Vec<usize> = pos.into_iter().chain(neg).collect();
            train.sort_unstable();
            SplitIdx {
                train,
                val: Vec::new(),
            }
        }
        "protein_group" => {
            let kept: BTreeSet<usize> = pos.iter().chain(&neg).copied().collect();
            let mut proteins: Vec<&str> = kept
                .iter()
                .map(|&i| rows[i].protein_accession.as_str())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            proteins.shuffle(&mut rng);
            let n_val = (proteins.len() as f64 * spec.val_fraction) as usize;
            let val_proteins: BTreeSet<&str> = proteins[..n_val].iter().copied().collect();
            let (val, train) = kept
                .into_iter()
                .partition(|&i| val_proteins.contains(rows[i].protein_accession.as_str()));
            SplitIdx { train, val }
        }
        _ => {
            // Stratified: each class shuffled on its own, its first fraction to validation.
            pos.shuffle(&mut rng);
            neg.shuffle(&mut rng);
            let take = |n: usize| {
                ((n as f64 * spec.val_fraction).floor() as usize)
                    .max(1)
                    .min(n)
            };
            let (np, nn) = (take(pos.len()), take(neg.len()));
            let mut val: Vec<usize> = pos[..np].iter().chain(&neg[..nn]).copied().collect();
            let mut train: Vec<usize> = pos[np..].iter().chain(&neg[nn..]).copied().collect();
            val.sort_unstable();
            train.sort_unstable();
            SplitIdx { train, val }
        }
    }
}

/// Orders rows into query groups (snapshot pair, protein, aspect), caps each group at
/// [`GROUP_CAP`] rows (positives kept, negatives sampled), and returns the ordered indices
/// with the group sizes.
pub fn group_rows(rows: &[&Row], idx: &[usize], seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut groups: BTreeMap<(&str, &str, &str), Vec<usize>> = BTreeMap::new();
    for &i in idx {
        let r = rows[i];
        groups
            .entry((
                r.snapshot_pair.as_str(),
                r.protein_accession.as_str(),
                r.aspect(),
            ))
            .or_default()
            .push(i);
    }
    let mut rng = StdRng::seed_from_u64(seed + 1);
    let mut order = Vec::with_capacity(idx.len());
    let mut sizes = Vec::with_capacity(groups.len());
    for (_, mut members) in groups {
        if members.len() > GROUP_CAP {
            let (p, mut n): (Vec<usize>, Vec<usize>) =
                members.iter().partition(|&&i| rows[i].label);
            n.shuffle(&mut rng);
            n.truncate(GROUP_CAP.saturating_sub(p.len()));
            members = p.into_iter().chain(n).collect();
            members.sort_unstable();
            members.truncate(GROUP_CAP);
        }
        sizes.push(members.len());
        order.extend(members);
    }
    (order, sizes)
}

/// Area under the ROC curve of scores against labels (ties count half).
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let mut pairs: Vec<(f64, bool)> = scores.iter().copied().zip(labels.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n_pos = labels.iter().filter(|l| **l).count() as f64;
    let n_neg = labels.len() as f64 - n_pos;
    if n_pos == 0.0 || n_neg == 0.0 {
        return None;
    }
    // Mann–Whitney U with mid-ranks for ties.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i;
        while j < pairs.len() && pairs[j].0 == pairs[i].0 {
            j += 1;
        }
        let mid = (i + j + 1) as f64 / 2.0;
        rank_sum += pairs[i..j].iter().filter(|p| p.1).count() as f64 * mid;
        i = j;
    }
    Some((rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg))
}

fn lgbm_err(what: &str) -> impl Fn(lightgbm3::Error) -> RunnerError + '_ {
    move |e| RunnerError::Training(format!("{what}: {e}"))
}

/// A LightGBM dataset from rows; lambdarank goes through a TSV with a `.query` file.
fn make_dataset(
    meta: &ModelMeta,
    rows: &[&Row],
    order: &[usize],
    groups: Option<&[usize]>,
    reference: Option<&Dataset>,
    tmp: &std::path::Path,
    name: &str,
) -> Result<Dataset> {
    let ordered: Vec<&Row> = order.iter().map(|&i| rows[i]).collect();
    let x = meta.matrix(&ordered);
    let labels: Vec<f32> = ordered
        .iter()
        .map(|r| f32::from(u8::from(r.label)))
        .collect();
    let n = meta.feature_columns.len();
    match groups {
        None => Dataset::from_slice_with_reference(&x, &labels, n as i32, true, reference)
            .map_err(lgbm_err("dataset")),
        Some(sizes) => {
            let path = tmp.join(format!("{name}.tsv"));
            let mut text = String::with_capacity(x.len() * 8);
            for (row, label) in x.chunks(n).zip(&labels) {
                let _ = write!(text, "{label}");
                for v in row {
                    if v.is_nan() {
                        text.push_str("\tnan");
                    } else {
                        // Shortest round-trip formatting: the file holds the exact f64.
                        let _ = write!(text, "\t{v:?}");
                    }
                }
                text.push('\n');
            }
            let io = |e: std::io::Error| RunnerError::Training(format!("{}: {e}", path.display()));
            std::fs::write(&path, text).map_err(io)?;
            let query: String = sizes.iter().map(|s| format!("{s}\n")).collect();
            std::fs::write(tmp.join(format!("{name}.tsv.query")), query).map_err(io)?;
            let path_str = path.to_string_lossy().into_owned();
            Dataset::from_file_with_reference(&path_str, reference).map_err(lgbm_err("dataset"))
        }
    }
}

/// The rows of the selected cell.
fn cell_rows<'a>(frame: &'a Frame, cell: Option<&str>) -> Vec<&'a Row> {
    frame
        .rows
        .iter()
        .filter(|r| {
            cell.is_none_or(|c| {
                let (cat, asp) = c.split_once('-').unwrap_or((c, ""));
                r.category == cat && r.aspect().eq_ignore_ascii_case(asp)
            })
        })
        .collect()
}

/// What one training produced.
pub struct Trained {
    pub booster: Booster,
    pub meta: ModelMeta,
    pub metrics: Map<String, Value>,
    pub split: Value,
    pub feature_importance: Vec<(String, f64)>,
}

/// Trains a booster on a frame with a validated spec.
pub fn train(
    frame: &Frame,
    spec: &TrainSpec,
    ia: Option<&HashMap<String, f64>>,
    emit: Emit<'_>,
) -> Result<Trained> {
    let rows = cell_rows(frame, spec.cell.as_deref());
    let n_pos = rows.iter().filter(|r| r.label).count();
    if n_pos == 0 || n_pos == rows.len() {
        return Err(RunnerError::Input(format!(
            "train split{}: {} rows, {n_pos} positive: both classes are needed",
            spec.cell
                .as_ref()
                .map(|c| format!(" (cell {c})"))
                .unwrap_or_default(),
            rows.len()
        )));
    }
    let split = split_rows(&rows, spec);
    let train_rows: Vec<&Row> = split.train.iter().map(|&i| rows[i]).collect();
    let meta = ModelMeta::new(spec, &train_rows);
    let ranking = spec.objective == "lambdarank";
    let (train_order, train_groups) = if ranking {
        let (o, g) = group_rows(&rows, &split.train, spec.seed);
        (o, Some(g))
    } else {
        (split.train.clone(), None)
    };
    let (val_order, val_groups) = if ranking {
        let (o, g) = group_rows(&rows, &split.val, spec.seed);
        (o, Some(g))
    } else {
        (split.val.clone(), None)
    };
    let tmp = tempdir()?;
    let mut train_set = make_dataset(
        &meta,
        &rows,
        &train_order,
        train_groups.as_deref(),
        None,
        tmp.path(),
        "train",
    )?;
    if let Some(ia) = ia {
        let weights: Vec<f32> = train_order
            .iter()
            .map(|&i| {
                let r = rows[i];
                let counts = spec.ia_weighting == "all" || r.label;
                let ia_t = ia.get(&r.go_term_id).copied().unwrap_or(0.0);
                if counts {
                    (1.0 + spec.ia_scale * ia_t) as f32
                } else {
                    1.0
                }
            })
            .collect();
        train_set
            .set_weights(&weights)
            .map_err(lgbm_err("weights"))?;
    }
    let val_set = if val_order.is_empty() {
        None
    } else {
        Some(make_dataset(
            &meta,
            &rows,
            &val_order,
            val_groups.as_deref(),
            Some(&train_set),
            tmp.path(),
            "valid",
        )?)
    };
    let params = spec.params(val_set.is_some());
    emit(
        "runner.lightgbm.train_start",
        None,
        json!({"train_rows": train_order.len(), "val_rows": val_order.len(), "features": meta.feature_columns.len(), "objective": spec.objective}),
        Level::Info,
    );
    let booster =
        Booster::train_with_valid(train_set, val_set, &params).map_err(lgbm_err("train"))?;
    let best_iteration = booster.num_iterations();
    emit(
        "runner.lightgbm.train_done",
        None,
        json!({"best_iteration": best_iteration}),
        Level::Info,
    );

    let mut metrics = Map::new();
    metrics.insert("best_iteration".into(), json!(best_iteration));
    for (name, idx) in [("train", &train_order), ("val", &val_order)] {
        if idx.is_empty() {
            continue;
        }
        let part: Vec<&Row> = idx.iter().map(|&i| rows[i]).collect();
        let scores = score_rows(&booster, &meta, &part)?;
        let labels: Vec<bool> = part.iter().map(|r| r.label).collect();
        if let Some(auc) = roc_auc(&scores, &labels) {
            metrics.insert(format!("{name}_auc"), json!(auc));
        }
        if !ranking {
            let logloss = scores
                .iter()
                .zip(&labels)
                .map(|(&p, &y)| {
                    let p = p.clamp(1e-15, 1.0 - 1e-15);
                    if y { -p.ln() } else { -(1.0 - p).ln() }
                })
                .sum::<f64>()
                / scores.len() as f64;
            metrics.insert(format!("{name}_logloss"), json!(logloss));
            let (mut tp, mut fp, mut fneg) = (0.0, 0.0, 0.0);
            for (&p, &y) in scores.iter().zip(&labels) {
                match (p >= 0.5, y) {
                    (true, true) => tp += 1.0,
                    (true, false) => fp += 1.0,
                    (false, true) => fneg += 1.0,
                    _ => {}
                }
            }
            let prec = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
            let rec = if tp + fneg > 0.0 {
                tp / (tp + fneg)
            } else {
                0.0
            };
            let f1 = if prec + rec > 0.0 {
                2.0 * prec * rec / (prec + rec)
            } else {
                0.0
            };
            metrics.insert(format!("{name}_f1_at_0_5"), json!(f1));
        }
    }
    let gains = booster
        .feature_importance(ImportanceType::Gain)
        .map_err(lgbm_err("feature importance"))?;
    let mut feature_importance: Vec<(String, f64)> =
        meta.feature_columns.iter().cloned().zip(gains).collect();
    feature_importance.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let positives = |idx: &[usize]| idx.iter().filter(|&&i| rows[i].label).count();
    let split_info = json!({
        "strategy": spec.val_strategy,
        "n_train": train_order.len(),
        "n_val": val_order.len(),
        "train_groups": train_groups.as_ref().map(Vec::len),
        "val_groups": val_groups.as_ref().map(Vec::len),
        "positive_rate_train": positives(&train_order) as f64 / train_order.len().max(1) as f64,
    });
    Ok(Trained {
        booster,
        meta,
        metrics,
        split: split_info,
        feature_importance,
    })
}

fn tempdir() -> Result<TempDir> {
    let base = std::env::temp_dir().join(format!(
        "protea-lightgbm-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&base)
        .map_err(|e| RunnerError::Training(format!("{}: {e}", base.display())))?;
    Ok(TempDir(base))
}

/// A scratch directory removed on drop.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Loads a booster and its meta from a model URI (`…/model.txt`, meta beside it).
pub fn load_model(model_uri: &str) -> Result<(Booster, ModelMeta)> {
    let text = String::from_utf8(read_uri(model_uri)?)
        .map_err(|_| RunnerError::Input(format!("{model_uri}: not a LightGBM text model")))?;
    let booster = Booster::from_string(&text)
        .map_err(|e| RunnerError::Input(format!("{model_uri}: not a LightGBM model: {e}")))?;
    let meta_uri = match model_uri.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{META_FILE}"),
        None => return Err(RunnerError::Input(format!("{model_uri}: not a file URI"))),
    };
    let meta: ModelMeta = serde_json::from_slice(&read_uri(&meta_uri)?)
        .map_err(|e| RunnerError::Input(format!("{meta_uri}: {e}")))?;
    if booster.num_features() as usize != meta.feature_columns.len() {
        return Err(RunnerError::Input(format!(
            "{model_uri}: the booster has {} features, {META_FILE} lists {}",
            booster.num_features(),
            meta.feature_columns.len()
        )));
    }
    Ok((booster, meta))
}

pub struct LightgbmRunner {
    env: RunnerEnv,
}

impl LightgbmRunner {
    pub fn new(env: RunnerEnv) -> LightgbmRunner {
        LightgbmRunner { env }
    }
}

impl ExperimentRunner for LightgbmRunner {
    fn name(&self) -> &'static str {
        "lightgbm"
    }

    fn summary(&self) -> &'static str {
        "LightGBM re-ranker over the candidate features (lambdarank or binary)"
    }

    fn fit(&self, spec_value: &Value, dataset_uri: &str, emit: Emit<'_>) -> Result<RunResult> {
        let spec: TrainSpec = decode_spec(spec_value)?;
        spec.validate()?;
        emit(
            "runner.lightgbm.fit_start",
            None,
            json!({"dataset_uri": dataset_uri}),
            Level::Info,
        );
        let ia = match &spec.ia_uri {
            Some(uri) if spec.ia_weighting != "none" => {
                let bytes = read_uri(uri)?;
                Some(read_ia(&String::from_utf8_lossy(&bytes), uri)?)
            }
            _ => None,
        };
        let split = load_split(dataset_uri, Split::Train)?;
        let resolved = serde_json::to_value(&spec).unwrap_or_default();
        let mut run = RunDir::start(&self.env, self.name(), &resolved, dataset_uri)?;
        let result = (|| {
            let trained = train(&split.frame, &spec, ia.as_ref(), emit)?;
            let text = trained.booster.save_string().map_err(lgbm_err("save"))?;
            let model_uri = run.put(MODEL_FILE, text.as_bytes())?;
            run.put(
                META_FILE,
                &serde_json::to_vec_pretty(&trained.meta).unwrap_or_default(),
            )?;
            Ok((model_uri, trained))
        })();
        match result {
            Ok((model_uri, trained)) => {
                let mut fields = Map::new();
                fields.insert("model_uri".into(), json!(model_uri));
                fields.insert("resolved_hparams".into(), resolved);
                fields.insert(
                    "lightgbm_params".into(),
                    spec.params(trained.split["n_val"] != json!(0)),
                );
                fields.insert("split".into(), trained.split.clone());
                fields.insert("metrics".into(), Value::Object(trained.metrics.clone()));
                fields.insert(
                    "features".into(),
                    json!({"feature_columns": trained.meta.feature_columns,
                           "feature_count": trained.meta.feature_columns.len(),
                           "feature_schema_sha": trained.meta.feature_schema_sha,
                           "categorical_encoding": "integer codes of the sorted train vocabulary, -1 unseen"}),
                );
                fields.insert(
                    "feature_importance".into(),
                    Value::Object(
                        trained
                            .feature_importance
                            .iter()
                            .map(|(k, v)| (k.clone(), json!(v)))
                            .collect(),
                    ),
                );
                if let Some(m) = &split.manifest {
                    fields.insert("dataset".into(), json!(m));
                }
                let run_id = run.finish(fields)?;
                emit(
                    "runner.lightgbm.fit_done",
                    None,
                    json!({"run_id": run_id}),
                    Level::Info,
                );
                let mut extras = Map::new();
                extras.insert("run_id".into(), json!(run_id));
                extras.insert(
                    "feature_schema_sha".into(),
                    json!(trained.meta.feature_schema_sha),
                );
                extras.insert("split".into(), trained.split);
                extras.insert(
                    "feature_importance".into(),
                    json!(
                        trained
                            .feature_importance
                            .iter()
                            .take(10)
                            .collect::<Vec<_>>()
                    ),
                );
                Ok(RunResult {
                    model_uri,
                    metrics: trained.metrics,
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
            "runner.lightgbm.eval_start",
            None,
            json!({"model_uri": model_uri}),
            Level::Info,
        );
        let (booster, meta) = load_model(model_uri)?;
        let split = load_split(eval_dataset_uri, Split::Eval)?;
        let rows: Vec<&Row> = split.frame.rows.iter().collect();
        let scores = score_rows(&booster, &meta, &rows)?;
        let (metrics, mut extras) = cafa_metrics(&split.frame, &scores, split.parent_map.as_ref())?;
        extras.insert("n_eval_rows".into(), json!(split.frame.len()));
        extras.insert("feature_schema_sha".into(), json!(meta.feature_schema_sha));
        emit(
            "runner.lightgbm.eval_done",
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
            &[MODEL_FILE, META_FILE],
            output_uri,
            emit,
        )
    }
}
