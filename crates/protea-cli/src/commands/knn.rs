//! `protea knn`: nearest neighbours between two .npy matrices without the platform, so the
//! search engine can be used and measured on its own. Writes a TSV (`query, rank, ref,
//! distance`; 0-based row indices, rank 1 = nearest) through a temporary file renamed at the
//! end, so a failed run leaves no half-written output.

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use protea_plm::npy::read_npy;
use protea_search::{AnnIndex, Backend, Metric, ReferenceMatrix, SearchParams};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum MetricArg {
    /// 1 − cosine similarity.
    Cosine,
    /// Squared Euclidean distance.
    L2,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum BackendArg {
    /// Every reference scored (blocked GEMM).
    Exact,
    /// IVF-Flat (k-means cells; --nlist, --nprobe).
    Ivf,
    /// HNSW graph (--hnsw-m, --ef-search).
    Hnsw,
}

#[derive(Debug, Args)]
pub(crate) struct KnnArgs {
    /// Reference vectors (.npy, float32/float64/float16, one row each; stored as f16).
    #[arg(long, value_name = "R.npy")]
    refs: PathBuf,
    /// Query vectors (.npy, same number of columns).
    #[arg(long, value_name = "Q.npy")]
    queries: PathBuf,
    /// Neighbours per query.
    #[arg(short = 'k', long, default_value_t = 5)]
    k: usize,
    #[arg(long, value_enum, default_value = "cosine")]
    metric: MetricArg,
    #[arg(long, value_enum, default_value = "exact")]
    backend: BackendArg,
    /// IVF cells.
    #[arg(long, default_value_t = 100)]
    nlist: usize,
    /// IVF cells visited per query.
    #[arg(long, default_value_t = 10)]
    nprobe: usize,
    /// HNSW graph degree.
    #[arg(long, default_value_t = 32)]
    hnsw_m: usize,
    /// HNSW search width.
    #[arg(long, default_value_t = 64)]
    ef_search: usize,
    /// Drop neighbours farther than this (after the top-k cut).
    #[arg(long)]
    distance_threshold: Option<f32>,
    /// Index file for ivf/hnsw: read when it exists (refused if built over other references
    /// or with other parameters), else built and written there.
    #[arg(long, value_name = "FILE")]
    index: Option<PathBuf>,
    /// Output TSV.
    #[arg(long, value_name = "OUT.tsv")]
    out: PathBuf,
}

fn load(path: &Path, what: &str) -> anyhow::Result<protea_plm::Matrix> {
    read_npy(path).with_context(|| format!("reading {what} {}", path.display()))
}

pub(crate) fn run(args: KnnArgs) -> anyhow::Result<()> {
    let refs_m = load(&args.refs, "references")?;
    let queries = load(&args.queries, "queries")?;
    if queries.cols != refs_m.cols {
        bail!(
            "{} has {} columns but {} has {}",
            args.queries.display(),
            queries.cols,
            args.refs.display(),
            refs_m.cols
        );
    }
    let refs = ReferenceMatrix::from_f32(&refs_m.data, refs_m.cols)
        .with_context(|| format!("references {}", args.refs.display()))?;
    drop(refs_m);
    let metric = match args.metric {
        MetricArg::Cosine => Metric::Cosine,
        MetricArg::L2 => Metric::L2,
    };
    let backend = match args.backend {
        BackendArg::Exact => Backend::Exact,
        BackendArg::Ivf => Backend::IvfFlat {
            nlist: args.nlist,
            nprobe: args.nprobe,
        },
        BackendArg::Hnsw => Backend::Hnsw {
            m: args.hnsw_m,
            ef_search: args.ef_search,
        },
    };
    let params = SearchParams {
        k: args.k,
        metric,
        backend,
        distance_threshold: args.distance_threshold,
    };
    let t0 = Instant::now();
    let lists = if backend == Backend::Exact {
        if args.index.is_some() {
            bail!("--index needs --backend ivf or hnsw");
        }
        protea_search::search(&refs, &queries.data, &params)?
    } else {
        let index = match &args.index {
            Some(path) if path.exists() => {
                let file = std::fs::File::open(path)
                    .with_context(|| format!("opening index {}", path.display()))?;
                AnnIndex::read_from(&mut std::io::BufReader::new(file), &refs)
                    .with_context(|| format!("index {}", path.display()))?
            }
            other => {
                let index = AnnIndex::build(&refs, metric, backend)?;
                if let Some(path) = other {
                    write_atomically(path, |w| Ok(index.write_to(w)?))
                        .with_context(|| format!("writing index {}", path.display()))?;
                }
                index
            }
        };
        eprintln!("index ready in {:.2} s", t0.elapsed().as_secs_f64());
        index.search(&refs, &queries.data, &params)?
    };
    eprintln!(
        "{} queries × {} references (dim {}): searched in {:.3} s",
        lists.len(),
        refs.rows(),
        refs.dim(),
        t0.elapsed().as_secs_f64()
    );
    write_atomically(&args.out, |w| {
        writeln!(w, "query\trank\tref\tdistance")?;
        for (q, list) in lists.iter().enumerate() {
            for (rank, n) in list.iter().enumerate() {
                writeln!(w, "{q}\t{}\t{}\t{}", rank + 1, n.index, n.distance)?;
            }
        }
        Ok(())
    })
    .with_context(|| format!("writing {}", args.out.display()))
}

/// Writes through `PATH.tmp` and renames it into place once complete.
fn write_atomically(
    path: &Path,
    body: impl FnOnce(&mut BufWriter<std::fs::File>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let result = (|| -> anyhow::Result<()> {
        let mut w = BufWriter::new(std::fs::File::create(&tmp)?);
        body(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
