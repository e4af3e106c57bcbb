use crate::error::{RerankerError, Result};

/// The objective line of a model, reduced to what prediction needs: its output transform.
#[derive(Debug, Clone, PartialEq)]
pub enum Objective {
    /// `binary sigmoid:S`: p = 1 / (1 + e^(−S·raw)).
    Binary { sigmoid: f64 },
    /// `cross_entropy`: p = 1 / (1 + e^(−raw)).
    CrossEntropy,
    /// Regression, ranking (`lambdarank`, `rank_xendcg`) and the other identity outputs.
    Identity(String),
    /// `regression sqrt`: the model was trained on sign(y)·√|y|.
    RegressionSqrt,
    /// `poisson`, `gamma`, `tweedie`: e^raw.
    Exp(String),
    /// `multiclass num_class:K`: softmax over the K raw scores.
    Softmax { num_class: usize },
    /// `multiclassova num_class:K sigmoid:S`: one sigmoid per class.
    MulticlassOva { num_class: usize, sigmoid: f64 },
    /// Anything else (`custom`, …): raw scores only.
    Other(String),
}

impl Objective {
    /// Reads the value of an `objective=` line (name, then `key:value` options).
    pub(crate) fn parse(value: &str, line: usize) -> Result<Self> {
        let mut words = value.split_whitespace();
        let name = words.next().unwrap_or("");
        let mut sigmoid = 1.0;
        let mut num_class = None;
        let mut sqrt = false;
        for word in words {
            if word == "sqrt" {
                sqrt = true;
                continue;
            }
            let Some((key, v)) = word.split_once(':') else {
                continue;
            };
            let bad = |m: String| RerankerError::model(line, "objective", m);
            match key {
                "sigmoid" => {
                    sigmoid = v
                        .parse()
                        .map_err(|_| bad(format!("sigmoid `{v}` is not a number")))?
                }
                "num_class" => {
                    num_class = Some(
                        v.parse()
                            .map_err(|_| bad(format!("num_class `{v}` is not an integer")))?,
                    )
                }
                _ => {}
            }
        }
        Ok(match name {
            "binary" => Self::Binary { sigmoid },
            "cross_entropy" | "xentropy" => Self::CrossEntropy,
            "regression" | "regression_l2" | "l2" | "mean_squared_error" | "mse" if sqrt => {
                Self::RegressionSqrt
            }
            "regression" | "regression_l2" | "l2" | "mean_squared_error" | "mse"
            | "regression_l1" | "l1" | "huber" | "fair" | "quantile" | "mape" | "lambdarank"
            | "rank_xendcg" => Self::Identity(name.to_string()),
            "poisson" | "gamma" | "tweedie" => Self::Exp(name.to_string()),
            "multiclass" | "softmax" => Self::Softmax {
                num_class: num_class.unwrap_or(1),
            },
            "multiclassova" | "multiclass_ova" | "ova" | "ovr" => Self::MulticlassOva {
                num_class: num_class.unwrap_or(1),
                sigmoid,
            },
            "" => return Err(RerankerError::model(line, "objective", "empty")),
            other => Self::Other(other.to_string()),
        })
    }

    /// LightGBM's output transform (`ConvertOutput`), same operations in the same order.
    pub fn transform(&self, mut raw: Vec<f64>) -> Result<Vec<f64>> {
        match self {
            Self::Binary { sigmoid } => {
                for v in &mut raw {
                    *v = 1.0 / (1.0 + (-sigmoid * *v).exp());
                }
            }
            Self::CrossEntropy => {
                for v in &mut raw {
                    *v = 1.0 / (1.0 + (-*v).exp());
                }
            }
            Self::Identity(_) => {}
            Self::RegressionSqrt => {
                for v in &mut raw {
                    *v = v.signum() * *v * *v;
                }
            }
            Self::Exp(_) => {
                for v in &mut raw {
                    *v = v.exp();
                }
            }
            Self::Softmax { .. } => {
                let max = raw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mut sum = 0.0;
                for v in &mut raw {
                    *v = (*v - max).exp();
                    sum += *v;
                }
                for v in &mut raw {
                    *v /= sum;
                }
            }
            Self::MulticlassOva { sigmoid, .. } => {
                for v in &mut raw {
                    *v = 1.0 / (1.0 + (-sigmoid * *v).exp());
                }
            }
            Self::Other(name) => return Err(RerankerError::UnsupportedObjective(name.clone())),
        }
        Ok(raw)
    }
}
