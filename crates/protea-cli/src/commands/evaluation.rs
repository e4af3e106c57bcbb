//! `protea evaluation …`: evaluation sets with their statistics, their results as 3 × 3
//! tables, and ground-truth files, read from the database of a running platform.
//!
//! Evaluation sets and runs are created by jobs: `protea job submit
//! generate_evaluation_set --payload …` and `protea job submit run_cafa_evaluation …`.

use crate::commands::platform::client_pool;
use crate::config::Config;
use anyhow::{Context, bail};
use clap::Subcommand;
use protea_evaluation::Category;
use protea_evaluation::delta::to_tsv;
use protea_store::evaluation::{self, EvaluationResultRow, EvaluationSetRow, data};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::process::ExitCode;
use uuid::Uuid;

#[derive(Debug, Subcommand)]
pub(crate) enum EvaluationCommand {
    /// List evaluation sets with their statistics, newest first.
    List {
        #[arg(long, default_value_t = 20)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// Show an evaluation set, its statistics and its results.
    Show {
        id: Uuid,
        #[arg(long)]
        json: bool,
    },
    /// Show one evaluation result as NK/LK/PK × BPO/MFO/CCO tables.
    Result {
        id: Uuid,
        /// Only this metric (fmax, precision, recall, tau, coverage, n_proteins, fmax_w).
        #[arg(long)]
        metric: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Print a ground-truth file (nk, lk, pk, or known), recomputed from the annotations.
    GroundTruth {
        id: Uuid,
        #[arg(long, short)]
        category: String,
    },
}

const METRICS: [&str; 7] = [
    "fmax",
    "precision",
    "recall",
    "tau",
    "coverage",
    "n_proteins",
    "fmax_w",
];

fn stats_line(set: &EvaluationSetRow) -> String {
    let s = &set.stats;
    format!(
        "{}  {}  delta {}  NK {} / LK {} / PK {} proteins  ({} / {} / {} annotations)",
        set.id,
        set.created_at.format("%Y-%m-%d %H:%M"),
        s["delta_proteins"],
        s["nk_proteins"],
        s["lk_proteins"],
        s["pk_proteins"],
        s["nk_annotations"],
        s["lk_annotations"],
        s["pk_annotations"],
    )
}

/// One metric's 3 × 3 table, aligned; `-` where a cell is missing.
pub(crate) fn table(results: &Value, metric: &str) -> String {
    let mut out = format!("{metric:<10}{:>10}{:>10}{:>10}\n", "BPO", "MFO", "CCO");
    for setting in Category::ALL {
        let _ = write!(out, "{:<10}", setting.name());
        for aspect in ["BPO", "MFO", "CCO"] {
            let cell = results
                .pointer(&format!("/{}/{aspect}/{metric}", setting.name()))
                .filter(|v| !v.is_null())
                .map_or_else(|| "-".to_owned(), Value::to_string);
            let _ = write!(out, "{cell:>10}");
        }
        out.push('\n');
    }
    out
}

fn result_json(r: &EvaluationResultRow) -> Value {
    json!({
        "id": r.id,
        "evaluation_set_id": r.evaluation_set_id,
        "prediction_set_id": r.prediction_set_id,
        "scoring_config_id": r.scoring_config_id,
        "job_id": r.job_id,
        "created_at": r.created_at,
        "results": r.results,
        "artifacts_uri": r.artifacts_uri,
    })
}

fn set_json(s: &EvaluationSetRow) -> Value {
    json!({
        "id": s.id,
        "old_annotation_set_id": s.old_annotation_set_id,
        "new_annotation_set_id": s.new_annotation_set_id,
        "pivot_ontology_snapshot_id": s.pivot_ontology_snapshot_id,
        "job_id": s.job_id,
        "created_at": s.created_at,
        "stats": s.stats,
    })
}

pub(crate) async fn run(config: &Config, command: EvaluationCommand) -> anyhow::Result<ExitCode> {
    let pool = client_pool(config).await?;
    match command {
        EvaluationCommand::List { limit, json } => {
            let sets = evaluation::list_evaluation_sets(&pool, limit, 0).await?;
            if json {
                let all: Vec<Value> = sets.iter().map(set_json).collect();
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else if sets.is_empty() {
                println!("No evaluation sets.");
            } else {
                for s in &sets {
                    println!("{}", stats_line(s));
                }
            }
        }
        EvaluationCommand::Show { id, json } => {
            let set = evaluation::evaluation_set(&pool, id)
                .await?
                .with_context(|| format!("evaluation set {id} does not exist"))?;
            let results = evaluation::evaluation_results(&pool, id).await?;
            if json {
                let mut v = set_json(&set);
                v["results"] = results.iter().map(result_json).collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("{}", stats_line(&set));
                println!(
                    "old {}  new {}  pivot {}",
                    set.old_annotation_set_id,
                    set.new_annotation_set_id,
                    set.pivot_ontology_snapshot_id
                        .map_or_else(|| "-".to_owned(), |p| p.to_string())
                );
                println!("known terms: {}", set.stats["known_terms_count"]);
                for r in &results {
                    println!(
                        "\nresult {}  prediction set {}  scoring {}",
                        r.id,
                        r.prediction_set_id,
                        r.scoring_config_id
                            .map_or_else(|| "1 - d/2".to_owned(), |c| c.to_string())
                    );
                    print!("{}", table(&r.results, "fmax"));
                }
            }
        }
        EvaluationCommand::Result { id, metric, json } => {
            let r = evaluation::evaluation_result(&pool, id)
                .await?
                .with_context(|| format!("evaluation result {id} does not exist"))?;
            if let Some(m) = &metric
                && !METRICS.contains(&m.as_str())
            {
                bail!("unknown metric {m:?}; one of {}", METRICS.join(", "));
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&result_json(&r))?);
            } else {
                let metrics: Vec<&str> = match &metric {
                    Some(m) => vec![m.as_str()],
                    None => METRICS[..6].to_vec(),
                };
                for m in metrics {
                    println!("{}", table(&r.results, m));
                }
                if let Some(uri) = &r.artifacts_uri {
                    println!("files: {uri}");
                }
            }
        }
        EvaluationCommand::GroundTruth { id, category } => {
            let set = evaluation::evaluation_set(&pool, id)
                .await?
                .with_context(|| format!("evaluation set {id} does not exist"))?;
            let mut conn = pool.acquire().await?;
            let delta = data::evaluation_set_delta(&mut conn, &set).await?;
            let text = match category.to_ascii_lowercase().as_str() {
                "known" => to_tsv(&delta.known),
                other => match Category::parse(other) {
                    Some(c) => to_tsv(delta.ground_truth(c)),
                    None => bail!("category must be nk, lk, pk or known, got {category:?}"),
                },
            };
            print!("{text}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_shows_missing_cells_as_dashes() {
        let results = json!({"NK": {"BPO": {"fmax": 0.5}}, "LK": {}, "PK": {"CCO": {"fmax": 1.0}}});
        let t = table(&results, "fmax");
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(
            lines[1].split_whitespace().collect::<Vec<_>>(),
            ["NK", "0.5", "-", "-"]
        );
        assert_eq!(
            lines[3].split_whitespace().collect::<Vec<_>>(),
            ["PK", "-", "-", "1.0"]
        );
    }
}
