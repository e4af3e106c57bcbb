//! Reading and publishing research datasets through the artifact store.

use bytes::Bytes;
use protea_artifacts::{ArtifactError, ArtifactStore, Stored, open};
use protea_dataset::{
    EVAL_FILE, Frame, MANIFEST_FILE, Manifest, PARENT_MAP_FILE, ParentMap, TRAIN_FILE, read_parquet,
};

use crate::contract::{Result, RunnerError};

/// Which split to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    Eval,
}

impl Split {
    pub fn file(self) -> &'static str {
        match self {
            Split::Train => TRAIN_FILE,
            Split::Eval => EVAL_FILE,
        }
    }
}

/// One split of a dataset with what describes it.
#[derive(Debug, Clone)]
pub struct LoadedSplit {
    pub frame: Frame,
    /// `manifest.json`, when the dataset has one.
    pub manifest: Option<Manifest>,
    /// `parent_map.json`, when the dataset has one.
    pub parent_map: Option<ParentMap>,
}

fn optional(store: &dyn ArtifactStore, key: &str) -> Result<Option<Vec<u8>>> {
    match store.get_key(key) {
        Ok(b) => Ok(Some(b)),
        Err(ArtifactError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Reads one split of the dataset at a directory URI.
pub fn load_split(dataset_uri: &str, split: Split) -> Result<LoadedSplit> {
    let store = open(dataset_uri)?;
    let bytes = match store.get_key(split.file()) {
        Ok(b) => b,
        Err(ArtifactError::NotFound { uri }) => {
            return Err(RunnerError::Input(format!(
                "{uri}: the dataset has no {} (an empty split writes no file)",
                split.file()
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let frame = read_parquet(Bytes::from(bytes), split.file())?;
    let manifest = optional(store.as_ref(), MANIFEST_FILE)?
        .map(|b| Manifest::from_json(&b))
        .transpose()?;
    let parent_map = optional(store.as_ref(), PARENT_MAP_FILE)?
        .map(|b| ParentMap::from_json(&b))
        .transpose()?;
    Ok(LoadedSplit {
        frame,
        manifest,
        parent_map,
    })
}

/// Stores the files of [`protea_dataset::write_dataset`] under a directory URI, the
/// manifest last, so a dataset with a manifest is complete.
pub fn publish(
    dataset_uri: &str,
    files: &[(&'static str, Vec<u8>)],
) -> Result<Vec<(String, Stored)>> {
    let store = open(dataset_uri)?;
    let mut out = Vec::new();
    let (manifest, rest): (Vec<_>, Vec<_>) = files.iter().partition(|(n, _)| *n == MANIFEST_FILE);
    for (name, bytes) in rest.into_iter().chain(manifest) {
        out.push(((*name).to_owned(), store.put_hashed(name, bytes)?));
    }
    Ok(out)
}
