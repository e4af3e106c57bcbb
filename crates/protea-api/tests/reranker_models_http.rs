//! `/reranker-models` over real HTTP on a throwaway PostgreSQL: import (with its checks),
//! list, show, delete. The model is a real LightGBM text model from protea-reranker's
//! parity fixtures.

use protea_api::{ApiConfig, AppState, EventHub};
use protea_jobs::{JobService, PgQueue};
use protea_testkit::TestDb;
use serde_json::{Value, json};
use std::sync::Arc;

fn model_text() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../protea-reranker/tests/data/lgbm/reranker23.model.txt");
    std::fs::read_to_string(path).unwrap()
}

async fn start(db: &TestDb) -> String {
    let pool = db.pool.clone();
    let transport = Arc::new(PgQueue::new(pool.clone()));
    let state = AppState {
        jobs: JobService::new(pool.clone(), protea_ops::registry(), transport),
        events: EventHub::start(pool),
    };
    let app = protea_api::app(state, &ApiConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn import_list_show_delete() {
    let db = TestDb::new().await;
    let base = start(&db).await;
    let http = reqwest::Client::new();
    let url = format!("{base}/reranker-models/import");
    let body = json!({
        "name": "nk-mfo-v1",
        "cell": "nk-mfo",
        "model_data": model_text(),
        "feature_schema_sha": "7fcecf26aa0a",
        "metrics": {"val_auc": 0.81},
        "artifact_uri": "file:///runs/x/model.txt",
    });
    let (status, created) = send(http.post(&url).json(&body)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["category"], "nk");
    assert_eq!(created["aspect"], "mfo");
    assert_eq!(created["feature_schema_sha"], "7fcecf26aa0a");
    assert_eq!(created["metrics"]["val_auc"], 0.81);
    assert_eq!(created["model_bytes"], model_text().len());
    let id = created["id"].as_str().unwrap().to_string();

    // Same name again: 409. Broken model, bad category, bad sha: 422 naming the field.
    let (status, err) = send(http.post(&url).json(&body)).await;
    assert_eq!(status, 409, "{err}");
    let mut bad = body.clone();
    bad["name"] = json!("other");
    bad["model_data"] = json!(model_text().replacen("threshold=", "threshold=x ", 1));
    let (status, err) = send(http.post(&url).json(&bad)).await;
    assert_eq!(status, 422);
    let detail = err["detail"].as_str().unwrap();
    assert!(
        detail.contains("model_data") && detail.contains("threshold") && detail.contains("line"),
        "{detail}"
    );
    let mut bad = body.clone();
    bad["name"] = json!("other");
    bad["cell"] = json!("xx-mfo");
    let (status, err) = send(http.post(&url).json(&bad)).await;
    assert_eq!(status, 422);
    assert!(
        err["detail"].as_str().unwrap().contains("category"),
        "{err}"
    );
    let mut bad = body.clone();
    bad["name"] = json!("other");
    bad["feature_schema_sha"] = json!("not-a-sha");
    let (status, err) = send(http.post(&url).json(&bad)).await;
    assert_eq!(status, 422);
    assert!(
        err["detail"]
            .as_str()
            .unwrap()
            .contains("feature_schema_sha"),
        "{err}"
    );
    let mut bad = body.clone();
    bad["name"] = json!("other");
    bad["category"] = json!("lk");
    let (status, _) = send(http.post(&url).json(&bad)).await;
    assert_eq!(status, 422, "cell and category together");

    // A second model for every aspect of LK, by category.
    let mut second = body.clone();
    second.as_object_mut().unwrap().remove("cell");
    second["name"] = json!("lk-all");
    second["category"] = json!("lk");
    let (status, lk) = send(http.post(&url).json(&second)).await;
    assert_eq!(status, 201, "{lk}");
    assert_eq!(lk["aspect"], Value::Null);

    let (status, list) = send(http.get(format!("{base}/reranker-models"))).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["nk-mfo-v1", "lk-all"], "oldest first");
    assert!(
        list[0].get("model").is_none(),
        "listings carry no model summary"
    );

    let (status, shown) = send(http.get(format!("{base}/reranker-models/{id}"))).await;
    assert_eq!(status, 200);
    assert_eq!(
        shown["model"]["feature_names"].as_array().unwrap().len(),
        23
    );
    assert_eq!(
        shown["model"]["categorical_features"],
        json!(["qualifier", "evidence_code", "taxonomic_relation"])
    );
    assert_eq!(shown["model"]["num_trees"], 60);

    let response = http
        .delete(format!("{base}/reranker-models/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let (status, _) = send(http.get(format!("{base}/reranker-models/{id}"))).await;
    assert_eq!(status, 404);
    let response = http
        .delete(format!("{base}/reranker-models/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
}
