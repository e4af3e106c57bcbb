//! The plugin guide's test scaffold, for every runner: the instance, the contract, the
//! name, discovery by name, and the shapes of fit / evaluate / export results.

mod common;

use std::sync::Arc;

use protea_runners::{ExperimentRunner, Registry, RunnerEnv, RunnerError, noop_emit};
use serde_json::json;

struct Setup {
    _dir: tempfile::TempDir,
    env: RunnerEnv,
    dataset_uri: String,
    out_uri: String,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("dataset");
    let dataset_uri = common::synthetic::write_synthetic(&ds);
    let env = RunnerEnv::new(format!("file://{}/runs", dir.path().display()));
    let out_uri = format!("file://{}/export/", dir.path().display());
    Setup {
        _dir: dir,
        env,
        dataset_uri,
        out_uri,
    }
}

macro_rules! scaffold {
    ($module:ident, $ty:ty, $name:literal) => {
        mod $module {
            use super::*;

            fn plugin(env: &RunnerEnv) -> $ty {
                <$ty>::new(env.clone())
            }

            #[test]
            fn plugin_implements_the_runner_contract() {
                let s = setup();
                let runner: Arc<dyn ExperimentRunner> = Arc::new(plugin(&s.env));
                assert!(!runner.summary().is_empty());
            }

            #[test]
            fn plugin_name_matches_the_registry_key() {
                let s = setup();
                assert_eq!(plugin(&s.env).name(), $name);
            }

            #[test]
            fn plugin_resolvable_by_name() {
                let s = setup();
                let registry = Registry::builtin(&s.env);
                let matches: Vec<_> = registry.iter().filter(|r| r.name() == $name).collect();
                assert_eq!(matches.len(), 1);
                let resolved = registry.resolve($name).unwrap();
                assert_eq!(resolved.summary(), plugin(&s.env).summary());
            }

            #[test]
            fn fit_evaluate_export_return_their_shapes() {
                let s = setup();
                let p = plugin(&s.env);
                let run = p.fit(&json!({}), &s.dataset_uri, &noop_emit).unwrap();
                assert!(run.model_uri.starts_with("file://"), "{}", run.model_uri);
                let ev = p
                    .evaluate(&run.model_uri, &s.dataset_uri, &noop_emit)
                    .unwrap();
                for aspect in ["bpo", "mfo", "cco"] {
                    let f = ev.metrics.fmax[aspect];
                    assert!((0.0..=1.0).contains(&f), "{aspect}: {f}");
                    assert!(ev.metrics.auc_pr.contains_key(aspect));
                    assert!(ev.metrics.coverage.contains_key(aspect));
                }
                let run_id = run
                    .extras
                    .get("run_id")
                    .and_then(|v| v.as_str())
                    .unwrap_or("run_001");
                let ex = p.export(run_id, &s.out_uri, &noop_emit).unwrap();
                assert!(!ex.files.is_empty());
                for f in ex.files.values() {
                    assert_eq!(f.sha256.len(), 64);
                    let bytes = protea_artifacts::read_uri(&f.uri).unwrap();
                    assert_eq!(protea_artifacts::sha256_hex(&bytes), f.sha256);
                }
            }
        }
    };
}

scaffold!(toy, protea_runners::toy::ToyRunner, "toy");
scaffold!(
    baseline,
    protea_runners::baseline::BaselineRunner,
    "baseline"
);
#[cfg(feature = "lightgbm")]
scaffold!(
    lightgbm,
    protea_runners::lightgbm::LightgbmRunner,
    "lightgbm"
);

#[test]
fn toy_follows_the_worked_example() {
    let s = setup();
    let toy = protea_runners::toy::ToyRunner::new(s.env.clone());
    let events = std::sync::Mutex::new(Vec::new());
    let emit = |e: &str, _: Option<&str>, _: serde_json::Value, _: protea_core::Level| {
        events.lock().unwrap().push(e.to_owned());
    };
    let run = toy.fit(&json!({"lr": 0.1}), &s.dataset_uri, &emit).unwrap();
    assert_eq!(run.model_uri, "file:///dev/null");
    assert_eq!(run.metrics["dummy_loss"], json!(0.0));
    let spec = protea_artifacts::read_uri(&format!("{}/spec.json", s.dataset_uri)).unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&spec).unwrap(),
        json!({"lr": 0.1})
    );
    let ev = toy.evaluate(&run.model_uri, &s.dataset_uri, &emit).unwrap();
    assert_eq!(ev.metrics.fmax["bpo"], 1.0);
    let ex = toy.export("run_001", &s.out_uri, &emit).unwrap();
    assert!(
        ex.files["manifest.json"]
            .uri
            .ends_with("/export/manifest.json")
    );
    assert_eq!(
        *events.lock().unwrap(),
        [
            "runner.toy.fit_start",
            "runner.toy.fit_done",
            "runner.toy.eval_start",
            "runner.toy.export_done"
        ]
    );
}

#[test]
fn unknown_names_and_bad_specs_are_named() {
    let s = setup();
    let registry = Registry::builtin(&s.env);
    let err = registry.resolve("nope").err().unwrap().to_string();
    assert!(err.contains("nope") && err.contains("baseline"), "{err}");
    let baseline = registry.resolve("baseline").unwrap();
    let err = baseline
        .fit(&json!({"bogus": 1}), &s.dataset_uri, &noop_emit)
        .unwrap_err();
    assert!(matches!(err, RunnerError::Spec { .. }), "{err}");
    let err = baseline
        .fit(&json!({}), "file:///nonexistent/dataset", &noop_emit)
        .unwrap_err()
        .to_string();
    assert!(err.contains("train.parquet"), "{err}");
    let err = baseline
        .export("no-such-run", &s.out_uri, &noop_emit)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no-such-run"), "{err}");
    let err = baseline
        .export("../escape", &s.out_uri, &noop_emit)
        .unwrap_err()
        .to_string();
    assert!(err.contains("invalid artifact key"), "{err}");
}

/// A runner without training refuses `fit` with Unsupported, never a dummy result.
struct EvalOnly;

impl ExperimentRunner for EvalOnly {
    fn name(&self) -> &'static str {
        "eval-only"
    }
    fn summary(&self) -> &'static str {
        "test runner without a training step"
    }
    fn fit(
        &self,
        _: &serde_json::Value,
        _: &str,
        _: protea_runners::Emit<'_>,
    ) -> protea_runners::Result<protea_runners::RunResult> {
        Err(RunnerError::Unsupported {
            runner: self.name().into(),
            operation: "fit",
            reason: "it has no parameters to learn".into(),
        })
    }
    fn evaluate(
        &self,
        _: &str,
        _: &str,
        _: protea_runners::Emit<'_>,
    ) -> protea_runners::Result<protea_runners::EvalResult> {
        unreachable!()
    }
    fn export(
        &self,
        _: &str,
        _: &str,
        _: protea_runners::Emit<'_>,
    ) -> protea_runners::Result<protea_runners::ExportResult> {
        unreachable!()
    }
}

#[test]
fn a_separate_runner_registers_and_unsupported_fit_is_an_error() {
    let s = setup();
    let registry = Registry::builtin(&s.env).register(Arc::new(EvalOnly));
    assert!(registry.names().contains(&"eval-only"));
    let err = registry
        .resolve("eval-only")
        .unwrap()
        .fit(&json!({}), &s.dataset_uri, &noop_emit)
        .unwrap_err();
    assert!(err.to_string().contains("does not support fit"), "{err}");
}

#[test]
#[should_panic(expected = "two runners are named")]
fn duplicate_names_are_refused() {
    let s = setup();
    let _ = Registry::builtin(&s.env)
        .register(Arc::new(protea_runners::toy::ToyRunner::new(s.env.clone())));
}
