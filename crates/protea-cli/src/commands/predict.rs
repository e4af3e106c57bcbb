//! `protea predict` (queue a prediction run) and `protea prediction-set …` (list, show,
//! predictions of one protein, CAFA / TSV downloads, delete).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand};
use protea_jobs::SubmitRequest;
use protea_ops::predict_go_terms::PredictGoTermsPayload;
use protea_store::predictions::{self, PredictionFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::commands::job_service;
use crate::commands::platform::client_pool;
use crate::config::Config;

#[derive(Debug, Args)]
pub(crate) struct PredictArgs {
    #[arg(long)]
    embedding_config: Uuid,
    /// The reference labels.
    #[arg(long)]
    annotation_set: Uuid,
    #[arg(long)]
    snapshot: Uuid,
    /// Queries from a query set …
    #[arg(long, conflicts_with = "accessions")]
    query_set: Option<Uuid>,
    /// … or these protein accessions (comma-separated); neither = every protein.
    #[arg(long, value_delimiter = ',')]
    accessions: Option<Vec<String>>,
    /// More payload fields as a JSON object (`{"limit_per_entry": 10, "compute_alignments": false}`).
    #[arg(long, short, default_value = "{}")]
    payload: String,
    /// Wait for the run to finish; the exit code says whether it succeeded.
    #[arg(long, short)]
    wait: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PredictionSetCommand {
    /// Prediction sets, newest first.
    List {
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// One prediction set with its summary (JSON).
    Show { id: Uuid },
    /// The predictions of one protein with the donor neighbour and every feature (JSON).
    Predictions { id: Uuid, accession: String },
    /// Download the predictions: `cafa` (protein, GO id, score) or `tsv` (all features).
    Download {
        id: Uuid,
        #[arg(long, default_value = "tsv", value_parser = ["tsv", "cafa"])]
        format: String,
        #[arg(long, value_parser = ["F", "P", "C"])]
        aspect: Option<String>,
        #[arg(long)]
        max_distance: Option<f64>,
        /// Output file (default: standard output).
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Delete a prediction set and its predictions.
    Delete { id: Uuid },
}

pub(crate) async fn predict(config: &Config, args: PredictArgs) -> anyhow::Result<ExitCode> {
    let mut payload: Value =
        serde_json::from_str(&args.payload).context("--payload is not valid JSON")?;
    anyhow::ensure!(payload.is_object(), "--payload must be a JSON object");
    payload["embedding_config_id"] = json!(args.embedding_config);
    payload["annotation_set_id"] = json!(args.annotation_set);
    payload["ontology_snapshot_id"] = json!(args.snapshot);
    if let Some(q) = args.query_set {
        payload["query_set_id"] = json!(q);
    }
    if let Some(a) = args.accessions {
        payload["query_accessions"] = json!(a);
    }
    // Refuse a bad payload here, naming the field, rather than queueing a doomed job.
    protea_core::decode_payload::<PredictGoTermsPayload>(&payload)?;
    let pool = client_pool(config).await?;
    let service = job_service(config, &pool);
    let job = service
        .submit(SubmitRequest {
            operation: "predict_go_terms".into(),
            payload,
            queue_name: None,
            meta: Value::Null,
        })
        .await?;
    if !args.wait {
        println!("{}", job.id);
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("submitted {} on {}", job.id, job.queue_name);
    loop {
        let view = service.get(job.id).await?;
        if view.status.is_terminal() {
            println!("{}", serde_json::to_string_pretty(&view)?);
            return Ok(if view.status.as_str() == "succeeded" {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

pub(crate) async fn prediction_set(
    config: &Config,
    command: PredictionSetCommand,
) -> anyhow::Result<ExitCode> {
    let pool = client_pool(config).await?;
    match command {
        PredictionSetCommand::List { limit, json } => {
            let sets = predictions::list_sets(&pool, limit.clamp(1, 500), 0).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&sets)?);
            } else {
                for s in &sets {
                    println!(
                        "{}  {:<20} {:<16} k={:<3} {:>9} predictions  {}",
                        s.id,
                        s.embedding_config_name,
                        s.annotation_set_label,
                        s.limit_per_entry,
                        s.prediction_count,
                        s.created_at
                    );
                }
                eprintln!("{} prediction set(s)", sets.len());
            }
        }
        PredictionSetCommand::Show { id } => {
            let Some(set) = predictions::get_set(&pool, id).await? else {
                anyhow::bail!("prediction set {id} not found");
            };
            let summary = predictions::summary(&pool, id).await?;
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({"prediction_set": set, "summary": summary}))?
            );
        }
        PredictionSetCommand::Predictions { id, accession } => {
            let filter = PredictionFilter {
                accession: Some(accession.clone()),
                ..Default::default()
            };
            let rows = predictions::predictions(&pool, id, &filter).await?;
            anyhow::ensure!(
                !rows.is_empty(),
                "prediction set {id} has no prediction for {accession}"
            );
            let items: Vec<Value> = rows
                .iter()
                .map(|r| {
                    let mut v = json!(r);
                    v["score"] = json!(r.score());
                    v
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&items)?);
        }
        PredictionSetCommand::Download {
            id,
            format,
            aspect,
            max_distance,
            out,
        } => {
            anyhow::ensure!(
                predictions::get_set(&pool, id).await?.is_some(),
                "prediction set {id} not found"
            );
            let filter = PredictionFilter {
                accession: None,
                aspect,
                max_distance,
            };
            let rows = predictions::predictions(&pool, id, &filter).await?;
            let text = if format == "cafa" {
                predictions::cafa_text(&rows)
            } else {
                predictions::tsv_text(&rows)
            };
            match out {
                Some(path) => {
                    std::fs::write(&path, text).with_context(|| format!("{}", path.display()))?;
                    eprintln!("{} row(s) written to {}", rows.len(), path.display());
                }
                None => print!("{text}"),
            }
        }
        PredictionSetCommand::Delete { id } => match predictions::delete_set(&pool, id).await? {
            Some(n) => eprintln!("deleted {id} ({n} predictions)"),
            None => anyhow::bail!("prediction set {id} not found"),
        },
    }
    Ok(ExitCode::SUCCESS)
}
