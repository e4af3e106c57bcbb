#!/usr/bin/env bash
# Benchmark protea-cafa against cafaeval 1.3.0 on the GOA 227→228 holdout with the CAFA6 IA
# file and the committed synthetic predictions, in the same run: wall time and peak memory
# (GNU time's "Maximum resident set size") of both, then the ratios.
#
# Usage: crates/protea-cafa/scripts/bench.sh [THREADS]   (default 4, cafaeval's CLI default)
# Needs: /usr/bin/time, a venv with cafaeval==1.3.0 at $CAFAEVAL_VENV (default /work/venv-cafa),
# the shared data folder at $PROTEA_SHARED_DATA (default <repo>/../shared/data).
#
# Measured 2026-11-23 on the 2-core dev machine (threads 2, both including OBO parsing):
#   cafaeval 153.3 s, 4788 MiB peak RSS; protea-cafa 0.35 s, 26 MiB → 438x faster, 183x less memory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
shared="${PROTEA_SHARED_DATA:-$repo/../shared/data}"
venv="${CAFAEVAL_VENV:-/work/venv-cafa}"
threads="${1:-4}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

gunzip -c "$shared/go/go-basic.2026-05-19.obo.gz" > "$tmp/go-basic.obo"
mkdir "$tmp/pred"
cp "$here/../tests/data/goa_227_228/synthetic_predictions.tsv" "$tmp/pred/"
gt="$shared/cafa/goa_holdout_226_228/ground_truth.227_228.tsv"
ia="$shared/cafa/IA_cafa6.tsv"

(cd "$repo" && cargo build --release -q -p protea-cafa --example eval)
bin="${CARGO_TARGET_DIR:-$repo/target}/release/examples/eval"

measure() { # label, command...
    local label="$1"; shift
    /usr/bin/time -v "$@" > "$tmp/$label.out" 2> "$tmp/$label.time"
    local wall rss
    wall=$(grep 'Elapsed (wall clock)' "$tmp/$label.time" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$tmp/$label.time" | awk '{print $NF}')
    echo "$label wall=$wall max_rss_kb=$rss"
    echo "$wall $rss" > "$tmp/$label.sum"
}

measure cafaeval "$venv/bin/cafaeval" "$tmp/go-basic.obo" "$tmp/pred" "$gt" -ia "$ia" \
    -out_dir "$tmp/out_py" -threads "$threads"
measure protea "$bin" "$tmp/go-basic.obo" "$tmp/pred" "$gt" --ia "$ia" \
    --out-dir "$tmp/out_rs" --threads "$threads"

python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
def secs(t):
    parts = [float(p) for p in t.split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
(pw, pr), (rw, rr) = [open(f"{d}/{n}.sum").read().split() for n in ("cafaeval", "protea")]
print(f"time:   cafaeval {secs(pw):.2f}s  protea {secs(rw):.2f}s  speed-up {secs(pw)/secs(rw):.1f}x")
print(f"memory: cafaeval {int(pr)/1024:.0f} MiB  protea {int(rr)/1024:.0f} MiB  ratio {int(pr)/int(rr):.1f}x")
PY
# The formatted outputs must agree (up to last-digit rounding of ulp-level differences).
diff <(sort "$tmp/out_py/evaluation_best_f.tsv") <(sort "$tmp/out_rs/evaluation_best_f.tsv") \
    && echo "evaluation_best_f.tsv identical"
