//! Length-aware batching: sequences are sorted by length (longest first) and
//! packed greedily so that `batch size × longest length` stays within a
//! token budget. Padding waste is then limited to neighbours of similar
//! length, and a long sequence travels alone, so memory per forward pass is
//! bounded by the budget (attention itself is further bounded by query
//! blocking in the encoder).

/// Groups item indices into batches. `lengths[i]` is item i's token count;
/// a batch's cost is `count × max length`. An item longer than the budget
/// forms a batch of its own. Batches come out longest first; indices inside
/// a batch are in decreasing length.
pub fn plan_batches(lengths: &[usize], budget_tokens: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    // Stable sort: equal lengths keep input order, so plans are deterministic.
    order.sort_by(|&a, &b| lengths[b].cmp(&lengths[a]));
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for i in order {
        // Sorted descending: the first item of a batch is its longest.
        let longest = current.first().map_or(lengths[i], |&f| lengths[f]);
        if !current.is_empty() && (current.len() + 1) * longest > budget_tokens {
            batches.push(std::mem::take(&mut current));
        }
        current.push(i);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

/// A batch of token-id rows padded to its longest row with `pad`, with a
/// per-position mask holding `real` for real tokens and `padding` for
/// padding (each encoder wants its own mask values). Returns
/// `(ids, mask, padded_length)`, both flat `B × L`.
pub(crate) fn pad_rows(
    ids: &[Vec<u32>],
    pad: u32,
    real: f32,
    padding: f32,
) -> (Vec<u32>, Vec<f32>, usize) {
    let l = ids.iter().map(Vec::len).max().unwrap_or(0);
    let mut flat = Vec::with_capacity(ids.len() * l);
    let mut mask = Vec::with_capacity(ids.len() * l);
    for row in ids {
        flat.extend(
            row.iter()
                .copied()
                .chain(std::iter::repeat_n(pad, l - row.len())),
        );
        mask.extend((0..l).map(|i| if i < row.len() { real } else { padding }));
    }
    (flat, mask, l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_to_the_budget_and_isolates_long_items() {
        let plan = plan_batches(&[10, 50, 12, 2000, 11], 40);
        assert_eq!(plan, vec![vec![3], vec![1], vec![2, 4, 0]]);
        let all: usize = plan.iter().map(Vec::len).sum();
        assert_eq!(all, 5);
        assert!(plan_batches(&[], 10).is_empty());
    }
}
