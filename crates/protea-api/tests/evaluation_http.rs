//! The evaluation and scoring endpoints over real HTTP, with a worker running the
//! evaluation operations on the hand-built scenario of `protea_testkit::evaluation_fixture`.

use protea_api::{ApiConfig, AppState, EventHub};
use protea_jobs::{Extensions, JobService, PgQueue, Worker, WorkerConfig};
use protea_ops::evaluation_common::EvaluationArtifacts;
use protea_store::artifacts::LocalArtifactStore;
use protea_testkit::TestDb;
use protea_testkit::evaluation_fixture::{self, EvalFixture};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

struct Server {
    base: String,
    client: reqwest::Client,
    fx: EvalFixture,
    _db: TestDb,
    _artifacts: tempfile::TempDir,
    _stop: watch::Sender<bool>,
}

async fn start() -> Server {
    let db = TestDb::new().await;
    let fx = evaluation_fixture::seed(&db.pool).await;
    let pool = db.pool.clone();
    let transport = Arc::new(PgQueue::new(pool.clone()));
    let registry = protea_ops::registry();
    let state = AppState {
        jobs: JobService::new(pool.clone(), registry.clone(), transport.clone()),
        events: EventHub::start(pool.clone()),
    };
    let app = protea_api::app(state, &ApiConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let artifacts = tempfile::tempdir().unwrap();
    let mut ext = Extensions::default();
    ext.insert(EvaluationArtifacts(Arc::new(LocalArtifactStore::new(
        artifacts.path(),
    ))));
    let worker = Worker::new(
        pool,
        registry,
        transport,
        Arc::new(ext),
        WorkerConfig {
            queues: vec!["protea.jobs".into(), "protea.evaluations".into()],
            poll_interval: Duration::from_millis(100),
            ..WorkerConfig::default()
        },
    );
    let (stop, rx) = watch::channel(false);
    tokio::spawn(async move { worker.run(rx).await.unwrap() });
    Server {
        base,
        client: reqwest::Client::new(),
        fx,
        _db: db,
        _artifacts: artifacts,
        _stop: stop,
    }
}

impl Server {
    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, String) {
        let response = request.send().await.unwrap();
        (
            response.status().as_u16(),
            response.text().await.unwrap_or_default(),
        )
    }

    async fn get_text(&self, path: &str) -> (u16, String) {
        self.send(self.client.get(format!("{}{path}", self.base)))
            .await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let (status, text) = self.get_text(path).await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let (status, text) = self
            .send(self.client.post(format!("{}{path}", self.base)).json(&body))
            .await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn finished_job(&self, id: &Value) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (_, job) = self.get(&format!("/jobs/{}", id.as_str().unwrap())).await;
            if !job["finished_at"].is_null() {
                assert_eq!(job["status"], "succeeded", "{job}");
                return job;
            }
            assert!(Instant::now() < deadline, "{job}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test]
async fn evaluation_sets_ground_truth_results_and_curves() {
    let s = start().await;
    let (status, queued) = s
        .post(
            "/annotations/evaluation-sets/generate",
            json!({"old_annotation_set_id": s.fx.old_set, "new_annotation_set_id": s.fx.new_set}),
        )
        .await;
    assert_eq!(status, 201, "{queued}");
    assert_eq!(queued["queue_name"], "protea.jobs");
    let job = s.finished_job(&queued["id"]).await;
    let set = job["result"]["evaluation_set_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (status, sets) = s.get("/annotations/evaluation-sets").await;
    assert_eq!(status, 200);
    assert_eq!(sets[0]["id"], set.as_str());
    assert_eq!(sets[0]["stats"]["delta_proteins"], 3);
    let (status, one) = s.get(&format!("/annotations/evaluation-sets/{set}")).await;
    assert_eq!((status, &one["stats"]["pk_proteins"]), (200, &json!(1)));
    let (status, _) = s
        .get(&format!(
            "/annotations/evaluation-sets/{}",
            uuid::Uuid::new_v4()
        ))
        .await;
    assert_eq!(status, 404);

    for (file, body) in [
        ("ground-truth-NK.tsv", "P1\tGO:0000002\nP1\tGO:0000010\n"),
        ("ground-truth-LK.tsv", "P2\tGO:0000020\nP3\tGO:0000020\n"),
        ("ground-truth-PK.tsv", "P2\tGO:0000002\n"),
        (
            "known-terms.tsv",
            "P2\tGO:0000001\nP2\tGO:0000010\nP3\tGO:0000010\n",
        ),
    ] {
        let (status, text) = s
            .get_text(&format!("/annotations/evaluation-sets/{set}/{file}"))
            .await;
        assert_eq!((status, text.as_str()), (200, body), "{file}");
    }

    let (status, queued) = s
        .post(
            &format!("/annotations/evaluation-sets/{set}/run"),
            json!({"prediction_set_id": s.fx.prediction_set}),
        )
        .await;
    assert_eq!(status, 201, "{queued}");
    assert_eq!(queued["queue_name"], "protea.evaluations");
    let job = s.finished_job(&queued["id"]).await;
    let rid = job["result"]["evaluation_result_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (status, results) = s
        .get(&format!("/annotations/evaluation-sets/{set}/results"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(results[0]["id"], rid.as_str());
    let (_, result) = s
        .get(&format!("/annotations/evaluation-sets/{set}/results/{rid}"))
        .await;
    let fmax = &result["tables"]["fmax"];
    assert_eq!(fmax["NK"]["BPO"], 0.8571);
    assert_eq!(fmax["PK"]["BPO"], 1.0);
    assert_eq!(fmax["NK"]["CCO"], Value::Null);
    assert_eq!(result["tables"]["precision"]["NK"]["BPO"], 0.75);

    let (status, tsv) = s
        .get_text(&format!(
            "/annotations/evaluation-sets/{set}/results/{rid}/metrics.tsv"
        ))
        .await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = tsv.lines().collect();
    assert_eq!(
        lines[0],
        "setting\tnamespace\tfmax\tprecision\trecall\ttau\tcoverage\tn_proteins"
    );
    assert!(
        lines[1].starts_with("NK\tBPO\t0.8571\t0.75\t1.0\t"),
        "{tsv}"
    );

    let (status, curves) = s
        .get(&format!(
            "/annotations/evaluation-sets/{set}/results/{rid}/pr-curves"
        ))
        .await;
    assert_eq!(status, 200);
    let nk = curves["NK"].as_array().unwrap();
    let at_half = nk
        .iter()
        .find(|p| p["namespace"] == "BPO" && p["tau"] == 0.5)
        .unwrap();
    assert_eq!(
        (&at_half["precision"], &at_half["recall"]),
        (&json!(0.75), &json!(1.0))
    );

    let (status, _) = s
        .post(
            &format!("/annotations/evaluation-sets/{set}/run"),
            json!({"evaluation_set_id": set}),
        )
        .await;
    assert_eq!(status, 422);

    // Delta proteins as FASTA: P1 (NK) and P2 (PK and LK → LK) get sequences; P3 has none.
    let pool = &s._db.pool;
    for (acc, seq) in [
        ("P1", format!("M{}", "A".repeat(70))),
        ("P2", "MKV".to_owned()),
    ] {
        sqlx::query(
            "with s as (insert into sequence (sequence, sequence_hash) values ($2, md5($2)) returning id) \
             update protein set sequence_id = (select id from s), entry_name = $1 || '_HUMAN', \
               organism = 'Homo sapiens', taxonomy_id = '9606' where accession = $1",
        )
        .bind(acc)
        .bind(seq)
        .execute(pool)
        .await
        .unwrap();
    }
    let fasta_url = format!("/annotations/evaluation-sets/{set}/delta-proteins.fasta");
    let (status, fasta) = s.get_text(&fasta_url).await;
    assert_eq!(status, 200);
    let expected = format!(
        ">P1 P1_HUMAN OS=Homo sapiens OX=9606 (NK)\nM{}\n{}\n>P2 P2_HUMAN OS=Homo sapiens OX=9606 (LK)\nMKV\n",
        "A".repeat(59),
        "A".repeat(11)
    );
    assert_eq!(fasta, expected);
    let (_, pk) = s.get_text(&format!("{fasta_url}?category=pk")).await;
    assert!(pk.starts_with(">P2 ") && !pk.contains(">P1"), "{pk}");
    let (_, nk) = s.get_text(&format!("{fasta_url}?category=NK")).await;
    assert!(nk.starts_with(">P1 ") && !nk.contains(">P2"), "{nk}");
    assert_eq!(s.get_text(&format!("{fasta_url}?category=xk")).await.0, 400);

    // The artifacts as one zip: the files the result's PR-curve endpoint read.
    let r = s
        .client
        .get(format!(
            "{}/annotations/evaluation-sets/{set}/results/{rid}/artifacts.zip",
            s.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let bytes = r.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().into_owned())
        .collect();
    assert!(names.contains(&"NK/pr_curves.tsv".to_owned()), "{names:?}");
    let mut curves_tsv = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("NK/pr_curves.tsv").unwrap(),
        &mut curves_tsv,
    )
    .unwrap();
    assert!(curves_tsv.lines().count() > 1);

    // An annotation set in use cannot be deleted; an unused one goes with its rows.
    let (status, body) = s
        .send(
            s.client
                .delete(format!("{}/annotations/sets/{}", s.base, s.fx.old_set)),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains(&set), "{body}");

    // Deleting the result, then the set, removes their rows and artifacts.
    let artifacts_dir = result["artifacts_uri"]
        .as_str()
        .unwrap()
        .strip_prefix("file://")
        .unwrap()
        .to_owned();
    assert!(std::path::Path::new(&artifacts_dir).is_dir());
    let result_url = format!("{}/annotations/evaluation-sets/{set}/results/{rid}", s.base);
    assert_eq!(s.send(s.client.delete(&result_url)).await.0, 204);
    assert_eq!(s.send(s.client.delete(&result_url)).await.0, 404);
    assert!(!std::path::Path::new(&artifacts_dir).exists());
    let set_url = format!("{}/annotations/evaluation-sets/{set}", s.base);
    assert_eq!(s.send(s.client.delete(&set_url)).await.0, 204);
    assert_eq!(
        s.get(&format!("/annotations/evaluation-sets/{set}"))
            .await
            .0,
        404
    );
    assert_eq!(s.send(s.client.delete(&set_url)).await.0, 404);
}

#[tokio::test]
async fn scoring_configs_and_presets() {
    let s = start().await;
    let (status, created) = s.post("/scoring/configs/presets", json!(null)).await;
    assert_eq!(status, 201);
    assert_eq!(created["created"].as_array().unwrap().len(), 5);
    let (_, again) = s.post("/scoring/configs/presets", json!(null)).await;
    assert_eq!(again["created"], json!([]));
    let (status, config) = s
        .post(
            "/scoring/configs",
            json!({"name": "mine", "formula": "evidence_weighted", "weights": {"identity_nw": 1}, "evidence_weights": {"IEA": 0.2}}),
        )
        .await;
    assert_eq!(status, 201, "{config}");
    let (_, all) = s.get("/scoring/configs").await;
    assert_eq!(all.as_array().unwrap().len(), 6);
    assert_eq!(all[1]["name"], "embedding_plus_evidence");
    assert_eq!(all[1]["formula"], "evidence_weighted");
    for bad in [
        json!({"name": "x", "formula": "cubic"}),
        json!({"name": "x", "weights": {"bogus": 1}}),
        json!({"name": "x", "evidence_weights": {"IEA": 2}}),
        json!({"name": ""}),
    ] {
        let (status, _) = s.post("/scoring/configs", bad.clone()).await;
        assert_eq!(status, 422, "{bad}");
    }
    let id = config["id"].as_str().unwrap();
    let (status, _) = s.get(&format!("/scoring/configs/{id}")).await;
    assert_eq!(status, 200);
    let (status, _) = s
        .send(s.client.delete(format!("{}/scoring/configs/{id}", s.base)))
        .await;
    assert_eq!(status, 204);
    let (status, _) = s.get(&format!("/scoring/configs/{id}")).await;
    assert_eq!(status, 404);
}
