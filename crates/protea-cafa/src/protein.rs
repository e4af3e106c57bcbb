//! Per-protein work: propagate one protein's scores, then add its contribution to the
//! per-threshold sums.
//!
//! Each term's threshold bucket is found once (the number of grid values `<= score`), and a
//! suffix sum over buckets yields the predicted set at every threshold, so the cost is
//! O(terms + thresholds) per protein instead of O(terms × thresholds).

use crate::config::Prop;
use crate::ontology::Namespace;

/// Per-threshold sums over proteins. Counts are integers so the unweighted sums are exact.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Acc {
    pub(crate) n: u64,
    pub(crate) tp: u64,
    pub(crate) fp: u64,
    pub(crate) fn_: u64,
    pub(crate) pr: f64,
    pub(crate) rc: f64,
    pub(crate) n_w: u64,
    pub(crate) tp_w: f64,
    pub(crate) fp_w: f64,
    pub(crate) fn_w: f64,
    pub(crate) pr_w: f64,
    pub(crate) rc_w: f64,
}

impl Acc {
    pub(crate) fn add(&mut self, o: &Acc) {
        self.n += o.n;
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
        self.pr += o.pr;
        self.rc += o.rc;
        self.n_w += o.n_w;
        self.tp_w += o.tp_w;
        self.fp_w += o.fp_w;
        self.fn_w += o.fn_w;
        self.pr_w += o.pr_w;
        self.rc_w += o.rc_w;
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Bucket {
    count: u32,
    tp: u32,
    count_w: u32,
    tp_w: f64,
    fp_w: f64,
}

/// What the engine knows about one ground-truth protein.
pub(crate) struct ProteinInput<'a> {
    /// Propagated true terms.
    pub(crate) truth: &'a [u32],
    /// Propagated known terms (PK), excluded from the terms of interest of this protein.
    pub(crate) known: &'a [u32],
    /// Explicit scores.
    pub(crate) scores: &'a [(u32, f64)],
    /// |G ∩ toi_p| and IA(G ∩ toi_ia_p).
    pub(crate) g_count: u64,
    pub(crate) g_w: f64,
}

/// Namespace-wide term filters.
pub(crate) struct TermSets<'a> {
    pub(crate) toi: &'a [bool],
    /// `Some` when IA is given: (toi_ia mask, IA values).
    pub(crate) ia: Option<(&'a [bool], &'a [f64])>,
}

/// Reusable per-thread buffers sized for one namespace.
pub(crate) struct Scratch {
    score: Vec<f64>,
    child_max: Vec<f64>,
    touched_mark: Vec<bool>,
    truth_mark: Vec<bool>,
    known_mark: Vec<bool>,
    touched: Vec<u32>,
    buckets: Vec<Bucket>,
}

impl Scratch {
    pub(crate) fn new(terms: usize, thresholds: usize) -> Self {
        Scratch {
            score: vec![0.0; terms],
            child_max: vec![0.0; terms],
            touched_mark: vec![false; terms],
            truth_mark: vec![false; terms],
            known_mark: vec![false; terms],
            touched: Vec::new(),
            buckets: vec![Bucket::default(); thresholds],
        }
    }
}

/// Propagates the explicit scores into `scratch.score`, listing the touched terms.
fn propagate(graph: &Namespace, scores: &[(u32, f64)], prop: Prop, s: &mut Scratch) {
    for &(t, _) in scores {
        for &a in graph.ancestors(t) {
            if !s.touched_mark[a as usize] {
                s.touched_mark[a as usize] = true;
                s.touched.push(a);
            }
        }
    }
    match prop {
        Prop::Max => {
            for &(t, v) in scores {
                for &a in graph.ancestors(t) {
                    let slot = &mut s.score[a as usize];
                    if v > *slot {
                        *slot = v;
                    }
                }
            }
        }
        Prop::Fill => {
            for &(t, v) in scores {
                s.score[t as usize] = v;
            }
            // Children before parents; a term keeps a nonzero score of its own even when a
            // child scores higher, otherwise it takes its direct children's maximum.
            s.touched
                .sort_unstable_by_key(|&t| graph.topo_rank[t as usize]);
            for &t in &s.touched {
                let own = s.score[t as usize];
                let v = if own != 0.0 {
                    own
                } else {
                    s.child_max[t as usize]
                };
                s.score[t as usize] = v;
                for &p in &graph.parents[t as usize] {
                    if v > s.child_max[p as usize] {
                        s.child_max[p as usize] = v;
                    }
                }
            }
            for &t in &s.touched {
                s.child_max[t as usize] = 0.0;
            }
        }
    }
}

/// Adds one protein's per-threshold contribution to `acc` (one entry per threshold).
pub(crate) fn accumulate(
    graph: &Namespace,
    prop: Prop,
    taus: &[f64],
    sets: &TermSets<'_>,
    p: &ProteinInput<'_>,
    s: &mut Scratch,
    acc: &mut [Acc],
) {
    for &t in p.truth {
        s.truth_mark[t as usize] = true;
    }
    for &t in p.known {
        s.known_mark[t as usize] = true;
    }
    propagate(graph, p.scores, prop, s);
    for &t in &s.touched {
        let v = s.score[t as usize];
        let k = taus.partition_point(|&tau| tau <= v);
        if k == 0 || s.known_mark[t as usize] {
            continue;
        }
        let truth = s.truth_mark[t as usize];
        let b = &mut s.buckets[k - 1];
        if sets.toi[t as usize] {
            b.count += 1;
            b.tp += u32::from(truth);
        }
        if let Some((toi_ia, ia)) = sets.ia
            && toi_ia[t as usize]
        {
            b.count_w += 1;
            if truth {
                b.tp_w += ia[t as usize];
            } else {
                b.fp_w += ia[t as usize];
            }
        }
    }
    let mut run = Bucket::default();
    for j in (0..taus.len()).rev() {
        let b = std::mem::take(&mut s.buckets[j]);
        run.count += b.count;
        run.tp += b.tp;
        run.count_w += b.count_w;
        run.tp_w += b.tp_w;
        run.fp_w += b.fp_w;
        let a = &mut acc[j];
        let (count, tp) = (u64::from(run.count), u64::from(run.tp));
        if count > 0 {
            a.n += 1;
            a.pr += tp as f64 / count as f64;
        }
        a.tp += tp;
        a.fp += count - tp;
        a.fn_ += p.g_count - tp;
        if p.g_count > 0 {
            a.rc += tp as f64 / p.g_count as f64;
        }
        if sets.ia.is_some() {
            if run.count_w > 0 {
                a.n_w += 1;
                a.pr_w += run.tp_w / (run.tp_w + run.fp_w);
            }
            a.tp_w += run.tp_w;
            a.fp_w += run.fp_w;
            a.fn_w += p.g_w - run.tp_w;
            if p.g_w > 0.0 {
                a.rc_w += run.tp_w / p.g_w;
            }
        }
    }
    for &t in &s.touched {
        s.score[t as usize] = 0.0;
        s.touched_mark[t as usize] = false;
    }
    s.touched.clear();
    for &t in p.truth {
        s.truth_mark[t as usize] = false;
    }
    for &t in p.known {
        s.known_mark[t as usize] = false;
    }
}
