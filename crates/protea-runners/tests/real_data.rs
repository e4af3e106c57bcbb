//! fit → evaluate → export on a small dataset built from real data (see `common`), the
//! metrics checked against our CAFA evaluator run directly on the full go-basic OBO.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use protea_cafa::{Annotations, BestMetric, Evaluator, Ontology};
use protea_dataset::Frame;
use protea_runners::{ExperimentRunner, RunnerEnv, noop_emit};
use serde_json::json;

/// Runs `protea-cafa` with the full ontology file on (truth = positive rows, scores).
fn direct_fmax(
    data: &std::path::Path,
    eval: &Frame,
    scores: &[f64],
) -> BTreeMap<String, (f64, f64)> {
    let obo = flate2::read::GzDecoder::new(
        std::fs::File::open(data.join("go/go-basic.2026-05-19.obo.gz")).unwrap(),
    );
    let ontology = Ontology::from_obo(std::io::BufReader::new(obo), "go-basic").unwrap();
    let mut truth = BTreeSet::new();
    let mut best: BTreeMap<(String, String), f64> = BTreeMap::new();
    for (r, &s) in eval.rows.iter().zip(scores) {
        if r.label {
            truth.insert((r.protein_accession.clone(), r.go_term_id.clone()));
        }
        let e = best
            .entry((r.protein_accession.clone(), r.go_term_id.clone()))
            .or_insert(f64::NEG_INFINITY);
        *e = e.max(s);
    }
    let gt: String = truth.iter().map(|(p, t)| format!("{p}\t{t}\n")).collect();
    let mut preds = String::new();
    for ((p, t), s) in &best {
        let _ = writeln!(preds, "{p}\t{t}\t{s:.6}");
    }
    let truth = Annotations::read(gt.as_bytes(), "gt", &ontology).unwrap();
    let config = protea_runners::metrics::eval_config(true);
    let ev = Evaluator::new(&config, &ontology, &truth, None, None, None).unwrap();
    let m = ev.read_method(preds.as_bytes(), "p").unwrap();
    let curves = ev.evaluate_method(&m).unwrap();
    let evaluation = protea_cafa::Evaluation {
        th_step: config.th_step,
        weighted: false,
        curves,
    };
    evaluation
        .best(BestMetric::F)
        .into_iter()
        .filter_map(|b| {
            let a = b.curve.aspect()?.cafa_name().to_ascii_lowercase();
            Some((a, (b.row.plain.f, b.cov_max)))
        })
        .collect()
}

fn check_against_direct(
    name: &str,
    got: &protea_runners::CafaMetrics,
    direct: &BTreeMap<String, (f64, f64)>,
) {
    assert_eq!(got.fmax.len(), 3, "{name}: {got:?}");
    for (aspect, (f, cov)) in direct {
        let g = got.fmax[aspect];
        assert!(
            (g - f).abs() < 1e-9,
            "{name} {aspect}: runner {g} vs direct {f}"
        );
        let c = got.coverage[aspect];
        assert!(
            (c - cov).abs() < 1e-9,
            "{name} {aspect}: coverage {c} vs {cov}"
        );
        assert!(got.auc_pr[aspect] > 0.0 && got.auc_pr[aspect] <= 1.0);
    }
}

#[test]
fn baseline_round_trip_on_real_data() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("dataset");
    let built = common::write_real_dataset(&data, &ds);
    let n_pos = built.train.rows.iter().filter(|r| r.label).count();
    eprintln!(
        "dataset: {} train rows ({n_pos} positive), {} eval rows",
        built.train.len(),
        built.eval.len()
    );
    assert!(
        n_pos > 50,
        "too few positives to be a meaningful fixture: {n_pos}"
    );
    let uri = format!("file://{}", ds.display());
    let env = RunnerEnv::new(format!("file://{}/runs", dir.path().display()));
    let runner = protea_runners::baseline::BaselineRunner::new(env);
    let run = runner.fit(&json!({}), &uri, &noop_emit).unwrap();
    let ev = runner.evaluate(&run.model_uri, &uri, &noop_emit).unwrap();
    eprintln!("baseline: {:?}", ev.metrics);

    // The model file read back, the scores recomputed from it here, the evaluator run on
    // the full ontology: the same numbers.
    let model: protea_runners::baseline::FrequencyModel =
        serde_json::from_slice(&protea_artifacts::read_uri(&run.model_uri).unwrap()).unwrap();
    let scores: Vec<f64> = built
        .eval
        .rows
        .iter()
        .map(|r| {
            model.frequencies[r.aspect()]
                .get(&r.go_term_id)
                .copied()
                .unwrap_or(0.0)
        })
        .collect();
    check_against_direct(
        "baseline",
        &ev.metrics,
        &direct_fmax(&data, &built.eval, &scores),
    );

    // It beats an empty prediction (every score 0: nothing predicted, Fmax 0).
    let zero = vec![0.0; built.eval.len()];
    let (empty, _) =
        protea_runners::metrics::cafa_metrics(&built.eval, &zero, Some(&built.parent_map)).unwrap();
    assert!(empty.fmax.values().all(|f| *f == 0.0), "{empty:?}");
    assert_eq!(empty.fmax.len(), 3);
    for (aspect, f) in &ev.metrics.fmax {
        assert!(*f > 0.0, "{aspect}");
    }

    let run_id = run.extras["run_id"].as_str().unwrap();
    let out = format!("file://{}/export", dir.path().display());
    let ex = runner.export(run_id, &out, &noop_emit).unwrap();
    let names: Vec<&str> = ex.files.keys().map(String::as_str).collect();
    assert_eq!(names, ["model.json", "run.json", "spec.yaml"]);
    let record: serde_json::Value =
        serde_json::from_slice(&protea_artifacts::read_uri(&ex.files["run.json"].uri).unwrap())
            .unwrap();
    assert_eq!(record["status"], "ok");
    assert_eq!(
        record["files"]["model.json"]["sha256"],
        json!(ex.files["model.json"].sha256)
    );
    assert_eq!(record["dataset"]["schema_sha"], "6d97a624b8a7");
}

#[cfg(feature = "lightgbm")]
#[test]
fn lightgbm_round_trip_on_real_data() {
    use protea_dataset::Row;
    let Some(data) = common::shared_data() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("dataset");
    let built = common::write_real_dataset(&data, &ds);
    let uri = format!("file://{}", ds.display());
    let env = RunnerEnv::new(format!("file://{}/runs", dir.path().display()));
    let runner = protea_runners::lightgbm::LightgbmRunner::new(env);
    let ia_uri = format!("file://{}", data.join("cafa/IA_cafa6.tsv").display());
    let events = std::sync::Mutex::new(Vec::new());
    let emit = |e: &str, _: Option<&str>, f: serde_json::Value, _: protea_core::Level| {
        events.lock().unwrap().push((e.to_owned(), f));
    };
    for (objective, extra) in [
        ("lambdarank", json!({})),
        (
            "binary",
            json!({"neg_pos_ratio": 5.0, "ia_weighting": "positives", "ia_uri": ia_uri}),
        ),
    ] {
        // The defaults, scaled to a few thousand rows.
        let mut spec = json!({"objective": objective, "min_data_in_leaf": 20, "num_leaves": 15, "num_boost_round": 300});
        spec.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let run = runner.fit(&spec, &uri, &emit).unwrap();
        eprintln!("{objective}: fit metrics {:?}", run.metrics);
        let best = run.metrics["best_iteration"].as_i64().unwrap();
        assert!(
            (1..300).contains(&best),
            "early stopping should stop before 300: {best}"
        );
        assert!(
            run.metrics["val_auc"].as_f64().unwrap() > 0.6,
            "{:?}",
            run.metrics
        );

        let ev = runner.evaluate(&run.model_uri, &uri, &emit).unwrap();
        eprintln!("{objective}: {:?}", ev.metrics);
        // Scores recomputed here with lightgbm3 directly from the stored model text.
        let (booster, meta) = protea_runners::lightgbm::load_model(&run.model_uri).unwrap();
        let rows: Vec<&Row> = built.eval.rows.iter().collect();
        let scores = protea_runners::lightgbm::score_rows(&booster, &meta, &rows).unwrap();
        check_against_direct(
            objective,
            &ev.metrics,
            &direct_fmax(&data, &built.eval, &scores),
        );

        let run_id = run.extras["run_id"].as_str().unwrap();
        let out = format!("file://{}/export-{objective}", dir.path().display());
        let ex = runner.export(run_id, &out, &emit).unwrap();
        let names: Vec<&str> = ex.files.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            ["model.txt", "model_meta.json", "run.json", "spec.yaml"]
        );
        let text = protea_artifacts::read_uri(&ex.files["model.txt"].uri).unwrap();
        assert!(text.starts_with(b"tree\n"), "LightGBM text model");
        let spec_back: serde_json::Value = serde_json::from_slice(
            &protea_artifacts::read_uri(&ex.files["spec.yaml"].uri).unwrap(),
        )
        .unwrap();
        assert_eq!(spec_back["objective"], objective);
        assert_eq!(spec_back["learning_rate"], 0.05, "the default is kept");
    }
    let names: Vec<String> = events.lock().unwrap().iter().map(|e| e.0.clone()).collect();
    assert!(
        names.contains(&"runner.lightgbm.train_done".to_owned()),
        "{names:?}"
    );
}

/// Writes the real-data dataset where `PROTEA_DATASET_OUT` says (for
/// `scripts/check_dataset.py`), else to a temporary directory, and reads it back.
#[test]
fn the_written_dataset_reads_back() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("PROTEA_DATASET_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_owned());
    let built = common::write_real_dataset(&data, &dir);
    let uri = format!("file://{}", dir.display());
    let back =
        protea_runners::dataset_io::load_split(&uri, protea_runners::dataset_io::Split::Eval)
            .unwrap();
    assert_eq!(back.frame.len(), built.eval.len());
    let m = back.manifest.unwrap();
    assert_eq!(m.n_eval_rows, Some(built.eval.len() as u64));
    assert_eq!(m.schema_version, "v2");
    assert_eq!(back.parent_map.unwrap().n_terms, built.parent_map.n_terms);
    let cats: BTreeSet<&str> = built
        .eval
        .rows
        .iter()
        .map(|r| r.category.as_str())
        .collect();
    assert!(cats.len() >= 2, "{cats:?}");
}
