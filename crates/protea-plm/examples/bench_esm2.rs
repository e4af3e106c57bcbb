//! Benchmark: residues per second of the ESM-2 forward pass (with mean
//! pooling of the last layer, the default embedding) on CPU.
//!
//! `cargo run --release -p protea-plm --example bench_esm2 -- MODEL_DIR FASTA N_SEQS BATCH_TOKENS [MAX_LENGTH]`
//! reads the first `N_SEQS` records of FASTA (plain text, `>acc` headers,
//! one sequence line each: `scripts/bench_vs_torch.py` writes it), embeds
//! them and prints one JSON line with the timing and the process's peak
//! resident memory. Run through `scripts/bench_vs_torch.py` to compare
//! with PyTorch on the same machine and sequences.

use protea_plm::{BackendKind, Device, EmbedOptions, Embedder};
use std::path::Path;
use std::time::Instant;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, model, fasta, n, budget, rest @ ..] = &args[..] else {
        eprintln!("usage: bench_esm2 MODEL_DIR FASTA N_SEQS BATCH_TOKENS [MAX_LENGTH]");
        std::process::exit(2);
    };
    // MAX_LENGTH (tokens) lifts the default 1 026-token truncation, e.g. to
    // check memory on 2 000-residue sequences.
    let max_length: Option<usize> = rest.first().map(|m| m.parse().expect("MAX_LENGTH"));
    let n: usize = n.parse().expect("N_SEQS");
    let budget: usize = budget.parse().expect("BATCH_TOKENS");
    let text = std::fs::read_to_string(fasta).expect("read FASTA");
    let mut records = Vec::new();
    let mut lines = text.lines();
    while let (Some(h), Some(s)) = (lines.next(), lines.next()) {
        records.push((h.trim_start_matches('>').to_owned(), s.to_owned()));
    }
    records.truncate(n);
    let pairs: Vec<(&str, &str)> = records
        .iter()
        .map(|(a, s)| (a.as_str(), s.as_str()))
        .collect();
    let emb = Embedder::load(BackendKind::Esm2, Some(Path::new(model)), &Device::Cpu)
        .expect("load model");
    let opts = EmbedOptions {
        max_length,
        ..EmbedOptions::default()
    };
    // Warm-up on one short sequence (allocator, thread pool).
    emb.embed(&pairs[..1], &opts, budget).expect("warm-up");
    let start = Instant::now();
    let out = emb.embed(&pairs, &opts, budget).expect("embed");
    let secs = start.elapsed().as_secs_f64();
    let cap = max_length.map_or(1024, |m| m - 2);
    let residues: usize = records.iter().map(|(_, s)| s.len().min(cap)).sum();
    assert_eq!(out.len(), records.len());
    println!(
        "{{\"impl\": \"candle\", \"sequences\": {}, \"residues\": {residues}, \"seconds\": {secs:.3}, \"residues_per_s\": {:.1}, \"peak_rss_mb\": {:.1}}}",
        records.len(),
        residues as f64 / secs,
        peak_rss_mb()
    );
}
