#!/usr/bin/env python3
"""Generate the ESM-C parity fixtures for protea-plm (not run by CI).

Builds a tiny randomly initialised ESM-C with EvolutionaryScale's `esm`
package (the reference implementation, `esm.models.esmc.ESMC`), saves its
state dict the way the released checkpoints ship (`torch.save` of the state
dict at `data/weights/<name>.pth`, as in EvolutionaryScale/esmc-300m-2024-12),
plus a `config.json` naming the sizes (the released checkpoints have none:
their sizes are hard-coded per model name in `esm.pretrained`), and records
for the same yeast sequences the ESM-2 fixtures use:

  * token ids of `EsmSequenceTokenizer` (raw and upper-cased sequences, test strings),
  * every hidden state (one per transformer block, token level, BOS/EOS
    included) from the reference embedding path: `model.encode(ESMProtein)`
    then `model.logits(..., LogitsConfig(sequence=True, return_hidden_states=True))`,
  * the final-norm output (`embeddings`),
  * pooled vectors for the option grid of make_fixtures.py, with the
    reference ESM-C truncation (the *string* is cut to max_length).

Usage: /work/venv-esmc/bin/python make_esmc_fixtures.py SHARED_DATA_DIR OUT_DIR
(venv-esmc = torch + transformers of venv-plm, plus `pip install esm`).
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch

import esm
from esm.models.esmc import ESMC
from esm.sdk.api import ESMProtein, LogitsConfig
from esm.tokenization import get_esmc_model_tokenizers

sys.path.insert(0, str(Path(__file__).parent))
from make_fixtures import ACCESSIONS, CASES, SEED, TOKENIZER_STRINGS, embed_chunks, read_fasta  # noqa: E402

D_MODEL, N_HEADS, N_LAYERS = 64, 4, 4
# ESM-C specials are matched anywhere; every other character is one token or <unk>.
EXTRA_STRINGS = ["MK_A|X", "MK TA", "<unk>A", "<null_1>", "a<eos>|.-", "<pad><cls>", " M ", "\u00e9K"]


def main():
    shared, out = Path(sys.argv[1]), Path(sys.argv[2])
    torch.manual_seed(SEED + 3)
    allseqs = read_fasta(shared / "uniprot" / "UP000002311_yeast_S288c.2025-10-19.fasta.gz")
    seqs = [(a, allseqs[a]) for a in ACCESSIONS]
    a, s = seqs[-1]
    s = s[:5] + "XUBZO" + s[10:20] + s[20:25].lower() + s[25:]
    seqs[-1] = (a, s)

    tok = get_esmc_model_tokenizers()
    model = ESMC(d_model=D_MODEL, n_heads=N_HEADS, n_layers=N_LAYERS, tokenizer=tok, use_flash_attn=False).eval()
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, torch.nn.LayerNorm):
                # LayerNorm weights near 1, biases near 0, both perturbed.
                mod.weight.copy_(1.0 + 0.1 * torch.randn_like(mod.weight))
                if mod.bias is not None:
                    mod.bias.copy_(0.1 * torch.randn_like(mod.bias))
            elif isinstance(mod, torch.nn.Linear):
                mod.weight.copy_(0.1 * torch.randn_like(mod.weight))
                if mod.bias is not None:
                    mod.bias.copy_(0.1 * torch.randn_like(mod.bias))
        model.embed.weight.copy_(torch.randn_like(model.embed.weight))
    mdir = out / "esmc_tiny"
    (mdir / "data" / "weights").mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), mdir / "data" / "weights" / "esmc_tiny_v0.pth")
    (mdir / "config.json").write_text(json.dumps(
        {"d_model": D_MODEL, "n_heads": N_HEADS, "n_layers": N_LAYERS, "_name_or_path": "protea-tiny-esmc"},
        indent=2) + "\n")

    ref = out / "esmc_ref"
    ref.mkdir(exist_ok=True)
    tokens = {"strings": [{"text": t, "ids": tok.encode(t, add_special_tokens=True)}
                          for t in TOKENIZER_STRINGS + EXTRA_STRINGS + [s for _, s in seqs]]}
    meta = {"esm": esm.__version__ if hasattr(esm, "__version__") else "3.2.1.post1",
            "torch": torch.__version__, "seed": SEED + 3, "d_model": D_MODEL, "n_heads": N_HEADS,
            "n_layers": N_LAYERS, "sequences": [], "cases": []}

    def reference_hidden(seq):
        """The reference ESM-C path (ecosystem.md 5.2): hidden states (n_layers, L, D) and embeddings."""
        t = model.encode(ESMProtein(sequence=seq))
        o = model.logits(t, LogitsConfig(sequence=True, return_hidden_states=True, return_embeddings=True))
        hs = o.hidden_states
        if hs.dim() == 4:
            hs = hs[:, 0]
        return [h.float().numpy() for h in hs], o.embeddings[0].float().numpy(), t.sequence.tolist()

    hidden_by_seq = {}
    for acc, s in seqs:
        hidden, emb, ids = reference_hidden(s.upper())
        hidden_by_seq[acc] = hidden
        np.save(ref / f"hidden_{acc}.npy", np.concatenate(hidden, axis=0).astype(np.float32))
        np.save(ref / f"final_{acc}.npy", emb.astype(np.float32))
        meta["sequences"].append({"accession": acc, "sequence": s, "length": len(s), "ids": ids,
                                  "raw_ids": tok.encode(s, add_special_tokens=True), "states": len(hidden)})
    # The reference's own padded batch (sequence_id = tokens != pad): real rows do not move.
    with torch.no_grad():
        batch = model._tokenize([s.upper() for _, s in seqs])
        bh = model.forward(sequence_tokens=batch).hidden_states
    worst = 0.0
    for b, (acc, s) in enumerate(seqs):
        n = len(s) + 2
        for li in range(N_LAYERS):
            worst = max(worst, float(np.abs(bh[li, b, :n].numpy() - hidden_by_seq[acc][li]).max()))
    meta["ref_padded_vs_single_max_abs"] = worst

    for case in CASES:
        rows, index = [], []
        for acc, s in seqs:
            su = s.upper()
            hidden, n = hidden_by_seq[acc], len(su)
            if "max_length" in case:
                # embed_chunks truncates the string, not the tokens, for ESM-C.
                su = su[: case["max_length"]]
                hidden, _, _ = reference_hidden(su)
                n = len(su)
            # ESM-C's hidden states have no embedding-layer entry: the last is block N.
            for cs, ce, v in embed_chunks(hidden, n, case):
                rows.append(v.astype(np.float32))
                index.append([acc, cs, ce])
        np.save(ref / f"pooled_{case['name']}.npy", np.stack(rows))
        meta["cases"].append({**case, "rows": index})
    (ref / "tokens.json").write_text(json.dumps(tokens, indent=1) + "\n")
    (ref / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    print("esmc padded vs single:", worst, "max |h|:", max(float(np.abs(h).max()) for h in hidden_by_seq[seqs[0][0]]))


if __name__ == "__main__":
    main()
