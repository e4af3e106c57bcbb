//! Parse benchmarks on the real files of `shared/data` (release build):
//!
//! ```text
//! cargo run --release -p protea-formats --example bench_parse [--features fastobo-compare]
//! ```
//!
//! Each figure is printed beside a floor measured in the same run (splitting
//! the same bytes into lines), so ratios compare across machines.

use protea_core::GoId;
use protea_formats::{fasta, gaf, io, obo};
use std::collections::HashSet;
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

/// GO ids of the snapshot (term ids and alt_ids), as the import's filter knows them.
fn known_go_ids(dir: &Path) -> HashSet<GoId> {
    let bytes = load(&dir.join("go/go-basic.2026-05-19.obo.gz"));
    let mut reader = obo::Reader::new(&bytes[..], "go-basic").expect("header");
    let mut known = HashSet::new();
    for term in reader.terms() {
        let term = term.expect("term");
        known.insert(term.id);
        known.extend(term.alt_ids);
    }
    known
}

fn bench_gaf(dir: &Path) {
    let one = load(&dir.join("goa/goa_uniprot_all.r203.HTP.noheader.gaf.gz"));
    // 24 copies of the 42,172 rows ≈ 1.01 M rows.
    let bytes: Vec<u8> = std::iter::repeat_n(&one[..], 24)
        .flatten()
        .copied()
        .collect();
    let known = known_go_ids(dir);
    // Half of the file's distinct accessions, as "proteins in the database".
    let mut accessions: Vec<String> = {
        let mut reader = gaf::Reader::new(&one[..], "htp").expect("gaf");
        let mut seen = HashSet::new();
        while let Some(row) = reader.next_row().expect("row") {
            seen.insert(row.db_object_id.to_owned());
        }
        seen.into_iter().collect()
    };
    accessions.sort();
    let wanted: HashSet<String> = accessions.into_iter().step_by(2).collect();

    let (floor, lines) = best(5, || line_floor(&bytes));
    let (filtered, (rows, kept)) = best(5, || {
        let mut reader = gaf::Reader::new(&bytes[..], "htp x24").expect("gaf");
        let (mut rows, mut kept) = (0usize, 0usize);
        while let Some(row) = reader.next_row().expect("row") {
            rows += 1;
            kept += usize::from(wanted.contains(row.db_object_id) && known.contains(&row.go_id));
        }
        (rows, kept)
    });
    let (owned, _) = best(3, || {
        let mut reader = gaf::Reader::new(&bytes[..], "htp x24").expect("gaf");
        reader
            .records()
            .map(|r| r.expect("record").line)
            .fold(0u64, u64::wrapping_add)
    });
    let rate = |d: Duration| rows as f64 / d.as_secs_f64() / 1e6;
    println!(
        "GAF HTP x24 ({:.1} MB, {rows} rows, {lines} lines, kept {kept}): parse+filter {:.3} s = {:.2} M rows/s; \
         owned records {:.3} s = {:.2} M rows/s; line floor {:.3} s = {:.2} M lines/s (parse+filter/floor {:.1}x)",
        bytes.len() as f64 / 1e6,
        filtered.as_secs_f64(),
        rate(filtered),
        owned.as_secs_f64(),
        rate(owned),
        floor.as_secs_f64(),
        rate(floor),
        filtered.as_secs_f64() / floor.as_secs_f64()
    );
}

fn bench_fasta(dir: &Path) {
    let bytes = load(&dir.join("uniprot/UP000002311_yeast_S288c.2025-10-19.fasta.gz"));
    let (floor, lines) = best(5, || line_floor(&bytes));
    let (ours, (records, residues)) = best(5, || {
        let mut reader = fasta::Reader::new(&bytes[..], "yeast");
        let (mut records, mut residues) = (0usize, 0usize);
        for record in reader.records() {
            let record = record.expect("record");
            records += 1;
            residues += record.length();
        }
        (records, residues)
    });
    println!(
        "FASTA yeast ({:.1} MB, {records} records, {residues} residues, {lines} lines): {:.4} s = {:.0} k records/s, {:.0} M residues/s; line floor {:.4} s (ours/floor {:.1}x)",
        bytes.len() as f64 / 1e6,
        ours.as_secs_f64(),
        records as f64 / ours.as_secs_f64() / 1e3,
        residues as f64 / ours.as_secs_f64() / 1e6,
        floor.as_secs_f64(),
        ours.as_secs_f64() / floor.as_secs_f64()
    );
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
    // End to end from the .gz file (gunzip included), against `zcat | wc -l`-like work.
    let path = dir.join("go/go-basic.2026-05-19.obo.gz");
    let (from_gz, _) = best(3, || {
        let mut reader =
            obo::Reader::new(io::open(&path).expect("open"), "go-basic.gz").expect("header");
        reader
            .terms()
            .map(|t| t.expect("term").line)
            .fold(0u64, u64::wrapping_add)
    });
    let (gunzip, _) = best(3, || {
        std::io::copy(&mut io::open(&path).expect("open"), &mut std::io::sink()).expect("gunzip")
    });
    println!(
        "OBO from .gz (gunzip included): {:.3} s; gunzip alone {:.3} s",
        from_gz.as_secs_f64(),
        gunzip.as_secs_f64()
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
    bench_gaf(&dir);
    bench_fasta(&dir);
}
