//! One module per resource, each exposing `router()`.

pub(crate) mod catalog;
pub(crate) mod embeddings;
pub(crate) mod evaluation;
pub(crate) mod health;
pub(crate) mod interpro;
pub(crate) mod jobs;
pub(crate) mod predictions;
pub(crate) mod query_sets;
pub(crate) mod reranker_models;
pub(crate) mod scoring;
