//! The feature schema (ecosystem.md §1.10–1.11): column catalogue, feature families,
//! and the short SHA-256 digests a re-ranker stores and live inference checks.
//!
//! All digests are `sha256(blob).hexdigest()[:12]`:
//! - [`compute_schema_sha`]: `"|".join(sorted(columns))` (order-free, the canonical one);
//! - [`compute_feature_schema_sha`]: per sorted family `"{fam}=" + ",".join(sorted(members))`,
//!   then `"drop=" + ",".join(sorted(drop))` when a drop list is given, joined by `"|"`;
//! - [`legacy_manifest_sha`]: Python's `json.dumps(list)` of the columns (order-dependent).

use crate::error::{FeatureError, Result};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// Number of PCA coordinates of the query embedding.
pub const EMBEDDING_PCA_DIM: usize = 16;
pub const LABEL_COLUMN: &str = "label";
pub const RESERVED_COLUMNS: [&str; 6] = [
    "protein_accession",
    "go_term_id",
    "label",
    "category",
    "aspect",
    "snapshot_pair",
];

const NW: [&str; 5] = [
    "identity_nw",
    "similarity_nw",
    "alignment_score_nw",
    "gaps_pct_nw",
    "alignment_length_nw",
];
const SW: [&str; 5] = [
    "identity_sw",
    "similarity_sw",
    "alignment_score_sw",
    "gaps_pct_sw",
    "alignment_length_sw",
];
const ANC2VEC_NEIGHBOR: [&str; 3] = [
    "anc2vec_neighbor_cos",
    "anc2vec_neighbor_maxcos",
    "anc2vec_has_emb",
];
const ANC2VEC_QUERY: [&str; 3] = [
    "anc2vec_query_known_cos",
    "anc2vec_query_known_maxcos",
    "anc2vec_query_known_count",
];
const TAX_VOTERS: [&str; 3] = [
    "tax_voters_same_frac",
    "tax_voters_close_frac",
    "tax_voters_mean_common_ancestors",
];
const EMB_PCA: [&str; EMBEDDING_PCA_DIM] = [
    "emb_pca_query_0",
    "emb_pca_query_1",
    "emb_pca_query_2",
    "emb_pca_query_3",
    "emb_pca_query_4",
    "emb_pca_query_5",
    "emb_pca_query_6",
    "emb_pca_query_7",
    "emb_pca_query_8",
    "emb_pca_query_9",
    "emb_pca_query_10",
    "emb_pca_query_11",
    "emb_pca_query_12",
    "emb_pca_query_13",
    "emb_pca_query_14",
    "emb_pca_query_15",
];
const LINEAGE: [&str; 4] = [
    "lineage_is_ancestor_of_known",
    "lineage_is_descendant_of_known",
    "lineage_ancestor_of_count",
    "lineage_descendant_of_count",
];
const INTERPRO: [&str; 11] = [
    "interpro_hit",
    "interpro_score",
    "interpro_n_signatures",
    "interpro_db_pfam",
    "interpro_db_panther",
    "interpro_db_superfamily",
    "interpro_db_smart",
    "interpro_db_cdd",
    "interpro_db_prosite",
    "knn_present",
    "interpro_present",
];
const PROTST: [&str; 3] = [
    "protst_text_score",
    "protst_vote_fraction",
    "protst_present",
];

/// Numeric feature columns in the newest (v6) order: the LightGBM column order.
pub const NUMERIC_FEATURES: [&str; 73] = [
    "distance",
    NW[0],
    NW[1],
    NW[2],
    NW[3],
    NW[4],
    SW[0],
    SW[1],
    SW[2],
    SW[3],
    SW[4],
    "length_query",
    "length_ref",
    "taxonomic_distance",
    "taxonomic_common_ancestors",
    "vote_count",
    "k_position",
    "go_term_frequency",
    "ref_annotation_density",
    "neighbor_distance_std",
    "neighbor_vote_fraction",
    "neighbor_min_distance",
    "neighbor_mean_distance",
    ANC2VEC_NEIGHBOR[0],
    ANC2VEC_NEIGHBOR[1],
    ANC2VEC_NEIGHBOR[2],
    ANC2VEC_QUERY[0],
    ANC2VEC_QUERY[1],
    ANC2VEC_QUERY[2],
    TAX_VOTERS[0],
    TAX_VOTERS[1],
    TAX_VOTERS[2],
    "k_context",
    EMB_PCA[0],
    EMB_PCA[1],
    EMB_PCA[2],
    EMB_PCA[3],
    EMB_PCA[4],
    EMB_PCA[5],
    EMB_PCA[6],
    EMB_PCA[7],
    EMB_PCA[8],
    EMB_PCA[9],
    EMB_PCA[10],
    EMB_PCA[11],
    EMB_PCA[12],
    EMB_PCA[13],
    EMB_PCA[14],
    EMB_PCA[15],
    LINEAGE[0],
    LINEAGE[1],
    LINEAGE[2],
    LINEAGE[3],
    INTERPRO[0],
    INTERPRO[1],
    INTERPRO[2],
    INTERPRO[3],
    INTERPRO[4],
    INTERPRO[5],
    INTERPRO[6],
    INTERPRO[7],
    INTERPRO[8],
    INTERPRO[9],
    INTERPRO[10],
    "classifier_score",
    "classifier_present",
    "self_prior_score",
    "association_total",
    "association_cross",
    "association_present",
    PROTST[0],
    PROTST[1],
    PROTST[2],
];

/// Categorical feature columns (after the numeric ones).
pub const CATEGORICAL_FEATURES: [&str; 5] = [
    "qualifier",
    "evidence_code",
    "taxonomic_relation",
    "aspect",
    "plm_id",
];

/// `NUMERIC_FEATURES` then `CATEGORICAL_FEATURES` (78 columns).
pub fn all_features() -> impl Iterator<Item = &'static str> {
    NUMERIC_FEATURES.into_iter().chain(CATEGORICAL_FEATURES)
}

/// The feature families and their members, in the contract's declaration order.
pub const FEATURE_FAMILIES: &[(&str, &[&str])] = &[
    (
        "knn",
        &[
            "distance",
            "k_position",
            "vote_count",
            "neighbor_vote_fraction",
            "neighbor_min_distance",
            "neighbor_mean_distance",
            "neighbor_distance_std",
        ],
    ),
    (
        "knn_distance",
        &[
            "distance",
            "neighbor_min_distance",
            "neighbor_mean_distance",
            "neighbor_distance_std",
        ],
    ),
    (
        "knn_vote",
        &["k_position", "vote_count", "neighbor_vote_fraction"],
    ),
    ("alignment_nw", &NW),
    ("alignment_sw", &SW),
    ("length", &["length_query", "length_ref"]),
    (
        "taxonomy_pair",
        &[
            "taxonomic_distance",
            "taxonomic_common_ancestors",
            "taxonomic_relation",
        ],
    ),
    ("taxonomy_voters", &TAX_VOTERS),
    (
        "go_context",
        &["go_term_frequency", "ref_annotation_density"],
    ),
    ("anc2vec_neighbor", &ANC2VEC_NEIGHBOR),
    ("anc2vec_query", &ANC2VEC_QUERY),
    ("emb_pca", &EMB_PCA),
    ("lineage", &LINEAGE),
    ("annotation_meta", &["qualifier", "evidence_code", "aspect"]),
    ("plm_context", &["plm_id"]),
    ("k_neighborhood", &["k_context"]),
    ("interpro", &INTERPRO),
    ("classifier", &["classifier_score", "classifier_present"]),
    ("self_prior", &["self_prior_score"]),
    (
        "association",
        &[
            "association_total",
            "association_cross",
            "association_present",
        ],
    ),
    ("protst_text", &PROTST),
];

/// The members of a family, or [`FeatureError::UnknownFamily`].
pub fn family(name: &str) -> Result<&'static [&'static str]> {
    FEATURE_FAMILIES
        .iter()
        .find(|(family, _)| *family == name)
        .map(|(_, members)| *members)
        .ok_or_else(|| FeatureError::UnknownFamily(name.to_owned()))
}

fn short_sha(blob: &str) -> String {
    let digest = Sha256::digest(blob.as_bytes());
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256("|".join(sorted(columns)))[:12]`; independent of the column order.
pub fn compute_schema_sha<S: AsRef<str>>(columns: &[S]) -> String {
    let mut sorted: Vec<&str> = columns.iter().map(AsRef::as_ref).collect();
    sorted.sort_unstable();
    short_sha(&sorted.join("|"))
}

/// The digest a booster stores as `feature_schema_sha` for the families it was trained on
/// (duplicates count once, as the original's set did); `drop` appends `drop=…`.
pub fn compute_feature_schema_sha<S: AsRef<str>>(
    families: &[S],
    drop: Option<&[&str]>,
) -> Result<String> {
    let names: BTreeSet<&str> = families.iter().map(AsRef::as_ref).collect();
    let mut parts = Vec::with_capacity(names.len() + 1);
    for name in names {
        let mut members: Vec<&str> = family(name)?.to_vec();
        members.sort_unstable();
        parts.push(format!("{name}={}", members.join(",")));
    }
    if let Some(drop) = drop {
        let mut dropped = drop.to_vec();
        dropped.sort_unstable();
        parts.push(format!("drop={}", dropped.join(",")));
    }
    Ok(short_sha(&parts.join("|")))
}

/// The legacy manifest digest: `sha256(json.dumps(list(columns)))[:12]` with Python's
/// default separators and ASCII escaping, so it depends on the order.
pub fn legacy_manifest_sha<S: AsRef<str>>(columns: &[S]) -> String {
    let items: Vec<String> = columns
        .iter()
        .map(|c| python_json_string(c.as_ref()))
        .collect();
    short_sha(&format!("[{}]", items.join(", ")))
}

/// A JSON string as Python's `json.dumps(ensure_ascii=True)` writes it.
fn python_json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

/// The families live prediction fills, as `infer_active_feature_families` (sorted):
/// always `knn` and `annotation_meta`; `alignment_nw` and `length` with alignments;
/// `taxonomy_pair` with taxonomy; the v6 families with `compute_v6_features`.
pub fn infer_active_feature_families(
    compute_alignments: bool,
    compute_taxonomy: bool,
    compute_v6_features: bool,
) -> BTreeSet<&'static str> {
    let mut families = BTreeSet::from(["knn", "annotation_meta"]);
    if compute_alignments {
        families.extend(["alignment_nw", "length"]);
    }
    if compute_taxonomy {
        families.insert("taxonomy_pair");
    }
    if compute_v6_features {
        families.extend([
            "anc2vec_neighbor",
            "anc2vec_query",
            "emb_pca",
            "taxonomy_voters",
            "go_context",
        ]);
    }
    families
}

/// Reserved columns first, then the selected families' members (every feature column
/// when `families` is `None`), without duplicates, minus `drop` (which may remove
/// reserved columns too).
pub fn required_columns<S: AsRef<str>>(
    families: Option<&[S]>,
    drop: &[&str],
) -> Result<Vec<&'static str>> {
    let mut columns: Vec<&'static str> = RESERVED_COLUMNS.to_vec();
    match families {
        None => columns.extend(all_features()),
        Some(families) => {
            for name in families {
                columns.extend_from_slice(family(name.as_ref())?);
            }
        }
    }
    let mut seen = BTreeSet::new();
    columns.retain(|c| seen.insert(*c) && !drop.contains(c));
    Ok(columns)
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
