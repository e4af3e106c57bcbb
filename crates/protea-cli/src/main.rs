//! `protea`: the PROTEA platform from the command line.
//!
//! This binary is the only place that knows every layer: it reads the
//! configuration, picks the database (configured or embedded), and wires the
//! store, the job engine, the operations and the API together.

mod commands;
mod config;
mod database;
mod output;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// PROTEA: protein function annotation as a job platform.
///
/// Start here:
///   protea up                       run the API and a worker for every queue
///                                   (uses an embedded PostgreSQL unless
///                                   PROTEA_DATABASE_URL is set)
///   protea job submit ping --wait   run a job end to end and watch it
///   protea job list                 see what ran
#[derive(Debug, Parser)]
#[command(name = "protea", version, about, long_about, verbatim_doc_comment)]
struct Cli {
    /// Data directory (embedded database, configuration, artefacts).
    #[arg(long, global = true, env = "PROTEA_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Configuration file (TOML). Default: protea.toml in the data directory.
    #[arg(long, global = true, env = "PROTEA_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    /// Log filter (e.g. `info`, `protea_jobs=debug`); also RUST_LOG.
    #[arg(
        long,
        global = true,
        env = "PROTEA_LOG",
        default_value = "warn,protea=info"
    )]
    log: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole platform in one process: the API and a worker for every
    /// queue, on the embedded database unless one is configured.
    Up(commands::platform::UpArgs),
    /// Run the API server only.
    Serve(commands::platform::ServeArgs),
    /// Run a worker process on some queues.
    Worker(commands::platform::WorkerArgs),
    /// Database administration.
    #[command(subcommand)]
    Db(commands::db::DbCommand),
    /// Submit, inspect, follow and cancel jobs.
    #[command(subcommand)]
    Job(commands::job::JobCommand),
    /// Messages that kept failing: list and re-queue them.
    #[command(subcommand, name = "dead-letters")]
    DeadLetters(commands::job::DeadLetterCommand),
    /// Evaluate predictions the CAFA way (a drop-in for the cafaeval command).
    Eval(commands::eval::EvalArgs),
    /// Evaluation sets, their statistics, results and ground truth.
    #[command(subcommand)]
    Evaluation(commands::evaluation::EvaluationCommand),
    /// Embed a FASTA file with a protein language model (no database):
    /// float32 .npy rows in FASTA order plus OUT.ids.tsv.
    Embed(commands::embed::EmbedArgs),
    /// Nearest neighbours between two .npy matrices (no database): exact, IVF or HNSW,
    /// written as TSV (query, rank, ref, distance; 0-based rows).
    Knn(commands::knn::KnnArgs),
    /// Print the API's OpenAPI document.
    Openapi,
    /// Proteins loaded from UniProt: list/search, show, stats.
    #[command(subcommand)]
    Protein(commands::catalog::ProteinCommand),
    /// GO snapshots and terms (ancestors, descendants).
    #[command(subcommand)]
    Ontology(commands::catalog::OntologyCommand),
    /// Annotation sets with counts by aspect and evidence.
    #[command(subcommand, name = "annotation-set")]
    AnnotationSet(commands::catalog::AnnotationSetCommand),
    /// Upload, list, show and delete query sets (user FASTA).
    #[command(subcommand, name = "query-set")]
    QuerySet(commands::catalog::QuerySetCommand),
    /// Register LightGBM re-rankers (model.txt), list and show them.
    #[command(subcommand, name = "reranker-model")]
    RerankerModel(commands::reranker_models::RerankerModelCommand),
    /// Experiment runners (toy, baseline, lightgbm): list, fit, evaluate, export.
    #[command(subcommand)]
    Runner(commands::runner::RunnerCommand),
    /// Queue a GO-term prediction run (predict_go_terms).
    Predict(commands::predict::PredictArgs),
    /// Prediction sets: list, show, per-protein predictions, CAFA/TSV download, delete.
    #[command(subcommand, name = "prediction-set")]
    PredictionSet(commands::predict::PredictionSetCommand),
    /// Embedding configs (recipes) with their coverage: create, list, show, delete.
    #[command(subcommand, name = "embedding-config")]
    EmbeddingConfig(commands::embeddings::EmbeddingConfigCommand),
    /// Compute embeddings for a config, or import precomputed ones.
    #[command(subcommand)]
    Embeddings(commands::embeddings::EmbeddingsCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.log);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Eval(args) => return commands::eval::run(args).map(|_| ExitCode::SUCCESS),
        Command::Embed(args) => return commands::embed::run(args).map(|_| ExitCode::SUCCESS),
        Command::Knn(args) => return commands::knn::run(args).map(|_| ExitCode::SUCCESS),
        Command::Openapi => {
            println!("{}", protea_api::openapi().to_pretty_json()?);
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let config = config::load(cli.data_dir.as_deref(), cli.config.as_deref())?;
    match cli.command {
        Command::Up(args) => commands::platform::up(&config, args).await,
        Command::Serve(args) => commands::platform::serve(&config, args).await,
        Command::Worker(args) => commands::platform::worker(&config, args).await,
        Command::Db(command) => commands::db::run(&config, command).await,
        Command::Job(command) => commands::job::run(&config, command).await,
        Command::DeadLetters(command) => commands::job::run_dead_letters(&config, command).await,
        Command::Evaluation(command) => commands::evaluation::run(&config, command).await,
        Command::Protein(command) => commands::catalog::protein(&config, command).await,
        Command::Ontology(command) => commands::catalog::ontology(&config, command).await,
        Command::AnnotationSet(command) => {
            commands::catalog::annotation_set(&config, command).await
        }
        Command::QuerySet(command) => commands::catalog::query_set(&config, command).await,
        Command::RerankerModel(command) => commands::reranker_models::run(&config, command).await,
        Command::Runner(command) => commands::runner::run(&config, command).await,
        Command::Predict(args) => commands::predict::predict(&config, args).await,
        Command::PredictionSet(command) => {
            commands::predict::prediction_set(&config, command).await
        }
        Command::EmbeddingConfig(command) => {
            commands::embeddings::config_command(&config, command).await
        }
        Command::Embeddings(command) => {
            commands::embeddings::embeddings_command(&config, command).await
        }
        Command::Eval(_) | Command::Openapi => unreachable!("handled above"),
        Command::Embed(_) => unreachable!("handled above"),
        Command::Knn(_) => unreachable!("handled above"),
    }
}

fn init_logging(filter: &str) {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| filter.to_owned());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_default())
        .with_writer(std::io::stderr)
        .init();
}

pub(crate) fn is_root() -> bool {
    // Owned by uid 0 and readable: /proc/self is the cheapest safe check.
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}
