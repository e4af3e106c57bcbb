//! One module per resource, each exposing `router()`.

pub(crate) mod catalog;
pub(crate) mod embeddings;
pub(crate) mod evaluation;
pub(crate) mod health;
pub(crate) mod jobs;
pub(crate) mod query_sets;
pub(crate) mod scoring;
