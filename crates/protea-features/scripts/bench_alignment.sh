#!/usr/bin/env bash
# Alignment benchmark, same machine, same run: protea-features (release) against the
# parasail Python package on the parity fixture's pairs. Needs a venv with parasail:
#   python3 -m venv /work/venv-features && /work/venv-features/bin/pip install parasail
set -euo pipefail
cd "$(dirname "$0")/../../.."
PY=${PYTHON:-/work/venv-features/bin/python}
FIXTURE=crates/protea-features/tests/data/alignment_parasail.tsv.gz
ROUNDS=${ROUNDS:-3}
cargo build --release -q -p protea-features --example bench_alignment
rust=$(cargo run --release -q -p protea-features --example bench_alignment -- "$FIXTURE" "$ROUNDS")
py=$("$PY" crates/protea-features/scripts/bench_parasail.py "$FIXTURE" "$ROUNDS")
echo "$rust"
echo "$py"
r=$(echo "$rust" | sed -E 's/.* ([0-9.]+) pairs\/s.*/\1/')
p=$(echo "$py" | sed -E 's/.* ([0-9.]+) pairs\/s.*/\1/')
python3 -c "print(f'ratio (rust / parasail pairs/s): {$r / $p:.2f}x')"
