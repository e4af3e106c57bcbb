//! What the evaluation operations share: the artifact store they write to (a worker
//! extension) and the mapping of store errors to operation errors.

use std::sync::Arc;

use protea_jobs::OperationError;
use protea_store::StoreError;
use protea_store::artifacts::ArtifactStore;

/// The artifact store evaluation outputs go to. The binary installs it as a worker
/// extension (`Extensions::insert(EvaluationArtifacts(..))`), rooted in the data directory.
#[derive(Clone)]
pub struct EvaluationArtifacts(pub Arc<dyn ArtifactStore>);

/// Database faults keep their transient/definite classification; anything else fails the
/// job with a named code.
pub(crate) fn store_error(err: impl Into<StoreError>) -> OperationError {
    match err.into() {
        StoreError::Sqlx(e) => OperationError::from(e),
        other => OperationError::failed("StoreError", other.to_string()),
    }
}
