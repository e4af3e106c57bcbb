#!/usr/bin/env python3
"""Generate the ESM-2 parity fixtures for protea-plm (not run by CI).

Builds a tiny randomly initialised ESM-2 with Hugging Face transformers'
EsmModel (the reference implementation), saves it in the real on-disk layout
(config.json + model.safetensors + vocab.txt + tokenizer files) and records,
for a handful of real yeast proteins:

  * reference token ids (EsmTokenizer from the real esm2_t6_8M vocab),
  * every hidden state (token level, CLS and EOS included) of single-sequence
    forward passes,
  * pooled vectors for a grid of layer / aggregation / pooling / chunking
    options, computed with a NumPy port of the reference `embed_chunks`
    pipeline (ecosystem.md §5.3-5.4) from those hidden states,
  * k-mer composition vectors (k=2) for the weight-free baseline.

Usage: python make_fixtures.py SHARED_DATA_DIR OUT_DIR
"""
import gzip
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import torch
import transformers
from safetensors.torch import save_file
from transformers import EsmConfig, EsmModel, EsmTokenizer

SEED = 20261123
ACCESSIONS = ["O60200", "O74700", "P00044", "O13563", "O13539", "O94742"]
MODIFIED = "O94742"  # gets X/U/B/Z/O and a lowercase run, see below


def read_fasta(path):
    seqs, acc, buf = {}, None, []
    with gzip.open(path, "rt") as fh:
        for line in fh:
            line = line.strip()
            if line.startswith(">"):
                if acc:
                    seqs[acc] = "".join(buf)
                acc, buf = line[1:].split("|")[1], []
            else:
                buf.append(line)
    if acc:
        seqs[acc] = "".join(buf)
    return seqs


def l2(v):
    return v / max(np.linalg.norm(v), 1e-12)


def spans(n, size, overlap):
    assert overlap < size
    step, out, s = size - overlap, [], 0
    while s < n:
        out.append((s, min(s + size, n)))
        s += step
    return out


def aggregate(parts, how):
    if how == "last":
        return parts[-1]
    if how == "mean":
        return np.mean(np.stack(parts), axis=0)
    if how == "concat":
        return np.concatenate(parts, axis=-1)
    raise ValueError(how)


def embed_chunks(hidden, n, case):
    """NumPy port of the reference embed_chunks for one ESM sequence.
    hidden: list of (n+2, D) arrays, hidden_states order (0 = embeddings)."""
    idx = sorted(set(case["layers"]))
    assert all(0 <= i < len(hidden) for i in idx)
    sel = [hidden[-(i + 1)].astype(np.float64) for i in idx]
    if case["pooling"] == "cls":
        v = aggregate([s[0] for s in sel], case["agg"])
        return [(0, None, l2(v) if case["normalize"] else v)]
    res = aggregate([s[1 : n + 1] for s in sel], case["agg"])
    if case["normalize_residues"]:
        res = res / np.maximum(np.linalg.norm(res, axis=1, keepdims=True), 1e-12)
    chunk = case.get("chunk")
    sp = spans(n, *chunk) if chunk else [(0, None)]
    out = []
    for s, e in sp:
        r = res[s : (e if e is not None else n)]
        if case["pooling"] == "mean":
            v = r.mean(0)
        elif case["pooling"] == "max":
            v = r.max(0)
        elif case["pooling"] == "mean_max":
            v = np.concatenate([r.mean(0), r.max(0)])
        else:
            raise ValueError(case["pooling"])
        out.append((s, e, l2(v) if case["normalize"] else v))
    return out


CASES = [
    dict(name="default", layers=[0], agg="mean", pooling="mean", normalize=False, normalize_residues=False),
    dict(name="l013_mean_max", layers=[0, 1, 3], agg="mean", pooling="max", normalize=False, normalize_residues=False),
    dict(name="l13_last_meanmax_norm", layers=[1, 3], agg="last", pooling="mean_max", normalize=True, normalize_residues=False),
    dict(name="l02_concat_chunk100_20_normres", layers=[0, 2], agg="concat", pooling="mean", normalize=False, normalize_residues=True, chunk=[100, 20]),
    dict(name="cls_norm", layers=[0], agg="mean", pooling="cls", normalize=True, normalize_residues=False),
    dict(name="cls_l12_concat", layers=[1, 2], agg="concat", pooling="cls", normalize=False, normalize_residues=False),
    dict(name="l3_chunk50_0", layers=[3], agg="mean", pooling="mean", normalize=False, normalize_residues=False, chunk=[50, 0]),
    dict(name="l01_concat_meanmax_chunk64_16_norm", layers=[0, 1], agg="concat", pooling="mean_max", normalize=True, normalize_residues=True, chunk=[64, 16]),
    dict(name="maxlen40", layers=[0], agg="mean", pooling="mean", normalize=False, normalize_residues=False, max_length=40),
]

TOKENIZER_STRINGS = [
    "MKTAYIAKQR",
    "MKtlVAyX",
    "mkt",
    "MK TA\tY",
    "ACDEFGHIKLMNPQRSTVWYXBUZO.-",
    "M<mask>K<cls>A",
    "MK*1A",
]


def main():
    shared, out = Path(sys.argv[1]), Path(sys.argv[2])
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    vocab_dir = shared / "models" / "esm2_t6_8M_UR50D.config_only"
    tok = EsmTokenizer.from_pretrained(str(vocab_dir))

    allseqs = read_fasta(shared / "uniprot" / "UP000002311_yeast_S288c.2025-10-19.fasta.gz")
    seqs = [(a, allseqs[a]) for a in ACCESSIONS]
    # One protein gets every rare/ambiguous letter and a lowercase run
    # (documented in PROVENANCE.md): positions 5..9 -> X U B Z O, 20..24 lowercased.
    a, s = seqs[-1]
    s = s[:5] + "XUBZO" + s[10:20] + s[20:25].lower() + s[25:]
    seqs[-1] = (a, s)

    model_dir = out / "esm2_tiny"
    model_dir.mkdir(parents=True, exist_ok=True)
    cfg = EsmConfig(
        vocab_size=33, hidden_size=32, num_hidden_layers=3, num_attention_heads=4,
        intermediate_size=64, max_position_embeddings=1026, position_embedding_type="rotary",
        token_dropout=True, mask_token_id=32, pad_token_id=1, layer_norm_eps=1e-5,
        emb_layer_norm_before=False, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
    )
    cfg._name_or_path = "protea-tiny-esm2"
    model = EsmModel(cfg, add_pooling_layer=False).eval()
    # Larger-than-default random weights so every path moves the numbers.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name or "layer_norm" in name:
                p.copy_((1.0 if name.endswith("weight") else 0.0) + 0.1 * torch.randn_like(p))
            else:
                p.copy_(0.2 * torch.randn_like(p))
    state = {k: v.contiguous() for k, v in model.state_dict().items() if "inv_freq" not in k}
    save_file(state, str(model_dir / "model.safetensors"), metadata={"format": "pt"})
    conf = cfg.to_dict()
    conf["_name_or_path"] = "protea-tiny-esm2"
    (model_dir / "config.json").write_text(json.dumps(conf, indent=2, sort_keys=True) + "\n")
    for f in ["vocab.txt", "special_tokens_map.json", "tokenizer_config.json"]:
        shutil.copy(vocab_dir / f, model_dir / f)

    ref = out / "esm2_ref"
    ref.mkdir(exist_ok=True)
    tokens = {"strings": []}
    for t in TOKENIZER_STRINGS + [s for _, s in seqs]:
        tokens["strings"].append({
            "text": t,
            "ids": tok(t, add_special_tokens=True)["input_ids"],
            "ids_max12": tok(t, add_special_tokens=True, truncation=True, max_length=12)["input_ids"],
        })

    meta = {"transformers": transformers.__version__, "torch": torch.__version__, "seed": SEED,
            "sequences": [], "cases": []}
    hidden_by_seq = {}
    with torch.no_grad():
        for acc, s in seqs:
            # The Rust pipeline upper-cases before tokenising (one row per residue).
            ids = tok(s.upper(), return_tensors="pt")
            hs = model(**ids, output_hidden_states=True).hidden_states
            hidden = [h[0].numpy().astype(np.float32) for h in hs]
            hidden_by_seq[acc] = hidden
            np.save(ref / f"hidden_{acc}.npy", np.concatenate(hidden, axis=0))
            meta["sequences"].append({"accession": acc, "sequence": s, "length": len(s),
                                      "ids": ids["input_ids"][0].tolist(), "states": len(hidden),
                                      "tokens": int(ids["input_ids"].shape[1])})
        # HF's own padded batch, to document that padding does not move real rows.
        batch = tok([s.upper() for _, s in seqs], return_tensors="pt", padding=True)
        bhs = model(**batch, output_hidden_states=True).hidden_states
        worst = 0.0
        for b, (acc, s) in enumerate(seqs):
            n = len(s) + 2
            for li, h in enumerate(bhs):
                worst = max(worst, float(np.abs(h[b, :n].numpy() - hidden_by_seq[acc][li]).max()))
        meta["hf_padded_vs_single_max_abs"] = worst

        for case in CASES:
            rows, index = [], []
            for acc, s in seqs:
                hidden = hidden_by_seq[acc]
                n = len(s)
                if "max_length" in case:
                    ids = tok(s.upper(), return_tensors="pt", truncation=True, max_length=case["max_length"])
                    hidden = [h[0].numpy() for h in model(**ids, output_hidden_states=True).hidden_states]
                    n = ids["input_ids"].shape[1] - 2
                for cs, ce, v in embed_chunks(hidden, n, case):
                    rows.append(v.astype(np.float32))
                    index.append([acc, cs, ce])
            np.save(ref / f"pooled_{case['name']}.npy", np.stack(rows))
            meta["cases"].append({**case, "rows": index})

    # k-mer composition (k = 2) over the 20 standard amino acids.
    alpha = "ACDEFGHIKLMNPQRSTVWY"
    km = []
    for _, s in seqs:
        v = np.zeros(400)
        su = s.upper()
        for i in range(len(su) - 1):
            a1, a2 = su[i], su[i + 1]
            if a1 in alpha and a2 in alpha:
                v[alpha.index(a1) * 20 + alpha.index(a2)] += 1
        km.append((v / v.sum()).astype(np.float32))
    np.save(ref / "kmer2.npy", np.stack(km))

    (ref / "tokens.json").write_text(json.dumps(tokens, indent=1) + "\n")
    (ref / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    # FASTA of the fixture sequences, for the CLI test.
    with open(ref / "seqs.fasta", "w") as fh:
        for acc, s in seqs:
            fh.write(f">sp|{acc}|FIXTURE\n")
            for i in range(0, len(s), 60):
                fh.write(s[i : i + 60] + "\n")
    print("hf padded vs single:", worst)
    make_t5_fixtures(out, seqs)


T5_LETTERS = "ALGVSREDTIPKFQNYMHWCXBOUZ"
T5_CASES = [c for c in CASES if c["name"] in ("default", "cls_norm", "l01_concat_meanmax_chunk64_16_norm", "maxlen40")] + [
    dict(name="l12_last_max_norm", layers=[1, 2], agg="last", pooling="max", normalize=True, normalize_residues=False),
]


def t5_tokenizer():
    """A ProtT5-style tokenizer: SentencePiece Unigram over "▁X" pieces
    (<pad>=0, </s>=1, <unk>=2 as in ProtT5), Metaspace pre-tokenizer, </s>
    appended, <AA2fold> as an added special token (ProstT5)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import T5TokenizerFast

    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)] + [("\u2581" + c, -1.0) for c in T5_LETTERS] + [("<AA2fold>", 0.0)]
    t = Tokenizer(models.Unigram(vocab, unk_id=2))
    t.pre_tokenizer = pre_tokenizers.Metaspace()
    t.decoder = decoders.Metaspace()
    t.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    return T5TokenizerFast(tokenizer_object=t, eos_token="</s>", unk_token="<unk>", pad_token="<pad>",
                           extra_ids=0, additional_special_tokens=["<AA2fold>"])


def t5_inputs(flavour, seqs):
    """The reference tokenizer inputs (ecosystem.md \u00a75.2)."""
    import re
    fixed = [re.sub(r"[UZOB]", "X", s) for s in seqs]
    if flavour == "ankh":
        return [list(s) for s in fixed], {"is_split_into_words": True}
    joined = [" ".join(s) for s in fixed]
    if flavour == "prostt5":
        joined = ["<AA2fold> " + s for s in joined]
    return joined, {}


def make_t5_fixtures(out, seqs):
    from transformers import T5Config, T5EncoderModel

    tok = t5_tokenizer()
    for flavour, ff in [("prott5", "relu"), ("prostt5", "relu"), ("ankh", "gated-gelu")]:
        torch.manual_seed(SEED + len(flavour))
        cfg = T5Config(vocab_size=len(tok), d_model=16, d_kv=8, d_ff=32, num_layers=2, num_heads=2,
                       relative_attention_num_buckets=32, relative_attention_max_distance=128,
                       feed_forward_proj=ff, layer_norm_epsilon=1e-6, pad_token_id=0, eos_token_id=1,
                       dropout_rate=0.0, is_encoder_decoder=False, use_cache=False)
        model = T5EncoderModel(cfg).eval()
        with torch.no_grad():
            for name, p in model.named_parameters():
                if "layer_norm" in name:
                    p.copy_(1.0 + 0.1 * torch.randn_like(p))
                else:
                    p.copy_(0.3 * torch.randn_like(p))
        d = out / f"{flavour}_tiny"
        d.mkdir(parents=True, exist_ok=True)
        # Tied embedding: keep `shared.weight` only, as the released checkpoints do.
        state = {k: v.contiguous() for k, v in model.state_dict().items() if k != "encoder.embed_tokens.weight"}
        save_file(state, str(d / "model.safetensors"),
                  metadata={"format": "pt"})
        conf = cfg.to_dict()
        conf["_name_or_path"] = f"protea-tiny-{flavour}"
        (d / "config.json").write_text(json.dumps(conf, indent=2, sort_keys=True) + "\n")
        tok.save_pretrained(str(d))
        ref = out / f"{flavour}_ref"
        ref.mkdir(exist_ok=True)
        start = 1 if flavour == "prostt5" else 0
        meta = {"flavour": flavour, "feed_forward_proj": ff, "start": start, "sequences": [], "cases": []}
        # Raw (lowercase kept) ids: what HF gives for the reference inputs.
        raw_inputs, kw = t5_inputs(flavour, [s for _, s in seqs])
        raw_ids = [tok(x, **kw)["input_ids"] for x in raw_inputs]
        up_inputs, kw = t5_inputs(flavour, [s.upper() for _, s in seqs])
        hidden_by_seq = {}
        with torch.no_grad():
            for (acc, s), x, rid in zip(seqs, up_inputs, raw_ids):
                enc = tok(x, return_tensors="pt", **kw)
                hs = model(**enc, output_hidden_states=True).hidden_states
                hidden = [h[0].numpy().astype(np.float32) for h in hs]
                hidden_by_seq[acc] = hidden
                np.save(ref / f"hidden_{acc}.npy", np.concatenate(hidden, axis=0))
                meta["sequences"].append({"accession": acc, "sequence": s, "ids": enc["input_ids"][0].tolist(),
                                          "raw_ids": rid})
            batch = tok(up_inputs, return_tensors="pt", padding=True, **kw)
            bhs = model(**batch, output_hidden_states=True).hidden_states
            worst = 0.0
            for b, (acc, s) in enumerate(seqs):
                n = int(batch["attention_mask"][b].sum())
                for li, h in enumerate(bhs):
                    worst = max(worst, float(np.abs(h[b, :n].numpy() - hidden_by_seq[acc][li]).max()))
            meta["hf_padded_vs_single_max_abs"] = worst
            for case in T5_CASES:
                rows, index = [], []
                for (acc, s), x in zip(seqs, up_inputs):
                    hidden = hidden_by_seq[acc]
                    if "max_length" in case:
                        enc = tok(x, return_tensors="pt", truncation=True, max_length=case["max_length"], **kw)
                        hidden = [h[0].numpy() for h in model(**enc, output_hidden_states=True).hidden_states]
                    L = hidden[0].shape[0]
                    # Residues = hidden[start : L-1]; embed_chunks strips [1 : n+1]
                    # for ESM, so re-frame as [start-1 .. ) with a dummy row when start = 0.
                    n = L - 1 - start
                    framed = [np.concatenate([h[:1], h[start : L - 1], h[-1:]]) if start == 0 else h for h in hidden]
                    # cls means position 0 of the token tensor.
                    for cs, ce, v in embed_chunks(framed, n, case):
                        rows.append(v.astype(np.float32))
                        index.append([acc, cs, ce])
                np.save(ref / f"pooled_{case['name']}.npy", np.stack(rows))
                meta["cases"].append({**case, "rows": index})
        (ref / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
        print(flavour, "hf padded vs single:", worst)


if __name__ == "__main__":
    main()
