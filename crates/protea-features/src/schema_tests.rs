use super::*;

#[test]
fn feature_schema_sha_matches_the_contract_values() {
    assert_eq!(
        compute_feature_schema_sha(&["knn"], None).unwrap(),
        "2fe3931d057a"
    );
    let default_predict = infer_active_feature_families(true, true, false);
    let families: Vec<&str> = default_predict.iter().copied().collect();
    assert_eq!(
        families,
        [
            "alignment_nw",
            "annotation_meta",
            "knn",
            "length",
            "taxonomy_pair"
        ]
    );
    assert_eq!(
        compute_feature_schema_sha(&families, None).unwrap(),
        "7fcecf26aa0a"
    );
    let v6: Vec<&str> = infer_active_feature_families(true, true, true)
        .into_iter()
        .collect();
    assert_eq!(
        compute_feature_schema_sha(&v6, None).unwrap(),
        "94e87ae6f4ed"
    );
    // Order and duplicates of the family list do not matter.
    assert_eq!(
        compute_feature_schema_sha(
            &[
                "taxonomy_pair",
                "knn",
                "length",
                "knn",
                "alignment_nw",
                "annotation_meta"
            ],
            None
        )
        .unwrap(),
        "7fcecf26aa0a"
    );
    assert_ne!(
        compute_feature_schema_sha(&["knn"], Some(&["distance"])).unwrap(),
        "2fe3931d057a"
    );
}

#[test]
fn unknown_family_is_an_error() {
    let err = compute_feature_schema_sha(&["knn", "nope"], None).unwrap_err();
    assert!(matches!(err, FeatureError::UnknownFamily(ref f) if f == "nope"));
    assert!(required_columns(Some(&["nope"]), &[]).is_err());
}

#[test]
fn schema_sha_matches_the_catalogue_history() {
    assert_eq!(compute_schema_sha(&["a", "b"]), "0eab8a0a3380");
    assert_eq!(compute_schema_sha(&["b", "a"]), "0eab8a0a3380");
    let all: Vec<&str> = all_features().collect();
    assert_eq!(all.len(), 78);
    assert_eq!(compute_schema_sha(&all), "bcb5453c5a0e");
    assert_eq!(legacy_manifest_sha(&all), "a0dd81b377cf");
    // v3: no lineage, InterPro, LAFA or ProtST columns (54).
    let later: Vec<&str> = [&LINEAGE[..], &INTERPRO, &PROTST]
        .concat()
        .into_iter()
        .chain(family("classifier").unwrap().iter().copied())
        .chain(family("self_prior").unwrap().iter().copied())
        .chain(family("association").unwrap().iter().copied())
        .collect();
    let v3: Vec<&str> = all.iter().copied().filter(|c| !later.contains(c)).collect();
    assert_eq!(v3.len(), 54);
    assert_eq!(compute_schema_sha(&v3), "a0986dedd912");
    assert_eq!(legacy_manifest_sha(&v3), "3c194c7419b6");
    // 1.3.0: v6 without lineage and ProtST (71).
    let v13: Vec<&str> = all
        .iter()
        .copied()
        .filter(|c| !LINEAGE.contains(c) && !PROTST.contains(c))
        .collect();
    assert_eq!(compute_schema_sha(&v13), "8cc4cabded9b");
    assert_eq!(legacy_manifest_sha(&v13), "309e37de3e00");
}

#[test]
fn every_family_member_is_a_declared_column() {
    let all: Vec<&str> = all_features().collect();
    let unique: BTreeSet<&str> = all.iter().copied().collect();
    assert_eq!(unique.len(), all.len(), "no duplicate columns");
    for (name, members) in FEATURE_FAMILIES {
        for member in *members {
            assert!(all.contains(member), "{name}: {member}");
        }
    }
}

#[test]
fn required_columns_put_reserved_first_and_honour_drop() {
    let cols = required_columns(Some(&["knn", "knn_distance"]), &["label"]).unwrap();
    assert_eq!(
        &cols[..5],
        &[
            "protein_accession",
            "go_term_id",
            "category",
            "aspect",
            "snapshot_pair"
        ]
    );
    assert_eq!(cols.len(), 5 + 7);
    assert_eq!(
        required_columns::<&str>(None, &[]).unwrap().len(),
        6 + 78 - 1
    ); // `aspect` once
}

#[test]
fn python_json_escaping() {
    assert_eq!(python_json_string("a\"b\\é"), "\"a\\\"b\\\\\\u00e9\"");
}
