//! One module per group of subcommands.

pub(crate) mod catalog;
pub(crate) mod db;
pub(crate) mod embed;
pub(crate) mod embeddings;
pub(crate) mod eval;
pub(crate) mod evaluation;
pub(crate) mod job;
pub(crate) mod knn;
pub(crate) mod platform;
pub(crate) mod predict;
pub(crate) mod reranker_models;
pub(crate) mod runner;

use crate::config::Config;
use protea_jobs::{JobService, PgQueue};
use sqlx::PgPool;
use std::sync::Arc;

/// The job service over `pool`, with the platform's operations.
pub(crate) fn job_service(config: &Config, pool: &PgPool) -> JobService {
    let transport = PgQueue::new(pool.clone()).with_max_attempts(config.worker.max_attempts);
    JobService::new(pool.clone(), protea_ops::registry(), Arc::new(transport))
}
