//! The frozen research dataset of PROTEA: `train.parquet`, `eval.parquet` and
//! `manifest.json` (optionally `parent_map.json`), exactly as ecosystem.md §3 documents
//! them: reserved columns first, then the v2 feature catalogue in order; manifest keys in
//! the producer's order with `schema_version = "v2"` and the legacy schema digest.
//!
//! Pure: bytes in, bytes out. Storing the files is the artifact store's business.

mod error;
mod frame;
mod manifest;
mod parquet_io;
pub mod schema;

pub use error::{DatasetError, Result};
pub use frame::{Frame, Row, is_go_id, is_snapshot_pair};
pub use manifest::{Manifest, ParentMap};
pub use parquet_io::{arrow_schema, column_type, read_parquet, write_parquet};

/// File names inside a dataset directory (or key prefix).
pub const TRAIN_FILE: &str = "train.parquet";
pub const EVAL_FILE: &str = "eval.parquet";
pub const MANIFEST_FILE: &str = "manifest.json";
pub const PARENT_MAP_FILE: &str = "parent_map.json";

/// What a producer knows about itself, for the manifest.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Producer {
    pub version: String,
    /// 40-hex git HEAD, when known.
    pub git_sha: Option<String>,
}

/// The files of a dataset, as (file name, bytes), ready to be stored. The manifest's row
/// counts and `schema_sha` are filled from the frames and the catalogue; an empty split
/// produces no file, as the producer does. Everything is validated before any byte is
/// returned, so a caller never stores half a dataset.
pub fn write_dataset(
    train: &Frame,
    eval: &Frame,
    mut manifest: Manifest,
    parent_map: Option<&ParentMap>,
) -> Result<Vec<(&'static str, Vec<u8>)>> {
    manifest.schema_version = schema::SCHEMA_VERSION.to_owned();
    manifest.schema_sha = schema::catalogue_schema_sha();
    manifest.n_train_rows = Some(train.len() as u64);
    manifest.n_eval_rows = Some(eval.len() as u64);
    manifest.format = "parquet".into();
    if let Some(r) = eval
        .rows
        .iter()
        .find(|r| r.snapshot_pair != manifest.eval_snapshot_pair)
    {
        return Err(DatasetError::Manifest {
            field: "eval_snapshot_pair".into(),
            message: format!(
                "eval rows carry {:?}, the manifest says {:?}",
                r.snapshot_pair, manifest.eval_snapshot_pair
            ),
        });
    }
    let mut files = Vec::new();
    if !train.is_empty() {
        files.push((TRAIN_FILE, write_parquet(train, TRAIN_FILE)?));
    }
    if !eval.is_empty() {
        files.push((EVAL_FILE, write_parquet(eval, EVAL_FILE)?));
    }
    if let Some(pm) = parent_map {
        let bytes = serde_json::to_vec(pm).map_err(|source| DatasetError::Json {
            file: PARENT_MAP_FILE.into(),
            source,
        })?;
        files.push((PARENT_MAP_FILE, bytes));
    }
    files.push((MANIFEST_FILE, manifest.to_json()?));
    Ok(files)
}

/// A manifest skeleton for a producer (digest and counts are filled by [`write_dataset`]).
pub fn manifest_for(
    name: &str,
    k: u32,
    embedding_config_id: &str,
    ontology_snapshot_id: &str,
    train_snapshot_pairs: Vec<String>,
    eval_snapshot_pair: &str,
    producer: &Producer,
) -> Manifest {
    Manifest {
        schema_version: schema::SCHEMA_VERSION.into(),
        name: name.into(),
        k,
        embedding_config_id: embedding_config_id.into(),
        ontology_snapshot_id: ontology_snapshot_id.into(),
        annotation_source: Some("goa".into()),
        train_snapshot_pairs,
        eval_snapshot_pair: eval_snapshot_pair.into(),
        schema_sha: schema::catalogue_schema_sha(),
        n_train_rows: None,
        n_eval_rows: None,
        format: "parquet".into(),
        producer_version: Some(producer.version.clone()),
        producer_git_sha: producer.git_sha.clone(),
        spec_hash: None,
        parent_schema_sha: None,
        feature_families: None,
    }
}

#[cfg(test)]
mod tests;
