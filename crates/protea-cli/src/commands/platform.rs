//! `protea up`, `protea serve`, `protea worker`: the long-running processes.

use crate::commands::job_service;
use crate::config::Config;
use crate::database::Database;
use anyhow::Context;
use clap::Args;
use protea_api::{ApiConfig, AppState, EventHub};
use protea_jobs::{Extensions, PgQueue, Worker, WorkerConfig, queues};
use sqlx::PgPool;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

#[derive(Debug, Args)]
pub(crate) struct UpArgs {
    /// Address of the API (overrides api.listen; port 0 picks a free port).
    #[arg(long, value_name = "ADDR:PORT")]
    listen: Option<String>,
    /// Messages run at once per queue (overrides worker.concurrency).
    #[arg(long)]
    concurrency: Option<usize>,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address of the API (overrides api.listen).
    #[arg(long, value_name = "ADDR:PORT")]
    listen: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct WorkerArgs {
    /// Queue to consume (repeat for several; default: every queue).
    #[arg(long = "queue", value_name = "QUEUE")]
    queues: Vec<String>,
    /// Messages run at once per queue (overrides worker.concurrency).
    #[arg(long)]
    concurrency: Option<usize>,
}

pub(crate) async fn up(config: &Config, args: UpArgs) -> anyhow::Result<ExitCode> {
    let listen = args.listen.unwrap_or_else(|| config.api.listen.clone());
    let concurrency = args.concurrency.unwrap_or(config.worker.concurrency);
    run_platform(config, Some(listen), all_queues(), concurrency).await
}

pub(crate) async fn serve(config: &Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let listen = args.listen.unwrap_or_else(|| config.api.listen.clone());
    run_platform(config, Some(listen), Vec::new(), 0).await
}

pub(crate) async fn worker(config: &Config, args: WorkerArgs) -> anyhow::Result<ExitCode> {
    let known = all_queues();
    for queue in &args.queues {
        anyhow::ensure!(
            known.contains(queue),
            "unknown queue `{queue}`; queues are: {}",
            known.join(", ")
        );
    }
    let queues = if args.queues.is_empty() {
        known
    } else {
        args.queues
    };
    run_platform(
        config,
        None,
        queues,
        args.concurrency.unwrap_or(config.worker.concurrency),
    )
    .await
}

fn all_queues() -> Vec<String> {
    queues::ALL.iter().map(|q| q.to_string()).collect()
}

/// Starts the database (if embedded), migrates, then runs the API and/or
/// workers until Ctrl-C or SIGTERM, and shuts everything down in order.
async fn run_platform(
    config: &Config,
    listen: Option<String>,
    queues: Vec<String>,
    concurrency: usize,
) -> anyhow::Result<ExitCode> {
    let mut database = Database::from_config(config)?;
    database.ensure_running().await?;
    let outcome = serve_until_signal(config, &database, listen, queues, concurrency).await;
    database.stop_if_started()?;
    outcome?;
    eprintln!("PROTEA stopped.");
    Ok(ExitCode::SUCCESS)
}

async fn serve_until_signal(
    config: &Config,
    database: &Database,
    listen: Option<String>,
    queues: Vec<String>,
    concurrency: usize,
) -> anyhow::Result<()> {
    let pool = database.connect(config.database.max_connections).await?;
    protea_store::migrate(&pool)
        .await
        .context("applying database migrations")?;
    let (stop, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();

    let mut address = None;
    if let Some(listen) = listen {
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        address = Some(listener.local_addr()?);
        let state = AppState {
            jobs: job_service(config, &pool),
            events: EventHub::start(pool.clone()),
        };
        let app = protea_api::app(
            state,
            &ApiConfig {
                max_body_bytes: config.api.max_body_mib * 1024 * 1024,
            },
        );
        let mut api_stop = stop_rx.clone();
        tasks.spawn(async move {
            let shutdown = async move {
                let _ = api_stop.wait_for(|s| *s).await;
            };
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
                .context("API server")
        });
    }
    for (queues, concurrency) in split_serial(&queues, concurrency) {
        let worker = Worker::new(
            pool.clone(),
            protea_ops::registry(),
            Arc::new(PgQueue::new(pool.clone()).with_max_attempts(config.worker.max_attempts)),
            Arc::new(worker_extensions(config)),
            worker_config(config, queues, concurrency),
        );
        let rx = stop_rx.clone();
        tasks.spawn(async move { worker.run(rx).await.context("worker") });
    }

    let mut lines = vec![format!("PROTEA {} is up.", env!("CARGO_PKG_VERSION"))];
    if let Some(address) = address {
        lines.push(format!(
            "  API       http://{address}  (OpenAPI: http://{address}/openapi.json)"
        ));
    }
    lines.push(format!("  database  {}", database.describe()));
    if !queues.is_empty() {
        lines.push(format!(
            "  workers   {} queues, {concurrency} at a time per queue",
            queues.len()
        ));
    }
    lines.push("Press Ctrl-C to stop.".into());
    println!("{}", lines.join("\n"));

    let failed = tokio::select! {
        _ = shutdown_signal() => None,
        Some(result) = tasks.join_next() => Some(result),
    };
    let _ = stop.send(true);
    // Running jobs get a grace period to finish; the lease covers the rest.
    let drain = async {
        while let Some(result) = tasks.join_next().await {
            if let Ok(Err(err)) = result {
                tracing::warn!(error = %format!("{err:#}"), "task ended with an error");
            }
        }
    };
    if tokio::time::timeout(Duration::from_secs(30), drain)
        .await
        .is_err()
    {
        tracing::warn!(
            "some work did not finish within 30 s; it will be picked up again after its lease expires"
        );
    }
    pool.close().await;
    match failed {
        Some(Ok(Err(err))) => Err(err),
        Some(Err(panic)) => Err(anyhow::anyhow!("a platform task panicked: {panic}")),
        _ => Ok(()),
    }
}

/// GPU-serialised queues get a worker of their own with one slot.
fn split_serial(queues: &[String], concurrency: usize) -> Vec<(Vec<String>, usize)> {
    let (serial, parallel): (Vec<String>, Vec<String>) = queues
        .iter()
        .cloned()
        .partition(|q| queues::SERIAL.contains(&q.as_str()));
    [(parallel, concurrency.max(1)), (serial, 1)]
        .into_iter()
        .filter(|(q, _)| !q.is_empty())
        .collect()
}

/// Services the operations look up: the artifact store of evaluation outputs
/// (`DATA_DIR/artifacts`).
fn worker_extensions(config: &Config) -> Extensions {
    let mut extensions = Extensions::default();
    extensions.insert(config.sources.to_sources());
    extensions.insert(config.interpro.to_config());
    extensions.insert(std::sync::Arc::new(
        protea_ops::prediction_reference::ReferenceCache::default(),
    ));
    // Model directories for embedding configs without model_path.
    extensions.insert(protea_ops::embedding_models::EmbeddingModels::new(Some(
        config.data_dir.join("models"),
    )));
    extensions.insert(protea_ops::evaluation_common::EvaluationArtifacts(
        Arc::new(protea_store::artifacts::LocalArtifactStore::new(
            config.data_dir.join("artifacts"),
        )),
    ));
    if let Ok(runners) = super::runner::registry(config, None) {
        extensions.insert(protea_ops::run_experiment::Runners(Arc::new(runners)));
    }
    extensions
}

fn worker_config(config: &Config, queues: Vec<String>, concurrency: usize) -> WorkerConfig {
    let w = &config.worker;
    WorkerConfig {
        queues,
        concurrency,
        lease: Duration::from_secs_f64(w.lease_seconds),
        heartbeat: Duration::from_secs_f64(w.heartbeat_seconds),
        reaper_interval: (w.reaper_interval_seconds > 0.0)
            .then(|| Duration::from_secs_f64(w.reaper_interval_seconds)),
        retry_base: Duration::from_secs_f64(w.retry_base_seconds),
        ..WorkerConfig::default()
    }
}

async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    eprintln!("Stopping…");
}

/// Pool for commands that talk to a running platform.
pub(crate) async fn client_pool(config: &Config) -> anyhow::Result<PgPool> {
    let database = Database::from_config(config)?;
    database.require_running()?;
    database.connect(4).await
}
