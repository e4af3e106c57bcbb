//! The text model reader: header `key=value` lines, `Tree=N` blocks, `end of trees`, the
//! feature importances, the `parameters:` block and the `pandas_categorical:` line.

use std::collections::HashMap;
use std::str::FromStr;

use super::{Booster, Objective, Tree};
use crate::error::{RerankerError, Result};

/// `key=value` lines of one section, with the line number of each.
struct Section<'a> {
    fields: HashMap<&'a str, (usize, &'a str)>,
    start: usize,
    what: &'static str,
}

impl<'a> Section<'a> {
    fn new(start: usize, what: &'static str) -> Self {
        Self {
            fields: HashMap::new(),
            start,
            what,
        }
    }

    fn insert(&mut self, line: usize, text: &'a str) -> Result<()> {
        let (key, value) = text
            .split_once('=')
            .ok_or_else(|| RerankerError::model(line, text, "expected key=value"))?;
        self.fields.insert(key, (line, value));
        Ok(())
    }

    fn get(&self, key: &str) -> Option<(usize, &'a str)> {
        self.fields.get(key).copied()
    }

    fn required(&self, key: &str) -> Result<(usize, &'a str)> {
        self.get(key).ok_or_else(|| {
            RerankerError::model(
                self.start,
                key,
                format!("missing from the {} starting here", self.what),
            )
        })
    }

    fn scalar<T: FromStr>(&self, key: &str) -> Result<T> {
        let (line, value) = self.required(key)?;
        value
            .trim()
            .parse()
            .map_err(|_| RerankerError::model(line, key, format!("`{value}` is not a valid value")))
    }

    /// A space-separated array; an absent field or empty value is an empty array.
    fn array<T: FromStr>(&self, key: &str) -> Result<Vec<T>> {
        let Some((line, value)) = self.get(key) else {
            return Ok(Vec::new());
        };
        value
            .split_whitespace()
            .enumerate()
            .map(|(i, word)| {
                parse_number(word).ok_or_else(|| {
                    RerankerError::model(
                        line,
                        key,
                        format!("item {i}: `{word}` is not a valid value"),
                    )
                })
            })
            .collect()
    }
}

/// Numbers as LightGBM prints them, including `inf`, `-inf` and `nan` spellings.
fn parse_number<T: FromStr>(word: &str) -> Option<T> {
    word.parse().ok().or_else(|| match word {
        "inf" | "+inf" | "Infinity" => "inf".parse().ok(),
        "-inf" | "-Infinity" => "-inf".parse().ok(),
        _ => None,
    })
}

pub(super) fn parse(text: &str) -> Result<Booster> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .collect();
    let mut i = 0;
    // Header: up to the first tree (or end of trees, for a model with none).
    let mut header = Section::new(1, "header");
    while i < lines.len() {
        let (n, l) = lines[i];
        if l.starts_with("Tree=") || l == "end of trees" {
            break;
        }
        if !l.is_empty() && l != "tree" {
            header.insert(n, l)?;
        }
        i += 1;
    }
    if lines.first().map(|(_, l)| l.trim()) != Some("tree") {
        return Err(RerankerError::model(
            1,
            "tree",
            "not a LightGBM text model (the first line must be `tree`)",
        ));
    }
    let version = header
        .get("version")
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    let num_class: usize = header.scalar("num_class")?;
    let num_tree_per_iteration: usize = header.scalar("num_tree_per_iteration")?;
    let max_feature_idx: usize = header.scalar("max_feature_idx")?;
    let (objective_line, objective) = header.required("objective")?;
    let objective = Objective::parse(objective, objective_line)?;
    let (names_line, names) = header.required("feature_names")?;
    let feature_names: Vec<String> = names.split_whitespace().map(str::to_string).collect();
    if feature_names.len() != max_feature_idx + 1 {
        return Err(RerankerError::model(
            names_line,
            "feature_names",
            format!(
                "{} names for max_feature_idx={max_feature_idx}",
                feature_names.len()
            ),
        ));
    }
    let feature_infos: Vec<String> = header
        .get("feature_infos")
        .map(|(_, v)| v.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let average_output = header.get("average_output").is_some();
    if num_tree_per_iteration == 0 {
        return Err(RerankerError::model(
            header.required("num_tree_per_iteration")?.0,
            "num_tree_per_iteration",
            "must be at least 1",
        ));
    }

    // Trees.
    let mut trees = Vec::new();
    while i < lines.len() && lines[i].1 != "end of trees" {
        let (n, l) = lines[i];
        let Some(index) = l.strip_prefix("Tree=") else {
            if l.is_empty() {
                i += 1;
                continue;
            }
            return Err(RerankerError::model(
                n,
                l,
                "expected `Tree=N` or `end of trees`",
            ));
        };
        if index.parse::<usize>() != Ok(trees.len()) {
            return Err(RerankerError::model(
                n,
                "Tree",
                format!("expected tree {}, found `{index}`", trees.len()),
            ));
        }
        let mut section = Section::new(n, "tree");
        i += 1;
        while i < lines.len()
            && !lines[i].1.is_empty()
            && !lines[i].1.starts_with("Tree=")
            && lines[i].1 != "end of trees"
        {
            section.insert(lines[i].0, lines[i].1)?;
            i += 1;
        }
        trees.push(parse_tree(&section, max_feature_idx)?);
    }
    if i == lines.len() {
        return Err(RerankerError::model(
            lines.len(),
            "end of trees",
            "the model ends before `end of trees` (truncated?)",
        ));
    }
    if trees.len() % num_tree_per_iteration != 0 {
        return Err(RerankerError::model(
            lines[i].0,
            "Tree",
            format!(
                "{} trees is not a whole number of iterations of {num_tree_per_iteration}",
                trees.len()
            ),
        ));
    }

    // Trailer: parameters and pandas_categorical.
    let mut categorical_param = None;
    let mut pandas_categorical = None;
    for &(n, l) in &lines[i..] {
        if let Some(value) = l
            .strip_prefix("[categorical_feature: ")
            .and_then(|v| v.strip_suffix(']'))
        {
            categorical_param = Some(parse_indices(value, n, max_feature_idx)?);
        } else if let Some(value) = l.strip_prefix("pandas_categorical:") {
            pandas_categorical = parse_pandas_categorical(value, n)?;
        }
    }
    // Without the parameter, categorical columns are those whose infos list categories.
    let categorical_features = categorical_param.unwrap_or_else(|| {
        feature_infos
            .iter()
            .enumerate()
            .filter(|(_, info)| !info.starts_with('[') && info.as_str() != "none")
            .map(|(c, _)| c)
            .collect()
    });
    Ok(Booster {
        version,
        num_class,
        num_tree_per_iteration,
        objective,
        feature_names,
        feature_infos,
        average_output,
        trees,
        categorical_features,
        pandas_categorical,
    })
}

fn parse_indices(value: &str, line: usize, max_feature_idx: usize) -> Result<Vec<usize>> {
    value
        .split(',')
        .filter(|w| !w.trim().is_empty())
        .map(|w| match w.trim().parse::<usize>() {
            Ok(c) if c <= max_feature_idx => Ok(c),
            _ => Err(RerankerError::model(
                line,
                "categorical_feature",
                format!("`{w}` is not a column index (names in this parameter are not supported)"),
            )),
        })
        .collect()
}

fn parse_pandas_categorical(value: &str, line: usize) -> Result<Option<Vec<Vec<String>>>> {
    let json: serde_json::Value = serde_json::from_str(value.trim())
        .map_err(|e| RerankerError::model(line, "pandas_categorical", e.to_string()))?;
    let bad = || {
        RerankerError::model(
            line,
            "pandas_categorical",
            "expected null or a list of lists",
        )
    };
    match json {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Array(columns) => columns
            .into_iter()
            .map(|column| match column {
                serde_json::Value::Array(values) => Ok(values
                    .into_iter()
                    .map(|v| match v {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    })
                    .collect()),
                _ => Err(bad()),
            })
            .collect::<Result<Vec<_>>>()
            .map(Some),
        _ => Err(bad()),
    }
}

fn parse_tree(s: &Section<'_>, max_feature_idx: usize) -> Result<Tree> {
    let num_leaves: usize = s.scalar("num_leaves")?;
    if num_leaves == 0 {
        return Err(RerankerError::model(
            s.required("num_leaves")?.0,
            "num_leaves",
            "must be at least 1",
        ));
    }
    if let Some((line, v)) = s.get("is_linear")
        && v.trim() != "0"
    {
        return Err(RerankerError::model(
            line,
            "is_linear",
            "linear trees are not supported",
        ));
    }
    let tree = Tree {
        num_leaves,
        split_feature: s.array("split_feature")?,
        threshold: s.array("threshold")?,
        decision_type: s
            .array::<i32>("decision_type")?
            .into_iter()
            .map(|d| d as u8)
            .collect(),
        left_child: s.array("left_child")?,
        right_child: s.array("right_child")?,
        leaf_value: s.array("leaf_value")?,
        cat_boundaries: s.array("cat_boundaries")?,
        cat_threshold: s.array("cat_threshold")?,
    };
    let internal = num_leaves - 1;
    let field_len = |key: &str, len: usize, want: usize| -> Result<()> {
        if len != want {
            let line = s.get(key).map_or(s.start, |(l, _)| l);
            return Err(RerankerError::model(
                line,
                key,
                format!("{len} values, expected {want}"),
            ));
        }
        Ok(())
    };
    field_len("leaf_value", tree.leaf_value.len(), num_leaves)?;
    field_len("split_feature", tree.split_feature.len(), internal)?;
    field_len("threshold", tree.threshold.len(), internal)?;
    field_len("decision_type", tree.decision_type.len(), internal)?;
    field_len("left_child", tree.left_child.len(), internal)?;
    field_len("right_child", tree.right_child.len(), internal)?;
    let num_cat: usize = if s.get("num_cat").is_some() {
        s.scalar("num_cat")?
    } else {
        0
    };
    if num_cat > 0 {
        field_len("cat_boundaries", tree.cat_boundaries.len(), num_cat + 1)?;
        let line = s.get("cat_boundaries").map_or(s.start, |(l, _)| l);
        if tree.cat_boundaries.windows(2).any(|w| w[0] > w[1])
            || tree.cat_boundaries.last().copied() != Some(tree.cat_threshold.len())
        {
            return Err(RerankerError::model(
                line,
                "cat_boundaries",
                "must rise and end at the length of cat_threshold",
            ));
        }
    }
    let line_of = |key: &str| s.get(key).map_or(s.start, |(l, _)| l);
    for node in 0..internal {
        if tree.split_feature[node] > max_feature_idx {
            return Err(RerankerError::model(
                line_of("split_feature"),
                "split_feature",
                format!(
                    "node {node}: column {} beyond max_feature_idx",
                    tree.split_feature[node]
                ),
            ));
        }
        for (key, child) in [
            ("left_child", tree.left_child[node]),
            ("right_child", tree.right_child[node]),
        ] {
            // Nodes are appended as the tree grows, so an internal child always comes after
            // its parent: checking it here guarantees the walk terminates.
            let ok = if child < 0 {
                ((!child) as usize) < num_leaves
            } else {
                (child as usize) > node && (child as usize) < internal
            };
            if !ok {
                return Err(RerankerError::model(
                    line_of(key),
                    key,
                    format!("node {node}: child {child} is out of range"),
                ));
            }
        }
        if tree.decision_type[node] & 1 != 0 {
            let set = tree.threshold[node];
            if set < 0.0 || set.fract() != 0.0 || (set as usize) >= num_cat {
                return Err(RerankerError::model(
                    line_of("threshold"),
                    "threshold",
                    format!("node {node}: categorical split refers to bitset {set} of {num_cat}"),
                ));
            }
        }
    }
    Ok(tree)
}
