//! The threshold grid and the output precision, computed exactly as numpy/cafaeval do.

/// `numpy.arange(th_step, 1, th_step)`: length `ceil((1 - step) / step)` and values
/// `step + i * d` with `d = (step + step) - step`, not decimal literals (so the "0.06"
/// threshold is 0.060000000000000005).
pub fn thresholds(th_step: f64) -> Vec<f64> {
    let len = ((1.0 - th_step) / th_step).ceil().max(0.0) as usize;
    let delta = (th_step + th_step) - th_step;
    (0..len).map(|i| th_step + i as f64 * delta).collect()
}

/// Decimals used by cafaeval's writer: `ceil(-log10(th_step)) + 1`.
pub fn decimals(th_step: f64) -> usize {
    ((-th_step.log10()).ceil() + 1.0).max(0.0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_matches_numpy_arange() {
        let t = thresholds(0.01);
        assert_eq!(t.len(), 99);
        assert_eq!(t[0], 0.01);
        // The binary values numpy produces, not the two-decimal literals.
        assert_eq!(t[5], 0.060000000000000005);
        assert_eq!(t[6], 0.06999999999999999);
        assert_eq!(t[9], 0.09999999999999999);
        assert_eq!(t[14], 0.15000000000000002);
        assert_eq!(t[56], 0.5700000000000001);
        assert_eq!(t[94], 0.9500000000000001);
        assert_eq!(t.iter().filter(|&&x| format!("{x}").len() > 4).count(), 25);
        assert_eq!(thresholds(0.001).len(), 999);
        assert_eq!(thresholds(0.05).len(), 19);
        // A score of exactly 0.06 is not predicted at the "0.06" threshold.
        assert!(0.06 < t[5]);
    }

    #[test]
    fn decimals_follow_the_step() {
        assert_eq!(decimals(0.01), 3);
        assert_eq!(decimals(0.001), 4);
        assert_eq!(decimals(0.1), 2);
        assert_eq!(decimals(0.05), 3);
    }
}
