//! Parse benchmarks on the real files of `shared/data` (release build):
//!
//! ```text
//! cargo run --release -p protea-formats --example bench_parse [--features fastobo-compare]
//! ```
//!
//! Each figure is printed beside a floor measured in the same run (splitting
//! the same bytes into lines), so ratios compare across machines.

use protea_formats::{io, obo};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn data_dir() -> PathBuf {
    match std::env::var_os("PROTEA_SHARED_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

/// Decompresses a file fully into memory so that timings exclude gunzip.
fn load(path: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    io::open(path)
        .expect("open")
        .read_to_end(&mut bytes)
        .expect("read");
    bytes
}

/// Best of `runs` timings (the machine is shared; the minimum is the least noisy).
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let start = Instant::now();
        let value = f();
        best = best.min(start.elapsed());
        out = Some(value);
    }
    (best, out.expect("runs > 0"))
}

/// The floor: split into lines and check UTF-8, nothing else.
fn line_floor(bytes: &[u8]) -> usize {
    let mut lines = 0;
    for line in bytes.split(|&b| b == b'\n') {
        std::str::from_utf8(line).expect("utf8");
        lines += 1;
    }
    lines
}

fn bench_obo(dir: &Path) {
    let bytes = load(&dir.join("go/go-basic.2026-05-19.obo.gz"));
    let (floor, lines) = best(5, || line_floor(&bytes));
    let (ours, terms) = best(5, || {
        let mut reader = obo::Reader::new(&bytes[..], "go-basic").expect("header");
        let mut count = 0;
        for term in reader.terms() {
            term.expect("term");
            count += 1;
        }
        count
    });
    println!(
        "OBO go-basic 2026-05-19 ({:.1} MB, {lines} lines, {terms} terms): ours {:.3} s, line floor {:.3} s (ours/floor {:.1}x)",
        bytes.len() as f64 / 1e6,
        ours.as_secs_f64(),
        floor.as_secs_f64(),
        ours.as_secs_f64() / floor.as_secs_f64()
    );
    #[cfg(feature = "fastobo-compare")]
    {
        let (theirs, count) = best(2, || {
            let doc =
                fastobo::from_reader(std::io::BufReader::new(&bytes[..])).expect("fastobo parse");
            doc.entities()
                .iter()
                .filter(|e| e.as_term().is_some())
                .count()
        });
        println!(
            "OBO fastobo 0.15.5: {:.3} s for {count} terms (fastobo/ours {:.1}x)",
            theirs.as_secs_f64(),
            theirs.as_secs_f64() / ours.as_secs_f64()
        );
    }
}

fn main() {
    let dir = data_dir();
    assert!(
        dir.is_dir(),
        "shared data folder {} not found (set PROTEA_SHARED_DATA)",
        dir.display()
    );
    bench_obo(&dir);
}
