//! `protea job …` and `protea dead-letters …`: the job platform from a shell.

use crate::commands::job_service;
use crate::commands::platform::client_pool;
use crate::config::Config;
use crate::output;
use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use protea_core::JobStatus;
use protea_jobs::{EventTail, EventView, JobFilter, JobService, SubmitRequest, TailStep};
use serde_json::Value;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use uuid::Uuid;

#[derive(Debug, Subcommand)]
pub(crate) enum JobCommand {
    /// Submit a job: `protea job submit ping --wait`.
    Submit(SubmitArgs),
    /// List jobs, newest first.
    List(ListArgs),
    /// Show one job with its payload and result.
    Show {
        id: Uuid,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a job's events, oldest first; `--follow` streams new ones until
    /// the job finishes.
    Events {
        id: Uuid,
        #[arg(long, short)]
        follow: bool,
        /// Print one JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Cancel a queued or running job.
    Cancel { id: Uuid },
    /// List the operations the platform can run, with their queues.
    Operations,
}

#[derive(Debug, Args)]
pub(crate) struct SubmitArgs {
    /// Operation name (see `protea job operations`).
    operation: String,
    /// Payload as JSON, or @FILE to read it from a file.
    #[arg(long, short, default_value = "{}")]
    payload: String,
    /// Queue (default: the operation's own).
    #[arg(long)]
    queue: Option<String>,
    /// Metadata as a JSON object.
    #[arg(long)]
    meta: Option<String>,
    /// Wait for the job to finish, with a progress bar; the exit code says
    /// whether it succeeded.
    #[arg(long, short)]
    wait: bool,
    /// Give up waiting after this many seconds.
    #[arg(long, requires = "wait")]
    timeout: Option<f64>,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// queued, running, succeeded, failed or cancelled.
    #[arg(long)]
    status: Option<JobStatus>,
    #[arg(long)]
    operation: Option<String>,
    #[arg(long, default_value_t = 20)]
    limit: i64,
    #[arg(long, default_value_t = 0)]
    offset: i64,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DeadLetterCommand {
    /// List dead letters, newest first.
    List {
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// Put a dead letter back on its queue.
    Requeue { id: i64 },
}

pub(crate) async fn run(config: &Config, command: JobCommand) -> anyhow::Result<ExitCode> {
    let pool = client_pool(config).await?;
    let service = job_service(config, &pool);
    match command {
        JobCommand::Submit(args) => submit(&service, args).await,
        JobCommand::List(args) => {
            let filter = JobFilter {
                status: args.status,
                operation: args.operation,
                limit: args.limit.clamp(1, 500),
                offset: args.offset.max(0),
                ..JobFilter::default()
            };
            let jobs = service.list(&filter).await?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&jobs)?);
            } else if jobs.is_empty() {
                eprintln!("no jobs");
            } else {
                jobs.iter()
                    .for_each(|job| println!("{}", output::job_line(job)));
            }
            Ok(ExitCode::SUCCESS)
        }
        JobCommand::Show { id, json } => {
            let job = service.get(id).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&job)?);
            } else {
                println!("{}", output::job_details(&job));
            }
            Ok(ExitCode::SUCCESS)
        }
        JobCommand::Events { id, follow, json } => events(&service, id, follow, json).await,
        JobCommand::Cancel { id } => {
            let outcome = service.cancel(id).await?;
            println!("{}  {}", outcome.id, outcome.status);
            if outcome.children_cancelled > 0 {
                println!("{} child jobs cancelled", outcome.children_cancelled);
            }
            Ok(ExitCode::SUCCESS)
        }
        JobCommand::Operations => {
            for op in service.registry().list().iter().filter(|op| !op.ephemeral) {
                println!("{:<28}  {:<26}  {}", op.name, op.queue, op.summary);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(crate) async fn run_dead_letters(
    config: &Config,
    command: DeadLetterCommand,
) -> anyhow::Result<ExitCode> {
    let pool = client_pool(config).await?;
    let service = job_service(config, &pool);
    match command {
        DeadLetterCommand::List { limit, json } => {
            let letters = service.dead_letters(limit.clamp(1, 500), false).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&letters)?);
            } else if letters.is_empty() {
                eprintln!("no dead letters");
            } else {
                for letter in letters {
                    let job = letter.job_id.map(|j| j.to_string()).unwrap_or_default();
                    println!(
                        "{:>6}  {:<26}  {:<5}  {job}  {}",
                        letter.id, letter.queue_name, letter.kind, letter.error
                    );
                }
            }
        }
        DeadLetterCommand::Requeue { id } => {
            service.requeue_dead_letter(id).await?;
            println!("dead letter {id} re-queued");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_json_arg(text: &str, what: &str) -> anyhow::Result<Value> {
    let text = match text.strip_prefix('@') {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("reading {what} from {path}"))?
        }
        None => text.to_owned(),
    };
    serde_json::from_str(&text).with_context(|| format!("{what} is not valid JSON"))
}

async fn submit(service: &JobService, args: SubmitArgs) -> anyhow::Result<ExitCode> {
    let payload = parse_json_arg(&args.payload, "--payload")?;
    let meta = args
        .meta
        .as_deref()
        .map(|m| parse_json_arg(m, "--meta"))
        .transpose()?
        .unwrap_or(Value::Null);
    let job = service
        .submit(SubmitRequest {
            operation: args.operation,
            payload,
            queue_name: args.queue,
            meta,
        })
        .await?;
    if !args.wait {
        println!("{}", job.id);
        return Ok(ExitCode::SUCCESS);
    }
    // A platform that has just started registers its workers a moment later.
    let mut consumed = false;
    for attempt in 0..10 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let live = service.workers(30.0).await?;
        consumed = live.iter().any(|w| w.queues.contains(&job.queue_name));
        if consumed {
            break;
        }
    }
    if !consumed {
        eprintln!(
            "warning: no live worker consumes {}; the job waits until one does (`protea up` or `protea worker`)",
            job.queue_name
        );
    }
    eprintln!(
        "submitted {} ({} on {})",
        job.id, job.operation, job.queue_name
    );
    wait(service, job.id, args.timeout.map(Duration::from_secs_f64)).await
}

/// Follows a job to its end with a progress bar; prints its outcome.
pub(crate) async fn wait(
    service: &JobService,
    id: Uuid,
    timeout: Option<Duration>,
) -> anyhow::Result<ExitCode> {
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}").expect("template"));
    bar.enable_steady_tick(Duration::from_millis(120));
    let started = Instant::now();
    let mut tail = EventTail::new(id, 0);
    let mut last_name = String::from("queued");
    loop {
        let step = tail.poll(service).await?;
        if let TailStep::Events(events) = &step {
            for event in events {
                last_name = event.event.clone();
                bar.println(output::event_line(event));
            }
        }
        let job = service.get(id).await?;
        if let (Some(current), Some(total)) = (job.progress_current, job.progress_total) {
            if bar.length() != Some(total as u64) {
                bar.set_length(total as u64);
                bar.set_style(
                    ProgressStyle::with_template("{elapsed:>4} [{bar:30}] {pos}/{len} {msg}")
                        .expect("template")
                        .progress_chars("=> "),
                );
            }
            bar.set_position(current as u64);
        }
        bar.set_message(format!("{} · {last_name}", job.status));
        if matches!(step, TailStep::End) {
            bar.finish_and_clear();
            println!("{}", output::job_details(&job));
            return Ok(if job.status == JobStatus::Succeeded {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        if timeout.is_some_and(|t| started.elapsed() > t) {
            bar.finish_and_clear();
            anyhow::bail!(
                "job {id} still {} after {:.0?}; it keeps running",
                job.status,
                started.elapsed()
            );
        }
        if matches!(step, TailStep::Idle) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn events(
    service: &JobService,
    id: Uuid,
    follow: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let print = |event: &EventView| -> anyhow::Result<()> {
        if json {
            println!("{}", serde_json::to_string(event)?);
        } else {
            println!("{}", output::event_line(event));
        }
        Ok(())
    };
    if !follow {
        let mut after = None;
        loop {
            let batch = service.events(id, after, 1000, true).await?;
            for event in &batch {
                after = Some(event.id);
                print(event)?;
            }
            if batch.len() < 1000 {
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
    let mut tail = EventTail::new(id, 0);
    loop {
        match tail.poll(service).await? {
            TailStep::Events(events) => events.iter().try_for_each(print)?,
            TailStep::Idle => tokio::time::sleep(Duration::from_millis(200)).await,
            TailStep::End => return Ok(ExitCode::SUCCESS),
        }
    }
}
