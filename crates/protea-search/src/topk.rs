//! A bounded top-k of (distance, index) pairs: the k smallest by distance, ties by ascending
//! index, so the result never depends on the order candidates arrive in (threads, blocks).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::types::Neighbor;

#[derive(Debug, Clone, Copy)]
struct Item {
    distance: f32,
    index: u32,
}

impl Item {
    fn key_cmp(&self, other: &Self) -> Ordering {
        self.distance
            .total_cmp(&other.distance)
            .then(self.index.cmp(&other.index))
    }
}

impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        self.key_cmp(other) == Ordering::Equal
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Item {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key_cmp(other)
    }
}

/// Max-heap of the best `k` so far; `worst` caches the heap top for the fast reject.
#[derive(Debug, Clone)]
pub(crate) struct TopK {
    k: usize,
    heap: BinaryHeap<Item>,
    worst: f32,
}

impl TopK {
    pub(crate) fn new(k: usize) -> Self {
        TopK {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
            worst: f32::INFINITY,
        }
    }

    /// The distance a candidate must not exceed to have a chance (ties are settled by index).
    #[inline]
    pub(crate) fn bound(&self) -> f32 {
        self.worst
    }

    #[inline]
    pub(crate) fn push(&mut self, distance: f32, index: u32) {
        let item = Item { distance, index };
        if self.heap.len() < self.k {
            self.heap.push(item);
            if self.heap.len() == self.k {
                self.worst = self.heap.peek().map_or(f32::INFINITY, |t| t.distance);
            }
        } else {
            let replaced = match self.heap.peek_mut() {
                Some(mut top) if item < *top => {
                    *top = item;
                    true
                }
                _ => false,
            };
            if replaced {
                self.worst = self.heap.peek().map_or(f32::INFINITY, |t| t.distance);
            }
        }
    }

    pub(crate) fn merge(&mut self, other: TopK) {
        for it in other.heap {
            self.push(it.distance, it.index);
        }
    }

    /// Nearest first.
    pub(crate) fn into_sorted(self) -> Vec<Neighbor> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|it| Neighbor {
                index: it.index,
                distance: it.distance,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_k_smallest_with_ties_by_index_in_any_arrival_order() {
        let cands = [(0.5, 7), (0.1, 3), (0.5, 2), (0.9, 1), (0.1, 9), (0.5, 4)];
        let mut fwd = TopK::new(4);
        let mut rev = TopK::new(4);
        for &(d, i) in &cands {
            fwd.push(d, i);
        }
        for &(d, i) in cands.iter().rev() {
            rev.push(d, i);
        }
        let want: Vec<(f32, u32)> = vec![(0.1, 3), (0.1, 9), (0.5, 2), (0.5, 4)];
        for got in [fwd.into_sorted(), rev.into_sorted()] {
            let got: Vec<(f32, u32)> = got.iter().map(|n| (n.distance, n.index)).collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn merge_equals_pushing_everything_into_one() {
        let mut a = TopK::new(3);
        let mut b = TopK::new(3);
        let mut all = TopK::new(3);
        for i in 0..20u32 {
            let d = ((i * 7) % 11) as f32;
            if i % 2 == 0 {
                a.push(d, i)
            } else {
                b.push(d, i)
            }
            all.push(d, i);
        }
        a.merge(b);
        assert_eq!(a.into_sorted(), all.into_sorted());
    }
}
