//! `protea reranker-model …`: register LightGBM re-rankers trained offline, list and show
//! them, against the database of a running platform (the same checks as
//! `POST /reranker-models/import`).

use crate::commands::platform::client_pool;
use crate::config::Config;
use anyhow::{Context, bail};
use clap::Subcommand;
use protea_store::reranker_models::{self, ImportError, NewRerankerModel, RerankerModelRow};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;
use uuid::Uuid;

#[derive(Debug, Subcommand)]
pub(crate) enum RerankerModelCommand {
    /// Register a LightGBM text model (model.txt).
    Import {
        /// The LightGBM text model.
        model: PathBuf,
        /// Unique name.
        #[arg(long)]
        name: String,
        /// nk, lk or pk (or give --cell).
        #[arg(long)]
        category: Option<String>,
        /// bpo, mfo or cco; absent = every aspect.
        #[arg(long)]
        aspect: Option<String>,
        /// The lab's cell, e.g. nk-mfo (instead of --category/--aspect).
        #[arg(long, conflicts_with_all = ["category", "aspect"])]
        cell: Option<String>,
        /// compute_feature_schema_sha of the families the booster was trained on.
        #[arg(long)]
        feature_schema_sha: String,
        /// A JSON file of metrics to store with the model.
        #[arg(long)]
        metrics: Option<PathBuf>,
        /// A JSON file of feature → gain.
        #[arg(long)]
        feature_importance: Option<PathBuf>,
        /// Where the model came from (run directory, URI); default: the model's path.
        #[arg(long)]
        artifact_uri: Option<String>,
    },
    /// List registered models, oldest first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one model and a summary of its booster.
    Show {
        id: Uuid,
        #[arg(long)]
        json: bool,
    },
}

fn row_json(r: &RerankerModelRow) -> Value {
    json!({
        "id": r.id,
        "name": r.name,
        "category": r.category,
        "aspect": r.aspect,
        "prediction_set_id": r.prediction_set_id,
        "evaluation_set_id": r.evaluation_set_id,
        "artifact_uri": r.artifact_uri,
        "feature_schema_sha": r.feature_schema_sha,
        "metrics": r.metrics,
        "feature_importance": r.feature_importance,
        "model_bytes": r.model_bytes,
        "created_at": r.created_at,
    })
}

fn row_line(r: &RerankerModelRow) -> String {
    format!(
        "{}  {:<24}  {}-{}  schema {}  {} bytes  {}",
        r.id,
        r.name,
        r.category,
        r.aspect.as_deref().unwrap_or("all"),
        r.feature_schema_sha.as_deref().unwrap_or("-"),
        r.model_bytes,
        r.created_at.format("%Y-%m-%d %H:%M"),
    )
}

fn read_json(path: &Option<PathBuf>) -> anyhow::Result<Value> {
    match path {
        None => Ok(json!({})),
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            serde_json::from_str(&text).with_context(|| format!("{} is not JSON", p.display()))
        }
    }
}

pub(crate) async fn run(
    config: &Config,
    command: RerankerModelCommand,
) -> anyhow::Result<ExitCode> {
    match command {
        RerankerModelCommand::Import {
            model,
            name,
            category,
            aspect,
            cell,
            feature_schema_sha,
            metrics,
            feature_importance,
            artifact_uri,
        } => {
            let model_data = std::fs::read_to_string(&model)
                .with_context(|| format!("reading {}", model.display()))?;
            let (category, aspect) = match (cell, category) {
                (Some(cell), _) => {
                    let cell = cell.to_lowercase();
                    match cell.split_once('-') {
                        Some((c, a)) => (c.to_string(), Some(a.to_string())),
                        None => (cell, None),
                    }
                }
                (None, Some(c)) => (c, aspect),
                (None, None) => bail!("give --category (and --aspect) or --cell"),
            };
            let new = NewRerankerModel {
                name,
                prediction_set_id: None,
                evaluation_set_id: None,
                category,
                aspect,
                model_data,
                artifact_uri: artifact_uri.or_else(|| {
                    std::path::absolute(&model)
                        .ok()
                        .map(|p| format!("file://{}", p.display()))
                }),
                feature_schema_sha: Some(feature_schema_sha),
                metrics: read_json(&metrics)?,
                feature_importance: read_json(&feature_importance)?,
            };
            // Check the file before touching the database.
            reranker_models::validate(&new).map_err(|e| match e {
                ImportError::Invalid { field, message } if field == "model_data" => {
                    anyhow::anyhow!("{}: {message}", model.display())
                }
                other => anyhow::anyhow!(other),
            })?;
            let pool = client_pool(config).await?;
            let row = reranker_models::import_reranker_model(&pool, &new).await?;
            println!("{}", row_line(&row));
        }
        RerankerModelCommand::List { json } => {
            let pool = client_pool(config).await?;
            let rows = reranker_models::list_reranker_models(&pool).await?;
            if json {
                let all: Vec<Value> = rows.iter().map(row_json).collect();
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else if rows.is_empty() {
                println!("No re-ranker models.");
            } else {
                for r in &rows {
                    println!("{}", row_line(r));
                }
            }
        }
        RerankerModelCommand::Show { id, json } => {
            let pool = client_pool(config).await?;
            let row = reranker_models::reranker_model(&pool, id)
                .await?
                .with_context(|| format!("re-ranker model {id} does not exist"))?;
            let (text, _) = reranker_models::reranker_model_data(&pool, id)
                .await?
                .with_context(|| format!("re-ranker model {id} does not exist"))?;
            let booster = protea_reranker::Booster::from_text(&text);
            if json {
                let mut v = row_json(&row);
                v["model"] = match &booster {
                    Ok(b) => json!({
                        "objective": format!("{:?}", b.objective),
                        "num_trees": b.trees.len(),
                        "num_iterations": b.num_iterations(),
                        "feature_names": b.feature_names,
                    }),
                    Err(e) => json!({"error": e.to_string()}),
                };
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("{}", row_line(&row));
                match &booster {
                    Ok(b) => {
                        println!(
                            "objective {:?}  {} trees ({} iterations)  {} features:",
                            b.objective,
                            b.trees.len(),
                            b.num_iterations(),
                            b.num_features()
                        );
                        println!("  {}", b.feature_names.join(" "));
                    }
                    Err(e) => println!("model does not read: {e}"),
                }
                if row.metrics.as_object().is_some_and(|m| !m.is_empty()) {
                    println!("metrics {}", row.metrics);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
