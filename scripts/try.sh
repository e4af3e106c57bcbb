#!/usr/bin/env bash
# Starts PROTEA on its embedded database, runs a ping job end to end, stops.
#   bash scripts/try.sh            (data in ./.protea-data, or $PROTEA_DATA_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --bin protea
PROTEA="${CARGO_TARGET_DIR:-target}/release/protea"
export PROTEA_DATA_DIR="${PROTEA_DATA_DIR:-$PWD/.protea-data}"
mkdir -p "$PROTEA_DATA_DIR" && chmod 755 "$PROTEA_DATA_DIR"

"$PROTEA" up --listen 127.0.0.1:8000 &
UP=$!
trap 'kill -TERM $UP 2>/dev/null; wait $UP 2>/dev/null || true' EXIT
# Wait until the platform answers (its database is up and migrated).
for _ in $(seq 1 150); do
    "$PROTEA" job list >/dev/null 2>&1 && break
    sleep 0.2
done
"$PROTEA" job submit ping --wait
"$PROTEA" job list
