//! `protea embedding-config …` (create, list with coverage, show, delete)
//! and `protea embeddings compute|import` (submit the jobs, optionally wait).

use crate::commands::job::wait;
use crate::commands::job_service;
use crate::commands::platform::client_pool;
use crate::config::Config;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use protea_jobs::SubmitRequest;
use protea_ops::embedding_config::EmbeddingConfigRequest;
use protea_store::embeddings::{self, Coverage, EmbeddingConfigRow};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use uuid::Uuid;

#[derive(Debug, Subcommand)]
pub(crate) enum EmbeddingConfigCommand {
    /// Create a config (a reproducible embedding recipe); prints its id.
    Create(Box<CreateArgs>),
    /// List configs, newest first, with how much they cover.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show a config and its coverage.
    Show {
        id: Uuid,
        #[arg(long)]
        json: bool,
    },
    /// Delete a config with its embeddings, prediction sets and predictions.
    Delete {
        id: Uuid,
        /// Required: the delete cascades.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    /// Model name (Hugging Face id, or kmer / kmer1..kmer4 for the kmer backend).
    #[arg(long)]
    model_name: String,
    /// esm2, esmc, prott5, prostt5, ankh or kmer (esm, esm3c, t5, auto accepted).
    #[arg(long, default_value = "esm2")]
    backend: String,
    /// Local model directory (default: MODEL_NAME itself, else DATA_DIR/models/MODEL_NAME).
    #[arg(long)]
    model_path: Option<PathBuf>,
    /// Layers, comma-separated reverse indices (0 = last; negatives count from the end).
    #[arg(
        long,
        default_value = "0",
        allow_hyphen_values = true,
        value_delimiter = ','
    )]
    layers: Vec<i64>,
    /// mean, last or concat.
    #[arg(long, default_value = "mean")]
    layer_agg: String,
    /// mean, max, cls or mean_max.
    #[arg(long, default_value = "mean")]
    pooling: String,
    /// L2-normalise each residue before pooling.
    #[arg(long)]
    normalize_residues: bool,
    /// Do not L2-normalise the pooled vectors (normalised by default).
    #[arg(long)]
    no_normalize: bool,
    /// Maximum tokens per sequence.
    #[arg(long, default_value_t = 1022)]
    max_length: i64,
    /// Pool windows of this many residues (turns chunking on).
    #[arg(long)]
    chunk_size: Option<i64>,
    /// Residues shared by consecutive windows.
    #[arg(long, default_value_t = 0, requires = "chunk_size")]
    chunk_overlap: i64,
    /// float32 or float16 storage.
    #[arg(long, default_value = "float32")]
    dtype: String,
    #[arg(long)]
    description: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum EmbeddingsCommand {
    /// Submit compute_embeddings for a config (all sequences, a query set or accessions).
    Compute(ComputeArgs),
    /// Submit import_embeddings: an .npy matrix plus a TSV with an `accession` column.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ComputeArgs {
    /// The embedding config.
    config: Uuid,
    /// Embed this query set's sequences.
    #[arg(long, conflicts_with = "accessions")]
    query_set: Option<Uuid>,
    /// Embed these proteins (comma-separated accessions).
    #[arg(long, value_delimiter = ',')]
    accessions: Option<Vec<String>>,
    #[arg(long, default_value_t = 64)]
    sequences_per_job: u32,
    /// cuda or cpu.
    #[arg(long, default_value = "cuda")]
    device: String,
    /// Recompute sequences that already have vectors.
    #[arg(long)]
    recompute: bool,
    /// Forward-pass batch size.
    #[arg(long, default_value_t = 1)]
    batch_size: u32,
    #[command(flatten)]
    wait: WaitArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The embedding config.
    config: Uuid,
    /// float32 .npy matrix, one vector per row.
    #[arg(long)]
    npy: PathBuf,
    /// TSV naming the rows (`accession`; optional `row`, `chunk_s`, `chunk_e`).
    #[arg(long)]
    ids: PathBuf,
    #[command(flatten)]
    wait: WaitArgs,
}

#[derive(Debug, Args)]
pub(crate) struct WaitArgs {
    /// Wait for the job to finish; the exit code says whether it succeeded.
    #[arg(long, short)]
    wait: bool,
    /// Give up waiting after this many seconds.
    #[arg(long, requires = "wait")]
    timeout: Option<f64>,
}

fn config_json(r: &EmbeddingConfigRow, c: &Coverage) -> Value {
    json!({
        "id": r.id, "model_name": r.model_name, "model_backend": r.model_backend,
        "model_path": r.model_path, "layer_indices": r.layer_indices, "layer_agg": r.layer_agg,
        "pooling": r.pooling, "normalize_residues": r.normalize_residues, "normalize": r.normalize,
        "max_length": r.max_length, "use_chunking": r.use_chunking, "chunk_size": r.chunk_size,
        "chunk_overlap": r.chunk_overlap, "embedding_dtype": r.embedding_dtype,
        "description": r.description, "created_at": r.created_at,
        "embedding_count": c.embedding_count, "sequences_embedded": c.sequences_embedded,
        "proteins_embedded": c.proteins_embedded, "proteins_total": c.proteins_total,
        "query_sequences_embedded": c.query_sequences_embedded,
        "query_sequences_total": c.query_sequences_total,
    })
}

fn config_line(r: &EmbeddingConfigRow, c: &Coverage) -> String {
    let chunks = if r.use_chunking {
        format!(" chunks {}/{}", r.chunk_size, r.chunk_overlap)
    } else {
        String::new()
    };
    format!(
        "{}  {} ({})  layers {} {}  pool {}{}{}  max {}{}  {}  proteins {}/{}  query {}/{}  vectors {}",
        r.id,
        r.model_name,
        r.model_backend,
        r.layer_indices,
        r.layer_agg,
        r.pooling,
        if r.normalize { " +norm" } else { "" },
        if r.normalize_residues {
            " +resnorm"
        } else {
            ""
        },
        r.max_length,
        chunks,
        r.embedding_dtype,
        c.proteins_embedded,
        c.proteins_total,
        c.query_sequences_embedded,
        c.query_sequences_total,
        c.embedding_count,
    )
}

pub(crate) async fn config_command(
    config: &Config,
    command: EmbeddingConfigCommand,
) -> anyhow::Result<ExitCode> {
    let pool = client_pool(config).await?;
    match command {
        EmbeddingConfigCommand::Create(a) => {
            let a = *a;
            let request = EmbeddingConfigRequest {
                model_name: a.model_name,
                model_backend: a.backend,
                model_path: a
                    .model_path
                    .map(|p| std::path::absolute(&p).unwrap_or(p).display().to_string()),
                layer_indices: a.layers,
                layer_agg: a.layer_agg,
                pooling: a.pooling,
                normalize_residues: a.normalize_residues,
                normalize: !a.no_normalize,
                max_length: a.max_length,
                use_chunking: a.chunk_size.is_some(),
                chunk_size: a.chunk_size.unwrap_or(512),
                chunk_overlap: a.chunk_overlap,
                embedding_dtype: a.dtype,
                description: a.description,
            };
            let new = request.validate().map_err(|errors| {
                let list: Vec<String> = errors
                    .iter()
                    .map(|e| format!("  --{}: {}", e.field.replace('_', "-"), e.message))
                    .collect();
                anyhow::anyhow!("invalid embedding config:\n{}", list.join("\n"))
            })?;
            let row = embeddings::insert_config(&pool, &new).await?;
            if a.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&config_json(&row, &Coverage::default()))?
                );
            } else {
                println!("{}", row.id);
            }
        }
        EmbeddingConfigCommand::List { json } => {
            let rows = embeddings::list_configs(&pool).await?;
            let mut out = Vec::new();
            for r in rows {
                let c = embeddings::coverage(&pool, r.id).await?;
                out.push((r, c));
            }
            if json {
                let all: Vec<Value> = out.iter().map(|(r, c)| config_json(r, c)).collect();
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else if out.is_empty() {
                println!("No embedding configs.");
            } else {
                for (r, c) in &out {
                    println!("{}", config_line(r, c));
                }
            }
        }
        EmbeddingConfigCommand::Show { id, json } => {
            let r = embeddings::config(&pool, id)
                .await?
                .with_context(|| format!("embedding config {id} does not exist"))?;
            let c = embeddings::coverage(&pool, id).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&config_json(&r, &c))?);
            } else {
                println!("{}", config_line(&r, &c));
                if let Some(d) = &r.description {
                    println!("{d}");
                }
                println!(
                    "sequences embedded {}  model path {}",
                    c.sequences_embedded,
                    r.model_path.as_deref().unwrap_or("-")
                );
            }
        }
        EmbeddingConfigCommand::Delete { id, yes } => {
            if !yes {
                bail!(
                    "deleting config {id} also deletes its embeddings, prediction sets and predictions; add --yes"
                );
            }
            let mut tx = pool.begin().await?;
            if let Some(job) = embeddings::active_jobs(&mut *tx, id).await?.first() {
                bail!(
                    "embedding config {id} is used by job {job}, which is still queued or running"
                );
            }
            let d = embeddings::delete_config(&mut tx, id)
                .await?
                .with_context(|| format!("embedding config {id} does not exist"))?;
            tx.commit().await?;
            println!(
                "deleted {id}: {} embeddings, {} prediction sets, {} predictions",
                d.embeddings_deleted, d.prediction_sets_deleted, d.predictions_deleted
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn embeddings_command(
    config: &Config,
    command: EmbeddingsCommand,
) -> anyhow::Result<ExitCode> {
    let pool = client_pool(config).await?;
    let service = job_service(config, &pool);
    let (operation, id, payload, w) = match command {
        EmbeddingsCommand::Compute(a) => {
            let mut payload = json!({
                "embedding_config_id": a.config,
                "sequences_per_job": a.sequences_per_job,
                "device": a.device,
                "skip_existing": !a.recompute,
                "batch_size": a.batch_size,
            });
            if let Some(q) = a.query_set {
                payload["query_set_id"] = json!(q);
            }
            if let Some(accs) = a.accessions {
                payload["accessions"] = json!(accs);
            }
            ("compute_embeddings", a.config, payload, a.wait)
        }
        EmbeddingsCommand::Import(a) => {
            // The worker reads the files: hand it absolute paths.
            let abs = |p: PathBuf| -> anyhow::Result<String> {
                let p = std::fs::canonicalize(&p)
                    .with_context(|| format!("cannot read {}", p.display()))?;
                Ok(p.display().to_string())
            };
            let payload = json!({
                "embedding_config_id": a.config,
                "npy_path": abs(a.npy)?,
                "accessions_path": abs(a.ids)?,
            });
            ("import_embeddings", a.config, payload, a.wait)
        }
    };
    if embeddings::config(&pool, id).await?.is_none() {
        bail!("embedding config {id} does not exist");
    }
    let job = service
        .submit(SubmitRequest {
            operation: operation.into(),
            payload,
            queue_name: None,
            meta: Value::Null,
        })
        .await?;
    if !w.wait {
        println!("{}", job.id);
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "submitted {} ({} on {})",
        job.id, job.operation, job.queue_name
    );
    wait(&service, job.id, w.timeout.map(Duration::from_secs_f64)).await
}
