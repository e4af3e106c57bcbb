//! The taxonomic voters (ecosystem.md §4.6): how taxonomically close the neighbours that
//! voted for a (query, term) candidate are.

/// One vote: a neighbour annotation row carrying the candidate term, with the taxonomy
/// pair features of (query, that neighbour).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Vote<'a> {
    /// `taxonomic_relation` (same, ancestor, descendant, child, parent, root-only,
    /// unrelated, …); `None` when unknown.
    pub relation: Option<&'a str>,
    /// `taxonomic_common_ancestors`; `None` when unknown.
    pub common_ancestors: Option<f64>,
}

/// `tax_voters_same_frac`, `tax_voters_close_frac`, `tax_voters_mean_common_ancestors`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaxVoters {
    pub same_frac: f64,
    pub close_frac: f64,
    pub mean_common_ancestors: f64,
}

impl TaxVoters {
    /// All three NaN: taxonomy features are off.
    pub const OFF: Self = Self {
        same_frac: f64::NAN,
        close_frac: f64::NAN,
        mean_common_ancestors: f64::NAN,
    };
}

/// Relations that count as "close".
const CLOSE: &[&str] = &["same", "ancestor", "descendant", "child", "parent", "close"];

/// The voters of one candidate: `same / max(1, votes)`, `close / max(1, votes)`, and the
/// mean of the known common-ancestor counts (NaN when none is known). With taxonomy off
/// (`taxonomy_on == false`) all three are NaN.
pub fn tax_voters(votes: &[Vote<'_>], taxonomy_on: bool) -> TaxVoters {
    if !taxonomy_on {
        return TaxVoters::OFF;
    }
    let mut same = 0usize;
    let mut close = 0usize;
    let mut ca_sum = 0.0;
    let mut ca_n = 0usize;
    for v in votes {
        if v.relation == Some("same") {
            same += 1;
        }
        if v.relation.is_some_and(|r| CLOSE.contains(&r)) {
            close += 1;
        }
        if let Some(ca) = v.common_ancestors.filter(|c| c.is_finite()) {
            ca_sum += ca;
            ca_n += 1;
        }
    }
    let denominator = votes.len().max(1) as f64;
    TaxVoters {
        same_frac: same as f64 / denominator,
        close_frac: close as f64 / denominator,
        mean_common_ancestors: if ca_n == 0 {
            f64::NAN
        } else {
            ca_sum / ca_n as f64
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote(relation: Option<&str>, ca: Option<f64>) -> Vote<'_> {
        Vote {
            relation,
            common_ancestors: ca,
        }
    }

    #[test]
    fn fractions_count_votes_and_the_mean_counts_known_values() {
        let votes = [
            vote(Some("same"), Some(30.0)),
            vote(Some("parent"), Some(28.0)),
            vote(Some("unrelated"), None),
            vote(None, Some(2.0)),
        ];
        let t = tax_voters(&votes, true);
        assert_eq!(t.same_frac, 0.25);
        assert_eq!(t.close_frac, 0.5);
        assert_eq!(t.mean_common_ancestors, 20.0);
    }

    #[test]
    fn no_votes_and_taxonomy_off() {
        let t = tax_voters(&[], true);
        assert_eq!((t.same_frac, t.close_frac), (0.0, 0.0));
        assert!(t.mean_common_ancestors.is_nan());
        let off = tax_voters(&[vote(Some("same"), Some(1.0))], false);
        assert!(off.same_frac.is_nan() && off.close_frac.is_nan());
    }
}
