#!/usr/bin/env python3
"""Write the parasail reference for protea-features' alignment parity test.

Run by a developer, never by CI:
    /work/venv-features/bin/python crates/protea-features/scripts/make_alignment_fixtures.py \
        --data ../shared/data --out crates/protea-features/tests/data/alignment_parasail.tsv.gz

Needs `pip install parasail` (1.3.4, libparasail 2.6.x). It aligns real protein pairs
from the UniProt proteomes in shared/data (plus edge cases built from them) exactly as the
original platform did: parasail striped 32-bit traceback functions, BLOSUM62, gap open 10,
extend 1, query as seq1 and reference as seq2. For each pair it records the score, the three
traceback lines and the five statistics of original_platform.md section 5.10, for NW and SW.
Columns: id, query, ref, then for m in (nw, sw): score, q_line, comp_line, r_line,
identity, similarity, gaps_pct, length. Floats are written with repr() (round-trip exact).
"""
import argparse
import gzip
import random
import time

import parasail

GAP_OPEN, GAP_EXTEND = 10, 1


def read_fasta(path):
    seqs, acc, buf = [], None, []
    with gzip.open(path, "rt") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith(">"):
                if acc is not None:
                    seqs.append((acc, "".join(buf)))
                acc, buf = line.split("|")[1], []
            else:
                buf.append(line.strip())
    if acc is not None:
        seqs.append((acc, "".join(buf)))
    return seqs


def stats(tb):
    """Section 5.10: counts over the traceback lines, divided by the aligned length L."""
    q, c, r = tb.query, tb.comp, tb.ref
    n = len(q)
    if n == 0:
        return 0.0, 0.0, 0.0, 0.0
    ident = sum(1 for a, b in zip(q, r) if a != "-" and b != "-" and a == b)
    sim = sum(1 for ch in c if ch in "|:")
    gaps = q.count("-") + r.count("-")
    return ident / n, sim / n, gaps / n, float(n)


def align(fn, q, r):
    res = fn(q, r, GAP_OPEN, GAP_EXTEND, parasail.blosum62)
    tb = res.traceback
    return res.score, tb, stats(tb)


def mutate(rng, seq, rate, indel_rate):
    alphabet = "ACDEFGHIKLMNPQRSTVWY"
    out = []
    for ch in seq:
        x = rng.random()
        if x < indel_rate / 2:
            continue  # deletion
        if x < indel_rate:
            out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6))))
        out.append(rng.choice(alphabet) if rng.random() < rate else ch)
    return "".join(out) or seq[:1]


def build_pairs(data):
    rng = random.Random(20261123)
    yeast = read_fasta(f"{data}/uniprot/UP000002311_yeast_S288c.2025-10-19.fasta.gz")
    ecoli = read_fasta(f"{data}/uniprot/UP000000625_ecoli_K12.2024-08.fasta.gz")
    # Keep the fixture small: residues beyond 1200 add little and cost bytes.
    pool = [s for s in yeast + ecoli if len(s[1]) <= 1200]
    pairs = []

    def add(tag, q, r):
        pairs.append((f"{tag}{len(pairs)}", q, r))

    for _ in range(80):  # unrelated real pairs of any lengths
        (a, qa), (b, rb) = rng.sample(pool, 2)
        add(f"rand:{a}:{b}:", qa, rb)
    short = sorted(pool, key=lambda s: len(s[1]))[:200]
    long_ = sorted(pool, key=lambda s: len(s[1]))[-200:]
    for _ in range(20):  # very different lengths, both orders
        (a, qa), (b, rb) = rng.choice(short), rng.choice(long_)
        add(f"short-long:{a}:{b}:", qa, rb)
        add(f"long-short:{b}:{a}:", rb, qa)
    for _ in range(60):  # homologue-like: substitutions and indels -> gaps and co-optimal ties
        a, qa = rng.choice(pool)
        add(f"mut:{a}:", qa, mutate(rng, qa, rng.choice([0.05, 0.2, 0.4]), rng.choice([0.01, 0.05, 0.1])))
    for _ in range(10):  # identical
        a, qa = rng.choice(pool)
        add(f"same:{a}:", qa, qa)
    special = [s for s in yeast + ecoli if any(ch in s[1] for ch in "XUBZ")]
    for acc, s in special[:10]:  # the selenoproteins and X-containing entries
        b, rb = rng.choice(pool)
        add(f"xubz:{acc}:{b}:", s[:1200], rb)
        add(f"xubz-self:{acc}:", s[:1200], mutate(rng, s[:1200], 0.1, 0.02))
    for _ in range(8):  # ambiguity letters B/Z/X/U/J/O and '*' put in by hand
        a, qa = rng.choice(pool)
        chars = list(qa)
        for _ in range(max(1, len(chars) // 20)):
            chars[rng.randrange(len(chars))] = rng.choice("BZXUJO*")
        add(f"ambig:{a}:", "".join(chars), qa)
    for _ in range(8):  # lowercase (parasail's matrix maps case; the comparison line ignores it)
        a, qa = rng.choice(pool)
        add(f"lower:{a}:", qa.lower(), qa)
        add(f"mixed:{a}:", qa, "".join(ch.lower() if rng.random() < 0.5 else ch for ch in qa))
    for _ in range(6):  # one-residue sequences (SW may find no positive cell)
        a, qa = rng.choice(pool)
        add(f"one:{a}:", qa[rng.randrange(len(qa))], qa)
        add(f"one-rev:{a}:", qa, rng.choice("WGAC"))
    add("one-one-neg:", "W", "G")
    add("one-one-pos:", "W", "W")
    add("two-neg:", "WW", "GG")
    add("repeats:", "AAAAAAAAAA", "AAAAA")
    add("repeats2:", "GAGAGAGAGA", "GAGA")
    add("tie-gap:", "ACDEFGHIKLMNPQRSTVWY", "ACDEFGHIKMNPQRSTVWY")
    return pairs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    pairs = build_pairs(args.data)
    t0 = time.perf_counter()
    rows = []
    for pid, q, r in pairs:
        row = [pid, q, r]
        for fn in (parasail.nw_trace_striped_32, parasail.sw_trace_striped_32):
            score, tb, (ident, sim, gaps, length) = align(fn, q, r)
            row += [str(score), tb.query, tb.comp, tb.ref, repr(ident), repr(sim), repr(gaps), repr(length)]
        rows.append(row)
    dt = time.perf_counter() - t0
    with gzip.open(args.out, "wt", compresslevel=9) as fh:
        fh.write(f"# parasail {parasail.__version__} (lib {'.'.join(map(str, parasail.version()))}); "
                 f"generated by crates/protea-features/scripts/make_alignment_fixtures.py from "
                 f"shared/data UniProt proteomes (CC BY 4.0)\n")
        for row in rows:
            assert all("\t" not in x and "\n" not in x for x in row)
            fh.write("\t".join(row) + "\n")
    print(f"{len(rows)} pairs written to {args.out} ({len(rows) / dt:.1f} pairs/s incl. stats)")


if __name__ == "__main__":
    main()
