//! `protea eval`: the CAFA evaluator on plain files, writing the same
//! evaluation_all.tsv / evaluation_best_*.tsv files as cafaeval.

use anyhow::Context;
use clap::{Args, ValueEnum};
use protea_cafa::{EvalConfig, Inputs, Norm, Prop, evaluate, write_outputs};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum NormArg {
    Cafa,
    Pred,
    Gt,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PropArg {
    Max,
    Fill,
}

#[derive(Debug, Args)]
pub(crate) struct EvalArgs {
    /// GO ontology (OBO).
    obo: PathBuf,
    /// Predictions: a file, or a folder with one file per method.
    pred: PathBuf,
    /// Ground truth (protein, GO term).
    gt: PathBuf,
    /// Information accretion file (GO id, IA) for weighted metrics.
    #[arg(long)]
    ia: Option<PathBuf>,
    /// Known terms to exclude (partial-knowledge evaluation).
    #[arg(long)]
    known: Option<PathBuf>,
    /// Terms of interest: evaluate only these.
    #[arg(long)]
    toi: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "cafa")]
    norm: NormArg,
    #[arg(long, value_enum, default_value = "max")]
    prop: PropArg,
    /// Threshold step.
    #[arg(long, default_value_t = 0.01)]
    th_step: f64,
    /// Keep at most this many predictions per protein and namespace.
    #[arg(long)]
    max_terms: Option<usize>,
    /// Drop terms without parents (orphans) from the evaluation.
    #[arg(long)]
    no_orphans: bool,
    /// Threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Where to write the result files.
    #[arg(long)]
    out_dir: PathBuf,
}

pub(crate) fn run(args: EvalArgs) -> anyhow::Result<()> {
    let config = EvalConfig {
        norm: match args.norm {
            NormArg::Cafa => Norm::Cafa,
            NormArg::Pred => Norm::Pred,
            NormArg::Gt => Norm::Gt,
        },
        prop: match args.prop {
            PropArg::Max => Prop::Max,
            PropArg::Fill => Prop::Fill,
        },
        th_step: args.th_step,
        max_terms: args.max_terms,
        no_orphans: args.no_orphans,
        threads: args.threads,
        ..EvalConfig::default()
    };
    let inputs = Inputs {
        obo: &args.obo,
        predictions: &args.pred,
        ground_truth: &args.gt,
        ia: args.ia.as_deref(),
        known: args.known.as_deref(),
        toi: args.toi.as_deref(),
    };
    let evaluation = evaluate(&config, &inputs)?;
    write_outputs(&evaluation, &args.out_dir)
        .with_context(|| format!("writing results to {}", args.out_dir.display()))?;
    eprintln!("results written to {}", args.out_dir.display());
    Ok(())
}
