//! CAFA metrics of scored candidates, with our evaluator (`protea-cafa`).
//!
//! The lab's official evaluation: propagation `fill`, normalisation `cafa`,
//! `max_terms = 500`, `th_step = 0.001`; the ground truth is the positive rows of the
//! candidate set (so it is restricted to what retrieval found, as in the lab). The
//! ontology is the dataset's `parent_map.json` (direct is_a/part_of parents), with each
//! term's namespace from the rows' `aspect`, inherited by ancestors; roots are left out
//! (`no_orphans`) as the lab does. Without a parent map terms are matched exactly
//! (a flat ontology, and then no term is dropped as an orphan).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use protea_cafa::{Annotations, BestMetric, EvalConfig, Evaluator, Ontology, Prop};
use protea_core::Aspect;
use protea_dataset::{Frame, ParentMap};
use serde_json::{Map, Value, json};

use crate::contract::{CafaMetrics, Result, RunnerError};

/// The evaluator settings (the lab's cafaeval call).
pub fn eval_config(has_parent_map: bool) -> EvalConfig {
    EvalConfig {
        prop: Prop::Fill,
        th_step: 0.001,
        max_terms: Some(500),
        no_orphans: has_parent_map,
        threads: 1,
        ..EvalConfig::default()
    }
}

/// The ontology as OBO text for the evaluator.
pub fn ontology_obo(frame: &Frame, parent_map: Option<&ParentMap>) -> Result<String> {
    let mut aspect: HashMap<String, Aspect> = HashMap::new();
    for (i, r) in frame.rows.iter().enumerate() {
        let a = Aspect::from_cafa_name(&r.aspect().to_ascii_uppercase()).ok_or_else(|| {
            RunnerError::Input(format!(
                "row {i}: aspect {:?} is not bpo, mfo or cco",
                r.aspect()
            ))
        })?;
        aspect.entry(r.go_term_id.clone()).or_insert(a);
    }
    let empty = BTreeMap::new();
    let parents = parent_map.map_or(&empty, |p| &p.parents);
    // Ancestors inherit the namespace of the terms below them.
    let mut stack: Vec<String> = aspect.keys().cloned().collect();
    while let Some(t) = stack.pop() {
        let a = aspect[&t];
        for p in parents.get(&t).into_iter().flatten() {
            if !aspect.contains_key(p) {
                aspect.insert(p.clone(), a);
                stack.push(p.clone());
            }
        }
    }
    let terms: BTreeSet<&String> = aspect.keys().collect();
    let mut out = String::from("format-version: 1.2\n");
    for t in terms {
        let _ = write!(
            out,
            "\n[Term]\nid: {t}\nnamespace: {}\n",
            aspect[t].namespace()
        );
        for p in parents.get(t).into_iter().flatten() {
            if aspect.get(p) == aspect.get(t) {
                let _ = writeln!(out, "is_a: {p}");
            }
        }
    }
    Ok(out)
}

/// `protein<TAB>term` for every positive row (deduplicated).
pub fn ground_truth_tsv(frame: &Frame) -> String {
    let pairs: BTreeSet<(&str, &str)> = frame
        .rows
        .iter()
        .filter(|r| r.label)
        .map(|r| (r.protein_accession.as_str(), r.go_term_id.as_str()))
        .collect();
    pairs.iter().fold(String::new(), |mut s, (p, t)| {
        let _ = writeln!(s, "{p}\t{t}");
        s
    })
}

/// `protein<TAB>term<TAB>score` (`%.6f`), the best score per (protein, term).
pub fn predictions_tsv(frame: &Frame, scores: &[f64]) -> Result<String> {
    if scores.len() != frame.len() {
        return Err(RunnerError::Input(format!(
            "{} scores for {} rows",
            scores.len(),
            frame.len()
        )));
    }
    let mut best: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for (r, &s) in frame.rows.iter().zip(scores) {
        if !s.is_finite() {
            continue;
        }
        let e = best
            .entry((r.protein_accession.as_str(), r.go_term_id.as_str()))
            .or_insert(f64::NEG_INFINITY);
        *e = e.max(s);
    }
    Ok(best.iter().fold(String::new(), |mut s, ((p, t), v)| {
        let _ = writeln!(s, "{p}\t{t}\t{v:.6}");
        s
    }))
}

/// |∫ precision d(recall)| by the trapezoid rule over the curve's thresholds.
pub fn auc_pr(curve: &protea_cafa::Curve) -> f64 {
    let pts: Vec<(f64, f64)> = curve
        .rows
        .iter()
        .map(|r| (r.plain.rc, r.plain.pr))
        .filter(|(r, p)| r.is_finite() && p.is_finite())
        .collect();
    pts.windows(2)
        .map(|w| (w[1].0 - w[0].0) * (w[1].1 + w[0].1) / 2.0)
        .sum::<f64>()
        .abs()
}

/// Runs the evaluator on the scored frame: per aspect Fmax, AUC-PR and coverage, with the
/// best threshold and the evaluator settings in the extras.
pub fn cafa_metrics(
    frame: &Frame,
    scores: &[f64],
    parent_map: Option<&ParentMap>,
) -> Result<(CafaMetrics, Map<String, Value>)> {
    // An empty parent map is a flat ontology: nothing would survive `no_orphans`.
    let parent_map = parent_map.filter(|p| !p.parents.is_empty());
    let obo = ontology_obo(frame, parent_map)?;
    let ontology = Ontology::from_obo(obo.as_bytes(), "dataset ontology")?;
    let gt = ground_truth_tsv(frame);
    let truth = Annotations::read(gt.as_bytes(), "ground truth (positive rows)", &ontology)?;
    let config = eval_config(parent_map.is_some());
    let evaluator = Evaluator::new(&config, &ontology, &truth, None, None, None)?;
    // An aspect in which nothing scores above 0 predicts nothing: Fmax, AUC-PR and
    // coverage 0. The evaluator itself refuses such input (cafaeval's "all scores zero"),
    // so those rows stay out of its prediction file.
    let mut predicted: BTreeSet<String> = BTreeSet::new();
    for (r, s) in frame.rows.iter().zip(scores) {
        if *s > 0.0 {
            predicted.insert(r.aspect().to_ascii_lowercase());
        }
    }
    let silent: BTreeSet<String> = frame
        .rows
        .iter()
        .map(|r| r.aspect().to_ascii_lowercase())
        .filter(|a| !predicted.contains(a))
        .collect();
    let kept: Vec<f64> = frame
        .rows
        .iter()
        .zip(scores)
        .map(|(r, s)| {
            if predicted.contains(&r.aspect().to_ascii_lowercase()) {
                *s
            } else {
                f64::NAN
            }
        })
        .collect();
    let mut metrics = CafaMetrics::default();
    for a in &silent {
        metrics.fmax.insert(a.clone(), 0.0);
        metrics.auc_pr.insert(a.clone(), 0.0);
        metrics.coverage.insert(a.clone(), 0.0);
    }
    let mut extras = Map::new();
    extras.insert("aspects_without_predictions".into(), json!(silent));
    if predicted.is_empty() {
        return Ok((metrics, extras));
    }
    let preds = predictions_tsv(frame, &kept)?;
    let method = evaluator.read_method(preds.as_bytes(), "predictions.tsv")?;
    let curves = evaluator.evaluate_method(&method)?;
    let evaluation = protea_cafa::Evaluation {
        th_step: config.th_step,
        weighted: false,
        curves,
    };
    let mut tau = Map::new();
    for best in evaluation.best(BestMetric::F) {
        let Some(aspect) = best.curve.aspect() else {
            continue;
        };
        let key = aspect.cafa_name().to_ascii_lowercase();
        let coverage = if best.cov_max.is_finite() {
            best.cov_max
        } else {
            best.row.plain.cov
        };
        metrics.fmax.insert(key.clone(), best.row.plain.f);
        metrics.coverage.insert(key.clone(), coverage);
        metrics.auc_pr.insert(key.clone(), auc_pr(best.curve));
        tau.insert(key, json!(best.row.tau));
    }
    extras.insert("tau".into(), Value::Object(tau));
    extras.insert(
        "ground_truth_proteins".into(),
        json!(
            gt.lines()
                .map(|l| l.split('\t').next())
                .collect::<BTreeSet<_>>()
                .len()
        ),
    );
    extras.insert(
        "evaluator".into(),
        json!({"prop": "fill", "norm": "cafa", "max_terms": 500, "th_step": 0.001,
               "no_orphans": config.no_orphans, "ontology": if parent_map.is_some() {"parent_map.json"} else {"flat"}}),
    );
    Ok((metrics, extras))
}
