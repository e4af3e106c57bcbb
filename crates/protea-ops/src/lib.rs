//! PROTEA's operations and the platform registry.
//!
//! Each operation lives in its own module with its payload struct (strict:
//! unknown fields rejected) and its `Operation` impl. [`registry`] is the one
//! closed list of everything a worker can run.
//!
//! Ingestion (`insert_proteins`, `fetch_uniprot_metadata`,
//! `load_ontology_snapshot`, `load_goa_annotations`,
//! `load_quickgo_annotations`, `load_interpro_go_mapping`, `load_taxonomy`)
//! reads through `protea-sources` and writes through `protea-store`'s typed
//! queries. Transaction choices: `insert_proteins` and the snapshot loaders
//! write in the job's transaction (atomic, as the spec says for proteins);
//! the annotation loaders and the metadata fetch commit per page by default
//! to bound the transaction, and annotation sets are cleaned up on failure
//! (see `load_goa_annotations`). The original's hazard of one huge
//! `insert_proteins` transaction (§9.2) is kept deliberately: a half-loaded
//! proteome is worse, and the upserts are cheap enough to re-run.

pub mod compute_embeddings;
pub mod compute_embeddings_batch;
pub mod embedding_config;
pub mod embedding_models;
pub mod evaluation_common;
pub mod fetch_uniprot_metadata;
pub mod generate_evaluation_set;
pub mod import_embeddings;
pub mod ingest;
pub mod insert_proteins;
pub mod interproscan;
pub mod load_goa_annotations;
pub mod load_interpro_go_mapping;
pub mod load_ontology_snapshot;
pub mod load_quickgo_annotations;
pub mod load_taxonomy;
pub mod ping;
pub mod predict_go_terms;
pub mod predict_go_terms_batch;
pub mod predict_go_terms_from_interpro;
pub mod prediction_reference;
pub mod query_set_upload;
pub mod run_cafa_evaluation;
pub mod run_experiment;
pub mod run_interproscan_batch;
pub mod store_embeddings;
pub mod store_predictions;
mod uniprot_payload;

use protea_jobs::Registry;

/// Every operation of the platform.
pub fn registry() -> Registry {
    Registry::new()
        .register(ping::Ping)
        .register(generate_evaluation_set::GenerateEvaluationSet)
        .register(run_cafa_evaluation::RunCafaEvaluation)
        .register(load_ontology_snapshot::LoadOntologySnapshot)
        .register(load_goa_annotations::LoadGoaAnnotations)
        .register(load_interpro_go_mapping::LoadInterproGoMapping)
        .register(insert_proteins::InsertProteins)
        .register(fetch_uniprot_metadata::FetchUniprotMetadata)
        .register(load_quickgo_annotations::LoadQuickgoAnnotations)
        .register(load_taxonomy::LoadTaxonomy)
        .register(run_interproscan_batch::RunInterproscanBatch)
        .register(predict_go_terms_from_interpro::PredictGoTermsFromInterpro)
        .register(run_experiment::RunExperiment)
        .register(predict_go_terms::PredictGoTerms)
        .register(predict_go_terms_batch::PredictGoTermsBatch)
        .register(store_predictions::StorePredictions)
        .register(compute_embeddings::ComputeEmbeddings)
        .register(compute_embeddings_batch::ComputeEmbeddingsBatch)
        .register(store_embeddings::StoreEmbeddings)
        .register(import_embeddings::ImportEmbeddings)
}
