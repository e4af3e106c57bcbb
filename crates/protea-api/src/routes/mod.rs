//! One module per resource, each exposing `router()`.

pub(crate) mod evaluation;
pub(crate) mod health;
pub(crate) mod jobs;
pub(crate) mod scoring;
