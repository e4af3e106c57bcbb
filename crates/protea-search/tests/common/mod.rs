//! Helpers shared by the integration tests: a seeded generator, a tiny npy reader (so this
//! pure crate needs no other crate of the project), and a naive f64 reference search.
#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

use protea_search::{Metric, Neighbor, ReferenceMatrix};

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    pub fn uniform(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
    pub fn matrix(&mut self, rows: usize, dim: usize) -> Vec<f32> {
        (0..rows * dim).map(|_| self.uniform()).collect()
    }
}

/// The shared data folder (env `PROTEA_SHARED_DATA`, default `../shared/data` from the repo root).
pub fn shared_data() -> PathBuf {
    std::env::var_os("PROTEA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
}

/// A little-endian float32 2-D npy array: (rows, cols, data).
pub fn read_npy_f32(path: &std::path::Path) -> (usize, usize, Vec<f32>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..6], b"\x93NUMPY", "{}: not npy", path.display());
    let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + hlen]).unwrap();
    assert!(
        header.contains("'<f4'"),
        "{}: not float32: {header}",
        path.display()
    );
    let shape = &header[header.find('(').unwrap() + 1..header.find(')').unwrap()];
    let dims: Vec<usize> = shape
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let data: Vec<f32> = bytes[10 + hlen..]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert_eq!(data.len(), dims[0] * dims[1]);
    (dims[0], dims[1], data)
}

/// The real ESM-2 vectors, or None (with a message) when the shared data is absent.
pub fn esm2() -> Option<(usize, usize, Vec<f32>)> {
    let path = shared_data().join("embeddings/esm2_t6_8M_UR50D.meanpool_l2norm.human500.npy");
    if !path.exists() {
        eprintln!(
            "SKIP: {} not found (set PROTEA_SHARED_DATA)",
            path.display()
        );
        return None;
    }
    Some(read_npy_f32(&path))
}

/// Distance in f64 between an f32 query and the stored (f16) reference row.
pub fn naive_distance(q: &[f32], r: &[f64], metric: Metric) -> f64 {
    match metric {
        Metric::Cosine => {
            let (mut dot, mut qq, mut rr) = (0.0, 0.0, 0.0);
            for (&a, &b) in q.iter().zip(r) {
                let a = f64::from(a);
                dot += a * b;
                qq += a * a;
                rr += b * b;
            }
            let den = qq.sqrt() * rr.sqrt();
            if den > 0.0 { 1.0 - dot / den } else { 1.0 }
        }
        Metric::L2 => q
            .iter()
            .zip(r)
            .map(|(&a, &b)| (f64::from(a) - b).powi(2))
            .sum(),
    }
}

/// Every reference scored in f64, sorted by (distance, index): the reference result.
pub fn naive_all(refs: &ReferenceMatrix, q: &[f32], metric: Metric) -> Vec<(f64, u32)> {
    let mut all: Vec<(f64, u32)> = (0..refs.rows())
        .map(|i| {
            let r: Vec<f64> = refs.row(i).iter().map(|x| f64::from(x.to_f32())).collect();
            (naive_distance(q, &r, metric), i as u32)
        })
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    all
}

/// Tolerance for an f32 GEMM distance against f64: cosine distances of unit vectors carry
/// about dim × 2^-24 of accumulated rounding; l2 in the expanded form loses precision in
/// proportion to the norms.
pub fn tolerance(metric: Metric, q: &[f32], r_norm_sq: f64) -> f64 {
    match metric {
        Metric::Cosine => 2e-5,
        Metric::L2 => {
            let qq: f64 = q.iter().map(|&x| f64::from(x).powi(2)).sum();
            2e-5 * (1.0 + qq + r_norm_sq)
        }
    }
}

/// Asserts `got` is the naive top-k: same length, each distance within tolerance, and the
/// same index at every rank unless the two candidates tie within tolerance in f64.
pub fn assert_matches_naive(
    refs: &ReferenceMatrix,
    q: &[f32],
    metric: Metric,
    k: usize,
    got: &[Neighbor],
    what: &str,
) {
    let all = naive_all(refs, q, metric);
    let want = &all[..k.min(all.len())];
    assert_eq!(got.len(), want.len(), "{what}: list length");
    let by_index: std::collections::HashMap<u32, f64> = all.iter().map(|&(d, i)| (i, d)).collect();
    for (rank, (g, &(wd, wi))) in got.iter().zip(want).enumerate() {
        let tol = tolerance(metric, q, f64::from(refs.norms_sq()[wi as usize]));
        assert!(
            (f64::from(g.distance) - wd).abs() <= tol,
            "{what} rank {rank}: distance {} vs naive {wd} (tol {tol})",
            g.distance
        );
        if g.index != wi {
            let gd = by_index[&g.index];
            assert!(
                (gd - wd).abs() <= tol,
                "{what} rank {rank}: index {} (naive distance {gd}) vs naive index {wi} ({wd})",
                g.index
            );
        }
    }
}

/// Recall@k of `approx` against `exact`, over all queries.
pub fn recall(exact: &[Vec<Neighbor>], approx: &[Vec<Neighbor>]) -> f64 {
    let (mut hit, mut total) = (0usize, 0usize);
    for (e, a) in exact.iter().zip(approx) {
        let got: std::collections::HashSet<u32> = a.iter().map(|n| n.index).collect();
        hit += e.iter().filter(|n| got.contains(&n.index)).count();
        total += e.len();
    }
    hit as f64 / total as f64
}
