//! A dataset split in memory: one row per candidate (query protein, GO term).

use crate::error::{DatasetError, Result};
use crate::schema::{CATEGORICAL_FEATURES, NUMERIC_FEATURES, categorical_index, numeric_index};

/// One candidate row. Numeric features are `NaN` when absent (null in the file),
/// categorical ones `""`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub protein_accession: String,
    /// The GO id string (`GO:0006357`), despite the column's name.
    pub go_term_id: String,
    pub label: bool,
    /// `nk` | `lk` | `pk`.
    pub category: String,
    /// `v{old}-v{new}`.
    pub snapshot_pair: String,
    pub numeric: Vec<f64>,
    pub categorical: Vec<String>,
}

impl Row {
    /// A row with every feature absent.
    pub fn new(
        protein_accession: impl Into<String>,
        go_term_id: impl Into<String>,
        label: bool,
        category: impl Into<String>,
        snapshot_pair: impl Into<String>,
    ) -> Row {
        Row {
            protein_accession: protein_accession.into(),
            go_term_id: go_term_id.into(),
            label,
            category: category.into(),
            snapshot_pair: snapshot_pair.into(),
            numeric: vec![f64::NAN; NUMERIC_FEATURES.len()],
            categorical: vec![String::new(); CATEGORICAL_FEATURES.len()],
        }
    }

    /// Sets a numeric feature by name.
    pub fn set(&mut self, name: &str, value: f64) -> Result<()> {
        let i = numeric_index(name).ok_or_else(|| DatasetError::UnknownColumn(name.into()))?;
        self.numeric[i] = value;
        Ok(())
    }

    /// Sets a categorical feature by name.
    pub fn set_categorical(&mut self, name: &str, value: impl Into<String>) -> Result<()> {
        let i = categorical_index(name).ok_or_else(|| DatasetError::UnknownColumn(name.into()))?;
        self.categorical[i] = value.into();
        Ok(())
    }

    /// A numeric feature by name (`NaN` when absent or unknown).
    pub fn get(&self, name: &str) -> f64 {
        numeric_index(name).map_or(f64::NAN, |i| self.numeric[i])
    }

    /// The `aspect` column (`bpo` / `mfo` / `cco`).
    pub fn aspect(&self) -> &str {
        &self.categorical[categorical_index("aspect").expect("aspect is a catalogue column")]
    }
}

/// A whole split (train or eval).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    pub rows: Vec<Row>,
}

impl Frame {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Checks the values the schema constrains: labels are 0/1 by type; categories,
    /// aspects, pairs and GO ids must be well formed. Errors name the row and column.
    pub fn validate(&self, file: &str) -> Result<()> {
        for (i, r) in self.rows.iter().enumerate() {
            let bad = |column: &str, message: String| DatasetError::Value {
                file: file.to_owned(),
                row: i,
                column: column.to_owned(),
                message,
            };
            if r.protein_accession.is_empty() {
                return Err(bad("protein_accession", "empty".into()));
            }
            if !is_go_id(&r.go_term_id) {
                return Err(bad(
                    "go_term_id",
                    format!("{:?} is not a GO id", r.go_term_id),
                ));
            }
            if !matches!(r.category.as_str(), "nk" | "lk" | "pk") {
                return Err(bad(
                    "category",
                    format!("{:?} is not nk, lk or pk", r.category),
                ));
            }
            if !is_snapshot_pair(&r.snapshot_pair) {
                return Err(bad(
                    "snapshot_pair",
                    format!("{:?} is not v<old>-v<new>", r.snapshot_pair),
                ));
            }
            if r.numeric.len() != NUMERIC_FEATURES.len()
                || r.categorical.len() != CATEGORICAL_FEATURES.len()
            {
                return Err(bad("*", "wrong number of feature values".into()));
            }
        }
        Ok(())
    }
}

/// `GO:` followed by 7 digits.
pub fn is_go_id(s: &str) -> bool {
    s.len() == 10 && s.starts_with("GO:") && s[3..].bytes().all(|b| b.is_ascii_digit())
}

/// `v<digits>-v<digits>`.
pub fn is_snapshot_pair(s: &str) -> bool {
    let Some((a, b)) = s.split_once('-') else {
        return false;
    };
    let num = |x: &str| {
        x.strip_prefix('v')
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    };
    num(a) && num(b)
}
