//! The platform's queue names.

pub const PING: &str = "protea.ping";
pub const JOBS: &str = "protea.jobs";
pub const EMBEDDINGS: &str = "protea.embeddings";
pub const EMBEDDINGS_BATCH: &str = "protea.embeddings.batch";
pub const EMBEDDINGS_WRITE: &str = "protea.embeddings.write";
pub const PREDICTIONS: &str = "protea.predictions";
pub const PREDICTIONS_BATCH: &str = "protea.predictions.batch";
pub const PREDICTIONS_WRITE: &str = "protea.predictions.write";
pub const EVALUATIONS: &str = "protea.evaluations";
pub const TRAINING: &str = "protea.training";

/// Every queue, in the order `protea up` starts their workers.
pub const ALL: [&str; 10] = [
    PING,
    JOBS,
    EMBEDDINGS,
    EMBEDDINGS_BATCH,
    EMBEDDINGS_WRITE,
    PREDICTIONS,
    PREDICTIONS_BATCH,
    PREDICTIONS_WRITE,
    EVALUATIONS,
    TRAINING,
];

/// Queues whose single consumer serialises work (one GPU): `protea up` runs
/// one worker task on them whatever the concurrency setting.
pub const SERIAL: [&str; 1] = [EMBEDDINGS];
