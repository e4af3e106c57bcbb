//! `protea embed`: vectors from a FASTA file without the platform, like the
//! reference packages' extract scripts. Writes OUT.npy (float32, one row per
//! sequence, chunk or residue, in FASTA order) and OUT.ids.tsv
//! (`row, accession, chunk_s, chunk_e`; `chunk_e` is empty for whole-sequence
//! vectors, and per-residue rows use `i, i+1`).

use anyhow::Context;
use clap::Args;
use protea_plm::npy::write_npy;
use protea_plm::{
    BackendKind, DEFAULT_BATCH_TOKENS, DType, Device, EmbedOptions, Embedder, Matrix,
};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub(crate) struct EmbedArgs {
    /// Backend: esm2, esmc, prott5, prostt5, ankh, t5 (ProstT5 if the model name says so,
    /// else ProtT5), or kmer (k = 3; kmer1..kmer4 pick k), which needs no weights.
    #[arg(long, default_value = "esm2")]
    backend: String,
    /// Model directory (config.json, model.safetensors, vocab.txt; for esmc the
    /// EvolutionaryScale snapshot with data/weights/*.pth, or the .pth itself).
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
    /// Input FASTA (plain or gzip).
    #[arg(long, value_name = "FILE")]
    fasta: PathBuf,
    /// Output .npy; the ids go to the same name with .ids.tsv.
    #[arg(long, value_name = "OUT.npy")]
    out: PathBuf,
    /// Layers, counted from the last: 0 (or -1) = last, 1 (or -2) = penultimate.
    #[arg(
        long,
        value_delimiter = ',',
        allow_hyphen_values = true,
        default_value = "0"
    )]
    layers: Vec<i64>,
    /// How selected layers combine: mean, last (the shallowest selected), concat.
    #[arg(long, default_value = "mean")]
    layer_agg: String,
    /// mean, max, cls or mean_max.
    #[arg(long, default_value = "mean")]
    pooling: String,
    /// L2-normalise each output vector.
    #[arg(long)]
    normalize: bool,
    /// L2-normalise each residue before pooling.
    #[arg(long)]
    normalize_residues: bool,
    /// Chunk size in residues (pools windows instead of whole sequences).
    #[arg(long)]
    chunk_size: Option<usize>,
    /// Residues shared by consecutive chunks.
    #[arg(long, default_value_t = 0, requires = "chunk_size")]
    chunk_overlap: usize,
    /// Write one row per residue instead of pooled vectors.
    #[arg(long)]
    per_residue: bool,
    /// Tokens per sequence including special tokens (default: the model's maximum);
    /// for esmc, residues (the sequence is cut before tokenising; default: no limit).
    #[arg(long)]
    max_length: Option<usize>,
    /// Compute dtype: f32, f16 or bf16 (default: the reference's rule, f32 on CPU).
    #[arg(long)]
    dtype: Option<String>,
    /// Token budget per forward pass (batch × padded length).
    #[arg(long, default_value_t = DEFAULT_BATCH_TOKENS)]
    batch_tokens: usize,
}

pub(crate) fn run(args: EmbedArgs) -> anyhow::Result<()> {
    let kind: BackendKind = args.backend.parse()?;
    let opts = EmbedOptions {
        layer_indices: args.layers.clone(),
        layer_agg: args.layer_agg.parse()?,
        pooling: args.pooling.parse()?,
        normalize: args.normalize,
        normalize_residues: args.normalize_residues,
        max_length: args.max_length,
        chunking: args.chunk_size.map(|s| (s, args.chunk_overlap)),
    };
    let dtype = args.dtype.as_deref().map(parse_dtype).transpose()?;
    let embedder = Embedder::load_with_dtype(kind, args.model.as_deref(), &Device::Cpu, dtype)?;
    let records = read_fasta(&args.fasta)?;
    let seqs: Vec<(&str, &str)> = records
        .iter()
        .map(|(a, s)| (a.as_str(), s.as_str()))
        .collect();

    let mut data = Vec::new();
    let mut ids: Vec<(String, usize, Option<usize>)> = Vec::new();
    let mut cols = 0;
    if args.per_residue {
        for ((acc, _), m) in seqs
            .iter()
            .zip(embedder.residues(&seqs, &opts, args.batch_tokens)?)
        {
            cols = m.cols;
            ids.extend((0..m.rows).map(|i| (acc.to_string(), i, Some(i + 1))));
            data.extend(m.data);
        }
    } else {
        for ((acc, _), chunks) in
            seqs.iter()
                .zip(embedder.embed(&seqs, &opts, args.batch_tokens)?)
        {
            for c in chunks {
                cols = c.vector.len();
                ids.push((acc.to_string(), c.chunk_s, c.chunk_e));
                data.extend(c.vector);
            }
        }
    }
    let matrix = Matrix {
        rows: ids.len(),
        cols,
        data,
    };
    write_npy(&args.out, &matrix)?;
    let tsv = ids_path(&args.out);
    write_ids(&tsv, &ids).with_context(|| format!("writing {}", tsv.display()))?;
    eprintln!(
        "embedded {} sequences with {}: {} rows × {} dims → {} and {}",
        seqs.len(),
        embedder.name(),
        matrix.rows,
        matrix.cols,
        args.out.display(),
        tsv.display()
    );
    Ok(())
}

fn parse_dtype(s: &str) -> anyhow::Result<DType> {
    match s {
        "f32" | "float32" => Ok(DType::F32),
        "f16" | "float16" => Ok(DType::F16),
        "bf16" | "bfloat16" => Ok(DType::BF16),
        _ => anyhow::bail!("--dtype {s:?}: expected f32, f16 or bf16"),
    }
}

/// `OUT.npy` → `OUT.ids.tsv`.
fn ids_path(out: &Path) -> PathBuf {
    let stem = out.with_extension("");
    PathBuf::from(format!("{}.ids.tsv", stem.display()))
}

fn read_fasta(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let reader = protea_formats::io::open(path)?;
    let mut fasta = protea_formats::fasta::Reader::new(reader, &path.display().to_string());
    let mut out = Vec::new();
    while let Some(r) = fasta.next_record()? {
        anyhow::ensure!(
            !r.sequence.is_empty(),
            "{}: line {}: {} has no residues",
            path.display(),
            r.line,
            r.accession
        );
        out.push((r.accession, r.sequence));
    }
    Ok(out)
}

fn write_ids(path: &Path, ids: &[(String, usize, Option<usize>)]) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(w, "row\taccession\tchunk_s\tchunk_e")?;
    for (row, (acc, s, e)) in ids.iter().enumerate() {
        let e = e.map(|e| e.to_string()).unwrap_or_default();
        writeln!(w, "{row}\t{acc}\t{s}\t{e}")?;
    }
    w.flush()
}
