#!/usr/bin/env python3
"""parasail's side of the alignment benchmark: the original's per-pair work (NW and SW
striped 32-bit traceback, BLOSUM62, open 10, extend 1, traceback lines and the five
statistics) on the parity fixture's pairs. Prints pairs/s (best of ROUNDS)."""
import gzip
import sys
import time

import parasail

path = sys.argv[1]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
pairs = []
with gzip.open(path, "rt") as fh:
    for line in fh:
        if not line.startswith("#"):
            f = line.rstrip("\n").split("\t")
            pairs.append((f[1], f[2]))


def stats(tb):
    q, c, r = tb.query, tb.comp, tb.ref
    n = len(q)
    if n == 0:
        return 0.0, 0.0, 0.0, 0.0
    ident = sum(1 for a, b in zip(q, r) if a != "-" and b != "-" and a == b)
    sim = sum(1 for ch in c if ch in "|:")
    return ident / n, sim / n, (q.count("-") + r.count("-")) / n, float(n)


best = float("inf")
for _ in range(rounds):
    t0 = time.perf_counter()
    for q, r in pairs:
        for fn in (parasail.nw_trace_striped_32, parasail.sw_trace_striped_32):
            res = fn(q, r, 10, 1, parasail.blosum62)
            stats(res.traceback)
    best = min(best, time.perf_counter() - t0)
print(f"parasail: {len(pairs)} pairs, {best:.3f} s (best of {rounds}), {len(pairs) / best:.1f} pairs/s")
