/// One regression tree, as the text model stores it (arrays indexed by internal node;
/// a child `c < 0` is leaf `!c`). Shrinkage is already folded into `leaf_value`.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    pub num_leaves: usize,
    pub split_feature: Vec<usize>,
    pub threshold: Vec<f64>,
    pub decision_type: Vec<u8>,
    pub left_child: Vec<i32>,
    pub right_child: Vec<i32>,
    pub leaf_value: Vec<f64>,
    pub cat_boundaries: Vec<usize>,
    pub cat_threshold: Vec<u32>,
}

// decision_type bit fields.
const CATEGORICAL: u8 = 1;
const DEFAULT_LEFT: u8 = 2;
const MISSING_ZERO: u8 = 1;
const MISSING_NAN: u8 = 2;
/// LightGBM's `kZeroThreshold` (a float literal 1e-35f, widened).
const ZERO_THRESHOLD: f64 = 1e-35_f32 as f64;

impl Tree {
    /// The leaf value this row reaches. The parser has checked every index, and that
    /// children come after their parent, so the walk ends.
    pub fn predict(&self, row: &[f64]) -> f64 {
        if self.num_leaves <= 1 {
            return self.leaf_value[0];
        }
        let mut node = 0usize;
        loop {
            let next = if self.decision_type[node] & CATEGORICAL != 0 {
                self.categorical(row[self.split_feature[node]], node)
            } else {
                self.numerical(row[self.split_feature[node]], node)
            };
            if next < 0 {
                return self.leaf_value[!next as usize];
            }
            node = next as usize;
        }
    }

    fn missing_type(&self, node: usize) -> u8 {
        (self.decision_type[node] >> 2) & 3
    }

    fn numerical(&self, value: f64, node: usize) -> i32 {
        let missing = self.missing_type(node);
        let mut v = value;
        // Without a NaN branch, NaN is read as 0.
        if v.is_nan() && missing != MISSING_NAN {
            v = 0.0;
        }
        let is_missing = (missing == MISSING_ZERO
            && (-ZERO_THRESHOLD..=ZERO_THRESHOLD).contains(&v))
            || (missing == MISSING_NAN && v.is_nan());
        if is_missing {
            return if self.decision_type[node] & DEFAULT_LEFT != 0 {
                self.left_child[node]
            } else {
                self.right_child[node]
            };
        }
        if v <= self.threshold[node] {
            self.left_child[node]
        } else {
            self.right_child[node]
        }
    }

    fn categorical(&self, value: f64, node: usize) -> i32 {
        // NaN and negative categories go right, whatever the split's missing type
        // (checked against lightgbm 4.7: a split trained without NaN sends NaN right too).
        if value.is_nan() {
            return self.right_child[node];
        }
        // Truncation towards zero, like C++'s static_cast<int>.
        let c = value as i64;
        if c < 0 {
            return self.right_child[node];
        }
        let category = c as u64;
        let set = self.threshold[node] as usize;
        let words = &self.cat_threshold[self.cat_boundaries[set]..self.cat_boundaries[set + 1]];
        let word = (category / 32) as usize;
        if word < words.len() && (words[word] >> (category % 32)) & 1 == 1 {
            self.left_child[node]
        } else {
            self.right_child[node]
        }
    }
}
