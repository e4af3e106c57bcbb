#!/usr/bin/env python3
"""Reads a research dataset written by protea-dataset back with pyarrow and checks it
against the documented schema (ecosystem.md §3): the columns in order, their Arrow
types, the manifest keys and values, and the schema digests.

Usage: python3 scripts/check_dataset.py DATASET_DIR
Needs: pyarrow. Run by developers (not by CI). Exit 0 = OK, 1 = a check failed.
"""

import hashlib
import json
import re
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

RESERVED = ["protein_accession", "go_term_id", "label", "category", "snapshot_pair"]
NUMERIC = (
    ["distance"]
    + [f"{m}_nw" for m in ("identity", "similarity", "alignment_score", "gaps_pct", "alignment_length")]
    + [f"{m}_sw" for m in ("identity", "similarity", "alignment_score", "gaps_pct", "alignment_length")]
    + ["length_query", "length_ref", "taxonomic_distance", "taxonomic_common_ancestors"]
    + ["vote_count", "k_position", "go_term_frequency", "ref_annotation_density",
       "neighbor_distance_std", "neighbor_vote_fraction", "neighbor_min_distance",
       "neighbor_mean_distance"]
    + ["anc2vec_neighbor_cos", "anc2vec_neighbor_maxcos", "anc2vec_has_emb",
       "anc2vec_query_known_cos", "anc2vec_query_known_maxcos", "anc2vec_query_known_count"]
    + ["tax_voters_same_frac", "tax_voters_close_frac", "tax_voters_mean_common_ancestors"]
    + [f"emb_pca_query_{i}" for i in range(16)]
    + ["lineage_is_ancestor_of_known", "lineage_is_descendant_of_known",
       "lineage_ancestor_of_count", "lineage_descendant_of_count"]
)
CATEGORICAL = ["qualifier", "evidence_code", "taxonomic_relation", "aspect"]
ALL_FEATURES = NUMERIC + CATEGORICAL
INTEGER = {"label", "vote_count", "k_position"}
MANIFEST_KEYS = [
    "schema_version", "name", "k", "embedding_config_id", "ontology_snapshot_id",
    "annotation_source", "train_snapshot_pairs", "eval_snapshot_pair", "schema_sha",
    "n_train_rows", "n_eval_rows", "format", "producer_version", "producer_git_sha",
]
OPTIONAL_KEYS = ["spec_hash", "parent_schema_sha", "feature_families"]


def short_sha(blob: str) -> str:
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def compute_schema_sha(columns) -> str:
    return short_sha("|".join(sorted(columns)))


def legacy_schema_sha(columns) -> str:
    return short_sha(json.dumps(list(columns), sort_keys=True))


def expected_type(name: str) -> pa.DataType:
    if name in INTEGER:
        return pa.int64()
    if name in RESERVED or name in CATEGORICAL:
        return pa.string()
    return pa.float64()


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = Path(sys.argv[1])
    errors = []
    # Golden digests (bench-v1 manifests, contracts check values).
    assert legacy_schema_sha(ALL_FEATURES) == "6d97a624b8a7"
    assert compute_schema_sha(ALL_FEATURES) == "5dc696be2f18"

    text = (root / "manifest.json").read_text()
    manifest = json.loads(text)
    keys = list(manifest)
    if keys[: len(MANIFEST_KEYS)] != MANIFEST_KEYS or any(k not in OPTIONAL_KEYS for k in keys[len(MANIFEST_KEYS):]):
        errors.append(f"manifest keys {keys}")
    if text != json.dumps(manifest, indent=2) + "\n":
        errors.append("manifest.json is not json.dumps(indent=2) of itself")
    if manifest["schema_version"] != "v2":
        errors.append(f"schema_version {manifest['schema_version']!r}")
    if manifest["schema_sha"] != legacy_schema_sha(ALL_FEATURES):
        errors.append(f"schema_sha {manifest['schema_sha']}")
    if manifest["format"] != "parquet":
        errors.append("format")
    git = manifest["producer_git_sha"]
    if git is not None and not re.fullmatch(r"[0-9a-f]{40}", git):
        errors.append(f"producer_git_sha {git!r}")
    for pair in manifest["train_snapshot_pairs"] + [manifest["eval_snapshot_pair"]]:
        if not re.fullmatch(r"v\d+-v\d+", pair):
            errors.append(f"pair {pair!r}")

    for split, count_key in (("train", "n_train_rows"), ("eval", "n_eval_rows")):
        path = root / f"{split}.parquet"
        table = pq.read_table(path)
        names = table.schema.names
        if names != RESERVED + ALL_FEATURES:
            errors.append(f"{split}: columns {names}")
        features = [n for n in names if n not in RESERVED]
        if compute_schema_sha(features) != compute_schema_sha(ALL_FEATURES):
            errors.append(f"{split}: schema sha {compute_schema_sha(features)}")
        if legacy_schema_sha(features) != manifest["schema_sha"]:
            errors.append(f"{split}: legacy sha {legacy_schema_sha(features)} != manifest")
        for field in table.schema:
            if field.type != expected_type(field.name):
                errors.append(f"{split}: {field.name} is {field.type}")
        if table.num_rows != manifest[count_key]:
            errors.append(f"{split}: {table.num_rows} rows, manifest says {manifest[count_key]}")
        codec = pq.ParquetFile(path).metadata.row_group(0).column(0).compression
        if codec != "SNAPPY":
            errors.append(f"{split}: compression {codec}")
        labels = set(table.column("label").to_pylist())
        cats = set(table.column("category").to_pylist())
        aspects = set(table.column("aspect").to_pylist())
        pairs = set(table.column("snapshot_pair").to_pylist())
        if not labels <= {0, 1} or not cats <= {"nk", "lk", "pk"} or not aspects <= {"bpo", "mfo", "cco"}:
            errors.append(f"{split}: values label={labels} category={cats} aspect={aspects}")
        if split == "eval" and pairs != {manifest["eval_snapshot_pair"]}:
            errors.append(f"eval pairs {pairs}")
        print(f"{split}.parquet: {table.num_rows} rows, {len(names)} columns, "
              f"{sum(table.column('label').to_pylist())} positive, categories {sorted(cats)}")

    if errors:
        for e in errors:
            print("FAIL:", e)
        return 1
    print(f"OK: schema_version v2, schema_sha {manifest['schema_sha']}, "
          f"compute_schema_sha {compute_schema_sha(ALL_FEATURES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
