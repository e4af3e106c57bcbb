//! The prediction-set endpoints over real HTTP, on the prediction set of
//! `protea_testkit::evaluation_fixture` (8 hand-placed predictions).

use protea_api::{ApiConfig, AppState, EventHub};
use protea_jobs::{JobService, PgQueue};
use protea_testkit::TestDb;
use protea_testkit::evaluation_fixture::{self, EvalFixture, PREDICTIONS};
use serde_json::{Value, json};
use std::sync::Arc;

struct Server {
    base: String,
    client: reqwest::Client,
    fx: EvalFixture,
    _db: TestDb,
}

async fn start() -> Server {
    let db = TestDb::new().await;
    let fx = evaluation_fixture::seed(&db.pool).await;
    let pool = db.pool.clone();
    let state = AppState {
        jobs: JobService::new(
            pool.clone(),
            protea_ops::registry(),
            Arc::new(PgQueue::new(pool.clone())),
        ),
        events: EventHub::start(pool),
    };
    let app = protea_api::app(state, &ApiConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server {
        base,
        client: reqwest::Client::new(),
        fx,
        _db: db,
    }
}

impl Server {
    async fn text(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, String) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    async fn json(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let (status, text) = self.text(method, path, body).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

#[tokio::test]
async fn prediction_sets_are_listed_shown_exported_and_deleted() {
    let s = start().await;
    let id = s.fx.prediction_set;
    let get = reqwest::Method::GET;

    let (status, list) = s
        .json(get.clone(), "/embeddings/prediction-sets", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["id"], json!(id));
    assert_eq!(list["items"][0]["prediction_count"], PREDICTIONS.len());

    let (status, one) = s
        .json(
            get.clone(),
            &format!("/embeddings/prediction-sets/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let per_protein = &one["summary"]["per_protein_counts"];
    for p in ["P1", "P2", "P4"] {
        let n = PREDICTIONS.iter().filter(|r| r.0 == p).count();
        assert_eq!(per_protein[p], n, "{p}");
    }
    assert_eq!(one["summary"]["protein_count"], 3);

    // One protein: closest first, with the donor and the score.
    let (status, p1) = s
        .json(
            get.clone(),
            &format!("/embeddings/prediction-sets/{id}/proteins/P1"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let rows = p1["predictions"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["go_id"], "GO:0000003");
    assert_eq!(rows[0]["ref_protein_accession"], "REF");
    assert!((rows[0]["score"].as_f64().unwrap() - 0.8).abs() < 1e-12);
    let (status, _) = s
        .json(
            get.clone(),
            &format!("/embeddings/prediction-sets/{id}/proteins/NOPE"),
            None,
        )
        .await;
    assert_eq!(status, 404);

    // CAFA: max(0, 1 − d), 4 decimals, one line per prediction.
    let (status, cafa) = s
        .text(
            get.clone(),
            &format!("/embeddings/prediction-sets/{id}/predictions-cafa.tsv"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(cafa.lines().count(), PREDICTIONS.len());
    for (protein, go, d) in PREDICTIONS {
        let line = format!("{protein}\t{go}\t{:.4}", (1.0 - d).max(0.0));
        assert!(cafa.lines().any(|l| l == line), "{line} in\n{cafa}");
    }

    // TSV: the 31 columns, filtered by aspect and distance.
    let (status, tsv) = s
        .text(
            get.clone(),
            &format!("/embeddings/prediction-sets/{id}/predictions.tsv?aspect=P&max_distance=0.4"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!(header.len(), 31);
    assert_eq!(header[0], "protein_accession");
    assert_eq!(header[30], "neighbor_distance_std");
    let body: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    let p_terms = ["GO:0008150", "GO:0000001", "GO:0000002", "GO:0000003"];
    let want = PREDICTIONS
        .iter()
        .filter(|r| p_terms.contains(&r.1) && r.2 <= 0.4)
        .count();
    assert_eq!(body.len(), want);
    assert!(body.iter().all(|r| r.len() == 31 && r[3] == "P"));
    let (status, _) = s
        .text(
            get.clone(),
            &format!("/embeddings/prediction-sets/{id}/predictions.tsv?aspect=X"),
            None,
        )
        .await;
    assert_eq!(status, 400);

    // Delete, then it is gone.
    let (status, deleted) = s
        .json(
            reqwest::Method::DELETE,
            &format!("/embeddings/prediction-sets/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(deleted["predictions_deleted"], PREDICTIONS.len());
    let (status, _) = s
        .json(get, &format!("/embeddings/prediction-sets/{id}"), None)
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn predict_validates_before_queueing() {
    let s = start().await;
    let post = reqwest::Method::POST;
    let base = json!({
        "embedding_config_id": uuid::Uuid::new_v4(),
        "annotation_set_id": s.fx.old_set,
        "ontology_snapshot_id": s.fx.snapshot,
    });
    let mut bad = base.clone();
    bad["metric"] = json!("manhattan");
    let (status, body) = s.json(post.clone(), "/embeddings/predict", Some(bad)).await;
    assert_eq!(status, 422);
    assert!(
        body["detail"].as_str().unwrap().contains("metric"),
        "{body}"
    );
    let (status, body) = s
        .json(post.clone(), "/embeddings/predict", Some(base))
        .await;
    assert_eq!(status, 404);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("embedding_config_id"),
        "{body}"
    );
    let config: uuid::Uuid =
        sqlx::query_scalar("select embedding_config_id from prediction_set where id = $1")
            .bind(s.fx.prediction_set)
            .fetch_one(&s._db.pool)
            .await
            .unwrap();
    let ok = json!({
        "embedding_config_id": config,
        "annotation_set_id": s.fx.old_set,
        "ontology_snapshot_id": s.fx.snapshot,
    });
    let (status, body) = s.json(post, "/embeddings/predict", Some(ok)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["queue_name"], "protea.predictions");
}
