//! manifest.json: keys in the producer's write order, written with `indent=2`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{DatasetError, Result};
use crate::frame::is_snapshot_pair;
use crate::schema::SCHEMA_VERSION;

/// The dataset manifest (ManifestV1 with `schema_version = "v2"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    #[serde(default = "default_schema_version")]
    pub schema_version: String,
    pub name: String,
    pub k: u32,
    pub embedding_config_id: String,
    pub ontology_snapshot_id: String,
    #[serde(default)]
    pub annotation_source: Option<String>,
    pub train_snapshot_pairs: Vec<String>,
    pub eval_snapshot_pair: String,
    pub schema_sha: String,
    #[serde(default)]
    pub n_train_rows: Option<u64>,
    #[serde(default)]
    pub n_eval_rows: Option<u64>,
    #[serde(default = "default_format")]
    pub format: String,
    #[serde(default)]
    pub producer_version: Option<String>,
    #[serde(default)]
    pub producer_git_sha: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_schema_sha: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_families: Option<Vec<String>>,
}

fn default_schema_version() -> String {
    SCHEMA_VERSION.to_owned()
}

fn default_format() -> String {
    "parquet".to_owned()
}

fn bad(field: &str, message: impl Into<String>) -> DatasetError {
    DatasetError::Manifest {
        field: field.into(),
        message: message.into(),
    }
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The lab validator's placeholder rule: empty, a placeholder word, or one repeated character.
fn is_placeholder(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let words = ["placeholder", "tbd", "todo", "fixme", "xxx"];
    lower.is_empty()
        || words.iter().any(|w| lower.contains(w))
        || ["n/a", "na", "null", "none"].contains(&lower.as_str())
        || lower.chars().all(|c| lower.starts_with(c))
}

impl Manifest {
    /// The checks of the lab's `validate_manifest.py`.
    pub fn validate(&self) -> Result<()> {
        if self.schema_version != SCHEMA_VERSION {
            return Err(bad("schema_version", format!("must be {SCHEMA_VERSION:?}")));
        }
        if self.name.trim().is_empty() {
            return Err(bad("name", "must not be empty"));
        }
        if self.k == 0 {
            return Err(bad("k", "must be a positive integer"));
        }
        if !is_hex(&self.schema_sha, 12) || is_placeholder(&self.schema_sha) {
            return Err(bad("schema_sha", "must be 12 lower-case hex characters"));
        }
        if let Some(sha) = &self.producer_git_sha
            && (!is_hex(sha, 40) || is_placeholder(sha))
        {
            return Err(bad(
                "producer_git_sha",
                "must be 40 lower-case hex characters",
            ));
        }
        for (field, pair) in self
            .train_snapshot_pairs
            .iter()
            .map(|p| ("train_snapshot_pairs", p))
            .chain(std::iter::once((
                "eval_snapshot_pair",
                &self.eval_snapshot_pair,
            )))
        {
            if !is_snapshot_pair(pair) {
                return Err(bad(field, format!("{pair:?} is not v<old>-v<new>")));
            }
        }
        if self.format != "parquet" {
            return Err(bad("format", "must be \"parquet\""));
        }
        Ok(())
    }

    /// Parses and validates manifest.json.
    pub fn from_json(bytes: &[u8]) -> Result<Manifest> {
        let m: Manifest = serde_json::from_slice(bytes).map_err(|source| DatasetError::Json {
            file: "manifest.json".into(),
            source,
        })?;
        m.validate()?;
        Ok(m)
    }

    /// The file bytes: JSON with 2-space indentation, keys in write order.
    pub fn to_json(&self) -> Result<Vec<u8>> {
        self.validate()?;
        let mut out = serde_json::to_vec_pretty(self).map_err(|source| DatasetError::Json {
            file: "manifest.json".into(),
            source,
        })?;
        out.push(b'\n');
        Ok(out)
    }
}

/// `parent_map.json`: direct is_a / part_of parents per GO id (optional in a dataset).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ParentMap {
    #[serde(default)]
    pub ontology_snapshot_id: Option<String>,
    pub n_edges: usize,
    pub n_terms: usize,
    pub parents: BTreeMap<String, Vec<String>>,
}

impl ParentMap {
    pub fn new(
        ontology_snapshot_id: Option<String>,
        parents: BTreeMap<String, Vec<String>>,
    ) -> Self {
        let n_edges = parents.values().map(Vec::len).sum();
        ParentMap {
            ontology_snapshot_id,
            n_edges,
            n_terms: parents.len(),
            parents,
        }
    }

    /// Reads either the wrapper object or a bare `{child: [parents]}` map.
    pub fn from_json(bytes: &[u8]) -> Result<ParentMap> {
        let err = |source| DatasetError::Json {
            file: "parent_map.json".into(),
            source,
        };
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(err)?;
        if value.get("parents").is_some() {
            serde_json::from_value(value).map_err(err)
        } else {
            let parents: BTreeMap<String, Vec<String>> =
                serde_json::from_value(value).map_err(err)?;
            Ok(ParentMap::new(None, parents))
        }
    }
}
