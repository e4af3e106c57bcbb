//! A tiny SYNTHETIC dataset (hand-made rows, not real data) for the contract scaffold:
//! enough rows of both labels in two aspects for every runner to fit and evaluate.

use protea_dataset::{Frame, ParentMap, Producer, Row, manifest_for, write_dataset};

fn frame(pair: &str, proteins: &[&str]) -> Frame {
    let terms = [
        ("GO:0005515", "mfo"),
        ("GO:0003677", "mfo"),
        ("GO:0006355", "bpo"),
        ("GO:0005634", "cco"),
    ];
    let mut f = Frame::default();
    for (pi, p) in proteins.iter().enumerate() {
        for (ti, (t, aspect)) in terms.iter().enumerate() {
            let label = (pi + ti) % 3 == 0;
            let mut r = Row::new(*p, *t, label, "nk", pair);
            r.set("distance", if label { 0.1 } else { 0.6 } + 0.01 * pi as f64)
                .unwrap();
            r.set("vote_count", (1 + (pi + ti) % 4) as f64).unwrap();
            r.set("k_position", (1 + ti) as f64).unwrap();
            r.set_categorical("aspect", *aspect).unwrap();
            f.rows.push(r);
        }
    }
    f
}

/// Writes the synthetic dataset under `dir`; returns its `file://` URI.
pub fn write_synthetic(dir: &std::path::Path) -> String {
    let train = frame(
        "v1-v2",
        &["P00001", "P00002", "P00003", "P00004", "P00005", "P00006"],
    );
    let eval = frame("v2-v3", &["Q00001", "Q00002", "Q00003"]);
    let manifest = manifest_for(
        "synthetic",
        5,
        "none",
        "none",
        vec!["v1-v2".into()],
        "v2-v3",
        &Producer {
            version: "0.1.0".into(),
            git_sha: None,
        },
    );
    let pm = ParentMap::new(None, Default::default());
    let files = write_dataset(&train, &eval, manifest, Some(&pm)).unwrap();
    let uri = format!("file://{}", dir.display());
    protea_runners::dataset_io::publish(&uri, &files).unwrap();
    uri
}
