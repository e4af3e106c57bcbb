//! Evaluation options, mirroring cafaeval's command-line options.

use crate::error::{Error, Result};

/// How the per-protein sums are normalised (`-norm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Norm {
    /// Precision over covered proteins, everything else over all ground-truth proteins.
    #[default]
    Cafa,
    /// Everything over covered proteins.
    Pred,
    /// Everything over ground-truth proteins.
    Gt,
}

/// How prediction scores are propagated up the graph (`-prop`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Prop {
    /// Every term gets the maximum over itself and its descendants.
    #[default]
    Max,
    /// Only terms with score 0 get the maximum of their direct children (children first).
    Fill,
}

/// Which evaluator's denominators to reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// cafaeval 1.3.0: `ne` is every ground-truth protein of the namespace.
    #[default]
    Upstream,
    /// The partial-knowledge fork: only proteins with a true term in the terms of interest
    /// count, and known terms are excluded per protein. Implied by `-known`/`-toi` inputs.
    PartialKnowledge,
}

/// Options of one evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalConfig {
    /// `-norm` (default `cafa`).
    pub norm: Norm,
    /// `-prop` (default `max`).
    pub prop: Prop,
    /// `-th_step` (default 0.01).
    pub th_step: f64,
    /// `-max_terms`: store a score only while the row has at most this many nonzero terms.
    pub max_terms: Option<usize>,
    /// `-no_orphans`: leave terms without a kept parent (roots) out of the unweighted metrics.
    pub no_orphans: bool,
    /// Worker threads; 0 means all cores. Never changes the results.
    pub threads: usize,
    /// Upstream or partial-knowledge denominators.
    pub mode: Mode,
}

impl Default for EvalConfig {
    fn default() -> Self {
        EvalConfig {
            norm: Norm::Cafa,
            prop: Prop::Max,
            th_step: 0.01,
            max_terms: None,
            no_orphans: false,
            threads: 1,
            mode: Mode::Upstream,
        }
    }
}

impl EvalConfig {
    pub(crate) fn validate(&self) -> Result<()> {
        if !(self.th_step > 0.0 && self.th_step < 1.0) {
            return Err(Error::Config(format!(
                "th_step must be in (0, 1), got {}",
                self.th_step
            )));
        }
        Ok(())
    }

    pub(crate) fn thread_count(&self) -> usize {
        match self.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }
}
