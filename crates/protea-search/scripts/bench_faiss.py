#!/usr/bin/env python3
"""faiss-cpu side of the protea-search benchmark (same data, same machine, same run).

Cosine top-10 as faiss does it: normalise both sides, IndexFlatIP (exact) and IndexHNSWFlat
(M=32, inner product, faiss's default efConstruction 40) swept over efSearch. Prints one
JSON object: flat wall time (best of 3), and per efSearch the recall@10 against the flat
result and queries/s.

usage: bench_faiss.py DIR [HNSW_N]
"""
import json
import sys
import time
from pathlib import Path

import faiss
import numpy as np


def best_of(n, fn):
    best = float("inf")
    out = None
    for _ in range(n):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    d = Path(sys.argv[1])
    refs = np.load(d / "refs.npy")
    queries = np.load(d / "queries.npy")
    hnsw_n = int(sys.argv[2]) if len(sys.argv) > 2 else len(refs)
    k = 10
    r = refs.copy()
    faiss.normalize_L2(r)
    q = queries.copy()
    faiss.normalize_L2(q)
    flat = faiss.IndexFlatIP(r.shape[1])
    flat.add(r)
    flat.search(q[:16], k)  # warm-up
    flat_s, (_, truth) = best_of(3, lambda: flat.search(q, k))

    sub = r[:hnsw_n]
    sub_flat = faiss.IndexFlatIP(r.shape[1])
    sub_flat.add(sub)
    _, sub_truth = sub_flat.search(q, k)
    hnsw = faiss.IndexHNSWFlat(r.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    t = time.perf_counter()
    hnsw.add(sub)
    build_s = time.perf_counter() - t
    sweep = []
    for ef in [16, 32, 64, 128, 256]:
        hnsw.hnsw.efSearch = ef
        secs, (_, got) = best_of(3, lambda: hnsw.search(q, k))
        hits = sum(len(set(a) & set(b)) for a, b in zip(got.tolist(), sub_truth.tolist()))
        sweep.append({"ef_search": ef, "recall": hits / sub_truth.size, "qps": len(q) / secs})
    print(json.dumps({
        "threads": faiss.omp_get_max_threads(),
        "flat_seconds": flat_s,
        "flat_gflops": 2 * len(q) * len(r) * r.shape[1] / flat_s / 1e9,
        "hnsw_rows": hnsw_n,
        "hnsw_build_seconds": build_s,
        "hnsw": sweep,
    }))


if __name__ == "__main__":
    main()
