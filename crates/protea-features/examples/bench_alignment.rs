//! Alignment throughput on the parity fixture's pairs (release build):
//!     cargo run --release -p protea-features --example bench_alignment -- [FIXTURE] [ROUNDS]
//! Prints pairs/s for NW + SW + statistics per pair, the work the original did per
//! (query, reference) pair. `scripts/bench_alignment.sh` runs it next to parasail.

use flate2::read::GzDecoder;
use protea_features::{Aligner, AlignmentFeatures};
use std::io::{BufRead, BufReader};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/alignment_parasail.tsv.gz"
        )
        .into()
    });
    let rounds: usize = args
        .next()
        .map_or(3, |r| r.parse().expect("ROUNDS is a number"));
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let pairs: Vec<(String, String)> = BufReader::new(GzDecoder::new(file))
        .lines()
        .map(|l| l.expect("readable fixture"))
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let mut f = l.split('\t').skip(1);
            (f.next().unwrap().to_owned(), f.next().unwrap().to_owned())
        })
        .collect();
    let cells: usize = pairs.iter().map(|(q, r)| q.len() * r.len()).sum();
    let aligner = Aligner::default();
    let mut best = f64::INFINITY;
    let mut checksum = 0.0;
    for _ in 0..rounds {
        let start = Instant::now();
        for (q, r) in &pairs {
            let f = AlignmentFeatures::compute_with(&aligner, q, r);
            checksum += f.identity_nw.unwrap_or(0.0) + f.alignment_score_sw.unwrap_or(0.0);
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "rust: {} pairs, {:.3} s (best of {rounds}), {:.1} pairs/s, {:.0} Mcells/s (×2 alignments), checksum {checksum:.3}",
        pairs.len(),
        best,
        pairs.len() as f64 / best,
        2.0 * cells as f64 / best / 1e6
    );
}
