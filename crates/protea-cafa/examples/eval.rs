//! A minimal command line over the library, used by `scripts/bench.sh` until the `protea
//! eval` subcommand wraps the same calls:
//!
//! `eval OBO PRED GT [--ia F] [--known F] [--toi F] [--norm cafa|pred|gt] [--prop max|fill]
//!  [--th-step X] [--max-terms N] [--no-orphans] [--threads N] --out-dir DIR`

use std::path::PathBuf;
use std::process::ExitCode;

use protea_cafa::{EvalConfig, Inputs, Norm, Prop, evaluate, write_outputs};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = std::error::Error::source(e.as_ref());
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut positional = Vec::new();
    let mut config = EvalConfig {
        threads: 0,
        ..EvalConfig::default()
    };
    let (mut ia, mut known, mut toi, mut out_dir) = (None, None, None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--ia" => ia = Some(PathBuf::from(value()?)),
            "--known" => known = Some(PathBuf::from(value()?)),
            "--toi" => toi = Some(PathBuf::from(value()?)),
            "--out-dir" => out_dir = Some(PathBuf::from(value()?)),
            "--th-step" => config.th_step = value()?.parse()?,
            "--max-terms" => config.max_terms = Some(value()?.parse()?),
            "--threads" => config.threads = value()?.parse()?,
            "--no-orphans" => config.no_orphans = true,
            "--norm" => {
                config.norm = match value()?.as_str() {
                    "cafa" => Norm::Cafa,
                    "pred" => Norm::Pred,
                    "gt" => Norm::Gt,
                    other => return Err(format!("unknown norm {other}").into()),
                }
            }
            "--prop" => {
                config.prop = match value()?.as_str() {
                    "max" => Prop::Max,
                    "fill" => Prop::Fill,
                    other => return Err(format!("unknown prop {other}").into()),
                }
            }
            _ => positional.push(PathBuf::from(arg)),
        }
    }
    let [obo, pred, gt] = <[PathBuf; 3]>::try_from(positional)
        .map_err(|_| "usage: eval OBO PRED GT [options] --out-dir DIR")?;
    let out_dir = out_dir.ok_or("--out-dir is required")?;
    let inputs = Inputs {
        obo: &obo,
        predictions: &pred,
        ground_truth: &gt,
        ia: ia.as_deref(),
        known: known.as_deref(),
        toi: toi.as_deref(),
    };
    let evaluation = evaluate(&config, &inputs)?;
    write_outputs(&evaluation, &out_dir)?;
    Ok(())
}
