//! `GET /proteins/{accession}/interpro` over real HTTP: matches written by
//! the store's typed insert (as run_interproscan_batch does), then read back.

use protea_api::{ApiConfig, AppState, EventHub};
use protea_jobs::{JobService, PgQueue};
use protea_store::interpro_hits::{self, NewHit};
use protea_testkit::TestDb;
use serde_json::Value;
use std::sync::Arc;

fn hit(acc: &str, db: &str, sig: &str, start: i32, ipr: Option<&str>) -> NewHit {
    NewHit {
        protein_accession: acc.into(),
        ipr_accession: ipr.map(Into::into),
        signature_db: db.into(),
        signature_accession: sig.into(),
        signature_name: None,
        start_pos: start,
        end_pos: start + 10,
        score: Some(1e-5),
    }
}

#[tokio::test]
async fn protein_interpro_lists_stored_matches_by_release() {
    let db = TestDb::new().await;
    let pool = db.pool.clone();
    let transport = Arc::new(PgQueue::new(pool.clone()));
    let state = AppState {
        jobs: JobService::new(pool.clone(), protea_ops::registry(), transport),
        events: EventHub::start(pool.clone()),
    };
    let app = protea_api::app(
        state,
        &ApiConfig {
            max_body_bytes: 1 << 20,
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let mut conn = pool.acquire().await.unwrap();
    let rows = [
        hit("A0A000", "Pfam", "PF00001", 30, Some("IPR000001")),
        hit("A0A000", "MobiDB-lite", "mobidb-lite", 5, None),
        hit("A0A001", "Pfam", "PF00002", 1, None),
    ];
    let new = interpro_hits::insert_hits(&mut conn, "5.77-108.0", None, &rows)
        .await
        .unwrap();
    assert_eq!(new, 3);
    let again = interpro_hits::insert_hits(&mut conn, "5.77-108.0", None, &rows)
        .await
        .unwrap();
    assert_eq!(again, 0);
    interpro_hits::insert_hits(&mut conn, "5.78-109.0", None, &rows[..1])
        .await
        .unwrap();

    let client = reqwest::Client::new();
    let get = |path: String| {
        let client = client.clone();
        async move {
            let r = client.get(path).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    let all = get(format!("{base}/proteins/A0A000/interpro")).await;
    assert_eq!(all["count"], 3);
    // Ordered by release, then position.
    assert_eq!(all["hits"][0]["signature_accession"], "mobidb-lite");
    assert_eq!(all["hits"][1]["ipr_accession"], "IPR000001");
    assert_eq!(all["hits"][2]["ipr_release"], "5.78-109.0");
    let one = get(format!(
        "{base}/proteins/A0A000/interpro?release=5.78-109.0"
    ))
    .await;
    assert_eq!(one["count"], 1);
    let none = get(format!("{base}/proteins/NOPE/interpro")).await;
    assert_eq!(none["count"], 0);
    let bad = client
        .get(format!("{base}/proteins/A0A000/interpro?colour=red"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}
