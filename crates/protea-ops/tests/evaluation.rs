//! The evaluation operations end to end on a real worker and PostgreSQL: the NK/LK/PK
//! classification with NOT annotations and cross-namespace cases, idempotency, the pivot
//! rule, run_cafa_evaluation against protea-cafa run directly on the same files and against
//! numbers worked out by hand, restrict_gt_to_predicted, max_distance, IA and re-rankers.

use protea_sources::mock::{Fault, MockConfig, MockServer};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use protea_jobs::{Extensions, JobService, JobView, PgQueue, SubmitRequest, Worker, WorkerConfig};
use protea_ops::evaluation_common::EvaluationArtifacts;
use protea_store::artifacts::LocalArtifactStore;
use protea_testkit::TestDb;
use protea_testkit::evaluation_fixture::{self, EvalFixture};
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio::sync::watch;
use uuid::Uuid;

struct Harness {
    db: TestDb,
    service: JobService,
    artifacts: tempfile::TempDir,
    stop: watch::Sender<bool>,
    fx: EvalFixture,
}

impl Harness {
    async fn start() -> Harness {
        let db = TestDb::new().await;
        let fx = evaluation_fixture::seed(&db.pool).await;
        let artifacts = tempfile::tempdir().unwrap();
        let mut ext = Extensions::default();
        ext.insert(EvaluationArtifacts(Arc::new(LocalArtifactStore::new(
            artifacts.path(),
        ))));
        let queue = Arc::new(PgQueue::new(db.pool.clone()));
        let worker = Worker::new(
            db.pool.clone(),
            protea_ops::registry(),
            queue.clone(),
            Arc::new(ext),
            WorkerConfig {
                queues: vec!["protea.jobs".into(), "protea.evaluations".into()],
                concurrency: 2,
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
            artifacts,
            stop,
            fx,
        }
    }

    fn pool(&self) -> &PgPool {
        &self.db.pool
    }

    async fn run(&self, operation: &str, payload: Value) -> JobView {
        let id = self
            .service
            .submit(SubmitRequest {
                operation: operation.into(),
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

    async fn events(&self, job: Uuid) -> Vec<String> {
        self.service
            .events(job, None, 1000, true)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event)
            .collect()
    }

    async fn generate(&self) -> JobView {
        self.run(
            "generate_evaluation_set",
            json!({"old_annotation_set_id": self.fx.old_set, "new_annotation_set_id": self.fx.new_set}),
        )
        .await
    }

    async fn evaluation_set(&self) -> Uuid {
        let job = self.generate().await;
        assert_eq!(job.error_message, None);
        uuid(&job.result.unwrap()["evaluation_set_id"])
    }

    async fn evaluate(&self, extra: Value) -> JobView {
        let set = self.evaluation_set().await;
        let mut payload =
            json!({"evaluation_set_id": set, "prediction_set_id": self.fx.prediction_set});
        payload
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        self.run("run_cafa_evaluation", payload).await
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn uuid(v: &Value) -> Uuid {
    v.as_str().unwrap().parse().unwrap()
}

fn ok(job: &JobView) -> &Value {
    assert_eq!(
        job.status.to_string(),
        "succeeded",
        "{:?} {:?}",
        job.error_code,
        job.error_message
    );
    job.result.as_ref().unwrap()
}

#[tokio::test]
async fn generate_classifies_nk_lk_pk_with_not_and_cross_namespace_cases() {
    let h = Harness::start().await;
    let job = h.generate().await;
    let r = ok(&job);
    // P1 NK; P2 PK in BP and LK in CC; P3 LK in CC (its BP terms are NOT-excluded); P4 IEA.
    assert_eq!(r["delta_proteins"], 3);
    assert_eq!(
        (&r["nk_proteins"], &r["lk_proteins"], &r["pk_proteins"]),
        (&json!(1), &json!(2), &json!(1))
    );
    assert_eq!(
        (
            &r["nk_annotations"],
            &r["lk_annotations"],
            &r["pk_annotations"]
        ),
        (&json!(2), &json!(2), &json!(1))
    );
    assert_eq!(r["known_terms_count"], 3);
    assert_eq!(r["existing"], false);
    let set = uuid(&r["evaluation_set_id"]);
    let (stats, job_id): (Value, Option<Uuid>) =
        sqlx::query_as("select stats, job_id from evaluation_set where id = $1")
            .bind(set)
            .fetch_one(h.pool())
            .await
            .unwrap();
    assert_eq!(stats["pk_known_terms_count"], 1);
    assert_eq!(job_id, Some(job.id));
    let events = h.events(job.id).await;
    assert!(
        events.contains(&"evaluation_set.stats".to_owned()),
        "{events:?}"
    );

    // The delta as the API recomputes it: per-category ground truth.
    let row = protea_store::evaluation::evaluation_set(h.pool(), set)
        .await
        .unwrap()
        .unwrap();
    let mut conn = h.pool().acquire().await.unwrap();
    let delta = protea_store::evaluation::data::evaluation_set_delta(&mut conn, &row)
        .await
        .unwrap();
    use protea_evaluation::delta::to_tsv;
    assert_eq!(to_tsv(&delta.nk), "P1\tGO:0000002\nP1\tGO:0000010\n");
    assert_eq!(to_tsv(&delta.lk), "P2\tGO:0000020\nP3\tGO:0000020\n");
    assert_eq!(to_tsv(&delta.pk), "P2\tGO:0000002\n");
    assert_eq!(to_tsv(&delta.pk_known), "P2\tGO:0000001\n");
}

#[tokio::test]
async fn generate_is_idempotent() {
    let h = Harness::start().await;
    let first = h.generate().await;
    let second = h.generate().await;
    let (a, b) = (ok(&first), ok(&second));
    assert_eq!(a["evaluation_set_id"], b["evaluation_set_id"]);
    assert_eq!(b["existing"], true);
    assert_eq!(b["delta_proteins"], 3);
    let n: i64 = sqlx::query_scalar("select count(*) from evaluation_set")
        .fetch_one(h.pool())
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert!(
        h.events(second.id)
            .await
            .contains(&"evaluation_set.exists".to_owned())
    );
}

#[tokio::test]
async fn different_snapshots_need_a_pivot() {
    let h = Harness::start().await;
    let s2 = evaluation_fixture::seed_snapshot(h.pool(), "v2").await;
    let new2 =
        evaluation_fixture::seed_annotation_set(h.pool(), s2, evaluation_fixture::new_rows()).await;
    let payload = json!({"old_annotation_set_id": h.fx.old_set, "new_annotation_set_id": new2});
    let job = h.run("generate_evaluation_set", payload.clone()).await;
    assert_eq!(job.error_code.as_deref(), Some("SnapshotMismatch"));
    let mut with_pivot = payload;
    with_pivot["pivot_ontology_snapshot_id"] = json!(s2);
    let job = h.run("generate_evaluation_set", with_pivot).await;
    let r = ok(&job);
    // Same terms by GO id in both snapshots: the same delta as the shared-snapshot case.
    assert_eq!(r["delta_proteins"], 3);
    assert_eq!(r["pivot_ontology_snapshot_id"], json!(s2));
    let bad = json!({"old_annotation_set_id": h.fx.old_set, "new_annotation_set_id": h.fx.old_set});
    let job = h.run("generate_evaluation_set", bad).await;
    assert_eq!(job.error_code.as_deref(), Some("ValidationError"));
}

/// Writes the same inputs as files, by hand, and runs protea-cafa on them directly.
fn direct_best_f(dir: &Path, gt: &str, known: Option<&str>, preds: &str) -> Vec<u8> {
    let obo = "format-version: 1.2\n\
        [Term]\nid: GO:0008150\nnamespace: biological_process\n\
        [Term]\nid: GO:0000001\nnamespace: biological_process\nis_a: GO:0008150\n\
        [Term]\nid: GO:0000002\nnamespace: biological_process\nis_a: GO:0000001\n\
        [Term]\nid: GO:0000003\nnamespace: biological_process\nrelationship: part_of GO:0000001\n\
        [Term]\nid: GO:0003674\nnamespace: molecular_function\n\
        [Term]\nid: GO:0000010\nnamespace: molecular_function\nis_a: GO:0003674\n\
        [Term]\nid: GO:0005575\nnamespace: cellular_component\n\
        [Term]\nid: GO:0000020\nnamespace: cellular_component\nis_a: GO:0005575\n";
    std::fs::write(dir.join("go.obo"), obo).unwrap();
    std::fs::write(dir.join("gt.tsv"), gt).unwrap();
    std::fs::create_dir_all(dir.join("pred")).unwrap();
    std::fs::write(dir.join("pred/predictions.tsv"), preds).unwrap();
    if let Some(k) = known {
        std::fs::write(dir.join("known.tsv"), k).unwrap();
    }
    let known_path = dir.join("known.tsv");
    let eval = protea_cafa::evaluate(
        &protea_cafa::EvalConfig::default(),
        &protea_cafa::Inputs {
            obo: &dir.join("go.obo"),
            predictions: &dir.join("pred"),
            ground_truth: &dir.join("gt.tsv"),
            ia: None,
            known: known.map(|_| known_path.as_path()),
            toi: None,
        },
    )
    .unwrap();
    let mut out = Vec::new();
    protea_cafa::write_best(&eval, protea_cafa::BestMetric::F, &mut out).unwrap();
    out
}

#[tokio::test]
async fn run_cafa_evaluation_end_to_end() {
    let h = Harness::start().await;
    let job = h.evaluate(json!({})).await;
    let r = ok(&job).clone();
    let results = &r["results"];
    // NK BPO by hand: P1's GT {8150, 1, 2}; predictions 2 @0.8, 3 @0.9 propagate to
    // {8150: .9, 1: .9, 2: .8, 3: .9}. τ ≤ 0.8: precision ¾, recall 1 → F = 6/7.
    let nk_bpo = &results["NK"]["BPO"];
    assert_eq!(nk_bpo["fmax"], 0.8571);
    assert_eq!(
        (&nk_bpo["precision"], &nk_bpo["recall"]),
        (&json!(0.75), &json!(1.0))
    );
    assert_eq!(results["NK"]["MFO"]["fmax"], 1.0);
    assert!(
        results["NK"].get("CCO").is_none(),
        "P1 has no CC ground truth"
    );
    // LK CCO: P3 has no predictions and is dropped (restrict_gt_to_predicted).
    assert_eq!(results["LK"]["CCO"]["fmax"], 1.0);
    assert_eq!(results["LK"]["CCO"]["coverage"], 1.0);
    // PK BPO: the known term 1 (and the root) are excluded, so repeating it costs nothing.
    assert_eq!(results["PK"]["BPO"]["fmax"], 1.0);
    assert_eq!(results["PK"]["BPO"]["n_proteins"], 1.0);

    let events = h.events(job.id).await;
    assert_eq!(
        events.iter().filter(|e| *e == "setting_done").count(),
        3,
        "{events:?}"
    );
    assert!(events.contains(&"ia_missing".to_owned()));

    // Stored row and artifacts.
    let rid = uuid(&r["evaluation_result_id"]);
    let stored: Value = sqlx::query_scalar("select results from evaluation_result where id = $1")
        .bind(rid)
        .fetch_one(h.pool())
        .await
        .unwrap();
    assert_eq!(&stored, results);
    let root = h.artifacts.path().join(rid.to_string());
    assert_eq!(
        r["artifacts_uri"],
        json!(format!("file://{}", root.display()))
    );
    for setting in ["NK", "LK", "PK"] {
        for f in [
            "evaluation_all.tsv",
            "evaluation_best_f.tsv",
            "pr_curves.tsv",
        ] {
            assert!(root.join(setting).join(f).is_file(), "{setting}/{f}");
        }
    }

    // The same evaluation with protea-cafa on hand-written files gives the same bytes.
    let preds = "P1\tGO:0000002\t0.8000\nP1\tGO:0000003\t0.9000\nP1\tGO:0000010\t0.8000\n\
                 P1\tGO:0005575\t0.1000\nP2\tGO:0000001\t0.9000\nP2\tGO:0000002\t0.7000\n\
                 P2\tGO:0000020\t1.0000\n";
    let tmp = tempfile::tempdir().unwrap();
    let nk = direct_best_f(tmp.path(), "P1\tGO:0000002\nP1\tGO:0000010\n", None, preds);
    assert_eq!(
        std::fs::read(root.join("NK/evaluation_best_f.tsv")).unwrap(),
        nk
    );
    let pk = direct_best_f(
        tmp.path(),
        "P2\tGO:0000002\n",
        Some("P2\tGO:0000001\n"),
        preds,
    );
    assert_eq!(
        std::fs::read(root.join("PK/evaluation_best_f.tsv")).unwrap(),
        pk
    );
}

#[tokio::test]
async fn restrict_and_max_distance() {
    let h = Harness::start().await;
    let job = h.evaluate(json!({"restrict_gt_to_predicted": false})).await;
    let lk = &ok(&job)["results"]["LK"]["CCO"];
    // P3 stays in the ground truth without predictions: recall ½, precision 1.
    assert_eq!(lk["fmax"], 0.6667);
    assert_eq!(lk["coverage"], 0.5);

    // max_distance 0.3 drops P1's GO:0000002 and GO:0000010 (d = 0.4) and P2's
    // GO:0000002 (d = 0.6): NK keeps BP through GO:0000003 only, MF disappears.
    let job = h.evaluate(json!({"max_distance": 0.3})).await;
    let r = &ok(&job)["results"];
    assert!(r["NK"].get("MFO").is_none(), "{r}");
    // NK BPO: {8150, 1, 3} predicted at 0.9 against {8150, 1, 2}: P = R = ⅔.
    assert_eq!(r["NK"]["BPO"]["fmax"], 0.6667);
    let bad = h.evaluate(json!({"max_distance": 2.5})).await;
    assert_eq!(bad.error_code.as_deref(), Some("ValidationError"));
}

#[tokio::test]
async fn ia_scoring_config_and_rerankers() {
    let h = Harness::start().await;
    let dir = tempfile::tempdir().unwrap();
    let ia = dir.path().join("IA.tsv");
    std::fs::write(
        &ia,
        "GO:0008150\t0\nGO:0000001\t1\nGO:0000002\t2\nGO:0000003\t1\nGO:0003674\t0\n\
         GO:0000010\t1\nGO:0005575\t0\nGO:0000020\t1\n",
    )
    .unwrap();
    let job = h
        .evaluate(json!({"ia_file": ia.display().to_string()}))
        .await;
    let r = ok(&job);
    assert!(r["results"]["NK"]["BPO"]["fmax_w"].is_number(), "{r}");
    assert!(!h.events(job.id).await.contains(&"ia_missing".to_owned()));

    // The same IA over HTTP, after one 500 that the retry policy absorbs.
    let server = MockServer::start(MockConfig {
        root: dir.path().to_path_buf(),
        ..MockConfig::default()
    })
    .await;
    server.push_fault(Fault::Status(500));
    let job = h
        .evaluate(json!({"ia_file": server.url("/files/IA.tsv")}))
        .await;
    let over_http = ok(&job);
    assert_eq!(
        over_http["results"]["NK"]["BPO"]["fmax_w"],
        r["results"]["NK"]["BPO"]["fmax_w"]
    );
    assert!(h.events(job.id).await.contains(&"http.retry".to_owned()));
    let job = h
        .evaluate(json!({"ia_file": server.url("/files/missing.tsv")}))
        .await;
    assert_eq!(job.error_code.as_deref(), Some("IaUnavailable"));

    // A scoring config: evidence_primary on rows without evidence (weight 0.5):
    // (0.2·(1 − d/2) + 0.8·0.5) — monotone in d, so the Fmax values are unchanged.
    let config: Uuid = sqlx::query_scalar(
        "insert into scoring_config (id, name, formula, weights) values (gen_random_uuid(), 'ep', 'linear',
         '{\"embedding_similarity\": 0.2, \"evidence_weight\": 0.8}') returning id",
    )
    .fetch_one(h.pool())
    .await
    .unwrap();
    let job = h.evaluate(json!({"scoring_config_id": config})).await;
    assert_eq!(ok(&job)["results"]["NK"]["BPO"]["fmax"], 0.8571);
    let sc: Option<Uuid> = sqlx::query_scalar(
        "select scoring_config_id from evaluation_result order by created_at desc limit 1",
    )
    .fetch_one(h.pool())
    .await
    .unwrap();
    assert_eq!(sc, Some(config));

    // Re-rankers are validated, then refused by name rather than ignored.
    let rr: Uuid = sqlx::query_scalar(
        "insert into reranker_model (id, name, category, model_data) values (gen_random_uuid(), 'm', 'nk', 'x') returning id",
    )
    .fetch_one(h.pool())
    .await
    .unwrap();
    let job = h.evaluate(json!({"rerankers": {"nk": {"bpo": rr}}})).await;
    assert_eq!(job.error_code.as_deref(), Some("RerankerNotSupported"));
    let job = h.evaluate(json!({"reranker_id_lk": Uuid::new_v4()})).await;
    assert_eq!(job.error_code.as_deref(), Some("NotFound"));
    let job = h.evaluate(json!({"rerankers": {"xk": {"bpo": rr}}})).await;
    assert_eq!(job.error_code.as_deref(), Some("ValidationError"));
}

#[tokio::test]
async fn a_failing_setting_is_stored_empty_and_the_snapshot_ia_url_is_used() {
    let h = Harness::start().await;
    let dir = tempfile::tempdir().unwrap();
    let ia = dir.path().join("IA.tsv");
    std::fs::write(&ia, "GO:0000002\t2\nGO:0000010\t1\nGO:0000020\t1\n").unwrap();
    sqlx::query("update ontology_snapshot set ia_url = $1 where id = $2")
        .bind(format!("file://{}", ia.display()))
        .bind(h.fx.snapshot)
        .execute(h.pool())
        .await
        .unwrap();
    let set = h.evaluation_set().await;
    // Obsoleting P2's only known BP term after the delta was computed leaves the PK known
    // file without a BP entry, which the evaluator refuses (as cafaeval's PK fork does).
    sqlx::query("update go_term set is_obsolete = true where go_id = 'GO:0000001'")
        .execute(h.pool())
        .await
        .unwrap();
    let job = h
        .run(
            "run_cafa_evaluation",
            json!({"evaluation_set_id": set, "prediction_set_id": h.fx.prediction_set}),
        )
        .await;
    let r = ok(&job);
    assert_eq!(r["results"]["PK"], json!({}), "{r}");
    assert!(
        r["results"]["NK"]["MFO"]["fmax_w"].is_number(),
        "IA from the snapshot: {r}"
    );
    let events = h.events(job.id).await;
    assert!(events.contains(&"setting_failed".to_owned()), "{events:?}");
    assert!(!events.contains(&"ia_missing".to_owned()));
}
