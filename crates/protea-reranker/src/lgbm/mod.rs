//! LightGBM boosters in their text format (`model.txt`), read and scored in Rust.
//!
//! Why our own reader rather than `bosk` (rust_deps.md §9): we need a few hundred lines
//! (one parser, one tree walk), errors that name the line and field of a malformed model,
//! the `pandas_categorical` vocabulary and the `categorical_feature` parameter (which the
//! re-ranker's categorical columns depend on), and no pre-1.0 dependency with a single
//! release. Parity with LightGBM's own `predict` is pinned by the fixtures of
//! `scripts/make_fixtures.py`.

mod objective;
mod parse;
mod tree;

pub use objective::Objective;
pub use tree::Tree;

use crate::error::{RerankerError, Result};

/// A LightGBM booster read from its text model.
#[derive(Debug, Clone)]
pub struct Booster {
    /// Format version from the header (`v4`).
    pub version: String,
    /// Outputs per row (1 except for multi-class models).
    pub num_class: usize,
    /// Trees per boosting iteration (= `num_class` for multi-class).
    pub num_tree_per_iteration: usize,
    pub objective: Objective,
    /// Column names, in the order the model reads them.
    pub feature_names: Vec<String>,
    /// `feature_infos` of the header, one per column (`[min:max]`, categories, or `none`).
    pub feature_infos: Vec<String>,
    /// Random-forest mode: the raw score is the mean over iterations, not the sum.
    pub average_output: bool,
    pub trees: Vec<Tree>,
    /// Column indices trained as categorical (the `categorical_feature` parameter, or, for
    /// models without it, the columns whose `feature_infos` list categories).
    pub categorical_features: Vec<usize>,
    /// The category vocabularies LightGBM's Python package stored for pandas categorical
    /// columns, one list per categorical column in column order (`pandas_categorical`).
    pub pandas_categorical: Option<Vec<Vec<String>>>,
}

impl Booster {
    /// Reads a booster from the text of a `model.txt`.
    pub fn from_text(text: &str) -> Result<Self> {
        parse::parse(text)
    }

    /// Reads a booster from the bytes of a `model.txt` (UTF-8).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| RerankerError::model(0, "text", format!("not UTF-8: {e}")))?;
        Self::from_text(text)
    }

    /// Number of input columns.
    pub fn num_features(&self) -> usize {
        self.feature_names.len()
    }

    /// Number of boosting iterations stored.
    pub fn num_iterations(&self) -> usize {
        self.trees.len() / self.num_tree_per_iteration
    }

    /// The vocabulary of categorical column `column`, when the model carries one.
    pub fn vocabulary(&self, column: usize) -> Option<&[String]> {
        let position = self
            .categorical_features
            .iter()
            .position(|&c| c == column)?;
        self.pandas_categorical
            .as_ref()?
            .get(position)
            .map(Vec::as_slice)
    }

    /// Raw scores (one per class) of one row of `num_features()` values; NaN = missing.
    pub fn predict_raw(&self, row: &[f64]) -> Result<Vec<f64>> {
        self.check_row(row)?;
        let k = self.num_tree_per_iteration;
        let mut out = vec![0.0; k];
        for (i, tree) in self.trees.iter().enumerate() {
            out[i % k] += tree.predict(row);
        }
        if self.average_output {
            let n = self.num_iterations().max(1) as f64;
            for v in &mut out {
                *v /= n;
            }
        }
        Ok(out)
    }

    /// The objective's transform of the raw scores (probabilities for binary and
    /// multi-class), as LightGBM's `predict` without `raw_score`.
    pub fn predict(&self, row: &[f64]) -> Result<Vec<f64>> {
        let raw = self.predict_raw(row)?;
        self.objective.transform(raw)
    }

    /// Raw score of a single-output model.
    pub fn predict_raw_one(&self, row: &[f64]) -> Result<f64> {
        self.single()?;
        Ok(self.predict_raw(row)?[0])
    }

    /// Transformed prediction of a single-output model.
    pub fn predict_one(&self, row: &[f64]) -> Result<f64> {
        self.single()?;
        Ok(self.predict(row)?[0])
    }

    fn single(&self) -> Result<()> {
        if self.num_tree_per_iteration != 1 {
            return Err(RerankerError::input(
                "booster",
                format!(
                    "{} outputs per row; use predict_raw / predict",
                    self.num_tree_per_iteration
                ),
            ));
        }
        Ok(())
    }

    fn check_row(&self, row: &[f64]) -> Result<()> {
        if row.len() != self.num_features() {
            return Err(RerankerError::input(
                "row",
                format!(
                    "{} values, the model reads {} columns",
                    row.len(),
                    self.num_features()
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
