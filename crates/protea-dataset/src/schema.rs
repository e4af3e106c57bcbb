//! The v2 feature catalogue of the research dataset and its three digests.
//!
//! The catalogue is the one of the bench-v1 datasets (52 v2 base features plus the 4
//! lineage columns after the PCA block): its legacy digest is `6d97a624b8a7`, the value
//! every bench-v1 manifest carries, which the tests pin.

/// The manifest's `schema_version`.
pub const SCHEMA_VERSION: &str = "v2";

/// The label column.
pub const LABEL_COLUMN: &str = "label";

/// Columns that come first in every parquet file, in this order.
pub const RESERVED_COLUMNS: [&str; 5] = [
    "protein_accession",
    "go_term_id",
    "label",
    "category",
    "snapshot_pair",
];

/// Numeric features, in catalogue order.
pub const NUMERIC_FEATURES: [&str; 52] = [
    "distance",
    "identity_nw",
    "similarity_nw",
    "alignment_score_nw",
    "gaps_pct_nw",
    "alignment_length_nw",
    "identity_sw",
    "similarity_sw",
    "alignment_score_sw",
    "gaps_pct_sw",
    "alignment_length_sw",
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
    "anc2vec_neighbor_cos",
    "anc2vec_neighbor_maxcos",
    "anc2vec_has_emb",
    "anc2vec_query_known_cos",
    "anc2vec_query_known_maxcos",
    "anc2vec_query_known_count",
    "tax_voters_same_frac",
    "tax_voters_close_frac",
    "tax_voters_mean_common_ancestors",
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
    "lineage_is_ancestor_of_known",
    "lineage_is_descendant_of_known",
    "lineage_ancestor_of_count",
    "lineage_descendant_of_count",
];

/// Categorical features (strings, `""` when absent), in catalogue order.
pub const CATEGORICAL_FEATURES: [&str; 4] =
    ["qualifier", "evidence_code", "taxonomic_relation", "aspect"];

/// Numeric columns stored as int64 (the producer writes them as integers); every other
/// numeric column is float64. `k_position` may be null (InterPro-only rows).
pub const INTEGER_FEATURES: [&str; 2] = ["vote_count", "k_position"];

/// Every feature: numeric then categorical (the order of the files and of the legacy sha).
pub fn all_features() -> Vec<&'static str> {
    NUMERIC_FEATURES
        .iter()
        .chain(CATEGORICAL_FEATURES.iter())
        .copied()
        .collect()
}

/// Every column of a dataset file, in order: reserved, then the features.
pub fn all_columns() -> Vec<&'static str> {
    RESERVED_COLUMNS
        .iter()
        .copied()
        .chain(all_features())
        .collect()
}

// The digests are the contract's, computed once in protea-features.
pub use protea_features::schema::{compute_schema_sha, legacy_manifest_sha as legacy_schema_sha};

/// The catalogue's legacy digest, written to `manifest.json` as `schema_sha`.
pub fn catalogue_schema_sha() -> String {
    legacy_schema_sha(&all_features())
}

/// Position of a numeric feature in [`NUMERIC_FEATURES`].
pub fn numeric_index(name: &str) -> Option<usize> {
    NUMERIC_FEATURES.iter().position(|c| *c == name)
}

/// Position of a categorical feature in [`CATEGORICAL_FEATURES`].
pub fn categorical_index(name: &str) -> Option<usize> {
    CATEGORICAL_FEATURES.iter().position(|c| *c == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_the_published_values() {
        // Golden values: bench-v1 manifests (legacy), the v2+lineage catalogue and the
        // contracts' own check value (ecosystem.md §1.10–1.11).
        assert_eq!(catalogue_schema_sha(), "6d97a624b8a7");
        assert_eq!(compute_schema_sha(&all_features()), "5dc696be2f18");
        assert_eq!(compute_schema_sha(&["a", "b"]), "0eab8a0a3380");
        let base: Vec<&str> = all_features()
            .into_iter()
            .filter(|c| !c.starts_with("lineage_"))
            .collect();
        assert_eq!(legacy_schema_sha(&base), "0d9b7219433f");
        assert_eq!(compute_schema_sha(&base), "145592ed186c");
    }

    #[test]
    fn schema_sha_ignores_order_but_legacy_does_not() {
        assert_eq!(
            compute_schema_sha(&["b", "a"]),
            compute_schema_sha(&["a", "b"])
        );
        assert_ne!(
            legacy_schema_sha(&["b", "a"]),
            legacy_schema_sha(&["a", "b"])
        );
        assert_ne!(compute_schema_sha(&["a"]), compute_schema_sha(&["a", "b"]));
    }
}
