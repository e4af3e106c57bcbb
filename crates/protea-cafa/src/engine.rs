//! Orchestration: per-namespace term sets and denominators, the parallel loop over
//! proteins, and the normalisation of the sums into cafaeval's columns.
//!
//! Proteins are processed in fixed blocks whose partial sums are combined in block order,
//! so the number of threads never changes a single bit of the results.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::annotations::{Annotations, InformationAccretion, TermsOfInterest};
use crate::config::{EvalConfig, Mode, Norm};
use crate::error::{Error, Result};
use crate::ontology::Ontology;
use crate::predictions::MethodScores;
use crate::protein::{Acc, ProteinInput, Scratch, TermSets, accumulate};
use crate::results::{Curve, Metrics, ThresholdRow};

const BLOCK: usize = 128;

/// Everything about one namespace that does not depend on the method.
pub(crate) struct NsContext {
    toi: Vec<bool>,
    toi_ia: Option<Vec<bool>>,
    known: Vec<Vec<u32>>,
    included: Vec<bool>,
    g_count: Vec<u64>,
    g_w: Vec<f64>,
    ne: usize,
    ne_w: usize,
}

/// Builds the contexts of every namespace that has ground truth.
pub(crate) fn prepare(
    config: &EvalConfig,
    ontology: &Ontology,
    truth: &Annotations,
    ia: Option<&InformationAccretion>,
    known: Option<&Annotations>,
    toi_file: Option<&TermsOfInterest>,
) -> Result<Vec<Option<NsContext>>> {
    let pk = config.mode == Mode::PartialKnowledge || known.is_some() || toi_file.is_some();
    let mut out = Vec::new();
    for (ns, graph) in ontology.namespaces.iter().enumerate() {
        let gt = &truth.namespaces[ns];
        if gt.proteins.is_empty() {
            out.push(None);
            continue;
        }
        let file_mask = toi_file.map(|t| &t.mask[ns]);
        let in_file = |t: usize| file_mask.is_none_or(|m| m[t]);
        // Unweighted toi: every term (roots included), or only terms with a kept parent.
        let toi: Vec<bool> = (0..graph.len())
            .map(|t| (!config.no_orphans || !graph.parents[t].is_empty()) && in_file(t))
            .collect();
        if file_mask.is_some() && !toi.iter().any(|&b| b) {
            return Err(Error::EmptyTermsOfInterest {
                namespace: graph.name.clone(),
            });
        }
        // Weighted toi: IA > 0, ignoring no_orphans.
        let ia_values = ia.map(|ia| ia.values[ns].as_slice());
        let toi_ia: Option<Vec<bool>> =
            ia_values.map(|v| (0..graph.len()).map(|t| v[t] > 0.0 && in_file(t)).collect());

        let rows = gt.proteins.len();
        let mut known_rows = vec![Vec::new(); rows];
        if let Some(known) = known {
            let k = &known.namespaces[ns];
            if k.proteins.is_empty() {
                return Err(Error::KnownMissingNamespace {
                    namespace: graph.name.clone(),
                });
            }
            for (row, protein) in gt.proteins.iter().enumerate() {
                if let Some(&krow) = k.rows.get(protein) {
                    known_rows[row] = k.terms[krow as usize].clone();
                }
            }
        }

        let mut ctx = NsContext {
            toi,
            toi_ia,
            known: Vec::new(),
            included: vec![true; rows],
            g_count: vec![0; rows],
            g_w: vec![0.0; rows],
            ne: rows,
            ne_w: rows,
        };
        if pk {
            (ctx.ne, ctx.ne_w) = (0, 0);
        }
        for (row, (g, k)) in gt.terms.iter().zip(&known_rows).enumerate() {
            let is_known = |t: u32| k.binary_search(&t).is_ok();
            if pk {
                // E: a true term in the toi before exclusion.
                ctx.included[row] = g.iter().any(|&t| ctx.toi[t as usize]);
            }
            ctx.g_count[row] = g
                .iter()
                .filter(|&&t| ctx.toi[t as usize] && !is_known(t))
                .count() as u64;
            let mut g_ia_terms = 0usize;
            if let (Some(mask), Some(values)) = (&ctx.toi_ia, ia_values) {
                for &t in g {
                    if mask[t as usize] && !is_known(t) {
                        ctx.g_w[row] += values[t as usize];
                        g_ia_terms += 1;
                    }
                }
            }
            if pk && ctx.included[row] {
                ctx.ne += usize::from(ctx.g_count[row] > 0);
                ctx.ne_w += usize::from(g_ia_terms > 0);
            }
        }
        ctx.known = known_rows;
        out.push(Some(ctx));
    }
    Ok(out)
}

/// Evaluates one method in every namespace where it has accepted predictions.
pub(crate) fn evaluate_method(
    config: &EvalConfig,
    ontology: &Ontology,
    truth: &Annotations,
    ia: Option<&InformationAccretion>,
    contexts: &[Option<NsContext>],
    method: &MethodScores,
    taus: &[f64],
) -> Result<Vec<Curve>> {
    let mut curves = Vec::new();
    for (ns, graph) in ontology.namespaces.iter().enumerate() {
        let (Some(ctx), Some(scores)) = (&contexts[ns], &method.namespaces[ns]) else {
            continue;
        };
        if !scores.rows.iter().flatten().any(|&(_, s)| s != 0.0) {
            return Err(Error::AllScoresZero {
                method: method.label.clone(),
                namespace: graph.name.clone(),
            });
        }
        let gt = &truth.namespaces[ns];
        let sets = TermSets {
            toi: &ctx.toi,
            ia: ctx
                .toi_ia
                .as_deref()
                .zip(ia.map(|ia| ia.values[ns].as_slice())),
        };
        let rows = gt.proteins.len();
        let blocks = rows.div_ceil(BLOCK);
        let results: Mutex<Vec<Option<Vec<Acc>>>> = Mutex::new(vec![None; blocks]);
        let next = AtomicUsize::new(0);
        let threads = config.thread_count().min(blocks).max(1);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    let mut scratch = Scratch::new(graph.len(), taus.len());
                    loop {
                        let b = next.fetch_add(1, Ordering::Relaxed);
                        if b >= blocks {
                            break;
                        }
                        let mut acc = vec![Acc::default(); taus.len()];
                        for row in b * BLOCK..((b + 1) * BLOCK).min(rows) {
                            if !ctx.included[row] {
                                continue;
                            }
                            let input = ProteinInput {
                                truth: &gt.terms[row],
                                known: &ctx.known[row],
                                scores: &scores.rows[row],
                                g_count: ctx.g_count[row],
                                g_w: ctx.g_w[row],
                            };
                            accumulate(
                                graph,
                                config.prop,
                                taus,
                                &sets,
                                &input,
                                &mut scratch,
                                &mut acc,
                            );
                        }
                        results.lock().unwrap_or_else(|e| e.into_inner())[b] = Some(acc);
                    }
                });
            }
        });
        let mut total = vec![Acc::default(); taus.len()];
        for block in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
            for (t, a) in total.iter_mut().zip(block.iter().flatten()) {
                t.add(a);
            }
        }
        let weighted = sets.ia.is_some();
        let rows: Vec<ThresholdRow> = taus
            .iter()
            .zip(&total)
            .map(|(&tau, a)| ThresholdRow {
                tau,
                plain: finish(
                    config.norm,
                    a.n,
                    ctx.ne,
                    [a.tp as f64, a.fp as f64, a.fn_ as f64, a.pr, a.rc],
                ),
                weighted: weighted.then(|| {
                    finish(
                        config.norm,
                        a.n_w,
                        ctx.ne_w,
                        [a.tp_w, a.fp_w, a.fn_w, a.pr_w, a.rc_w],
                    )
                }),
            })
            // cafaeval drops thresholds where no benchmark protein is covered.
            .filter(|r| r.plain.cov != 0.0)
            .collect();
        curves.push(Curve {
            method: method.label.clone(),
            namespace: graph.name.clone(),
            rows,
        });
    }
    Ok(curves)
}

fn div(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}

/// Normalises the sums `[tp, fp, fn, pr, rc]` into cafaeval's columns.
fn finish(norm: Norm, n: u64, ne: usize, sums: [f64; 5]) -> Metrics {
    let [tp, fp, fn_, pr, rc] = sums;
    let (n_f, ne_f) = (n as f64, ne as f64);
    let (pr_den, den) = match norm {
        Norm::Cafa => (n_f, ne_f),
        Norm::Pred => (n_f, n_f),
        Norm::Gt => (ne_f, ne_f),
    };
    let (tp, fp, fn_) = (div(tp, den), div(fp, den), div(fn_, den));
    let (pr, rc) = (div(pr, pr_den), div(rc, den));
    let harmonic = |a: f64, b: f64| div(2.0 * a * b, a + b);
    let pr_micro = div(tp, tp + fp);
    let rc_micro = div(tp, tp + fn_);
    Metrics {
        n: n_f,
        tp,
        fp,
        fn_,
        pr,
        rc,
        // Unguarded, as in cafaeval: the partial-knowledge fork can give ne = 0.
        cov: n_f / ne_f,
        mi: fp,
        ru: fn_,
        f: harmonic(pr, rc),
        s: (fn_ * fn_ + fp * fp).sqrt(),
        pr_micro,
        rc_micro,
        f_micro: harmonic(pr_micro, rc_micro),
        ne,
    }
}
