//! A CAFA evaluator that reproduces cafaeval 1.3.0 (PyPI) number for number, plus the
//! partial-knowledge fork's `-known` and `-toi` options.
//!
//! The crate is pure: inputs come through `BufRead`, results are plain data, and the only
//! filesystem writer is [`write_outputs`]. The rules it follows, including the odd ones
//! (numpy's threshold grid, `max_terms + 1`, precision over covered proteins only, ...), are
//! those of `shared/reference/cafaeval.md`; it is written from that description and from
//! observed outputs, not from cafaeval's (GPL) code.
//!
//! Typical use: [`evaluate`] with [`Inputs`] naming files, then [`write_outputs`]. For
//! in-memory inputs build an [`Evaluator`] from parsed parts and feed it methods one by one.

mod annotations;
mod config;
mod engine;
mod error;
mod grid;
mod obo;
mod ontology;
mod output;
mod paths;
mod predictions;
mod protein;
mod results;

use std::io::BufRead;

pub use annotations::{Annotations, InformationAccretion, NsAnnotations, TermsOfInterest};
pub use config::{EvalConfig, Mode, Norm, Prop};
pub use error::{Error, Result};
pub use grid::{decimals, thresholds};
pub use ontology::{Namespace, Ontology};
pub use output::{format_float, write_all, write_best, write_outputs};
pub use paths::{Inputs, evaluate, prediction_files};
pub use predictions::{MethodScores, NsScores};
pub use results::{BestMetric, BestRow, Curve, Evaluation, Metrics, ThresholdRow};

/// Parsed inputs plus the per-namespace state shared by every method.
pub struct Evaluator<'a> {
    config: EvalConfig,
    ontology: &'a Ontology,
    truth: &'a Annotations,
    ia: Option<&'a InformationAccretion>,
    contexts: Vec<Option<engine::NsContext>>,
    taus: Vec<f64>,
}

impl<'a> Evaluator<'a> {
    /// Checks the configuration and prepares the term sets and denominators. Giving `known`
    /// or `toi` switches to the partial-knowledge denominators.
    pub fn new(
        config: &EvalConfig,
        ontology: &'a Ontology,
        truth: &'a Annotations,
        ia: Option<&'a InformationAccretion>,
        known: Option<&Annotations>,
        toi: Option<&TermsOfInterest>,
    ) -> Result<Self> {
        config.validate()?;
        let contexts = engine::prepare(config, ontology, truth, ia, known, toi)?;
        Ok(Evaluator {
            config: config.clone(),
            ontology,
            truth,
            ia,
            contexts,
            taus: thresholds(config.th_step),
        })
    }

    /// Reads one method's prediction file.
    pub fn read_method(&self, reader: impl BufRead, label: &str) -> Result<MethodScores> {
        MethodScores::read(
            reader,
            label,
            self.ontology,
            self.truth,
            self.config.max_terms,
        )
    }

    /// Evaluates one method: a curve per namespace with accepted predictions.
    pub fn evaluate_method(&self, method: &MethodScores) -> Result<Vec<Curve>> {
        engine::evaluate_method(
            &self.config,
            self.ontology,
            self.truth,
            self.ia,
            &self.contexts,
            method,
            &self.taus,
        )
    }

    /// Reads and evaluates methods in order, collecting an [`Evaluation`].
    pub fn evaluate_readers<R: BufRead>(
        &self,
        methods: impl IntoIterator<Item = Result<(String, R)>>,
    ) -> Result<Evaluation> {
        let mut curves = Vec::new();
        for item in methods {
            let (label, reader) = item?;
            let scores = self.read_method(reader, &label)?;
            curves.extend(self.evaluate_method(&scores)?);
        }
        Ok(Evaluation {
            th_step: self.config.th_step,
            weighted: self.ia.is_some(),
            curves,
        })
    }
}

#[cfg(test)]
mod rules_tests;
