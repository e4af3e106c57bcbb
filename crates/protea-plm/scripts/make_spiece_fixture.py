#!/usr/bin/env python3
"""Generate the SentencePiece (`spiece.model`) tokenizer fixture (not run by CI).

The released ProtT5 and ProstT5 checkpoints ship their tokenizer as a
SentencePiece `spiece.model` (no tokenizer.json), which the reference loads
with the slow `T5Tokenizer(do_lower_case=False)`. This builds a
`spiece.model` in the ProtT5 layout (<pad>=0, </s>=1, <unk>=2 as control /
unknown pieces, then one "\u2581X" piece per residue letter, in the order of
the T5 fixtures' tokenizer.json, so ids agree with the tiny T5 models), adds
`<AA2fold>` as an additional special token (ProstT5), saves it with
`save_pretrained`, and records the slow tokenizer's ids for the reference
inputs (ecosystem.md 5.2) of the fixture sequences.

Usage: /work/venv-plm/bin/python make_spiece_fixture.py OUT_DIR
"""
import json
import re
import sys
from pathlib import Path

from sentencepiece import sentencepiece_model_pb2 as pb
from transformers import T5Tokenizer

sys.path.insert(0, str(Path(__file__).parent))
from make_fixtures import T5_LETTERS  # noqa: E402


def main():
    out = Path(sys.argv[1])
    d = out / "t5_spiece"
    d.mkdir(parents=True, exist_ok=True)
    m = pb.ModelProto()
    for piece, kind in [("<pad>", pb.ModelProto.SentencePiece.CONTROL), ("</s>", pb.ModelProto.SentencePiece.CONTROL),
                        ("<unk>", pb.ModelProto.SentencePiece.UNKNOWN)]:
        p = m.pieces.add()
        p.piece, p.score, p.type = piece, 0.0, kind
    for c in T5_LETTERS:
        p = m.pieces.add()
        p.piece, p.score, p.type = "\u2581" + c, -1.0, pb.ModelProto.SentencePiece.NORMAL
    m.trainer_spec.model_type = pb.TrainerSpec.UNIGRAM
    m.trainer_spec.vocab_size = len(m.pieces)
    m.trainer_spec.pad_id, m.trainer_spec.eos_id, m.trainer_spec.unk_id, m.trainer_spec.bos_id = 0, 1, 2, -1
    m.normalizer_spec.name = "identity"
    m.normalizer_spec.add_dummy_prefix = True
    m.normalizer_spec.remove_extra_whitespaces = True
    tmp = d / "spiece.model"
    tmp.write_bytes(m.SerializeToString())
    tok = T5Tokenizer(vocab_file=str(tmp), do_lower_case=False, extra_ids=0,
                      additional_special_tokens=["<AA2fold>"], legacy=True)
    tok.save_pretrained(str(d))
    for f in ["tokenizer.json"]:
        (d / f).unlink(missing_ok=True)  # keep only what the released checkpoints have
    tok = T5Tokenizer.from_pretrained(str(d), do_lower_case=False)
    meta = json.loads((out / "prott5_ref" / "meta.json").read_text())
    rows = []
    for s in [x["sequence"] for x in meta["sequences"]] + ["MKTAYIAKQR", "ACDEFGHIKLMNPQRSTVWYXBUZO"]:
        up = re.sub(r"[UZOB]", "X", s.upper())
        rows.append({"sequence": s,
                     "prott5": tok(" ".join(up))["input_ids"],
                     "prostt5": tok("<AA2fold> " + " ".join(up))["input_ids"]})
    (d / "ids.json").write_text(json.dumps({"len": len(tok), "rows": rows}, indent=1) + "\n")
    print(sorted(p.name for p in d.iterdir()), "vocab", len(tok))


if __name__ == "__main__":
    main()
