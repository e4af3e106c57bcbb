//! Structured results: per method, per namespace, per threshold rows, and the best-row
//! selection cafaeval writes to `evaluation_best_<metric>.tsv`.

/// One set of metrics at one threshold (unweighted, or IA-weighted).
///
/// `tp`, `fp` and `fn_` are normalised averages, not counts, as in cafaeval's columns.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Metrics {
    /// Proteins with at least one predicted term (with IA > 0 for the weighted set).
    pub n: f64,
    /// Normalised true positives.
    pub tp: f64,
    /// Normalised false positives.
    pub fp: f64,
    /// Normalised false negatives.
    pub fn_: f64,
    /// Precision.
    pub pr: f64,
    /// Recall.
    pub rc: f64,
    /// Coverage `n / ne` (unguarded, as in cafaeval).
    pub cov: f64,
    /// Misinformation (= `fp`).
    pub mi: f64,
    /// Remaining uncertainty (= `fn_`).
    pub ru: f64,
    /// F-measure.
    pub f: f64,
    /// `sqrt(ru² + mi²)`.
    pub s: f64,
    /// Micro-averaged precision.
    pub pr_micro: f64,
    /// Micro-averaged recall.
    pub rc_micro: f64,
    /// Micro-averaged F.
    pub f_micro: f64,
    /// Ground-truth proteins in the denominator (`ne`); not a cafaeval column.
    pub ne: usize,
}

impl Metrics {
    /// The 14 cafaeval columns in order (`n tp fp fn pr rc cov mi ru f s pr_micro rc_micro f_micro`).
    pub fn columns(&self) -> [f64; 14] {
        [
            self.n,
            self.tp,
            self.fp,
            self.fn_,
            self.pr,
            self.rc,
            self.cov,
            self.mi,
            self.ru,
            self.f,
            self.s,
            self.pr_micro,
            self.rc_micro,
            self.f_micro,
        ]
    }

    /// Column names matching [`Metrics::columns`].
    pub const NAMES: [&'static str; 14] = [
        "n", "tp", "fp", "fn", "pr", "rc", "cov", "mi", "ru", "f", "s", "pr_micro", "rc_micro",
        "f_micro",
    ];
}

/// All metrics at one threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdRow {
    /// The threshold (a value of the numpy grid).
    pub tau: f64,
    /// Unweighted metrics.
    pub plain: Metrics,
    /// IA-weighted metrics (the `_w` columns), when an IA file was given.
    pub weighted: Option<Metrics>,
}

/// The curve of one method in one namespace.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Method label (the `filename` column).
    pub method: String,
    /// Namespace name (the `ns` column).
    pub namespace: String,
    /// Rows by ascending tau; thresholds with unweighted `cov == 0` are dropped, as in cafaeval.
    pub rows: Vec<ThresholdRow>,
}

impl Curve {
    /// The GO aspect of the namespace (`None` for non-GO ontologies such as IDPO).
    pub fn aspect(&self) -> Option<protea_core::Aspect> {
        protea_core::Aspect::from_namespace(&self.namespace)
    }
}

/// The result of an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The threshold step used (it sets the output precision).
    pub th_step: f64,
    /// Whether IA weights were given (weighted columns present).
    pub weighted: bool,
    /// Curves in cafaeval's row order: method order, then namespace in OBO order.
    pub curves: Vec<Curve>,
}

/// A metric cafaeval picks a best row for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BestMetric {
    /// Maximum `f` (Fmax).
    F,
    /// Maximum `f_micro`.
    FMicro,
    /// Minimum unweighted `s`.
    S,
    /// Maximum `f_w` (weighted Fmax).
    FW,
    /// Maximum `f_micro_w`.
    FMicroW,
    /// Minimum `s_w` (the usual CAFA S-min). cafaeval writes no file for it.
    SW,
}

impl BestMetric {
    /// The metrics cafaeval writes a file for, in its order.
    pub fn written(weighted: bool) -> &'static [BestMetric] {
        if weighted {
            &[Self::F, Self::FMicro, Self::S, Self::FW, Self::FMicroW]
        } else {
            &[Self::F, Self::FMicro, Self::S]
        }
    }

    /// Column name (`f`, `f_micro`, `s`, `f_w`, `f_micro_w`, `s_w`).
    pub fn name(self) -> &'static str {
        match self {
            Self::F => "f",
            Self::FMicro => "f_micro",
            Self::S => "s",
            Self::FW => "f_w",
            Self::FMicroW => "f_micro_w",
            Self::SW => "s_w",
        }
    }

    fn is_weighted(self) -> bool {
        matches!(self, Self::FW | Self::FMicroW | Self::SW)
    }

    fn value(self, row: &ThresholdRow) -> Option<f64> {
        let m = if self.is_weighted() {
            row.weighted.as_ref()?
        } else {
            &row.plain
        };
        Some(match self {
            Self::F | Self::FW => m.f,
            Self::FMicro | Self::FMicroW => m.f_micro,
            Self::S | Self::SW => m.s,
        })
    }

    fn minimise(self) -> bool {
        matches!(self, Self::S | Self::SW)
    }
}

/// The best row of one curve.
#[derive(Debug, Clone, PartialEq)]
pub struct BestRow<'a> {
    /// The curve it comes from.
    pub curve: &'a Curve,
    /// The chosen row.
    pub row: &'a ThresholdRow,
    /// Maximum `cov` over the curve (`cov_w` for weighted metrics).
    pub cov_max: f64,
}

impl Evaluation {
    /// Best row per (method, namespace), sorted by (method, namespace) like cafaeval's files.
    /// Ties go to the lowest tau (pandas `idxmax`/`idxmin` take the first optimum); NaN
    /// values are skipped.
    pub fn best(&self, metric: BestMetric) -> Vec<BestRow<'_>> {
        let mut curves: Vec<&Curve> = self.curves.iter().collect();
        curves.sort_by(|a, b| (&a.method, &a.namespace).cmp(&(&b.method, &b.namespace)));
        curves
            .into_iter()
            .filter_map(|curve| {
                let mut best: Option<(&ThresholdRow, f64)> = None;
                for row in &curve.rows {
                    let Some(v) = metric.value(row).filter(|v| !v.is_nan()) else {
                        continue;
                    };
                    let better = match best {
                        None => true,
                        Some((_, b)) if metric.minimise() => v < b,
                        Some((_, b)) => v > b,
                    };
                    if better {
                        best = Some((row, v));
                    }
                }
                let (row, _) = best?;
                let cov_max = curve
                    .rows
                    .iter()
                    .filter_map(|r| {
                        if metric.is_weighted() {
                            r.weighted.map(|w| w.cov)
                        } else {
                            Some(r.plain.cov)
                        }
                    })
                    .filter(|c| !c.is_nan())
                    .fold(f64::NEG_INFINITY, f64::max);
                Some(BestRow {
                    curve,
                    row,
                    cov_max,
                })
            })
            .collect()
    }
}
