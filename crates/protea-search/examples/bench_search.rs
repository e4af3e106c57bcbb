//! Benchmark (release): exact top-10 cosine against a plain faer GEMM of the same shape, and
//! HNSW queries/s and recall@10 over a sweep of ef_search. Prints one JSON object; see
//! scripts/bench.sh, which also runs faiss-cpu on the same data.
//!
//! usage: bench_search DIR [HNSW_N]   (DIR/refs.npy, DIR/queries.npy: float32)

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use protea_search::{
    DEFAULT_EF_CONSTRUCTION, HnswIndex, Metric, Neighbor, ReferenceMatrix, SearchParams, search,
};

fn best_of<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..n {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(v);
    }
    (best, out.expect("n >= 1"))
}

fn recall(truth: &[Vec<Neighbor>], got: &[Vec<Neighbor>]) -> f64 {
    common::recall(truth, got)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("usage: bench_search DIR [HNSW_N]"));
    let (n, d, refs_f32) = common::read_npy_f32(&dir.join("refs.npy"));
    let (nq, _, queries) = common::read_npy_f32(&dir.join("queries.npy"));
    let hnsw_n: usize = args.next().map_or(n, |s| s.parse().expect("HNSW_N"));
    let k = 10;
    let flop = 2.0 * nq as f64 * n as f64 * d as f64;

    // The machine's GEMM peak for this shape: plain f32 faer, Q · Rᵀ into a full matrix.
    let gemm_s = {
        let q = MatRef::from_row_major_slice(&queries, nq, d);
        let r = MatRef::from_row_major_slice(&refs_f32, n, d);
        let mut out = Mat::<f32>::zeros(nq, n);
        let par = Par::rayon(0);
        matmul(out.as_mut(), Accum::Replace, q, r.transpose(), 1.0, par);
        best_of(3, || {
            matmul(out.as_mut(), Accum::Replace, q, r.transpose(), 1.0, par)
        })
        .0
    };

    let refs = ReferenceMatrix::from_f32(&refs_f32, d).expect("refs");
    drop(refs_f32);
    let p = SearchParams::exact(k, Metric::Cosine);
    let _ = search(&refs, &queries[..16 * d], &p).expect("warm-up");
    let (exact_s, truth) = best_of(3, || search(&refs, &queries, &p).expect("exact"));

    // HNSW over the first HNSW_N rows, recall against exact search over the same rows.
    let sub = ReferenceMatrix::from_f16(refs.as_f16()[..hnsw_n * d].to_vec(), d).expect("sub");
    let sub_truth = if hnsw_n == n {
        truth
    } else {
        search(&sub, &queries, &p).expect("exact sub")
    };
    let t = Instant::now();
    let index = HnswIndex::build(&sub, Metric::Cosine, 32, DEFAULT_EF_CONSTRUCTION).expect("hnsw");
    let build_s = t.elapsed().as_secs_f64();
    let sweep: Vec<String> = [16, 32, 64, 128, 256]
        .into_iter()
        .map(|ef| {
            let (secs, got) = best_of(3, || {
                index.search(&sub, &queries, k, ef).expect("hnsw search")
            });
            format!(
                "{{\"ef_search\": {ef}, \"recall\": {:.5}, \"qps\": {:.1}}}",
                recall(&sub_truth, &got),
                nq as f64 / secs
            )
        })
        .collect();

    println!(
        "{{\"rows\": {n}, \"dim\": {d}, \"queries\": {nq}, \"threads\": {}, \
         \"gemm_seconds\": {gemm_s:.4}, \"gemm_gflops\": {:.2}, \
         \"exact_seconds\": {exact_s:.4}, \"exact_gflops\": {:.2}, \
         \"hnsw_rows\": {hnsw_n}, \"hnsw_build_seconds\": {build_s:.2}, \"hnsw\": [{}]}}",
        rayon::current_num_threads(),
        flop / gemm_s / 1e9,
        flop / exact_s / 1e9,
        sweep.join(", ")
    );
}
