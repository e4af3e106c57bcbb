use super::*;
use arrow_schema::DataType;

fn sample() -> (Frame, Frame) {
    let mut train = Frame::default();
    for (i, acc) in ["P1", "P2", "P3"].iter().enumerate() {
        let mut r = Row::new(*acc, "GO:0005515", i == 0, "nk", "v1-v2");
        r.set("distance", 0.25 * i as f64).unwrap();
        r.set("vote_count", 2.0).unwrap();
        r.set("k_position", 1.0 + i as f64).unwrap();
        r.set_categorical("aspect", "mfo").unwrap();
        train.rows.push(r);
    }
    let mut eval = Frame::default();
    let mut r = Row::new("Q9", "GO:0008150", true, "lk", "v2-v3");
    r.set("vote_count", 1.0).unwrap();
    r.set_categorical("aspect", "bpo").unwrap();
    eval.rows.push(r);
    (train, eval)
}

fn manifest() -> Manifest {
    manifest_for(
        "unit",
        5,
        "c2e9dda3-0000-0000-0000-000000000000",
        "35c3ad67-3002-47db-8f71-eeed69d22ad6",
        vec!["v1-v2".into()],
        "v2-v3",
        &Producer {
            version: "0.1.0".into(),
            git_sha: Some("0123456789abcdef0123456789abcdef01234567".into()),
        },
    )
}

#[test]
fn round_trip_keeps_every_value_and_nulls() {
    let (train, eval) = sample();
    let files = write_dataset(&train, &eval, manifest(), None).unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.0).collect();
    assert_eq!(names, [TRAIN_FILE, EVAL_FILE, MANIFEST_FILE]);
    let back = read_parquet(files[0].1.clone().into(), TRAIN_FILE).unwrap();
    assert_eq!(back.len(), 3);
    for (a, b) in train.rows.iter().zip(&back.rows) {
        assert_eq!(a.protein_accession, b.protein_accession);
        assert_eq!(a.label, b.label);
        assert_eq!(a.categorical, b.categorical);
        for (x, y) in a.numeric.iter().zip(&b.numeric) {
            assert!(x == y || (x.is_nan() && y.is_nan()), "{x} vs {y}");
        }
    }
    let m = Manifest::from_json(&files[2].1).unwrap();
    assert_eq!(m.n_train_rows, Some(3));
    assert_eq!(m.n_eval_rows, Some(1));
    assert_eq!(m.schema_sha, "6d97a624b8a7");
}

#[test]
fn columns_are_in_catalogue_order_with_their_types() {
    let schema = arrow_schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names.len(), 61);
    assert_eq!(&names[..5], &schema::RESERVED_COLUMNS);
    assert_eq!(names[5], "distance");
    assert_eq!(names[60], "aspect");
    assert_eq!(column_type("label"), DataType::Int64);
    assert_eq!(column_type("k_position"), DataType::Int64);
    assert_eq!(column_type("distance"), DataType::Float64);
    assert_eq!(column_type("qualifier"), DataType::Utf8);
}

#[test]
fn manifest_keys_follow_the_write_order() {
    let bytes = manifest().to_json().unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let keys: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("  \""))
        .filter_map(|l| l.split('"').next())
        .collect();
    assert_eq!(
        keys,
        [
            "schema_version",
            "name",
            "k",
            "embedding_config_id",
            "ontology_snapshot_id",
            "annotation_source",
            "train_snapshot_pairs",
            "eval_snapshot_pair",
            "schema_sha",
            "n_train_rows",
            "n_eval_rows",
            "format",
            "producer_version",
            "producer_git_sha"
        ]
    );
    assert!(text.starts_with("{\n  \"schema_version\": \"v2\",\n"));
}

#[test]
fn bad_input_is_refused_with_its_place() {
    let (mut train, eval) = sample();
    train.rows[1].category = "xk".into();
    let err = write_dataset(&train, &eval, manifest(), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("row 1") && err.contains("category"), "{err}");

    let (train, mut eval) = sample();
    eval.rows[0].snapshot_pair = "v9-v10".into();
    assert!(write_dataset(&train, &eval, manifest(), None).is_err());

    let mut m = manifest();
    m.producer_git_sha = Some("xxxx".into());
    assert!(
        m.to_json()
            .unwrap_err()
            .to_string()
            .contains("producer_git_sha")
    );
    let mut m = manifest();
    m.train_snapshot_pairs = vec!["226-227".into()];
    assert!(m.validate().is_err());
    assert!(Manifest::from_json(br#"{"name": "x", "bogus": 1}"#).is_err());
}

#[test]
fn a_file_without_catalogue_columns_is_named() {
    // A parquet file of the reserved columns only.
    use arrow_array::{ArrayRef, RecordBatch, StringArray};
    use std::sync::Arc;
    let col: ArrayRef = Arc::new(StringArray::from(vec!["P1"]));
    let batch = RecordBatch::try_from_iter([("protein_accession", col)]).unwrap();
    let mut out = Vec::new();
    let mut w = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let err = read_parquet(out.into(), "x.parquet")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("x.parquet") && err.contains("go_term_id"),
        "{err}"
    );
}

#[test]
fn parent_map_reads_wrapper_or_bare() {
    let a = ParentMap::from_json(br#"{"GO:0000002": ["GO:0000001"]}"#).unwrap();
    assert_eq!(a.n_edges, 1);
    let b = ParentMap::from_json(
        br#"{"ontology_snapshot_id": "s", "n_edges": 1, "n_terms": 1, "parents": {"GO:0000002": ["GO:0000001"]}}"#,
    )
    .unwrap();
    assert_eq!(a.parents, b.parents);
}
