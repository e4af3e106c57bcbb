//! A minimal feature documentation registry (ecosystem.md §1.12): each declared column's
//! family and status. Summaries and definitions live in the module docs of
//! [`crate::align`], [`crate::taxonomy`] and [`crate::aggregates`].

use crate::schema::{FEATURE_FAMILIES, all_features};
use serde::Serialize;

/// Whether PROTEA produces a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FeatureStatus {
    /// Written by the prediction pipeline.
    Produced,
    /// A producer exists but is off by default, so exports write NaN (the LAFA columns).
    DeclaredAbsent,
    /// Not in PROTEA's dump; stamped per source by the lab's pooled loader.
    PoolInjected,
}

/// One column's registry entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FeatureDoc {
    pub name: &'static str,
    /// The first family (in declaration order) that lists the column.
    pub family: &'static str,
    pub status: FeatureStatus,
}

const DECLARED_ABSENT: [&str; 6] = [
    "classifier_score",
    "classifier_present",
    "self_prior_score",
    "association_total",
    "association_cross",
    "association_present",
];
const POOL_INJECTED: [&str; 2] = ["plm_id", "k_context"];

/// The entry of a declared feature column, `None` for anything else.
pub fn feature_doc(column: &str) -> Option<FeatureDoc> {
    let name = all_features().find(|c| *c == column)?;
    let family = FEATURE_FAMILIES
        .iter()
        .find(|(_, members)| members.contains(&name))
        .map(|(family, _)| *family)?;
    let status = if DECLARED_ABSENT.contains(&name) {
        FeatureStatus::DeclaredAbsent
    } else if POOL_INJECTED.contains(&name) {
        FeatureStatus::PoolInjected
    } else {
        FeatureStatus::Produced
    };
    Some(FeatureDoc {
        name,
        family,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_column_has_a_doc_in_a_family_that_lists_it() {
        for column in all_features() {
            let doc = feature_doc(column).unwrap_or_else(|| panic!("{column} has no doc"));
            let members = crate::schema::family(doc.family).unwrap();
            assert!(members.contains(&column));
        }
        assert_eq!(feature_doc("distance").unwrap().family, "knn");
        assert_eq!(
            feature_doc("plm_id").unwrap().status,
            FeatureStatus::PoolInjected
        );
        assert_eq!(
            feature_doc("self_prior_score").unwrap().status,
            FeatureStatus::DeclaredAbsent
        );
        assert_eq!(feature_doc("protein_accession"), None);
    }
}
