//! Writers for cafaeval's output files: `evaluation_all.tsv` and
//! `evaluation_best_<metric>.tsv`, with its columns, row order and `%.{d}f` formatting
//! (`d = ceil(-log10(th_step)) + 1`, tau and `n` included).

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::grid::decimals;
use crate::results::{BestMetric, Evaluation, Metrics, ThresholdRow};

/// Formats like Python's `'%.{d}f' % x` (`nan`, `inf`, `-inf` included).
pub fn format_float(x: f64, d: usize) -> String {
    if x.is_nan() {
        "nan".to_owned()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.to_owned()
    } else {
        format!("{x:.d$}")
    }
}

fn header(weighted: bool, cov_max: bool) -> String {
    let mut h = String::from("filename\tns\ttau");
    for name in Metrics::NAMES {
        h.push('\t');
        h.push_str(name);
    }
    if weighted {
        for name in Metrics::NAMES {
            let _ = write!(h, "\t{name}_w");
        }
    }
    if cov_max {
        h.push_str("\tcov_max");
    }
    h.push('\n');
    h
}

fn row_line(method: &str, ns: &str, row: &ThresholdRow, d: usize, cov_max: Option<f64>) -> String {
    let mut line = format!("{method}\t{ns}\t{}", format_float(row.tau, d));
    let groups = std::iter::once(&row.plain).chain(row.weighted.as_ref());
    for v in groups.flat_map(|m| m.columns()).chain(cov_max) {
        line.push('\t');
        line.push_str(&format_float(v, d));
    }
    line.push('\n');
    line
}

/// Writes `evaluation_all.tsv`.
pub fn write_all(eval: &Evaluation, mut out: impl Write) -> std::io::Result<()> {
    let d = decimals(eval.th_step);
    out.write_all(header(eval.weighted, false).as_bytes())?;
    for c in &eval.curves {
        for row in &c.rows {
            out.write_all(row_line(&c.method, &c.namespace, row, d, None).as_bytes())?;
        }
    }
    Ok(())
}

/// Writes `evaluation_best_<metric>.tsv`.
pub fn write_best(
    eval: &Evaluation,
    metric: BestMetric,
    mut out: impl Write,
) -> std::io::Result<()> {
    let d = decimals(eval.th_step);
    out.write_all(header(eval.weighted, true).as_bytes())?;
    for b in eval.best(metric) {
        let line = row_line(
            &b.curve.method,
            &b.curve.namespace,
            b.row,
            d,
            Some(b.cov_max),
        );
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// Writes every file cafaeval writes into `out_dir` (created if needed). Like cafaeval, it
/// refuses when nothing was evaluated.
pub fn write_outputs(eval: &Evaluation, out_dir: &Path) -> Result<()> {
    if eval.curves.is_empty() {
        return Err(Error::NothingEvaluated);
    }
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    let write = |name: String, f: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| {
        let path = out_dir.join(name);
        let mut buf = Vec::new();
        f(&mut buf)
            .and_then(|()| std::fs::write(&path, buf))
            .map_err(|e| Error::io(&path, e))
    };
    write("evaluation_all.tsv".to_owned(), &|b| write_all(eval, b))?;
    for &m in BestMetric::written(eval.weighted) {
        write(format!("evaluation_best_{}.tsv", m.name()), &|b| {
            write_best(eval, m, b)
        })?;
    }
    Ok(())
}
