//! `protea runner`: experiment runners from the command line (no database) — list,
//! fit, evaluate, export — with the runner's events as progress lines on stderr and the
//! results as a table. The same steps run as jobs through the `run_experiment`
//! operation on the `protea.training` queue.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand};
use protea_core::Level;
use protea_runners::{Registry, RunnerEnv};
use serde_json::Value;

use crate::config::Config;

#[derive(Debug, Args)]
pub(crate) struct RunsArg {
    /// Where runs are recorded (`file:///…` or `s3://bucket/prefix`); default
    /// DATA_DIR/artifacts/runs.
    #[arg(long, env = "PROTEA_RUNS_URI", value_name = "URI")]
    runs: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RunnerCommand {
    /// The runners this binary offers.
    List,
    /// Train a runner on a dataset (directory URI or path with train.parquet).
    Fit {
        name: String,
        /// Hyperparameters: a JSON (or JSON-style YAML) object; default `{}`.
        #[arg(long, value_name = "FILE")]
        spec: Option<std::path::PathBuf>,
        #[arg(long, value_name = "URI")]
        dataset: String,
        #[command(flatten)]
        runs: RunsArg,
    },
    /// Score a dataset's eval split with a model and report CAFA metrics per aspect.
    Evaluate {
        name: String,
        #[arg(long, value_name = "URI")]
        model: String,
        #[arg(long, value_name = "URI")]
        dataset: String,
        #[command(flatten)]
        runs: RunsArg,
    },
    /// Copy a run's artefacts (model, spec.yaml, run.json) with their sha256 hashes.
    Export {
        name: String,
        #[arg(long, value_name = "ID")]
        run_id: String,
        #[arg(long, value_name = "URI")]
        output: String,
        #[command(flatten)]
        runs: RunsArg,
    },
}

/// A URI as given, or a local path made into an absolute `file://` URI.
pub(crate) fn to_uri(s: &str) -> anyhow::Result<String> {
    if s.contains("://") {
        return Ok(s.to_owned());
    }
    let abs = std::path::absolute(Path::new(s)).with_context(|| format!("path {s}"))?;
    Ok(format!("file://{}", abs.display()))
}

/// The registry with the runs location of the configuration.
pub(crate) fn registry(config: &Config, runs: Option<&str>) -> anyhow::Result<Registry> {
    let runs_uri = match runs {
        Some(r) => to_uri(r)?,
        None => to_uri(&config.data_dir.join("artifacts/runs").display().to_string())?,
    };
    Ok(Registry::builtin(&RunnerEnv::new(runs_uri)))
}

fn progress(event: &str, message: Option<&str>, fields: Value, level: Level) {
    let fields = if fields.as_object().is_some_and(|m| m.is_empty()) {
        String::new()
    } else {
        format!(" {fields}")
    };
    eprintln!(
        "· [{}] {event}{}{fields}",
        level.as_str(),
        message.map(|m| format!(": {m}")).unwrap_or_default()
    );
}

fn print_table(rows: &[(String, String)]) {
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    for (k, v) in rows {
        println!("{k:<width$}  {v}");
    }
}

fn runs_of(command: &RunnerCommand) -> Option<&str> {
    match command {
        RunnerCommand::List => None,
        RunnerCommand::Fit { runs, .. }
        | RunnerCommand::Evaluate { runs, .. }
        | RunnerCommand::Export { runs, .. } => runs.runs.as_deref(),
    }
}

pub(crate) async fn run(
    config: &Config,
    command: RunnerCommand,
) -> anyhow::Result<std::process::ExitCode> {
    let registry = Arc::new(registry(config, runs_of(&command))?);
    // Runners block (training, object-store I/O): off the async threads.
    tokio::task::spawn_blocking(move || run_blocking(&registry, command)).await??;
    Ok(std::process::ExitCode::SUCCESS)
}

fn run_blocking(registry: &Registry, command: RunnerCommand) -> anyhow::Result<()> {
    match command {
        RunnerCommand::List => {
            let rows: Vec<(String, String)> = registry
                .iter()
                .map(|r| (r.name().to_owned(), r.summary().to_owned()))
                .collect();
            print_table(&rows);
        }
        RunnerCommand::Fit {
            name,
            spec,
            dataset,
            ..
        } => {
            let runner = registry.resolve(&name)?;
            let spec: Value = match spec {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    serde_json::from_str(&text).with_context(|| {
                        format!("{}: the spec must be a JSON object", path.display())
                    })?
                }
                None => serde_json::json!({}),
            };
            let result = runner.fit(&spec, &to_uri(&dataset)?, &progress)?;
            let mut rows = vec![("model_uri".to_owned(), result.model_uri.clone())];
            rows.extend(
                result
                    .extras
                    .iter()
                    .filter(|(k, _)| *k == "run_id")
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())),
            );
            rows.extend(
                result
                    .metrics
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_string())),
            );
            print_table(&rows);
        }
        RunnerCommand::Evaluate {
            name,
            model,
            dataset,
            ..
        } => {
            let runner = registry.resolve(&name)?;
            let result = runner.evaluate(&to_uri(&model)?, &to_uri(&dataset)?, &progress)?;
            let m = &result.metrics;
            println!(
                "{:<7} {:>8} {:>8} {:>9}",
                "aspect", "fmax", "auc_pr", "coverage"
            );
            for aspect in ["bpo", "mfo", "cco"] {
                let cell = |map: &protea_runners::PerAspect| {
                    map.get(aspect)
                        .map_or("-".to_owned(), |v| format!("{v:.4}"))
                };
                println!(
                    "{aspect:<7} {:>8} {:>8} {:>9}",
                    cell(&m.fmax),
                    cell(&m.auc_pr),
                    cell(&m.coverage)
                );
            }
        }
        RunnerCommand::Export {
            name,
            run_id,
            output,
            ..
        } => {
            let runner = registry.resolve(&name)?;
            let result = runner.export(&run_id, &to_uri(&output)?, &progress)?;
            let rows: Vec<(String, String)> = result
                .files
                .iter()
                .map(|(k, f)| (k.clone(), format!("{}  {}", f.sha256, f.uri)))
                .collect();
            print_table(&rows);
        }
    }
    Ok(())
}
