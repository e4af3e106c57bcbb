//! What runners need from their host: where runs are recorded.

use protea_artifacts::{ArtifactStore, open};

use crate::contract::Result;

/// The runners' environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerEnv {
    /// Directory URI under which each run gets `<run_id>/` (`file:///…/runs` or
    /// `s3://bucket/runs`).
    pub runs_uri: String,
}

impl RunnerEnv {
    pub fn new(runs_uri: impl Into<String>) -> RunnerEnv {
        RunnerEnv {
            runs_uri: runs_uri.into().trim_end_matches('/').to_owned(),
        }
    }

    /// The store of one run's directory.
    pub fn run_store(&self, run_id: &str) -> Result<Box<dyn ArtifactStore>> {
        protea_artifacts::validate_key(run_id)?;
        Ok(open(&format!("{}/{run_id}", self.runs_uri))?)
    }
}
