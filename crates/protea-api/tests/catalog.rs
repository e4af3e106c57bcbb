//! The catalogue and query-set endpoints over real HTTP: data loaded by the
//! real operations (GO slice from shared/data, a small UniProt FASTA fixture
//! as the UniProt mirror), then browsed; FASTA uploads valid and invalid.

use protea_api::{ApiConfig, AppState, EventHub};
use protea_jobs::{Extensions, JobService, PgQueue, Worker, WorkerConfig};
use protea_testkit::TestDb;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("PROTEA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if dir.join("go").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP: shared data not found at {} (set PROTEA_SHARED_DATA)",
            dir.display()
        );
        None
    }
}

struct Server {
    base: String,
    client: reqwest::Client,
    db: TestDb,
    _stop: watch::Sender<bool>,
}

async fn start() -> Server {
    let db = TestDb::new().await;
    let pool = db.pool.clone();
    let transport = Arc::new(PgQueue::new(pool.clone()));
    let registry = protea_ops::registry();
    let state = AppState {
        jobs: JobService::new(pool.clone(), registry.clone(), transport.clone()),
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
    let mut extensions = Extensions::default();
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../protea-ops/tests/data/yeast4.isoforms.fasta");
    extensions.insert(protea_sources::SourcesConfig {
        uniprot_url: fixture.display().to_string(),
        quickgo_url: "http://127.0.0.1:9/".into(),
    });
    let config = WorkerConfig {
        queues: vec!["protea.jobs".into()],
        heartbeat: Duration::from_millis(200),
        poll_interval: Duration::from_millis(100),
        ..WorkerConfig::default()
    };
    let worker = Worker::new(pool, registry, transport, Arc::new(extensions), config);
    let (stop, rx) = watch::channel(false);
    tokio::spawn(async move { worker.run(rx).await.unwrap() });
    Server {
        base,
        client: reqwest::Client::new(),
        db,
        _stop: stop,
    }
}

impl Server {
    async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    async fn job(&self, operation: &str, payload: Value) -> Value {
        let r = self
            .client
            .post(format!("{}/jobs", self.base))
            .json(&json!({"operation": operation, "payload": payload}))
            .send()
            .await
            .unwrap();
        let id = r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        for _ in 0..600 {
            let (_, job) = self.get(&format!("/jobs/{id}")).await;
            if ["succeeded", "failed", "cancelled"].contains(&job["status"].as_str().unwrap()) {
                assert_eq!(job["status"], "succeeded", "{job}");
                return job["result"].clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("job {id} did not finish");
    }
}

#[tokio::test]
async fn proteins_ontology_and_annotation_sets_are_browsable() {
    let Some(data) = shared_data() else { return };
    let s = start().await;
    let slice = data.join("go/go-basic.2026-05-19.slice.obo");
    let snap = s
        .job(
            "load_ontology_snapshot",
            json!({"obo_url": slice.display().to_string()}),
        )
        .await;
    s.job("insert_proteins", json!({"search_criteria": "local"}))
        .await;

    let (status, page) = s.get("/proteins?search=ste2").await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["accession"], "D6VTK4");
    assert_eq!(s.get("/proteins").await.1["total"], 4);
    assert_eq!(
        s.get("/proteins?canonical_only=false&limit=2&offset=1")
            .await
            .1["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(s.get("/proteins?canonical_only=false").await.1["total"], 6);
    assert_eq!(
        s.get("/proteins?search=%25").await.1["total"],
        0,
        "% is literal"
    );
    assert_eq!(s.get("/proteins?limit=0").await.0, 400);
    let (_, p) = s.get("/proteins/A0A0B7P3V8").await;
    assert_eq!(p["isoforms"], json!(["A0A0B7P3V8-2", "A0A0B7P3V8-3"]));
    assert!(p["sequence"].as_str().unwrap().starts_with('M'));
    assert_eq!(s.get("/proteins/NOPE").await.0, 404);
    let (_, stats) = s.get("/proteins/stats").await;
    assert_eq!(
        (
            stats["total"].as_i64(),
            stats["isoforms"].as_i64(),
            stats["sequences"].as_i64()
        ),
        (Some(6), Some(2), Some(4))
    );

    let (_, snaps) = s.get("/annotations/snapshots").await;
    assert_eq!(snaps["total"], 1);
    let id = snap["snapshot_id"].as_str().unwrap();
    assert_eq!(snaps["items"][0]["go_term_count"], snap["term_count"]);
    let (status, term) = s
        .get(&format!(
            "/annotations/snapshots/{id}/terms/GO:0005515?depth=2"
        ))
        .await;
    assert_eq!(status, 200, "{term}");
    assert_eq!(term["name"], "protein binding");
    let ancestors = term["ancestors"].as_array().unwrap();
    assert!(
        ancestors.iter().any(|a| a["go_id"] == "GO:0005488"
            && a["distance"] == 1
            && a["relation_type"] == "is_a"),
        "{term}"
    );
    assert!(
        ancestors
            .iter()
            .any(|a| a["go_id"] == "GO:0003674" && a["distance"] == 2),
        "{term}"
    );
    let (_, root) = s
        .get(&format!(
            "/annotations/snapshots/{id}/terms/GO:0003674?depth=1&relations=is_a"
        ))
        .await;
    assert!(root["ancestors"].as_array().unwrap().is_empty());
    assert!(!root["descendants"].as_array().unwrap().is_empty());
    assert_eq!(
        s.get(&format!("/annotations/snapshots/{id}/terms/GO:9999999"))
            .await
            .0,
        404
    );

    // A small annotation set, counted by aspect and evidence.
    let set = uuid::Uuid::new_v4();
    sqlx::query("insert into annotation_set (id, source, source_version, ontology_snapshot_id) values ($1, 'goa', '1', $2)")
        .bind(set).bind(uuid::Uuid::parse_str(id).unwrap()).execute(&s.db.pool).await.unwrap();
    sqlx::query("insert into protein_go_annotation (annotation_set_id, protein_accession, go_term_id, evidence_code, qualifier) \
        select $1, 'D6VTK4', t.id, e, 'enables' from go_term t, unnest(array['IDA', 'IEA']) e where t.go_id in ('GO:0005515', 'GO:0003674')")
        .bind(set).execute(&s.db.pool).await.unwrap();
    let (_, sets) = s.get("/annotations/sets?source=goa").await;
    assert_eq!(sets["items"][0]["annotation_count"], 4);
    let (_, detail) = s.get(&format!("/annotations/sets/{set}")).await;
    assert_eq!(detail["by_aspect"]["F"], 4);
    assert_eq!(detail["by_evidence"].as_array().unwrap().len(), 2);
    assert_eq!(detail["proteins"], 1);

    // A protein's annotations, all sets or one.
    let (status, rows) = s.get("/proteins/D6VTK4/annotations").await;
    assert_eq!(status, 200);
    assert_eq!(rows.as_array().unwrap().len(), 4);
    assert_eq!(rows[0]["annotation_set_source"], "goa");
    let (_, none) = s
        .get(&format!(
            "/proteins/D6VTK4/annotations?annotation_set_id={}",
            uuid::Uuid::new_v4()
        ))
        .await;
    assert_eq!(none, json!([]));
    assert_eq!(s.get("/proteins/NOPE/annotations").await.0, 404);

    // The upward subgraph of protein binding: itself, binding, molecular_function.
    let (status, g) = s
        .get(&format!(
            "/annotations/snapshots/{id}/subgraph?go_ids=GO:0005515,GO:9999999&depth=2"
        ))
        .await;
    assert_eq!(status, 200, "{g}");
    let go_ids: Vec<&str> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["go_id"].as_str().unwrap())
        .collect();
    assert_eq!(go_ids, ["GO:0003674", "GO:0005488", "GO:0005515"]);
    let seeds: Vec<bool> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["is_query"].as_bool().unwrap())
        .collect();
    assert_eq!(seeds, [false, false, true]);
    assert_eq!(g["edges"].as_array().unwrap().len(), 2, "{g}");
    let (_, one_level) = s
        .get(&format!(
            "/annotations/snapshots/{id}/subgraph?go_ids=GO:0005515&depth=1"
        ))
        .await;
    assert_eq!(one_level["nodes"].as_array().unwrap().len(), 2);
    let (_, empty) = s
        .get(&format!(
            "/annotations/snapshots/{id}/subgraph?go_ids=GO:9999999"
        ))
        .await;
    assert_eq!(empty, json!({"nodes": [], "edges": []}));
    assert_eq!(
        s.get(&format!(
            "/annotations/snapshots/{id}/subgraph?go_ids=GO:0005515&depth=7"
        ))
        .await
        .0,
        400
    );

    // The IA URL of the snapshot: set, cleared by "", key required.
    let ia_url = format!("{}/annotations/snapshots/{id}/ia-url", s.base);
    let patch = |body: Value| s.client.patch(&ia_url).json(&body).send();
    let r = patch(json!({"ia_url": "https://example.org/IA.tsv"}))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap()["ia_url"],
        "https://example.org/IA.tsv"
    );
    assert_eq!(
        s.get(&format!("/annotations/snapshots/{id}")).await.1["ia_url"],
        "https://example.org/IA.tsv"
    );
    let r = patch(json!({"ia_url": ""})).await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["ia_url"], Value::Null);
    assert_eq!(
        patch(json!({"url": "x"})).await.unwrap().status().as_u16(),
        422
    );
    assert_eq!(
        patch(json!({"ia_url": 3})).await.unwrap().status().as_u16(),
        422
    );

    // Load shortcuts check the payload before queueing.
    let post = |path: &str, body: Value| {
        s.client
            .post(format!("{}{path}", s.base))
            .json(&body)
            .send()
    };
    let r = post("/annotations/sets/load-goa", json!({"gaf_url": 3}))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("gaf_url"));
    let r = post(
        "/annotations/snapshots/load",
        json!({"obo_url": slice.display().to_string()}),
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let queued: Value = r.json().await.unwrap();
    assert_eq!(queued["queue_name"], "protea.jobs");
    let r = post("/annotations/sets/load-quickgo", json!({"nope": 1}))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);

    // Deleting the (unused) set removes its annotations.
    let url = format!("{}/annotations/sets/{set}", s.base);
    let r = s.client.delete(&url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["annotations_deleted"], 4);
    assert_eq!(
        s.client
            .delete(&url)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    assert_eq!(s.get("/proteins/D6VTK4/annotations").await.1, json!([]));
}

#[tokio::test]
async fn query_set_upload_validates_every_record_and_writes_nothing_when_invalid() {
    let s = start().await;
    let url = format!("{}/query-sets?name=mine&description=two", s.base);
    let bad = ">q1 first\nMKVL\n>q2\nMK*V\n>q1\nMKVL\n>q3\n\n";
    let r = s.client.post(&url).body(bad).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "invalid_fasta");
    let records = body["records"].as_array().unwrap();
    assert_eq!(records.len(), 3, "{body}");
    assert_eq!(records[0]["line"], 3);
    assert!(
        records[0]["issues"][0]
            .as_str()
            .unwrap()
            .contains("invalid residue")
    );
    assert_eq!(s.get("/query-sets").await.1["total"], 0);
    let n: i64 = sqlx::query_scalar("select count(*) from sequence")
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    assert_eq!(n, 0);

    let r = s
        .client
        .post(&url)
        .body(">q1 first\nMKVL\nAAG\n>q2\nmkvlaag\n>q3\nACDE\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["entry_count"], 3);
    assert_eq!(
        created["sequences_inserted"], 2,
        "q1 and q2 share a sequence"
    );
    let id = created["id"].as_str().unwrap();
    let (_, one) = s.get(&format!("/query-sets/{id}")).await;
    let accessions: Vec<&str> = one["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["accession"].as_str().unwrap())
        .collect();
    assert_eq!(accessions, ["q1", "q2", "q3"]);
    assert_eq!(one["entries"][0]["length"], 7);
    let r = s
        .client
        .post(format!("{}/query-sets", s.base))
        .body(">a\nM\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400, "name is required");
    let r = s
        .client
        .post(format!("{}/query-sets?name=empty", s.base))
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let r = s
        .client
        .delete(format!("{}/query-sets/{id}", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(s.get(&format!("/query-sets/{id}")).await.0, 404);
}

#[tokio::test]
async fn query_sets_upload_as_a_multipart_form_too() {
    let s = start().await;
    let form = reqwest::multipart::Form::new()
        .text("name", "from-form")
        .text("description", "browser upload")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b">q1\nMKVL\n>q2\nACDE\n".to_vec())
                .file_name("mine.fasta"),
        );
    let r = s
        .client
        .post(format!("{}/query-sets", s.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(
        (created["name"].as_str(), created["entry_count"].as_i64()),
        (Some("from-form"), Some(2))
    );

    // A bad record is reported against the uploaded file's name and the
    // record's header line.
    let form = reqwest::multipart::Form::new().text("name", "bad").part(
        "file",
        reqwest::multipart::Part::bytes(b">q1\nMK1L\n".to_vec()).file_name("bad.fasta"),
    );
    let r = s
        .client
        .post(format!("{}/query-sets", s.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["records"][0]["line"], 1, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("bad.fasta"),
        "{body}"
    );

    let form = reqwest::multipart::Form::new().text("name", "no-file");
    let r = s
        .client
        .post(format!("{}/query-sets", s.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(
        s.get("/query-sets").await.1["total"],
        1,
        "only the valid upload was stored"
    );
}
