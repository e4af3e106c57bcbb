//! Scoring configs (§5.12): a post-hoc score for a KNN prediction from its stored signals,
//! and the one distance → score rule used when no config is given.
//!
//! **Distance → score.** Raw KNN predictions score `1 − d/2` clamped to [0, 1] ([`knn_score`]):
//! cosine distance lies in [0, 2], so this maps it linearly onto [0, 1]. It is the rule the
//! original code and its reported results use; the `max(0, 1 − d)` of its documentation is
//! not used anywhere here. The `embedding_similarity` signal is the same quantity, so a
//! config with only that signal scores exactly like raw KNN.
//!
//! Unlike the original's evaluation path, a config's `evidence_weights` overrides are honoured
//! everywhere (the original dropped them in `run_cafa_evaluation`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{EvaluationError, Result};
use crate::evidence::{UNKNOWN_EVIDENCE_WEIGHT, default_weight, go_code, is_known_code};

/// The distance → score rule for raw KNN predictions: `1 − d/2`, clamped to [0, 1].
pub fn knn_score(distance: f64) -> f64 {
    (1.0 - distance / 2.0).clamp(0.0, 1.0)
}

/// How the weighted signals combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Formula {
    /// `Σ wᵢ·sᵢ / Σ wᵢ` over participating signals.
    #[default]
    Linear,
    /// The linear score times the resolved evidence weight.
    EvidenceWeighted,
}

impl Formula {
    /// Parses `linear` or `evidence_weighted`.
    pub fn parse(text: &str) -> Result<Formula> {
        match text {
            "linear" => Ok(Formula::Linear),
            "evidence_weighted" => Ok(Formula::EvidenceWeighted),
            other => Err(EvaluationError::scoring(
                "formula",
                format!("must be linear or evidence_weighted, got {other:?}"),
            )),
        }
    }

    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Formula::Linear => "linear",
            Formula::EvidenceWeighted => "evidence_weighted",
        }
    }
}

/// Weight of each signal; a zero weight leaves the signal out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignalWeights {
    pub embedding_similarity: f64,
    pub identity_nw: f64,
    pub identity_sw: f64,
    pub evidence_weight: f64,
    pub taxonomic_proximity: f64,
}

impl Default for SignalWeights {
    /// Embedding similarity only.
    fn default() -> Self {
        SignalWeights {
            embedding_similarity: 1.0,
            identity_nw: 0.0,
            identity_sw: 0.0,
            evidence_weight: 0.0,
            taxonomic_proximity: 0.0,
        }
    }
}

impl SignalWeights {
    /// Reads the stored JSON object. Missing keys weigh 0; unknown keys and negative or
    /// non-finite weights are errors (the original did not range-check; a negative weight
    /// makes `Σ w` meaningless, so it is refused here).
    pub fn from_json(value: &Value) -> Result<SignalWeights> {
        let Value::Object(map) = value else {
            return Err(EvaluationError::scoring("weights", "must be an object"));
        };
        let mut w = SignalWeights {
            embedding_similarity: 0.0,
            ..SignalWeights::default()
        };
        for (key, v) in map {
            let x = v
                .as_f64()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| {
                    EvaluationError::scoring(
                        format!("weights.{key}"),
                        "must be a finite number ≥ 0",
                    )
                })?;
            let slot = match key.as_str() {
                "embedding_similarity" => &mut w.embedding_similarity,
                "identity_nw" => &mut w.identity_nw,
                "identity_sw" => &mut w.identity_sw,
                "evidence_weight" => &mut w.evidence_weight,
                "taxonomic_proximity" => &mut w.taxonomic_proximity,
                other => {
                    return Err(EvaluationError::scoring(
                        format!("weights.{other}"),
                        "unknown signal (expected embedding_similarity, identity_nw, identity_sw, evidence_weight, taxonomic_proximity)",
                    ));
                }
            };
            *slot = x;
        }
        Ok(w)
    }

    /// The JSON object stored in `scoring_config.weights`.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// The stored signals of one prediction.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Signals<'a> {
    pub distance: f64,
    pub identity_nw: Option<f64>,
    pub identity_sw: Option<f64>,
    pub evidence_code: Option<&'a str>,
    pub taxonomic_distance: Option<f64>,
}

/// A scoring config: formula, signal weights and per-code evidence overrides.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScoringConfig {
    pub formula: Formula,
    pub weights: SignalWeights,
    /// Partial override of the default evidence table (GO code → weight in [0, 1]).
    pub evidence_weights: BTreeMap<String, f64>,
}

impl ScoringConfig {
    /// Builds a config from its stored columns, checking every rule.
    pub fn from_parts(
        formula: &str,
        weights: &Value,
        evidence_weights: Option<&Value>,
    ) -> Result<ScoringConfig> {
        let formula = Formula::parse(formula)?;
        let weights = SignalWeights::from_json(weights)?;
        let mut overrides = BTreeMap::new();
        match evidence_weights {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (code, v) in map {
                    if !is_known_code(code) {
                        return Err(EvaluationError::scoring(
                            format!("evidence_weights.{code}"),
                            "not one of the 26 GO evidence codes",
                        ));
                    }
                    let x = v
                        .as_f64()
                        .filter(|x| (0.0..=1.0).contains(x))
                        .ok_or_else(|| {
                            EvaluationError::scoring(
                                format!("evidence_weights.{code}"),
                                "must be a number in [0, 1]",
                            )
                        })?;
                    overrides.insert(code.clone(), x);
                }
            }
            Some(_) => {
                return Err(EvaluationError::scoring(
                    "evidence_weights",
                    "must be an object or null",
                ));
            }
        }
        Ok(ScoringConfig {
            formula,
            weights,
            evidence_weights: overrides,
        })
    }

    /// Evidence weight of a code: ECO id → GO code, then this config's override, then the
    /// default table, else 0.5 (also for a missing code).
    pub fn evidence_weight(&self, code: Option<&str>) -> f64 {
        let Some(code) = code else {
            return UNKNOWN_EVIDENCE_WEIGHT;
        };
        let code = go_code(code);
        self.evidence_weights
            .get(code)
            .copied()
            .or_else(|| default_weight(code))
            .unwrap_or(UNKNOWN_EVIDENCE_WEIGHT)
    }

    /// The score of one prediction, rounded to 6 decimals.
    pub fn score(&self, s: &Signals<'_>) -> f64 {
        let evidence = self.evidence_weight(s.evidence_code);
        let w = &self.weights;
        let signals = [
            (w.embedding_similarity, Some(knn_score(s.distance))),
            (w.identity_nw, s.identity_nw),
            (w.identity_sw, s.identity_sw),
            (w.evidence_weight, Some(evidence)),
            (
                w.taxonomic_proximity,
                s.taxonomic_distance.map(|d| 1.0 / (1.0 + d)),
            ),
        ];
        let (mut num, mut den) = (0.0, 0.0);
        for (weight, value) in signals {
            // A signal participates only with a nonzero weight and a stored value; missing
            // features drop out of numerator and denominator alike.
            if let Some(v) = value.filter(|v| weight != 0.0 && !v.is_nan()) {
                num += weight * v.clamp(0.0, 1.0);
                den += weight;
            }
        }
        let mut score = if den > 0.0 { num / den } else { 0.0 };
        if self.formula == Formula::EvidenceWeighted {
            score *= evidence;
        }
        (score * 1e6).round() / 1e6
    }
}

/// One preset of `POST /scoring/configs/presets`.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    pub name: &'static str,
    pub description: &'static str,
    pub config: ScoringConfig,
}

/// The five presets of §5.12, in the original's order.
pub fn presets() -> Vec<Preset> {
    let make = |name, description, formula, [e, nw, sw, ev, tx]: [f64; 5]| Preset {
        name,
        description,
        config: ScoringConfig {
            formula,
            weights: SignalWeights {
                embedding_similarity: e,
                identity_nw: nw,
                identity_sw: sw,
                evidence_weight: ev,
                taxonomic_proximity: tx,
            },
            evidence_weights: BTreeMap::new(),
        },
    };
    vec![
        make(
            "embedding_only",
            "Embedding similarity alone (1 - d/2): the KNN baseline.",
            Formula::Linear,
            [1.0, 0.0, 0.0, 0.0, 0.0],
        ),
        make(
            "embedding_plus_evidence",
            "Embedding similarity, multiplied by the evidence weight of the transferred annotation.",
            Formula::EvidenceWeighted,
            [1.0, 0.0, 0.0, 1.0, 0.0],
        ),
        make(
            "alignment_weighted",
            "Embedding similarity with global and local alignment identity.",
            Formula::Linear,
            [0.5, 0.3, 0.2, 0.0, 0.0],
        ),
        make(
            "composite",
            "Every signal, multiplied by the evidence weight.",
            Formula::EvidenceWeighted,
            [0.4, 0.2, 0.1, 0.2, 0.1],
        ),
        make(
            "evidence_primary",
            "Mostly the evidence weight, a little embedding similarity.",
            Formula::Linear,
            [0.2, 0.0, 0.0, 0.8, 0.0],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn signals(distance: f64) -> Signals<'static> {
        Signals {
            distance,
            ..Signals::default()
        }
    }

    #[test]
    fn knn_rule_is_one_minus_half_the_distance() {
        assert_eq!(knn_score(0.0), 1.0);
        assert_eq!(knn_score(0.5), 0.75);
        assert_eq!(knn_score(2.0), 0.0);
        assert_eq!(knn_score(2.5), 0.0);
        let c = ScoringConfig::default();
        assert_eq!(c.score(&signals(0.5)), 0.75);
    }

    #[test]
    fn linear_formula_skips_missing_signals() {
        let alignment = &presets()[2].config;
        // nw and sw missing: only the embedding signal remains.
        assert_eq!(alignment.score(&signals(0.4)), 0.8);
        let s = Signals {
            distance: 0.4,
            identity_nw: Some(0.5),
            identity_sw: Some(1.5), // clamped to 1
            ..Signals::default()
        };
        // (0.5·0.8 + 0.3·0.5 + 0.2·1) / 1.0
        assert_eq!(alignment.score(&s), 0.75);
    }

    #[test]
    fn evidence_weighted_formula_and_overrides() {
        let composite = &presets()[3].config;
        let s = Signals {
            distance: 0.0,
            identity_nw: Some(1.0),
            identity_sw: Some(1.0),
            evidence_code: Some("ECO:0000501"), // IEA → 0.3
            taxonomic_distance: Some(1.0),      // proximity 0.5
        };
        // linear part: (0.4 + 0.2 + 0.1 + 0.2·0.3 + 0.1·0.5) / 1.0 = 0.81; × 0.3
        assert_eq!(composite.score(&s), 0.243);
        let mut c = presets()[1].config.clone();
        assert_eq!(c.evidence_weight(None), 0.5);
        assert_eq!(c.evidence_weight(Some("XYZ")), 0.5);
        c.evidence_weights.insert("IEA".into(), 0.9);
        assert_eq!(c.evidence_weight(Some("ECO:0000501")), 0.9);
        // embedding_plus_evidence: (1·1 + 1·0.9) / 2 × 0.9
        assert_eq!(c.score(&s), 0.855);
    }

    #[test]
    fn stored_parts_are_checked() {
        let ok = ScoringConfig::from_parts(
            "evidence_weighted",
            &json!({"identity_nw": 1}),
            Some(&json!({"IEA": 0.1})),
        )
        .unwrap();
        assert_eq!(ok.weights.embedding_similarity, 0.0);
        assert_eq!(ok.evidence_weights["IEA"], 0.1);
        for (formula, weights, ev) in [
            ("cubic", json!({}), None),
            ("linear", json!({"bogus": 1}), None),
            ("linear", json!({"identity_nw": -1}), None),
            ("linear", json!([]), None),
            ("linear", json!({}), Some(json!({"XXX": 0.5}))),
            ("linear", json!({}), Some(json!({"IEA": 1.5}))),
        ] {
            assert!(
                ScoringConfig::from_parts(formula, &weights, ev.as_ref()).is_err(),
                "{formula} {weights} {ev:?}"
            );
        }
        let w = presets()[2].config.weights;
        assert_eq!(SignalWeights::from_json(&w.to_json()).unwrap(), w);
    }
}
