#!/usr/bin/env python3
"""ESM-2 CPU benchmark: protea-plm (candle) against PyTorch (transformers).

Builds a 35M-parameter-shaped ESM-2 (12 layers, hidden 480, 20 heads, FFN
1920; random weights) in a temporary directory, picks real yeast proteins,
times transformers' EsmModel on them with the same length-sorted token-budget
batches the Rust side uses, then runs the Rust example on the same model and
sequences, and prints residues/s, the ratio and each process's peak RSS.

The two run alternately ROUNDS times and the best time of each is kept, so
that load from other processes on a shared machine hurts both alike.

RUST_BENCH_BINARY may be a comma-separated list (e.g. a build before and
after a change): each runs in every round and gets its own ratio.

Usage: python bench_vs_torch.py SHARED_DATA_DIR RUST_BENCH_BINARY[,MORE] [N_SEQS] [BATCH_TOKENS] [ROUNDS]
"""
import gzip
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from safetensors.torch import save_file
from transformers import EsmConfig, EsmModel, EsmTokenizer


def main():
    shared, binaries = Path(sys.argv[1]), sys.argv[2].split(",")
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 48
    budget = int(sys.argv[4]) if len(sys.argv) > 4 else 4096
    rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    torch.manual_seed(0)
    seqs, acc, buf = [], None, []
    with gzip.open(shared / "uniprot" / "UP000002311_yeast_S288c.2025-10-19.fasta.gz", "rt") as fh:
        for line in fh:
            if line.startswith(">"):
                if acc:
                    seqs.append((acc, "".join(buf)))
                acc, buf = line.split("|")[1], []
            else:
                buf.append(line.strip())
    seqs.append((acc, "".join(buf)))
    random.Random(7).shuffle(seqs)
    seqs = [(a, s[:1024]) for a, s in seqs[:n]]

    tmp = Path(tempfile.mkdtemp(prefix="esm2-35m-"))
    vocab = shared / "models" / "esm2_t6_8M_UR50D.config_only"
    cfg = EsmConfig(vocab_size=33, hidden_size=480, num_hidden_layers=12, num_attention_heads=20,
                    intermediate_size=1920, max_position_embeddings=1026, position_embedding_type="rotary",
                    token_dropout=True, mask_token_id=32, pad_token_id=1, layer_norm_eps=1e-5,
                    emb_layer_norm_before=False)
    model = EsmModel(cfg, add_pooling_layer=False).eval()
    params = sum(p.numel() for p in model.parameters())
    save_file({k: v.contiguous() for k, v in model.state_dict().items() if "inv_freq" not in k},
              str(tmp / "model.safetensors"))
    (tmp / "config.json").write_text(json.dumps(cfg.to_dict()))
    for f in ["vocab.txt", "special_tokens_map.json", "tokenizer_config.json"]:
        (tmp / f).write_bytes((vocab / f).read_bytes())
    with open(tmp / "seqs.fasta", "w") as fh:
        for a, s in seqs:
            fh.write(f">{a}\n{s}\n")

    # Same plan as protea_plm::batch::plan_batches.
    order = sorted(range(len(seqs)), key=lambda i: -len(seqs[i][1]))
    batches, cur = [], []
    for i in order:
        longest = len(seqs[cur[0]][1]) + 2 if cur else len(seqs[i][1]) + 2
        if cur and (len(cur) + 1) * longest > budget:
            batches.append(cur)
            cur = []
        cur.append(i)
    if cur:
        batches.append(cur)

    tok = EsmTokenizer.from_pretrained(str(vocab))
    threads = torch.get_num_threads()
    def run_torch():
        with torch.no_grad():
            t0 = time.perf_counter()
            for b in batches:
                enc = tok([seqs[i][1] for i in b], return_tensors="pt", padding=True)
                out = model(**enc, output_hidden_states=True)
                last = out.hidden_states[-1]
                m = enc["attention_mask"].clone()
                m[:, 0] = 0
                m[torch.arange(len(b)), enc["attention_mask"].sum(1) - 1] = 0
                _ = (last * m[..., None]).sum(1) / m.sum(1, keepdim=True)
            return time.perf_counter() - t0

    with torch.no_grad():
        model(**tok([seqs[0][1]], return_tensors="pt"), output_hidden_states=True)
    residues = sum(len(s) for _, s in seqs)
    torch_times, rust_runs = [], {b: [] for b in binaries}
    for _ in range(rounds):
        torch_times.append(run_torch())
        for binary in binaries:
            res = subprocess.run([binary, str(tmp), str(tmp / "seqs.fasta"), str(n), str(budget)],
                                 capture_output=True, text=True, check=True)
            rust_runs[binary].append(json.loads(res.stdout.strip().splitlines()[-1]))
    torch_s = min(torch_times)
    torch_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    torch_rps = residues / torch_s
    candle = {}
    for binary, runs in rust_runs.items():
        best = min(runs, key=lambda r: r["seconds"])
        best["all_seconds"] = [r["seconds"] for r in runs]
        best["ratio_candle_over_torch"] = round(best["residues_per_s"] / torch_rps, 3)
        candle[binary] = best
    print(json.dumps({
        "model": {"layers": 12, "hidden": 480, "heads": 20, "ffn": 1920, "parameters": params},
        "rounds": rounds, "sequences": len(seqs), "residues": residues, "batch_tokens": budget, "batches": len(batches),
        "torch": {"version": torch.__version__, "threads": threads, "seconds": round(torch_s, 3), "all_seconds": [round(t, 3) for t in torch_times],
                  "residues_per_s": round(torch_rps, 1), "peak_rss_mb": round(torch_peak, 1)},
        "candle": candle,
    }, indent=1))


if __name__ == "__main__":
    main()
