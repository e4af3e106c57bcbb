//! A loopback HTTP server for tests (feature `mock-server`): serves real
//! files, UniProt-style search pages cut from a FASTA or TSV file with `Link`
//! headers, QuickGO-style batches filtered by gene product, and injects
//! faults (429 + `Retry-After`, 5xx, connections dropped mid-body, slow
//! answers) one request at a time from a queue.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A fault applied to the next request (any route).
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status and an empty body.
    Status(u16),
    /// 429, with `Retry-After: n` when given.
    TooManyRequests { retry_after: Option<u64> },
    /// Send part of the body, then cut the connection.
    Drop,
    /// Wait this long before answering normally.
    Slow(Duration),
}

/// What the server serves.
#[derive(Debug, Clone, Default)]
pub struct MockConfig {
    /// `/files/<path>` serves `root/<path>` byte for byte.
    pub root: PathBuf,
    /// Records of `/uniprotkb/search?format=fasta` (plain or gzip file).
    pub uniprot_fasta: Option<PathBuf>,
    /// Rows of `/uniprotkb/search?format=tsv` (header repeated on each page).
    pub uniprot_tsv: Option<PathBuf>,
    /// Rows of `/quickgo` (QuickGO TSV, plain or gzip).
    pub quickgo_tsv: Option<PathBuf>,
}

struct Shared {
    root: PathBuf,
    base: String,
    faults: Mutex<VecDeque<Fault>>,
    log: Mutex<Vec<String>>,
    fasta: Vec<String>,
    tsv_header: String,
    tsv_rows: Vec<String>,
    quickgo_header: String,
    quickgo_rows: Vec<(String, String)>,
}

/// A running server; stops when dropped.
pub struct MockServer {
    pub base_url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl MockServer {
    /// Binds 127.0.0.1 on a free port and starts serving.
    pub async fn start(config: MockConfig) -> MockServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("local addr"));
        let fasta = config
            .uniprot_fasta
            .as_ref()
            .map(|p| split_fasta(&read_text(p)))
            .unwrap_or_default();
        let (tsv_header, tsv_rows) = config
            .uniprot_tsv
            .as_ref()
            .map(|p| split_tsv(&read_text(p)))
            .unwrap_or_default();
        let (quickgo_header, rows) = config
            .quickgo_tsv
            .as_ref()
            .map(|p| split_tsv(&read_text(p)))
            .unwrap_or_default();
        let id_column = quickgo_header
            .split('\t')
            .position(|h| h.eq_ignore_ascii_case("GENE PRODUCT ID"))
            .unwrap_or(1);
        let quickgo_rows = rows
            .into_iter()
            .map(|row| {
                let id = row.split('\t').nth(id_column).unwrap_or("").to_owned();
                (id, row)
            })
            .collect();
        let shared = Arc::new(Shared {
            root: config.root,
            base: base.clone(),
            faults: Mutex::new(VecDeque::new()),
            log: Mutex::new(Vec::new()),
            fasta,
            tsv_header,
            tsv_rows,
            quickgo_header,
            quickgo_rows,
        });
        let app = Router::new()
            .route("/files/{*path}", get(file))
            .route("/uniprotkb/search", get(search))
            .route("/quickgo", get(quickgo))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        MockServer {
            base_url: base,
            shared,
            task,
        }
    }

    /// `base_url + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Queues a fault for the next request not yet faulted.
    pub fn push_fault(&self, fault: Fault) {
        self.shared.faults.lock().expect("faults").push_back(fault);
    }

    /// Path and query of every request received, in order.
    pub fn requests(&self) -> Vec<String> {
        self.shared.log.lock().expect("log").clone()
    }
}

fn read_text(path: &std::path::Path) -> String {
    let mut reader = protea_formats::io::open(path).expect("mock server input");
    let mut text = String::new();
    reader.read_to_string(&mut text).expect("mock server input");
    text
}

fn split_fasta(text: &str) -> Vec<String> {
    let mut records: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with('>') || records.is_empty() {
            records.push(String::new());
        }
        let record = records.last_mut().expect("one record");
        record.push_str(line);
        record.push('\n');
    }
    records
}

fn split_tsv(text: &str) -> (String, Vec<String>) {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or("").to_owned();
    (header, lines.map(str::to_owned).collect())
}

impl Shared {
    fn record(&self, what: String) -> Option<Fault> {
        self.log.lock().expect("log").push(what);
        self.faults.lock().expect("faults").pop_front()
    }
}

/// Applies a fault: `Err(response)` answers at once; `Ok(drop)` continues,
/// cutting the body when `drop`.
async fn apply(fault: Option<Fault>) -> Result<bool, Response> {
    match fault {
        None => Ok(false),
        Some(Fault::Status(code)) => Err(StatusCode::from_u16(code)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response()),
        Some(Fault::TooManyRequests { retry_after }) => {
            let mut response = StatusCode::TOO_MANY_REQUESTS.into_response();
            if let Some(secs) = retry_after {
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from_str(&secs.to_string()).expect("digits"),
                );
            }
            Err(response)
        }
        Some(Fault::Slow(wait)) => {
            tokio::time::sleep(wait).await;
            Ok(false)
        }
        Some(Fault::Drop) => Ok(true),
    }
}

/// The body, streamed in chunks; when `cut`, half of it and then an error
/// (hyper then aborts the connection).
fn body(bytes: Vec<u8>, cut: bool) -> Body {
    let bytes = Bytes::from(bytes);
    if !cut {
        return Body::from(bytes);
    }
    let half = bytes.slice(..bytes.len() / 2);
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(half),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected drop",
        )),
    ];
    Body::from_stream(futures::stream::iter(chunks))
}

async fn file(State(shared): State<Arc<Shared>>, Path(path): Path<String>) -> Response {
    let cut = match apply(shared.record(format!("/files/{path}"))).await {
        Ok(cut) => cut,
        Err(response) => return response,
    };
    if path.split('/').any(|part| part == "..") {
        return StatusCode::BAD_REQUEST.into_response();
    }
    match tokio::fs::read(shared.root.join(&path)).await {
        Ok(bytes) => {
            let mut response = Response::new(body(bytes, cut));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            response
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn search(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let query: HashMap<&str, &str> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let log = format!(
        "/uniprotkb/search?{}",
        params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    );
    let cut = match apply(shared.record(log)).await {
        Ok(cut) => cut,
        Err(response) => return response,
    };
    let format = query.get("format").copied().unwrap_or("fasta");
    let size: usize = query
        .get("size")
        .and_then(|s| s.parse().ok())
        .unwrap_or(500)
        .max(1);
    let offset: usize = query
        .get("cursor")
        .and_then(|c| c.strip_prefix('c'))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let items: &[String] = if format == "tsv" {
        &shared.tsv_rows
    } else {
        &shared.fasta
    };
    let end = (offset + size).min(items.len());
    let mut text = String::new();
    if format == "tsv" {
        text.push_str(&shared.tsv_header);
        text.push('\n');
    }
    for item in &items[offset.min(end)..end] {
        text.push_str(item);
        if format == "tsv" {
            text.push('\n');
        }
    }
    let mut bytes = text.into_bytes();
    if query.get("compressed") == Some(&"true") {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&bytes).expect("gzip");
        bytes = encoder.finish().expect("gzip");
    }
    let mut response = Response::new(body(bytes, cut));
    let headers = response.headers_mut();
    headers.insert(
        "x-total-results",
        HeaderValue::from_str(&items.len().to_string()).expect("digits"),
    );
    if end < items.len() {
        let keep: Vec<(String, String)> = params
            .iter()
            .filter(|(k, _)| k != "cursor")
            .cloned()
            .chain([("cursor".to_owned(), format!("c{end}"))])
            .collect();
        let mut next =
            reqwest::Url::parse(&format!("{}/uniprotkb/search", shared.base)).expect("base url");
        next.query_pairs_mut().extend_pairs(keep);
        let link = format!("<{next}>; rel=\"next\"");
        headers.insert(header::LINK, HeaderValue::from_str(&link).expect("ascii"));
    }
    response
}

async fn quickgo(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let ids = params.get("geneProductId").cloned();
    let cut = match apply(shared.record(format!(
        "/quickgo?geneProductId={}",
        ids.clone().unwrap_or_default()
    )))
    .await
    {
        Ok(cut) => cut,
        Err(response) => return response,
    };
    let wanted: Option<HashSet<&str>> = ids.as_deref().map(|ids| ids.split(',').collect());
    let mut text = shared.quickgo_header.clone();
    text.push('\n');
    for (id, row) in &shared.quickgo_rows {
        if wanted.as_ref().is_none_or(|w| w.contains(id.as_str())) {
            text.push_str(row);
            text.push('\n');
        }
    }
    Response::new(body(text.into_bytes(), cut))
}
