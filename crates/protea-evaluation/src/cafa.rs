//! The in-process CAFA runs of `run_cafa_evaluation`: the ontology as OBO text for
//! `protea-cafa`, one evaluator run per setting (NK, LK, PK with the known-terms exclusion)
//! on in-memory files, and what is kept of each run: the summary table, PR curves and
//! cafaeval's output files.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use protea_cafa::{
    Annotations, BestMetric, EvalConfig, Evaluation, Evaluator, InformationAccretion, Ontology,
};
use protea_core::{Aspect, GoId};
use serde::{Deserialize, Serialize};

use crate::delta::{Category, Delta, ProteinTerms, to_tsv};
use crate::error::{EvaluationError, Result};

/// The method label of the single prediction file, as cafaeval would name it.
pub const METHOD_LABEL: &str = "predictions.tsv";

/// One term of a snapshot, for [`ontology_obo`].
#[derive(Debug, Clone, PartialEq)]
pub struct OboTerm {
    pub go_id: GoId,
    pub aspect: Option<Aspect>,
    pub obsolete: bool,
    pub alt_ids: Vec<GoId>,
    pub is_a: Vec<GoId>,
    pub part_of: Vec<GoId>,
}

impl Default for OboTerm {
    fn default() -> Self {
        OboTerm {
            go_id: GoId(0),
            aspect: None,
            obsolete: false,
            alt_ids: Vec::new(),
            is_a: Vec::new(),
            part_of: Vec::new(),
        }
    }
}

/// Writes a snapshot's terms as the OBO subset `protea-cafa` reads (id, namespace, alt_id,
/// is_a, part_of, is_obsolete), so the evaluator sees exactly the stored snapshot without
/// fetching the original file.
pub fn ontology_obo(terms: &[OboTerm]) -> String {
    let mut out = String::from("format-version: 1.2\n");
    for t in terms {
        let _ = write!(out, "\n[Term]\nid: {}\n", t.go_id);
        if let Some(a) = t.aspect {
            let _ = writeln!(out, "namespace: {}", a.namespace());
        }
        for alt in &t.alt_ids {
            let _ = writeln!(out, "alt_id: {alt}");
        }
        for p in &t.is_a {
            let _ = writeln!(out, "is_a: {p}");
        }
        for p in &t.part_of {
            let _ = writeln!(out, "relationship: part_of {p}");
        }
        if t.obsolete {
            out.push_str("is_obsolete: true\n");
        }
    }
    out
}

/// Parses [`ontology_obo`] output.
pub fn parse_ontology(obo: &str) -> Result<Ontology> {
    Ok(Ontology::from_obo(obo.as_bytes(), "snapshot.obo")?)
}

/// Ground truth restricted to proteins that have predictions (`restrict_gt_to_predicted`).
pub fn restrict(terms: &ProteinTerms, keep: impl Fn(&str) -> bool) -> ProteinTerms {
    terms
        .iter()
        .filter(|(p, _)| keep(p))
        .map(|(p, t)| (p.clone(), t.clone()))
        .collect()
}

/// Runs the evaluator for one setting on in-memory files. PK passes `known` (the PK
/// known-terms file), which switches `protea-cafa` to partial-knowledge evaluation.
pub fn evaluate_setting(
    ontology: &Ontology,
    ground_truth: &ProteinTerms,
    known: Option<&ProteinTerms>,
    ia: Option<&InformationAccretion>,
    predictions: &str,
) -> Result<Evaluation> {
    let truth = Annotations::read(to_tsv(ground_truth).as_bytes(), "ground_truth", ontology)?;
    let known = known
        .map(|k| Annotations::read(to_tsv(k).as_bytes(), "pk_known_terms", ontology))
        .transpose()?;
    // cafaeval's defaults, as the original called it: prop=max, norm=cafa, step 0.01.
    let config = EvalConfig::default();
    let evaluator = Evaluator::new(&config, ontology, &truth, ia, known.as_ref(), None)?;
    Ok(evaluator.evaluate_readers(std::iter::once(Ok((
        METHOD_LABEL.to_owned(),
        predictions.as_bytes(),
    ))))?)
}

/// The ground truth and known terms of one setting, from a delta, restricted to proteins
/// for which `keep` holds.
pub fn setting_inputs(
    delta: &Delta,
    category: Category,
    keep: impl Fn(&str) -> bool + Copy,
) -> (ProteinTerms, Option<ProteinTerms>) {
    let gt = restrict(delta.ground_truth(category), keep);
    let known = (category == Category::Pk).then(|| restrict(&delta.pk_known, keep));
    (gt, known)
}

/// One cell of the 3 × 3 table (values rounded to 4 decimals).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CellSummary {
    /// Fmax (unweighted `f` at the best threshold, as the original stored).
    pub fmax: f64,
    pub precision: f64,
    pub recall: f64,
    pub tau: f64,
    /// `cov_max` of the curve.
    pub coverage: f64,
    /// Proteins with a prediction at the best threshold (cafaeval's `n`).
    pub n_proteins: f64,
    /// IA-weighted Fmax (`f_w` at its own best threshold), when an IA file was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fmax_w: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision_w: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recall_w: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tau_w: Option<f64>,
}

/// Rounds to 4 decimals (NaN stays NaN and is stored as null by serde_json).
pub fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// The per-namespace summary of one setting, keyed `BPO`/`MFO`/`CCO`.
pub fn summarize(eval: &Evaluation) -> BTreeMap<String, CellSummary> {
    let mut out = BTreeMap::new();
    for b in eval.best(BestMetric::F) {
        let Some(aspect) = b.curve.aspect() else {
            continue;
        };
        let m = &b.row.plain;
        let coverage = if b.cov_max.is_finite() {
            b.cov_max
        } else {
            m.cov
        };
        out.insert(
            aspect.cafa_name().to_owned(),
            CellSummary {
                fmax: round4(m.f),
                precision: round4(m.pr),
                recall: round4(m.rc),
                tau: round4(b.row.tau),
                coverage: round4(coverage),
                n_proteins: m.n,
                fmax_w: None,
                precision_w: None,
                recall_w: None,
                tau_w: None,
            },
        );
    }
    if eval.weighted {
        for b in eval.best(BestMetric::FW) {
            let (Some(aspect), Some(w)) = (b.curve.aspect(), b.row.weighted) else {
                continue;
            };
            if let Some(cell) = out.get_mut(aspect.cafa_name()) {
                cell.fmax_w = Some(round4(w.f));
                cell.precision_w = Some(round4(w.pr));
                cell.recall_w = Some(round4(w.rc));
                cell.tau_w = Some(round4(b.row.tau));
            }
        }
    }
    out
}

/// PR curve data of one setting: `namespace tau precision recall f coverage` (+ the
/// weighted `precision_w recall_w f_w` when IA was given), one row per threshold.
pub fn pr_curves_tsv(eval: &Evaluation) -> String {
    let mut out = String::from("namespace\ttau\tprecision\trecall\tf\tcoverage");
    if eval.weighted {
        out.push_str("\tprecision_w\trecall_w\tf_w");
    }
    out.push('\n');
    for curve in &eval.curves {
        let ns = match curve.aspect() {
            Some(a) => a.cafa_name(),
            None => curve.namespace.as_str(),
        };
        for r in &curve.rows {
            let p = &r.plain;
            let _ = write!(
                out,
                "{ns}\t{:.2}\t{:.6}\t{:.6}\t{:.6}\t{:.6}",
                r.tau, p.pr, p.rc, p.f, p.cov
            );
            if let Some(w) = &r.weighted {
                let _ = write!(out, "\t{:.6}\t{:.6}\t{:.6}", w.pr, w.rc, w.f);
            }
            out.push('\n');
        }
    }
    out
}

/// Every file kept for one setting: cafaeval's `evaluation_all.tsv` and
/// `evaluation_best_<metric>.tsv`, plus `pr_curves.tsv`. Nothing when nothing was evaluated.
pub fn output_files(eval: &Evaluation) -> Result<Vec<(String, Vec<u8>)>> {
    if eval.curves.is_empty() {
        return Ok(Vec::new());
    }
    let io = |what: &str| {
        let what = what.to_owned();
        move |source| EvaluationError::Write { what, source }
    };
    let mut files = Vec::new();
    let mut all = Vec::new();
    protea_cafa::write_all(eval, &mut all).map_err(io("evaluation_all.tsv"))?;
    files.push(("evaluation_all.tsv".to_owned(), all));
    for &m in BestMetric::written(eval.weighted) {
        let name = format!("evaluation_best_{}.tsv", m.name());
        let mut buf = Vec::new();
        protea_cafa::write_best(eval, m, &mut buf).map_err(io(&name))?;
        files.push((name, buf));
    }
    files.push(("pr_curves.tsv".to_owned(), pr_curves_tsv(eval).into_bytes()));
    Ok(files)
}

#[cfg(test)]
#[path = "cafa_tests.rs"]
mod tests;
