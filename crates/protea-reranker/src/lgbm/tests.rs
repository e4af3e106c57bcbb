use super::*;

const TINY: &str = "tree
version=v4
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=1
objective=binary sigmoid:1
feature_names=a b
feature_infos=[0:1] [0:1]
tree_sizes=1

Tree=0
num_leaves=3
num_cat=0
split_feature=0 1
split_gain=1 1
threshold=0.5 0.25
decision_type=2 0
left_child=-1 -2
right_child=1 -3
leaf_value=0.1 0.2 0.3
leaf_weight=1 1 1
leaf_count=1 1 1
internal_value=0 0
internal_weight=0 0
internal_count=3 2
is_linear=0
shrinkage=1


end of trees

pandas_categorical:null
";

#[test]
fn a_hand_written_tree_routes_rows() {
    let b = Booster::from_text(TINY).unwrap();
    assert_eq!(b.predict_raw_one(&[0.4, 9.0]).unwrap(), 0.1);
    assert_eq!(b.predict_raw_one(&[0.6, 0.2]).unwrap(), 0.2);
    assert_eq!(b.predict_raw_one(&[0.6, 0.3]).unwrap(), 0.3);
    // Missing type None: NaN is read as 0.0 (≤ 0.5 → left).
    assert_eq!(b.predict_raw_one(&[f64::NAN, 0.3]).unwrap(), 0.1);
    let p = b.predict_one(&[0.6, 0.3]).unwrap();
    assert!((p - 1.0 / (1.0 + (-0.3f64).exp())).abs() < 1e-15);
}

fn error_of(text: &str) -> String {
    Booster::from_text(text).unwrap_err().to_string()
}

#[test]
fn malformed_models_name_line_and_field() {
    let e = error_of(&TINY.replace("threshold=0.5 0.25", "threshold=0.5 x"));
    assert!(
        e.contains("line 17") && e.contains("`threshold`") && e.contains("`x`"),
        "{e}"
    );
    let e = error_of(&TINY.replace("leaf_value=0.1 0.2 0.3", "leaf_value=0.1 0.2"));
    assert!(
        e.contains("line 21") && e.contains("leaf_value") && e.contains("expected 3"),
        "{e}"
    );
    let e = error_of(&TINY.replace("right_child=1 -3", "right_child=0 -3"));
    assert!(
        e.contains("right_child") && e.contains("out of range"),
        "{e}"
    );
    let e = error_of(&TINY.replace("split_feature=0 1", "split_feature=0 7"));
    assert!(
        e.contains("split_feature") && e.contains("max_feature_idx"),
        "{e}"
    );
    let e = error_of(&TINY.replace("feature_names=a b", "feature_names=a"));
    assert!(e.contains("line 8") && e.contains("feature_names"), "{e}");
    let e = error_of(&TINY.replace("objective=binary sigmoid:1\n", ""));
    assert!(e.contains("objective") && e.contains("missing"), "{e}");
    let e = error_of(&TINY.replace("end of trees", "end"));
    assert!(e.contains("expected `Tree=N`"), "{e}");
    let e = error_of(&TINY.replace("\nend of trees\n", "\n"));
    assert!(e.contains("truncated") || e.contains("Tree=N"), "{e}");
    let e = error_of(&TINY.replace("is_linear=0", "is_linear=1"));
    assert!(
        e.contains("is_linear") && e.contains("not supported"),
        "{e}"
    );
    let e = error_of("hello\n");
    assert!(e.contains("line 1"), "{e}");
}

#[test]
fn rows_of_the_wrong_width_are_refused() {
    let b = Booster::from_text(TINY).unwrap();
    let e = b.predict_raw(&[0.1]).unwrap_err().to_string();
    assert!(e.contains("1 values") && e.contains("2 columns"), "{e}");
}
