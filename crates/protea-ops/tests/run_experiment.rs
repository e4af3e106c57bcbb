//! `run_experiment` on a real worker and PostgreSQL (queue `protea.training`): fit,
//! evaluate and export the baseline runner on a small SYNTHETIC dataset (hand-made rows,
//! written with the dataset writer), the runner's events on the job's timeline, and the
//! errors: unknown runner, missing fields, a runner step that fails.

use std::sync::Arc;
use std::time::{Duration, Instant};

use protea_core::JobStatus;
use protea_dataset::{Frame, Producer, Row, manifest_for, write_dataset};
use protea_jobs::{Extensions, JobService, JobView, PgQueue, SubmitRequest, Worker, WorkerConfig};
use protea_ops::run_experiment::Runners;
use protea_runners::{Registry, RunnerEnv};
use protea_testkit::TestDb;
use serde_json::{Value, json};
use tokio::sync::watch;

fn frame(pair: &str, proteins: &[&str]) -> Frame {
    let terms = [
        ("GO:0005515", "mfo"),
        ("GO:0006355", "bpo"),
        ("GO:0005634", "cco"),
    ];
    let mut f = Frame::default();
    for (pi, p) in proteins.iter().enumerate() {
        for (ti, (t, aspect)) in terms.iter().enumerate() {
            let mut r = Row::new(*p, *t, (pi + ti) % 2 == 0, "nk", pair);
            r.set("vote_count", 1.0).unwrap();
            r.set_categorical("aspect", *aspect).unwrap();
            f.rows.push(r);
        }
    }
    f
}

struct Harness {
    db: TestDb,
    service: JobService,
    dir: tempfile::TempDir,
    _stop: watch::Sender<bool>,
}

impl Harness {
    async fn start() -> Harness {
        let db = TestDb::new().await;
        let dir = tempfile::tempdir().unwrap();
        let env = RunnerEnv::new(format!("file://{}/runs", dir.path().display()));
        let mut ext = Extensions::default();
        ext.insert(Runners(Arc::new(Registry::builtin(&env))));
        let queue = Arc::new(PgQueue::new(db.pool.clone()));
        let worker = Worker::new(
            db.pool.clone(),
            protea_ops::registry(),
            queue.clone(),
            Arc::new(ext),
            WorkerConfig {
                queues: vec!["protea.training".into()],
                concurrency: 1,
                poll_interval: Duration::from_millis(100),
                ..WorkerConfig::default()
            },
        );
        let (stop, rx) = watch::channel(false);
        tokio::spawn(async move { worker.run(rx).await.unwrap() });
        let service = JobService::new(db.pool.clone(), protea_ops::registry(), queue);
        Harness {
            db,
            service,
            dir,
            _stop: stop,
        }
    }

    fn dataset(&self) -> String {
        let train = frame("v1-v2", &["P00001", "P00002", "P00003", "P00004"]);
        let eval = frame("v2-v3", &["Q00001", "Q00002"]);
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
        let files = write_dataset(&train, &eval, manifest, None).unwrap();
        let uri = format!("file://{}/dataset", self.dir.path().display());
        protea_runners::dataset_io::publish(&uri, &files).unwrap();
        uri
    }

    async fn run(&self, payload: Value) -> JobView {
        let id = self
            .service
            .submit(SubmitRequest {
                operation: "run_experiment".into(),
                payload,
                queue_name: None,
                meta: Value::Null,
            })
            .await
            .unwrap()
            .id;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let job = self.service.get(id).await.unwrap();
            if job.finished_at.is_some() {
                return job;
            }
            assert!(Instant::now() < deadline, "job {id} did not finish");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn events(&self, job: &JobView) -> Vec<String> {
        self.service
            .events(job.id, None, 1000, true)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event)
            .collect()
    }
}

#[tokio::test]
async fn fit_evaluate_export_as_jobs_on_the_training_queue() {
    let h = Harness::start().await;
    let dataset = h.dataset();
    let fit = h
        .run(json!({"runner": "baseline", "action": "fit", "dataset_uri": dataset}))
        .await;
    assert_eq!(fit.status, JobStatus::Succeeded, "{:?}", fit.error_message);
    assert_eq!(fit.queue_name, "protea.training");
    let result = fit.result.clone().unwrap();
    let model_uri = result["model_uri"].as_str().unwrap().to_owned();
    let run_id = result["extras"]["run_id"].as_str().unwrap().to_owned();
    let events = h.events(&fit).await;
    assert!(
        events.contains(&"runner.baseline.fit_start".to_owned()),
        "{events:?}"
    );
    assert!(
        events.contains(&"runner.baseline.fit_done".to_owned()),
        "{events:?}"
    );

    let ev = h
        .run(json!({"runner": "baseline", "action": "evaluate", "model_uri": model_uri, "dataset_uri": dataset}))
        .await;
    assert_eq!(ev.status, JobStatus::Succeeded, "{:?}", ev.error_message);
    let metrics = &ev.result.as_ref().unwrap()["metrics"];
    for key in ["fmax", "auc_pr", "coverage"] {
        assert!(metrics[key]["mfo"].is_number(), "{metrics}");
    }

    let out = format!("file://{}/export", h.dir.path().display());
    let ex = h
        .run(json!({"runner": "baseline", "action": "export", "run_id": run_id, "output_uri": out}))
        .await;
    assert_eq!(ex.status, JobStatus::Succeeded, "{:?}", ex.error_message);
    let files = &ex.result.as_ref().unwrap()["files"];
    assert_eq!(files["model.json"]["sha256"].as_str().unwrap().len(), 64);
    drop(h.db.pool.clone());
}

#[tokio::test]
async fn errors_name_what_is_wrong() {
    let h = Harness::start().await;
    let dataset = h.dataset();
    // A missing field fails the job before the runner runs, naming the field.
    let missing_field = h
        .run(json!({"runner": "baseline", "action": "evaluate", "dataset_uri": dataset}))
        .await;
    assert_eq!(missing_field.status, JobStatus::Failed);
    let msg = missing_field.error_message.unwrap_or_default();
    assert!(msg.contains("model_uri"), "{msg}");

    let unknown = h
        .run(json!({"runner": "nope", "action": "fit", "dataset_uri": dataset}))
        .await;
    assert_eq!(unknown.status, JobStatus::Failed);
    assert_eq!(unknown.error_code.as_deref(), Some("UnknownRunner"));

    let bad_spec = h
        .run(json!({"runner": "baseline", "action": "fit", "dataset_uri": dataset, "spec": {"bogus": 1}}))
        .await;
    assert_eq!(
        bad_spec.error_code.as_deref(),
        Some("InvalidSpec"),
        "{:?}",
        bad_spec.error_message
    );

    let missing = h
        .run(
            json!({"runner": "baseline", "action": "fit", "dataset_uri": "file:///nonexistent/ds"}),
        )
        .await;
    assert_eq!(missing.error_code.as_deref(), Some("InvalidInput"));
    assert!(missing.error_message.unwrap().contains("train.parquet"));
}
