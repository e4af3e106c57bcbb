//! Predictions in CAFA format (`protein<TAB>GO:…<TAB>score`) for one evaluation run:
//! restricted to the delta proteins, optionally to `distance ≤ max_distance`, one row per
//! (protein, term) carrying the closest neighbour, scored by a config or by [`knn_score`].

use std::collections::{BTreeMap, BTreeSet};

use protea_core::GoId;

use crate::scoring::{ScoringConfig, Signals, knn_score};

/// One stored prediction (`go_prediction` joined to its term), with the scoring signals.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionRow {
    pub protein: String,
    pub go_id: GoId,
    pub distance: f64,
    pub identity_nw: Option<f64>,
    pub identity_sw: Option<f64>,
    pub evidence_code: Option<String>,
    pub taxonomic_distance: Option<f64>,
}

impl PredictionRow {
    /// A row with only a distance (no alignment, evidence or taxonomy signal).
    pub fn new(protein: impl Into<String>, go_id: GoId, distance: f64) -> Self {
        PredictionRow {
            protein: protein.into(),
            go_id,
            distance,
            identity_nw: None,
            identity_sw: None,
            evidence_code: None,
            taxonomic_distance: None,
        }
    }
}

/// What [`build_predictions`] kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PredictionStats {
    /// Rows offered.
    pub rows: usize,
    /// (protein, term) pairs written.
    pub written: usize,
    /// Rows dropped by `max_distance`.
    pub beyond_max_distance: usize,
    /// Rows of proteins outside the delta.
    pub outside_delta: usize,
    /// Proteins with at least one written prediction.
    pub proteins: usize,
}

/// Builds the prediction file. `delta` holds the accessions of the delta proteins; ties in
/// distance keep the first row offered.
pub fn build_predictions<'a>(
    rows: impl IntoIterator<Item = &'a PredictionRow>,
    delta: &BTreeSet<&str>,
    max_distance: Option<f64>,
    scoring: Option<&ScoringConfig>,
) -> (String, PredictionStats) {
    let mut stats = PredictionStats::default();
    let mut best: BTreeMap<(&str, GoId), &PredictionRow> = BTreeMap::new();
    for row in rows {
        stats.rows += 1;
        if !delta.contains(row.protein.as_str()) {
            stats.outside_delta += 1;
            continue;
        }
        // NaN distances never pass a threshold.
        if max_distance.is_some_and(|m| {
            matches!(
                row.distance.partial_cmp(&m),
                Some(std::cmp::Ordering::Greater) | None
            )
        }) {
            stats.beyond_max_distance += 1;
            continue;
        }
        best.entry((row.protein.as_str(), row.go_id))
            .and_modify(|b| {
                if row.distance < b.distance {
                    *b = row;
                }
            })
            .or_insert(row);
    }
    let mut out = String::with_capacity(best.len() * 32);
    let mut last: Option<&str> = None;
    for ((protein, go_id), row) in &best {
        let score = match scoring {
            Some(config) => config.score(&Signals {
                distance: row.distance,
                identity_nw: row.identity_nw,
                identity_sw: row.identity_sw,
                evidence_code: row.evidence_code.as_deref(),
                taxonomic_distance: row.taxonomic_distance,
            }),
            None => knn_score(row.distance),
        };
        out.push_str(protein);
        out.push('\t');
        out.push_str(&go_id.to_string());
        // Four decimals, as the original wrote its prediction files.
        out.push_str(&format!("\t{score:.4}\n"));
        if last != Some(protein) {
            stats.proteins += 1;
            last = Some(protein);
        }
    }
    stats.written = best.len();
    (out, stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(protein: &str, term: u32, distance: f64) -> PredictionRow {
        PredictionRow::new(protein, GoId(term), distance)
    }

    #[test]
    fn closest_row_per_pair_within_delta_and_max_distance() {
        let rows = [
            row("B", 2, 0.5),
            row("A", 1, 0.8),
            row("A", 1, 0.2), // closer: wins
            row("A", 3, 1.5), // beyond max_distance
            row("Z", 1, 0.0), // not a delta protein
        ];
        let delta = BTreeSet::from(["A", "B"]);
        let (tsv, stats) = build_predictions(&rows, &delta, Some(1.0), None);
        assert_eq!(tsv, "A\tGO:0000001\t0.9000\nB\tGO:0000002\t0.7500\n");
        assert_eq!(
            stats,
            PredictionStats {
                rows: 5,
                written: 2,
                beyond_max_distance: 1,
                outside_delta: 1,
                proteins: 2
            }
        );
        let (all, _) = build_predictions(&rows, &delta, None, None);
        assert!(all.contains("A\tGO:0000003\t0.2500\n"));
    }

    #[test]
    fn scoring_config_replaces_the_knn_rule() {
        let config = crate::scoring::presets()[1].config.clone(); // embedding_plus_evidence
        let mut r = row("A", 1, 0.0);
        r.evidence_code = Some("IEA".into());
        let (tsv, _) = build_predictions([&r], &BTreeSet::from(["A"]), None, Some(&config));
        // (1 + 0.3) / 2 × 0.3
        assert_eq!(tsv, "A\tGO:0000001\t0.1950\n");
    }
}
