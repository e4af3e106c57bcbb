#!/usr/bin/env python3
"""Generate protea-cafa's reference outputs with the real cafaeval 1.3.0.

Usage (Python is needed only here; CI reads the committed outputs):

    python3 -m venv /work/venv-cafa && /work/venv-cafa/bin/pip install cafaeval==1.3.0
    /work/venv-cafa/bin/python crates/protea-cafa/scripts/make_reference.py \
        [--shared /path/to/shared/data]     # default: $PROTEA_SHARED_DATA or ../shared/data

It writes, under crates/protea-cafa/tests/data/:
  cases.tsv                     one line per case: inputs and options (read by tests/parity.rs)
  <case>/reference_all.tsv      cafa_eval()'s full table, every float as Python repr()
  <case>/cafaeval/*.tsv         cafaeval's own write_results() files (formatted)
  pk_summary.tsv                the partial-knowledge fork's results, flattened from
                                shared/data/cafa_example/cafaeval_reference_output.json
                                (the PyPI package has no -known/-toi)
  goa_227_228/synthetic_predictions.tsv, idpo_ia/IA_idpo_synthetic.tsv
                                deterministic synthetic inputs (fixed seeds, see below)
  PROVENANCE.md                 one line per generated file

Paths in cases.tsv start with `shared:` (relative to the shared data folder) or `local:`
(relative to tests/data). This script only calls cafaeval's public functions.
"""

import argparse
import gzip
import json
import os
import random
import shutil
import sys
import tempfile

from cafaeval.evaluation import cafa_eval, write_results
from importlib.metadata import version

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "data")
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

OPTION_DEFAULTS = dict(norm="cafa", prop="max", th_step=0.01, max_terms=None, no_orphans=False)


def obo_terms(path):
    """Live namespaced ids per namespace, alt ids and obsolete ids (cafaeval's reading rules)."""
    live, alts, obsolete = {}, [], []
    rec = None

    def flush(r):
        if r is None:
            return
        if r["obs"]:
            obsolete.append(r["id"])
        elif r["ns"]:
            live.setdefault(r["ns"], []).append(r["id"])
            alts.extend(r["alt"])

    with open(path) as f:
        for line in f:
            parts = line.strip().split(": ", 1)
            if len(parts) < 2:
                continue
            k, v = parts
            if k == "id":
                flush(rec)
                rec = dict(id=v, ns=None, obs=False, alt=[])
            elif rec is None:
                continue
            elif k == "namespace" and v != "external":
                rec["ns"] = v
            elif k == "is_obsolete":
                rec["obs"] = True
            elif k == "alt_id":
                rec["alt"].append(v)
    flush(rec)
    return live, alts, obsolete


def synthetic_predictions(obo, gt, out, seed=20260523):
    """True terms kept with p=0.7 and score U(0.25,1), plus 0-12 random decoys with score
    U(0.001,0.8); and a few rule-exercising lines (CAFA headers, non-benchmark proteins,
    alt ids, obsolete ids, grid-exact scores, 1e-3, >1, duplicates)."""
    rng = random.Random(seed)
    live, alts, obsolete = obo_terms(obo)
    all_terms = sorted(t for ts in live.values() for t in ts)
    truth = {}
    with open(gt) as f:
        for line in f:
            tok = line.split()
            if len(tok) >= 2 and tok[1].startswith("GO:"):
                truth.setdefault(tok[0], []).append(tok[1])
    lines = ["AUTHOR protea-synthetic", "MODEL 1", "KEYWORDS synthetic, noisy truth, decoys."]
    for p, terms in truth.items():
        for t in terms:
            if rng.random() < 0.7:
                lines.append(f"{p}\t{t}\t{rng.uniform(0.25, 1.0):.3f}")
        for _ in range(rng.randint(0, 12)):
            lines.append(f"{p}\t{rng.choice(all_terms)}\t{rng.uniform(0.001, 0.8):.3f}")
        r = rng.random()
        if r < 0.02:
            lines.append(f"{p}\t{rng.choice(terms)}\t{rng.choice(['0.06', '0.5', '0.29', '0.57'])}")
        elif r < 0.03:
            lines.append(f"{p}\t{rng.choice(alts)}\t{rng.uniform(0.1, 0.9):.2f}")
        elif r < 0.04:
            lines.append(f"{p}\t{rng.choice(obsolete)}\t0.9")
        elif r < 0.045:
            lines.append(f"{p}\t{rng.choice(all_terms)}\t1e-3")
        elif r < 0.05:
            lines.append(f"{p}\t{rng.choice(all_terms)}\t1.5")
        elif r < 0.06 and terms:
            t = rng.choice(terms)
            lines.append(f"{p}\t{t}\t0.2")
            lines.append(f"{p}\t{t}\t0.1")
    for i in range(200):
        lines.append(f"NOTBENCH{i}\t{rng.choice(all_terms)}\t0.5")
    lines.append("END")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def synthetic_ia(obo, out, seed=7):
    rng = random.Random(seed)
    live, _, _ = obo_terms(obo)
    with open(out, "w") as f:
        for ns, terms in live.items():
            for i, t in enumerate(terms):
                v = 0.0 if i == 0 or rng.random() < 0.2 else round(rng.uniform(0.05, 3.0), 3)
                f.write(f"{t}\t{v}\n")


def resolve(path, shared, tmp):
    kind, rel = path.split(":", 1)
    full = os.path.join(shared if kind == "shared" else DATA, rel)
    if full.endswith(".gz"):
        plain = os.path.join(tmp, os.path.basename(full)[:-3])
        if not os.path.exists(plain):
            with gzip.open(full, "rb") as src, open(plain, "wb") as dst:
                shutil.copyfileobj(src, dst)
        return plain
    return full


def run_case(name, inputs, options, shared, tmp, provenance):
    opts = {**OPTION_DEFAULTS, **options}
    paths = {k: (resolve(v, shared, tmp) if v else None) for k, v in inputs.items()}
    df, dfs_best = cafa_eval(paths["obo"], paths["pred"], paths["gt"], ia=paths["ia"],
                             no_orphans=opts["no_orphans"], norm=opts["norm"], prop=opts["prop"],
                             max_terms=opts["max_terms"], th_step=opts["th_step"], n_cpu=1)
    case_dir = os.path.join(DATA, name)
    os.makedirs(case_dir, exist_ok=True)
    with open(os.path.join(case_dir, "reference_all.tsv"), "w") as f:
        f.write("\t".join(list(df.index.names) + list(df.columns)) + "\n")
        for idx, row in df.iterrows():
            vals = [str(idx[0]), str(idx[1]), repr(float(idx[2]))] + [repr(float(v)) for v in row]
            f.write("\t".join(vals) + "\n")
    out = os.path.join(case_dir, "cafaeval")
    shutil.rmtree(out, ignore_errors=True)
    write_results(df, dfs_best, out_dir=out, th_step=opts["th_step"])
    desc = f"cafaeval {version('cafaeval')} cafa_eval({inputs}, {opts}, n_cpu=1)"
    provenance.append(f"| {name}/reference_all.tsv, {name}/cafaeval/ | {desc} |")
    row = [name, "upstream", inputs["obo"], inputs["pred"], inputs["gt"], inputs["ia"] or "-", "-", "-",
           opts["norm"], opts["prop"], repr(opts["th_step"]),
           str(opts["max_terms"]) if opts["max_terms"] is not None else "-",
           "1" if opts["no_orphans"] else "0"]
    return row


def pk_cases(shared, provenance):
    """Flatten the PK fork's results (the 'pkfix' engine, which has the 1.3.0 graph, and 'pk')."""
    src = os.path.join(shared, "cafa_example", "cafaeval_reference_output.json")
    data = json.load(open(src))
    cases, summary = [], []
    for case, body in data["cases"].items():
        inp, opt = body["inputs"], body["options"]
        for engine in ("pk", "pkfix"):
            run = body["runs"].get(engine)
            if run is None:
                continue
            name = f"{case}.{engine}"
            cases.append([name, "pk", *["shared:cafa_example/" + inp[k] if inp[k] else "-"
                                        for k in ("obo", "pred", "gt", "ia", "known", "toi")],
                          opt["norm"], opt["prop"], repr(opt["th_step"]),
                          "-" if opt["max_terms"] is None else str(opt["max_terms"]),
                          "1" if opt["no_orphans"] else "0"])
            for fname, fres in run["files"].items():
                for ns, r in fres["namespaces"].items():
                    vals = dict(fmax=r["fmax"], precision=r["precision"], recall=r["recall"],
                                tau=r["tau"], coverage=r["coverage"], n_predicted=r["n_predicted"],
                                n_gt_proteins=r["n_gt_proteins"], cov_max=r["cov_max"],
                                micro_fmax=r["micro"]["fmax"], micro_tau=r["micro"]["tau"],
                                smin_s=r["smin"]["s"], smin_ru=r["smin"]["ru"],
                                smin_mi=r["smin"]["mi"], smin_tau=r["smin"]["tau"])
                    for k, v in vals.items():
                        summary.append([name, fname, ns, k, repr(float(v))])
    with open(os.path.join(DATA, "pk_summary.tsv"), "w") as f:
        f.write("case\tfilename\tns\tkey\tvalue\n")
        for r in summary:
            f.write("\t".join(r) + "\n")
    provenance.append("| pk_summary.tsv | flattened from shared/data/cafa_example/cafaeval_reference_output.json "
                      "(runs 'pk' = CAFA-evaluator-PK cc1749f, 'pkfix' = same with the 1.3.0 graph) |")
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.environ.get("PROTEA_SHARED_DATA",
                                                       os.path.join(REPO, "..", "shared", "data")))
    args = ap.parse_args()
    shared = os.path.abspath(args.shared)
    os.makedirs(DATA, exist_ok=True)
    provenance = []
    with tempfile.TemporaryDirectory() as tmp:
        go = resolve("shared:go/go-basic.2026-05-19.obo.gz", shared, tmp)
        os.makedirs(os.path.join(DATA, "goa_227_228"), exist_ok=True)
        pred = os.path.join(DATA, "goa_227_228", "synthetic_predictions.tsv")
        gt = os.path.join(shared, "cafa", "goa_holdout_226_228", "ground_truth.227_228.tsv")
        synthetic_predictions(go, gt, pred)
        provenance.append("| goa_227_228/synthetic_predictions.tsv | synthetic_predictions(go-basic.2026-05-19, "
                          "ground_truth.227_228.tsv, seed=20260523) in this script |")
        os.makedirs(os.path.join(DATA, "idpo_ia"), exist_ok=True)
        ia_idpo = os.path.join(DATA, "idpo_ia", "IA_idpo_synthetic.tsv")
        synthetic_ia(os.path.join(shared, "cafa_example", "idpo", "IDPO_disorder_function.obo"), ia_idpo)
        provenance.append("| idpo_ia/IA_idpo_synthetic.tsv | synthetic_ia(IDPO_disorder_function.obo, seed=7) in this script |")

        idpo = dict(obo="shared:cafa_example/idpo/IDPO_disorder_function.obo",
                    pred="shared:cafa_example/idpo/predictions",
                    gt="shared:cafa_example/idpo/ground_truth.tsv", ia=None)
        pks = dict(obo="shared:cafa_example/pk_go_sample/go-sample.obo",
                   pred="shared:cafa_example/pk_go_sample/predictions", ia=None)
        goa = dict(obo="shared:go/go-basic.2026-05-19.obo.gz",
                   pred="local:goa_227_228/synthetic_predictions.tsv",
                   gt="shared:cafa/goa_holdout_226_228/ground_truth.227_228.tsv",
                   ia="shared:cafa/IA_cafa6.tsv")
        # cafaeval walks a folder: give it one holding the synthetic file.
        goa_dir = os.path.join(tmp, "goa_pred")
        os.makedirs(goa_dir)
        shutil.copy(pred, goa_dir)
        specs = [
            ("idpo_default", idpo, {}),
            ("idpo_fill_no_orphans_pred", idpo, dict(prop="fill", no_orphans=True, norm="pred")),
            ("idpo_gt_max_terms_2_step_005", idpo, dict(norm="gt", max_terms=2, th_step=0.05)),
            ("idpo_ia", {**idpo, "ia": "local:idpo_ia/IA_idpo_synthetic.tsv"}, {}),
            ("idpo_ia_no_orphans_step_0005", {**idpo, "ia": "local:idpo_ia/IA_idpo_synthetic.tsv"},
             dict(no_orphans=True, th_step=0.005)),
            ("pk_partial_upstream", {**pks, "gt": "shared:cafa_example/pk_go_sample/ground_truth_partial.tsv"}, {}),
            ("pk_limited_upstream", {**pks, "gt": "shared:cafa_example/pk_go_sample/ground_truth_limited.tsv"}, {}),
            ("goa_227_228_ia", goa, {}),
            ("goa_227_228_ia_fill_no_orphans_gt_step_005", goa,
             dict(prop="fill", no_orphans=True, norm="gt", th_step=0.05, max_terms=20)),
        ]
        rows = []
        for name, inputs, options in specs:
            print("case", name, file=sys.stderr)
            if inputs is goa:
                row = run_case_with_pred(name, inputs, options, shared, tmp, provenance, goa_dir)
            else:
                row = run_case(name, inputs, options, shared, tmp, provenance)
            rows.append(row)
        rows.extend(pk_cases(shared, provenance))
    header = ["case", "mode", "obo", "pred", "gt", "ia", "known", "toi", "norm", "prop", "th_step",
              "max_terms", "no_orphans"]
    with open(os.path.join(DATA, "cases.tsv"), "w") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    with open(os.path.join(DATA, "PROVENANCE.md"), "w") as f:
        f.write("# Reference data for protea-cafa's parity tests\n\n"
                "Generated by `scripts/make_reference.py` (read its docstring). `shared:` inputs live in the\n"
                "shared data folder (PROTEA_SHARED_DATA); only generated files are committed here.\n\n"
                "| file | produced by |\n| --- | --- |\n")
        f.write("\n".join(provenance) + "\n")


def run_case_with_pred(name, inputs, options, shared, tmp, provenance, pred_dir):
    """Like run_case, but cafaeval reads predictions from `pred_dir` (a copy of the committed file)."""
    folder = "local:" + os.path.relpath(pred_dir, DATA)
    row = run_case(name, {**inputs, "pred": folder}, options, shared, tmp, provenance)
    row[3] = inputs["pred"]
    provenance[-1] = provenance[-1].replace(folder, inputs["pred"])
    return row


if __name__ == "__main__":
    main()
