#!/usr/bin/env python3
"""Deterministic benchmark data for protea-search (run by hand, never by CI).

Writes DIR/refs.npy (N x D float32) and DIR/queries.npy (Q x D float32): points around
N/100 Gaussian centres (an embedding-like, clustered layout, so HNSW/IVF recall means
something), queries drawn the same way from the same centres. Seeded: same files every run.

usage: gen_bench_data.py DIR [N=100000] [Q=1024] [D=1280]
"""
import sys
from pathlib import Path

import numpy as np


def main() -> None:
    out = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    q = int(sys.argv[3]) if len(sys.argv) > 3 else 1024
    d = int(sys.argv[4]) if len(sys.argv) > 4 else 1280
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261123)
    centres = rng.standard_normal((max(1, n // 100), d), dtype=np.float32)

    def draw(count: int) -> np.ndarray:
        which = rng.integers(0, len(centres), size=count)
        x = centres[which] + 0.6 * rng.standard_normal((count, d), dtype=np.float32)
        return np.ascontiguousarray(x, dtype=np.float32)

    np.save(out / "refs.npy", draw(n))
    np.save(out / "queries.npy", draw(q))
    print(f"wrote {out}/refs.npy ({n}x{d}) and queries.npy ({q}x{d})")


if __name__ == "__main__":
    main()
