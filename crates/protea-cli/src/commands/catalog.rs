//! `protea protein|ontology|annotation-set|query-set …`: look at what was
//! loaded (the API's catalogue, straight from the database) and upload
//! query sets. Lists print one line per item (`--json` for everything).

use crate::commands::platform::client_pool;
use crate::config::Config;
use clap::{Args, Subcommand};
use protea_ops::query_set_upload::{self, UploadError};
use protea_store::{browse, curation, query_sets};
use std::path::PathBuf;
use std::process::ExitCode;
use uuid::Uuid;

#[derive(Debug, Args)]
pub(crate) struct PageArgs {
    #[arg(long, default_value_t = 50)]
    limit: i64,
    #[arg(long, default_value_t = 0)]
    offset: i64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ProteinCommand {
    /// Proteins ordered by accession.
    List {
        /// Substring of accession, entry name, gene or organism.
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        reviewed: Option<bool>,
        /// Include isoforms.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        page: PageArgs,
    },
    /// One protein with sequence, metadata and isoforms (JSON).
    Show { accession: String },
    /// Counts (JSON).
    Stats,
    /// The stored InterProScan matches of one protein (JSON).
    Interpro {
        accession: String,
        /// Keep one InterProScan release (e.g. 5.77-108.0).
        #[arg(long)]
        release: Option<String>,
    },
    /// The GO annotations of a protein, by aspect then term.
    Annotations {
        accession: String,
        /// Only this annotation set.
        #[arg(long)]
        set: Option<Uuid>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum OntologyCommand {
    /// Loaded GO snapshots, newest first.
    List {
        #[command(flatten)]
        page: PageArgs,
    },
    /// A term with its ancestors and descendants (JSON).
    Term {
        snapshot: Uuid,
        go_id: String,
        #[arg(long, default_value_t = 3)]
        depth: i32,
        /// Comma-separated relation types (default: all).
        #[arg(long)]
        relations: Option<String>,
    },
    /// The listed terms and their ancestors, with the edges among them (JSON).
    Subgraph {
        snapshot: Uuid,
        /// GO ids, comma-separated.
        go_ids: String,
        #[arg(long, default_value_t = 3)]
        depth: i32,
    },
    /// Set the IA file URL of a snapshot (used when an evaluation gives no ia_file).
    IaUrl {
        snapshot: Uuid,
        /// URL or path; omit with --clear.
        #[arg(required_unless_present = "clear")]
        url: Option<String>,
        #[arg(long, conflicts_with = "url")]
        clear: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum AnnotationSetCommand {
    /// Annotation sets, newest first.
    List {
        #[arg(long)]
        source: Option<String>,
        #[command(flatten)]
        page: PageArgs,
    },
    /// One set with counts by aspect and evidence (JSON).
    Show { id: Uuid },
    /// Delete a set and its annotations (refused while a prediction or evaluation set uses it).
    Delete { id: Uuid },
}

#[derive(Debug, Subcommand)]
pub(crate) enum QuerySetCommand {
    /// Upload a FASTA file as a query set (validated; nothing is stored when
    /// a record is invalid, and every bad record is listed).
    Upload {
        file: PathBuf,
        #[arg(long)]
        name: String,
        #[arg(long)]
        description: Option<String>,
    },
    /// Query sets, newest first.
    List {
        #[command(flatten)]
        page: PageArgs,
    },
    /// One query set with its entries (JSON).
    Show {
        id: Uuid,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Delete a query set (sequences are kept).
    Delete { id: Uuid },
}

fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

pub(crate) async fn protein(config: &Config, command: ProteinCommand) -> anyhow::Result<ExitCode> {
    let pool = client_pool(config).await?;
    match command {
        ProteinCommand::List {
            search,
            reviewed,
            all,
            page,
        } => {
            let filter = browse::ProteinFilter {
                search,
                reviewed,
                canonical_only: !all,
                taxonomy_id: None,
            };
            let found =
                browse::proteins(&pool, &filter, page.limit.clamp(1, 500), page.offset.max(0))
                    .await?;
            if page.json {
                return print_json(&found).map(|_| ExitCode::SUCCESS);
            }
            for p in &found.items {
                println!(
                    "{:<14} {:<16} {:<10} {:>6}  {}",
                    p.accession,
                    p.entry_name.as_deref().unwrap_or("-"),
                    p.gene_name.as_deref().unwrap_or("-"),
                    p.length.map(|l| l.to_string()).unwrap_or_default(),
                    p.organism.as_deref().unwrap_or("-")
                );
            }
            eprintln!("{} of {} protein(s)", found.items.len(), found.total);
        }
        ProteinCommand::Show { accession } => match browse::protein(&pool, &accession).await? {
            Some(p) => print_json(&p)?,
            None => anyhow::bail!("protein {accession} not found"),
        },
        ProteinCommand::Stats => print_json(&browse::protein_stats(&pool).await?)?,
        ProteinCommand::Interpro { accession, release } => print_json(
            &protea_store::interpro_hits::protein_hits(&pool, &accession, release.as_deref())
                .await?,
        )?,
        ProteinCommand::Annotations {
            accession,
            set,
            json,
        } => {
            let rows = browse::protein_annotations(&pool, &accession, set).await?;
            if json {
                return print_json(&rows).map(|_| ExitCode::SUCCESS);
            }
            for a in &rows {
                println!(
                    "{}  {}  {:<4} {:<14} {:<8} {}",
                    a.go_id,
                    a.aspect.as_deref().unwrap_or("-"),
                    a.evidence_code.as_deref().unwrap_or("-"),
                    a.qualifier.as_deref().unwrap_or("-"),
                    a.annotation_set_source,
                    a.name.as_deref().unwrap_or("")
                );
            }
            eprintln!("{} annotation(s)", rows.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn ontology(
    config: &Config,
    command: OntologyCommand,
) -> anyhow::Result<ExitCode> {
    let pool = client_pool(config).await?;
    match command {
        OntologyCommand::List { page } => {
            let found =
                browse::snapshots(&pool, page.limit.clamp(1, 500), page.offset.max(0)).await?;
            if page.json {
                return print_json(&found).map(|_| ExitCode::SUCCESS);
            }
            for s in &found.items {
                println!(
                    "{}  {:<22} {:>6} terms {:>7} edges  {}",
                    s.id, s.obo_version, s.go_term_count, s.relationship_count, s.loaded_at
                );
            }
        }
        OntologyCommand::Term {
            snapshot,
            go_id,
            depth,
            relations,
        } => {
            let relations: Vec<String> = relations
                .map(|r| {
                    r.split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            match browse::term(&pool, snapshot, &go_id, depth.clamp(1, 20), &relations).await? {
                Some(t) => print_json(&t)?,
                None => anyhow::bail!("term {go_id} not found in snapshot {snapshot}"),
            }
        }
        OntologyCommand::Subgraph {
            snapshot,
            go_ids,
            depth,
        } => {
            let go_ids: Vec<String> = go_ids
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            let graph = browse::subgraph(&pool, snapshot, &go_ids, depth.clamp(1, 6)).await?;
            print_json(&graph)?;
        }
        OntologyCommand::IaUrl { snapshot, url, .. } => {
            match curation::set_ia_url(&pool, snapshot, url.as_deref()).await? {
                Some(updated) => print_json(&updated)?,
                None => anyhow::bail!("ontology snapshot {snapshot} not found"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn annotation_set(
    config: &Config,
    command: AnnotationSetCommand,
) -> anyhow::Result<ExitCode> {
    let pool = client_pool(config).await?;
    match command {
        AnnotationSetCommand::List { source, page } => {
            let found = browse::annotation_sets(
                &pool,
                source.as_deref(),
                page.limit.clamp(1, 500),
                page.offset.max(0),
            )
            .await?;
            if page.json {
                return print_json(&found).map(|_| ExitCode::SUCCESS);
            }
            for s in &found.items {
                println!(
                    "{}  {:<8} {:<12} {:>9} annotations  {}",
                    s.id,
                    s.source,
                    s.source_version.as_deref().unwrap_or("-"),
                    s.annotation_count,
                    s.created_at
                );
            }
        }
        AnnotationSetCommand::Show { id } => match browse::annotation_set(&pool, id).await? {
            Some(s) => print_json(&s)?,
            None => anyhow::bail!("annotation set {id} not found"),
        },
        AnnotationSetCommand::Delete { id } => {
            match curation::delete_annotation_set(&pool, id).await? {
                None => anyhow::bail!("annotation set {id} not found"),
                Some(Ok(done)) => eprintln!(
                    "deleted annotation set {id} ({} annotations)",
                    done.annotations_deleted
                ),
                Some(Err(in_use)) => anyhow::bail!(
                    "annotation set {id} is used by prediction sets {:?} and evaluation sets {:?}; delete those first",
                    in_use.prediction_sets,
                    in_use.evaluation_sets
                ),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn query_set(
    config: &Config,
    command: QuerySetCommand,
) -> anyhow::Result<ExitCode> {
    let pool = client_pool(config).await?;
    match command {
        QuerySetCommand::Upload {
            file,
            name,
            description,
        } => {
            let bytes =
                std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let label = file.display().to_string();
            match query_set_upload::upload(&pool, &name, description.as_deref(), &bytes, &label)
                .await
            {
                Ok(uploaded) => print_json(&uploaded)?,
                Err(UploadError::BadRecords {
                    file,
                    records,
                    report,
                }) => {
                    for r in &report {
                        eprintln!("{file}:{}: {} {}", r.line, r.accession, r.issues.join("; "));
                    }
                    eprintln!("{records} invalid record(s); nothing was stored");
                    return Ok(ExitCode::FAILURE);
                }
                Err(err) => return Err(err.into()),
            }
        }
        QuerySetCommand::List { page } => {
            let (total, items) =
                query_sets::list(&pool, page.limit.clamp(1, 500), page.offset.max(0)).await?;
            if page.json {
                return print_json(&items).map(|_| ExitCode::SUCCESS);
            }
            for q in &items {
                println!(
                    "{}  {:<24} {:>7} entries  {}",
                    q.id, q.name, q.entry_count, q.created_at
                );
            }
            eprintln!("{} of {total} query set(s)", items.len());
        }
        QuerySetCommand::Show { id, page } => {
            let mut conn = pool.acquire().await?;
            let Some(set) = query_sets::get(&mut conn, id).await? else {
                anyhow::bail!("query set {id} not found");
            };
            drop(conn);
            let entries =
                query_sets::entries(&pool, id, page.limit.clamp(1, 500), page.offset.max(0))
                    .await?;
            print_json(&serde_json::json!({"query_set": set, "entries": entries}))?;
        }
        QuerySetCommand::Delete { id } => {
            anyhow::ensure!(
                query_sets::delete(&pool, id).await?,
                "query set {id} not found"
            );
            eprintln!("deleted {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
