//! PROTEA's operations and the platform registry.
//!
//! Each operation lives in its own module with its payload struct (strict:
//! unknown fields rejected) and its `Operation` impl. [`registry`] is the one
//! closed list of everything a worker can run.

pub mod evaluation_common;
pub mod generate_evaluation_set;
pub mod ping;
pub mod run_cafa_evaluation;

use protea_jobs::Registry;

/// Every operation of the platform.
pub fn registry() -> Registry {
    Registry::new()
        .register(ping::Ping)
        .register(generate_evaluation_set::GenerateEvaluationSet)
        .register(run_cafa_evaluation::RunCafaEvaluation)
}
