#!/usr/bin/env bash
# protea-search benchmark: exact top-10 (GFLOP/s against a plain faer GEMM of the same shape,
# wall time against faiss-cpu IndexFlatIP) and HNSW queries/s at recall@10 >= 0.95 against
# faiss-cpu HNSW, all on the same deterministic data in one run.
#   usage: scripts/bench.sh [DATA_DIR] [HNSW_N]   (needs a venv with numpy + faiss-cpu:
#   VENV=/work/venv-search by default; data go to /tmp, never into the repo)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-/tmp/protea-search-bench}"
hnsw_n="${2:-100000}"
venv="${VENV:-/work/venv-search}"
[[ -f "$dir/refs.npy" ]] || "$venv/bin/python" "$here/gen_bench_data.py" "$dir"
cd "$here/../../.."
cargo run --release -q -p protea-search --example bench_search -- "$dir" "$hnsw_n" | tee "$dir/rust.json"
"$venv/bin/python" "$here/bench_faiss.py" "$dir" "$hnsw_n" | tee "$dir/faiss.json"
"$venv/bin/python" - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
rs = json.load(open(f"{d}/rust.json")); fa = json.load(open(f"{d}/faiss.json"))
print(f"exact top-10: {rs['exact_gflops']:.1f} GFLOP/s = {100*rs['exact_gflops']/rs['gemm_gflops']:.1f} % of faer GEMM peak "
      f"({rs['gemm_gflops']:.1f} GFLOP/s); {rs['exact_seconds']:.3f} s vs faiss IndexFlatIP {fa['flat_seconds']:.3f} s "
      f"-> {fa['flat_seconds']/rs['exact_seconds']:.2f}x")
def at95(sweep):
    ok = [s for s in sweep if s["recall"] >= 0.95]
    return ok[0] if ok else None
r, f = at95(rs["hnsw"]), at95(fa["hnsw"])
print("hnsw sweep (usearch):", [(s["ef_search"], round(s["recall"], 4), round(s["qps"])) for s in rs["hnsw"]])
print("hnsw sweep (faiss):  ", [(s["ef_search"], round(s["recall"], 4), round(s["qps"])) for s in fa["hnsw"]])
if r and f:
    print(f"HNSW at recall>=0.95: usearch ef={r['ef_search']} {r['qps']:.0f} q/s (recall {r['recall']:.3f}) vs faiss ef={f['ef_search']} "
          f"{f['qps']:.0f} q/s (recall {f['recall']:.3f}) -> {r['qps']/f['qps']:.2f}x; builds {rs['hnsw_build_seconds']:.1f} s vs {fa['hnsw_build_seconds']:.1f} s")
PY
