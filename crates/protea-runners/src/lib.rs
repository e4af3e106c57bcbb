//! Experiment runners: fit, evaluate and export models on PROTEA's frozen research
//! datasets (train.parquet / eval.parquet / manifest.json).
//!
//! The contract ([`ExperimentRunner`], [`RunResult`], [`EvalResult`], [`ExportResult`],
//! the `emit` callback) mirrors protea-contracts' ABC; [`Registry`] is the compile-time
//! counterpart of the `protea.runners` entry-point group. Runners here: `toy` (the
//! plugin guide's template), `baseline` (naive term frequencies), and `lightgbm`
//! (a real LightGBM booster; cargo feature `lightgbm`).
//!
//! Runner methods are synchronous and may block (training, object-store I/O): async
//! callers run them on a blocking thread.

pub mod baseline;
mod contract;
pub mod dataset_io;
mod env;
#[cfg(feature = "lightgbm")]
pub mod lightgbm;
pub mod metrics;
mod registry;
pub mod run;
pub mod toy;

pub use contract::{
    CafaMetrics, Emit, EvalResult, ExperimentRunner, ExportResult, ExportedFile, PerAspect, Result,
    RunResult, RunnerError, noop_emit,
};
pub use env::RunnerEnv;
pub use registry::Registry;
